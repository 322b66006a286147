"""Parsing release files into `Release`s: the ministry's page layout, saved HTML pages and plain text.

All functions here are pure (text in, Release out) except `load_release`, which reads a path.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from bs4 import BeautifulSoup

from ingest.decode import UnreadableFileError, decode_bytes
from ingest.models import Paragraph, Release

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm")

_HEADER_MARK = "press releases"
_NUMBERED = re.compile(r"^\s*(\d{1,3})\s*[.)]\s+(.*)$")
_NOTE = re.compile(r"^\s*※\s*")
_DATE = re.compile(r"(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")


def parse_date(text: str) -> date | None:
    match = _DATE.search(text)
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def detect_language(text: str) -> str:
    hangul = len(_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    return "ko" if hangul > latin * 0.5 else "en"


def _clean_line(line: str) -> str:
    return re.sub(r"[ \t\u00a0\u3000]+", " ", line).strip()


def parse_paragraphs(lines: list[str]) -> tuple[Paragraph, ...]:
    """Group body lines into numbered paragraphs; `※` notes attach to the paragraph before them.

    Text without any numbering is split at blank lines and numbered in order.
    """
    lines = [_clean_line(line) for line in lines]
    if not any(_NUMBERED.match(line) for line in lines):
        return _blank_line_paragraphs(lines)
    paragraphs: list[Paragraph] = []
    number, text, notes = 0, [], []

    def flush() -> None:
        body = " ".join(text).strip()
        if body or notes:
            paragraphs.append(Paragraph(number, body, tuple(notes)))

    for line in lines:
        if not line:
            continue
        numbered = _NUMBERED.match(line)
        if numbered and not notes_open_continuation(line, notes):
            flush()
            number, text, notes = int(numbered.group(1)), [numbered.group(2)], []
        elif _NOTE.match(line):
            notes.append("※ " + _NOTE.sub("", line, count=1))
        elif notes:
            notes[-1] = f"{notes[-1]} {line}"
        else:
            text.append(line)
    flush()
    return tuple(paragraphs)


def notes_open_continuation(line: str, notes: list[str]) -> bool:
    # A numbered line right after a note that ends with ":" is a list item inside the note.
    return bool(notes) and notes[-1].rstrip().endswith(":")


def _blank_line_paragraphs(lines: list[str]) -> tuple[Paragraph, ...]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    paragraphs: list[Paragraph] = []
    for block in blocks:
        if not block:
            continue
        if _NOTE.match(block[0]) and paragraphs:
            last = paragraphs[-1]
            paragraphs[-1] = Paragraph(last.number, last.text, (*last.notes, " ".join(block)))
        else:
            paragraphs.append(Paragraph(len(paragraphs) + 1, " ".join(block)))
    return tuple(paragraphs)


def _find_header(lines: list[str]) -> int | None:
    """Index of the `Press Releases` line that starts a ministry-layout release, if any."""
    stripped = [_clean_line(line).lower() for line in lines]
    for i, line in enumerate(stripped):
        if line != _HEADER_MARK:
            continue
        if any(s == "date" for s in stripped[i + 1 : i + 12]):
            return i
    return None


def parse_ministry_layout(lines: list[str], source: str) -> Release | None:
    start = _find_header(lines)
    if start is None:
        return None
    rest = [_clean_line(line) for line in lines[start + 1 :]]
    date_label = next(i for i, line in enumerate(rest) if line.lower() == "date")
    title = " ".join(line for line in rest[:date_label] if line)
    i = date_label + 1
    while i < len(rest) and not rest[i]:
        i += 1
    released = parse_date(rest[i]) if i < len(rest) else None
    i += 1
    hits = None
    # The view counter ("hit" and a number) is optional in saved copies.
    while i < len(rest) and not rest[i]:
        i += 1
    if i < len(rest) and rest[i].lower() in {"hit", "hits", "조회수"}:
        i += 1
        while i < len(rest) and not rest[i]:
            i += 1
        if i < len(rest) and rest[i].replace(",", "").isdigit():
            hits = int(rest[i].replace(",", ""))
            i += 1
    paragraphs = parse_paragraphs(rest[i:])
    if not title:
        raise UnreadableFileError(f"{source}: the release has no title between 'Press Releases' and 'Date'")
    return Release(
        source=source,
        release_id=Path(source).stem,
        title=title,
        date=released,
        language=detect_language(title + " ".join(p.body for p in paragraphs)),
        paragraphs=paragraphs,
        hits=hits,
    )


def parse_plain_text(text: str, source: str) -> Release:
    """A text without the ministry header: the first line is the title and the date is unknown."""
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise UnreadableFileError(f"{source}: the file is empty; nothing to index")
    title = _clean_line(lines[0].lstrip("#"))
    paragraphs = parse_paragraphs(lines[1:])
    return Release(
        source=source,
        release_id=Path(source).stem,
        title=title,
        date=None,
        language=detect_language(title + " ".join(p.body for p in paragraphs)),
        paragraphs=paragraphs,
    )


def parse_release_text(text: str, source: str) -> Release:
    release = parse_ministry_layout(text.splitlines(), source) or parse_plain_text(text, source)
    if not release.paragraphs:
        raise UnreadableFileError(f"{source}: found a title but no paragraphs; is the body missing?")
    return release


def html_to_lines(html: str) -> tuple[list[str], str, str]:
    """The visible text lines of a page, its best title and any date in its metadata."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "form", "aside"]):
        tag.decompose()
    heading = soup.find(["h1", "h2"])
    title = heading.get_text(" ", strip=True) if heading else ""
    if not title and soup.title:
        title = soup.title.get_text(" ", strip=True)
    meta_date = ""
    for attrs in ({"property": "article:published_time"}, {"name": "date"}, {"itemprop": "datePublished"}):
        meta = soup.find("meta", attrs=attrs)
        if meta and meta.get("content"):
            meta_date = meta["content"]
            break
    time_tag = soup.find("time")
    if not meta_date and time_tag:
        meta_date = time_tag.get("datetime") or time_tag.get_text(" ", strip=True)
    blocks = soup.find_all(["p", "li", "h1", "h2", "h3", "dt", "dd", "td", "div"])
    lines: list[str] = []
    for block in blocks:
        # Only leaf-level blocks, so nested divs do not repeat their children's text.
        if block.find(["p", "li", "div", "td", "dd"]):
            continue
        text = block.get_text(" ", strip=True)
        if text:
            lines.extend([text, ""])
    return lines, title, meta_date


def parse_release_html(html: str, source: str) -> Release:
    lines, title, meta_date = html_to_lines(html)
    structured = parse_ministry_layout(lines, source)
    if structured:
        return structured
    if not title:
        raise UnreadableFileError(f"{source}: the HTML page has no <h1> or <title>; cannot tell its title")
    body = [line for line in lines if _clean_line(line) != title]
    released = parse_date(meta_date) or next((parse_date(line) for line in body[:10] if parse_date(line)), None)
    paragraphs = parse_paragraphs([line for line in body if not (parse_date(line) and len(line) < 40)])
    if not paragraphs:
        raise UnreadableFileError(f"{source}: the HTML page has no paragraphs of text")
    return Release(
        source=source,
        release_id=Path(source).stem,
        title=title,
        date=released,
        language=detect_language(title + " ".join(p.body for p in paragraphs)),
        paragraphs=paragraphs,
    )


def parse_release(data: bytes, source: str) -> Release:
    """Parse a release file's bytes; the suffix of `source` chooses HTML or text."""
    text = decode_bytes(data, source)
    if source.lower().endswith((".html", ".htm")) or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        return parse_release_html(text, source)
    return parse_release_text(text, source)


def load_release(path: Path) -> Release:
    return parse_release(path.read_bytes(), path.name)
