"""Turning an answer (Answer.to_dict(), the JSON every route serves) into the Markdown the chat shows.

Pure, so it is tested without a browser. Each `[n]` becomes a link to `#pr-src=<chunk id>&span=<a>-<b>`;
the page's script opens the source panel for it instead of following the link.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from qa.models import Answer

# Release text is untrusted: a hostile document must not inject HTML or Markdown structure into the
# chat, so HTML is entity-escaped and Markdown punctuation is backslash-escaped (both render as the
# plain character). Escaping everything keeps the rule simple; the rendered text looks unchanged.
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_MD_PUNCT = re.compile(r"([\\`*_\[\]()#|~!$])")
_LIST_START = re.compile(r"^([-+=])|^(\d+)\.")  # would start a list or underline a heading
_MARKER = re.compile(r"\\\[(\d+)\\\]")

CLOSEST_SHOWN = 3

TEXT = {
    "en": {
        "sources": "Sources",
        "paragraph": "paragraph",
        "untitled": "Untitled release",
        "not_found": "Not in the releases",
        "searched": "Searched for",
        "dates": "Release dates",
        "closest": "Closest releases",
        "parts": "In parts",
    },
    "ko": {
        "sources": "출처",
        "paragraph": "문단",
        "untitled": "제목 없는 보도자료",
        "not_found": "보도자료에 없는 내용입니다",
        "searched": "검색한 내용",
        "dates": "보도 날짜",
        "closest": "가장 가까운 보도자료",
        "parts": "나누어 검색",
    },
}


def escape_md(text: str) -> str:
    """Plain text -> Markdown that renders as that text, on one line."""
    text = " ".join(str(text).split())  # a newline could start a block (heading, list, reference link)
    text = "".join(_HTML.get(ch, ch) for ch in text)
    text = _MD_PUNCT.sub(r"\\\1", text)
    return _LIST_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\.", text, count=1)


def source_href(chunk_id: str, span: Any = None) -> str:
    """The fragment a `[n]` link carries: the page script reads it back (see ui/static/page.js)."""
    href = "#pr-src=" + quote(str(chunk_id), safe="")
    if isinstance(span, (list, tuple)) and len(span) == 2 and all(isinstance(x, int) for x in span):
        href += f"&span={span[0]}-{span[1]}"
    return href


def _as_dict(answer: Answer | Mapping[str, Any]) -> Mapping[str, Any]:
    return answer.to_dict() if isinstance(answer, Answer) else answer


def _marker_link(n: int, citation: Mapping[str, Any]) -> str:
    return f"[\\[{n}\\]]({source_href(citation['chunk_id'], citation.get('span'))})"


def _answer_text(answer: Mapping[str, Any]) -> str:
    cited = {int(c["n"]): c for c in answer.get("citations") or ()}
    # Turn back into links only the `[n]` markers that point at a citation; nothing else can make a
    # link, because every other bracket and parenthesis stays escaped.
    return _MARKER.sub(
        lambda m: _marker_link(int(m.group(1)), cited[int(m.group(1))]) if int(m.group(1)) in cited else m.group(0),
        escape_md(answer.get("answer", "")),
    )


def _source_line(c: Mapping[str, Any], t: dict[str, str]) -> str:
    where = ", ".join(
        part for part in (escape_md(c.get("date") or ""), f"{t['paragraph']} {int(c.get('paragraph', 0))}") if part
    )
    title = escape_md(c.get("title") or "") or t["untitled"]
    return f"{_marker_link(int(c['n']), c)} {title} — {where}"


def _closest(answer: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    seen: set[str] = set()
    closest: list[Mapping[str, Any]] = []
    for passage in answer.get("retrieved") or ():  # already best first
        title = passage.get("title") or ""
        if title and title not in seen:
            seen.add(title)
            closest.append(passage)
    return closest[:CLOSEST_SHOWN]


def _searched(answer: Mapping[str, Any], t: dict[str, str]) -> list[str]:
    query = answer.get("query") or {}
    lines = [f"{t['searched']}: “{escape_md(query.get('searched') or answer.get('question', ''))}”"]
    if query.get("subqueries"):
        lines.append(f"{t['parts']}: " + "; ".join(f"“{escape_md(s)}”" for s in query["subqueries"]))
    if query.get("date_from") or query.get("date_to"):
        lines.append(f"{t['dates']}: {escape_md(query.get('date_from') or '…')} – {escape_md(query.get('date_to') or '…')}")
    return lines


def format_reply(answer: Answer | Mapping[str, Any], lang: str = "en") -> str:
    """The answer with linked `[n]` markers and a source list; an abstention says what was searched."""
    answer = _as_dict(answer)
    t = TEXT.get(lang, TEXT["en"])
    if answer.get("abstained"):
        # A distinct state: a heading the reader can't miss, what was searched, the nearest releases.
        parts = [f"#### ⓘ {t['not_found']}", escape_md(answer.get("answer", ""))]
        parts.append("\n".join(f"- {line}" for line in _searched(answer, t)))
        closest = _closest(answer)
        if closest:
            parts.append(
                f"{t['closest']}:\n"
                + "\n".join(
                    f"- [{escape_md(p['title'])}]({source_href(p['chunk_id'])})"
                    + (f" — {escape_md(p['date'])}" if p.get("date") else "")
                    for p in closest
                )
            )
        return "\n\n".join(parts)
    parts = [_answer_text(answer)]
    citations = sorted(answer.get("citations") or (), key=lambda c: int(c["n"]))
    if citations:
        parts.append(f"**{t['sources']}**\n" + "\n".join(f"- {_source_line(c, t)}" for c in citations))
    return "\n\n".join(parts)
