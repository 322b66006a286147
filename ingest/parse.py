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


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
# "March 14, 2023", "Mar. 14 2023" and "14 March 2023".
_MONTH_DATE = re.compile(
    rf"\b{_MONTH}\s+{_DAY},?\s+(\d{{4}})\b|\b{_DAY}\s+{_MONTH},?\s+(\d{{4}})\b", re.IGNORECASE
)
# What may stand beside a date on a line that is only a date: a label, a weekday, a time.
_DATE_LABEL = re.compile(r"^(?:date|posted|published|updated|등록일|작성일|날짜)\s*[:：]?\s*", re.IGNORECASE)
_DATE_WITH_DAY_MARK = re.compile(_DATE.pattern + r"\s*일?")  # "2023년 3월 14일"
_DATE_EXTRAS = re.compile(
    r"\(?\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\)?|\([월화수목금토일]\)|\b\d{1,2}:\d{2}(?::\d{2})?\b",
    re.IGNORECASE,
)


def parse_date(text: str) -> date | None:
    match = _DATE.search(text)
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _month_name_date(text: str) -> date | None:
    match = _MONTH_DATE.search(text)
    if not match:
        return None
    if match.group(1):
        month, day, year = match.group(1), match.group(2), match.group(3)
    else:
        day, month, year = match.group(4), match.group(5), match.group(6)
    try:
        return date(int(year), _MONTHS.index(month[:3].lower()) + 1, int(day))
    except ValueError:
        return None


def find_date(text: str) -> date | None:
    """The first date in `text`, numeric ("2023-03-14", "2023년 3월 14일") or with a month name."""
    return parse_date(text) or _month_name_date(text)


def is_date_line(line: str) -> bool:
    """A short line that is only a date (optionally labelled "Date") or only the "Date" label."""
    text = _clean_line(line)
    if not text or len(text) >= 40:
        return False
    rest = _DATE_LABEL.sub("", text)
    if not rest:
        return True  # the bare label
    if not find_date(rest):
        return False
    rest = _MONTH_DATE.sub(" ", _DATE_WITH_DAY_MARK.sub(" ", rest))
    return not re.search(r"\w", _DATE_EXTRAS.sub(" ", rest))


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
    # While a note ending with ":" is followed by a numbered list, the number its next item would
    # carry; None when no list is open.
    list_next: int | None = None

    def flush() -> None:
        body = " ".join(text).strip()
        if body or notes:
            paragraphs.append(Paragraph(number, body, tuple(notes)))

    numbers = [int(m.group(1)) if (m := _NUMBERED.match(line)) else None for line in lines]
    for i, line in enumerate(lines):
        if not line:
            continue
        numbered = _NUMBERED.match(line)
        if numbered and not _continues_note_list(numbers, i, list_next, number):
            flush()
            number, text, notes, list_next = int(numbered.group(1)), [numbered.group(2)], [], None
        elif numbered:
            notes[-1] = f"{notes[-1]} {line}"
            list_next = int(numbered.group(1)) + 1
        elif _NOTE.match(line):
            notes.append("※ " + _NOTE.sub("", line, count=1))
            list_next = 1 if notes_open_continuation(line, notes) else None
        elif notes:
            notes[-1] = f"{notes[-1]} {line}"
            if list_next in (None, 1):  # the note's own text wrapped onto this line; no item yet
                list_next = 1 if notes_open_continuation(line, notes) else None
        else:
            text.append(line)
    flush()
    return tuple(paragraphs)


def notes_open_continuation(line: str, notes: list[str]) -> bool:
    # A note that ends with ":" opens a numbered list whose items belong to the note.
    return bool(notes) and notes[-1].rstrip().endswith(":")


def _continues_note_list(numbers: list[int | None], i: int, list_next: int | None, paragraph: int) -> bool:
    """Whether numbered line `i` is the next item of a list open in a note.

    Only a number that continues the list (1, 2, 3, ...) does. When it is also the number the next
    paragraph would carry ("1. Para", "※ Lines:", "1. Item", "2. ..."), it is a list item only if
    a paragraph with that number follows the list's run; otherwise the paragraph wins.
    """
    n = numbers[i]
    if list_next is None or n != list_next:
        return False
    if n != paragraph + 1:
        return True
    expected = n
    for later in numbers[i + 1 :]:
        if later is None:
            continue
        if later == expected + 1:
            expected = later  # still the list's run
            continue
        return later == paragraph + 1
    return False


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


def _release(
    source: str, title: str, released: date | None, paragraphs: tuple[Paragraph, ...], hits: int | None = None
) -> Release:
    return Release(
        source=source,
        release_id=Path(source).stem,
        title=title,
        date=released,
        language=detect_language(title + " ".join(p.body for p in paragraphs)),
        paragraphs=paragraphs,
        hits=hits,
    )


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
    # The date line may be missing; then the line after "Date" is the view counter or the body.
    released = find_date(rest[i]) if i < len(rest) else None
    if released:
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
    return _release(source, title, released, paragraphs, hits)


def parse_plain_text(text: str, source: str) -> Release:
    """A text without the ministry header: the first line is the title and the date is unknown."""
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise UnreadableFileError(f"{source}: the file is empty; nothing to index")
    title = _clean_line(lines[0].lstrip("#"))
    paragraphs = parse_paragraphs(lines[1:])
    return _release(source, title, None, paragraphs)


def parse_release_text(text: str, source: str) -> Release:
    release = parse_ministry_layout(text.splitlines(), source) or parse_plain_text(text, source)
    if not release.paragraphs:
        raise UnreadableFileError(f"{source}: found a title but no paragraphs; is the body missing?")
    return release


_TEXT_BLOCKS = ["p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "td", "div"]


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
    lines: list[str] = []
    for block in soup.find_all(_TEXT_BLOCKS):
        # Only leaf-level blocks, so a div wrapping others (headings too) does not repeat their text.
        if block.find(_TEXT_BLOCKS):
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
    released = find_date(meta_date) or next((d for line in body[:10] if (d := find_date(line))), None)
    # The page's visible date ("Date March 14, 2023", "2023-03-14") is metadata, not a paragraph.
    paragraphs = parse_paragraphs([line for line in body if not is_date_line(line)])
    if not paragraphs:
        raise UnreadableFileError(f"{source}: the HTML page has no paragraphs of text")
    return _release(source, title, released, paragraphs)


def parse_release(data: bytes, source: str) -> Release:
    """Parse a release file's bytes; the suffix of `source` chooses HTML or text."""
    text = decode_bytes(data, source)
    if source.lower().endswith((".html", ".htm")) or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        return parse_release_html(text, source)
    return parse_release_text(text, source)


def load_release(path: Path) -> Release:
    return parse_release(path.read_bytes(), path.name)
