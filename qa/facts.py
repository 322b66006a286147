"""The checkable facts of a sentence, written the same way for English and Korean.

"March 5, 2024", "5 March 2024" and "2024년 3월 5일" all give {"y2024", "m3", "n5"}; "1,513" gives
"n1513"; "eighth", "8th" and "제8차" give "n8". The verifier asks whether an answer sentence's facts
all appear in the passage it cites; the abstention rule asks whether it holds the kind asked for.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_MONTHS = {
    name: i
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
         ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
         ("november", "nov"), ("december", "dec")],
        1,
    )
    for name in names
}
_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
} | {w: i for i, w in enumerate("zeroth first second third fourth fifth sixth seventh eighth ninth tenth".split())}
# Single-word forms that are rarely numbers in a sentence about diplomacy.
_WORDS.pop("zero"), _WORDS.pop("zeroth"), _WORDS.pop("one"), _WORDS.pop("first"), _WORDS.pop("second")

_TOKEN = re.compile(
    r"(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<ko>년|월|일|차|명|개|번째)?(?:st|nd|rd|th)?"
    r"|(?P<word>[A-Za-z]+)"
)
_MARKER = re.compile(r"\[\d+\]")
_NAME = re.compile(r"\b[A-Z][a-zA-Z'’.-]+(?:\s+(?:of\s+|the\s+|and\s+)?[A-Z][a-zA-Z'’.-]+)+")
_LEADING = re.compile(r"^(?:The|A|An|In|On|At|During|After|Before|And|But|Minister|Korea's)\s+")


def facts_of(text: str) -> set[str]:
    text = unicodedata.normalize("NFKC", _MARKER.sub(" ", text))
    found: set[str] = set()
    for m in _TOKEN.finditer(text):
        if m.group("num"):
            raw = m.group("num").replace(",", "").rstrip(".")
            suffix = m.group("ko")
            if suffix == "월":
                found.add(f"m{int(float(raw))}")
            elif (suffix == "년" or re.fullmatch(r"(?:19|20)\d\d", raw)) and "." not in raw:
                found.add(f"y{raw}")
            else:
                value = float(raw)
                found.add(f"n{int(value)}" if value.is_integer() else f"n{value}")
        else:
            word = m.group("word").lower()
            if word in _MONTHS and (word != "may" or m.group("word") == "May"):
                found.add(f"m{_MONTHS[word]}")
            elif word in _WORDS:
                found.add(f"n{_WORDS[word]}")
    return found


_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
# A day of a month ("December 11", "11 December", "12월 11일", "December 11-12"): a date, not a count.
_DAY_OF_MONTH = re.compile(
    rf"\b(?:{_MONTH_NAMES})\.?\s+\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?\b(?!\s*(?:%|percent))"
    rf"|\b\d{{1,2}}\s+(?:{_MONTH_NAMES})\b|\d{{1,2}}\s*월\s*\d{{1,2}}\s*일",
    re.IGNORECASE,
)


def without_days(text: str) -> str:
    """`text` with each day of a month replaced by its month alone: what is left of its numbers are
    counts, amounts and years ("On December 11, Korea sent…" answers "when", not "how many")."""
    return _DAY_OF_MONTH.sub(lambda m: re.sub(r"\d", "", m.group(0)).replace("-", " ").replace("–", " "), text)


def facts_of_date(iso: str) -> set[str]:
    """A release's own date as facts: "it was announced on March 5" is supported by its dateline."""
    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return set()
    return {f"y{d.year}", f"m{d.month}", f"n{d.day}"}


def names_of(text: str) -> list[str]:
    """Multi-word capitalised names, lower-cased, without a leading "The"/"Minister"…: "kim hong-kyun"."""
    out = []
    for m in _NAME.finditer(_MARKER.sub(" ", text)):
        name = m.group(0)
        while (stripped := _LEADING.sub("", name)) != name:
            name = stripped
        if " " in name or "-" in name:
            out.append(name.lower().rstrip(".'’s"))
    return out
