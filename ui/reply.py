"""Turning an Answer into the Markdown the chat shows; pure, so it is tested without a browser."""

from __future__ import annotations

import re

from qa.models import Answer, Citation

# Release text is untrusted: a hostile document must not inject HTML or Markdown structure into the
# chat, so HTML is entity-escaped and Markdown punctuation is backslash-escaped (both render as the
# plain character). Escaping everything keeps the rule simple; the rendered text looks unchanged.
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_PUNCT = re.compile(r"([\\`*_\[\]()#|~!$])")
_LIST_START = re.compile(r"^([-+=])|^(\d+)\.")  # would start a list or underline a heading
_MARKER = re.compile(r"\\\[(\d+)\\\]")

CLOSEST_SHOWN = 3


def escape_md(text: str) -> str:
    """Plain text -> Markdown that renders as that text, on one line."""
    text = " ".join(text.split())  # a newline could start a block (heading, list, reference link)
    text = "".join(_HTML.get(ch, ch) for ch in text)
    text = _MD_PUNCT.sub(r"\\\1", text)
    return _LIST_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\.", text, count=1)


def _answer_text(answer: Answer) -> str:
    cited = {c.n for c in answer.citations}
    # Put back the `[n]` markers that point at a citation; nothing follows them that could make
    # a link, because every other bracket and parenthesis stays escaped.
    return _MARKER.sub(
        lambda m: f"[{m.group(1)}]" if int(m.group(1)) in cited else m.group(0), escape_md(answer.answer)
    )


def _source_line(c: Citation) -> str:
    where = ", ".join(part for part in (escape_md(c.date), f"paragraph {c.paragraph}") if part)
    return f"- [{c.n}] **{escape_md(c.title) or 'Untitled release'}** — {where}\n\n  > {escape_md(c.quote)}"


def _closest_titles(answer: Answer) -> list[str]:
    titles: list[str] = []
    for passage in answer.retrieved:  # already best first
        if passage.title and passage.title not in titles:
            titles.append(passage.title)
    return titles[:CLOSEST_SHOWN]


def format_reply(answer: Answer) -> str:
    """The answer with its `[n]` markers, then each cited source and its quote; abstentions list none."""
    if answer.abstained:
        reply = escape_md(answer.answer)
        titles = _closest_titles(answer)
        if titles:
            reply += "\n\n*Closest releases searched:* " + "; ".join(escape_md(t) for t in titles)
        return reply
    parts = [_answer_text(answer)]
    if answer.citations:
        parts.append("**Sources**")
        parts.extend(_source_line(c) for c in sorted(answer.citations, key=lambda c: c.n))
    return "\n\n".join(parts)
