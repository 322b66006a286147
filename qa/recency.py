"""Time relations between an answer and its question: which of several nearly equal sentences tells
of the newest event, and which sentences look back from a later event to an earlier one.

Asked for "the latest SED", the release that reports the 8th dialogue also recalls the 7th; both
sentences match the question equally well, and the release date cannot tell them apart. The date
the sentence itself names can: "on January 31" in a release of February 1, 2024 is 2024-01-31,
"December 12, 2022" is older. A sentence that names no date is dated by its release.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Callable, Sequence, TypeVar

import dateparser

from qa.text import MONTHS

T = TypeVar("T")

_MONTH_NAMES = "|".join(m.capitalize() for m in MONTHS)
# "February 13, 2023", "June 4-5", "September 2023", "2024년 1월 31일", "1월 31일"; a day range keeps
# its first day. Only spans that hold a month are read, so a bare year or number is never a date.
_MENTION = re.compile(
    r"\b(?P<en>(?:%s)\.?(?:\s+\d{1,2}(?=\b|st|nd|rd|th))?(?:\s*[-–]\s*\d{1,2})?(?:,?\s+(?:19|20)\d\d)?)"
    r"|(?P<ko>(?:(?:19|20)\d\d\s*년\s*)?\d{1,2}\s*월(?:\s*\d{1,2}\s*일)?)" % _MONTH_NAMES
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:\s*년)?(?!\d)")
_RANGE_END = re.compile(r"\s*[-–]\s*\d{1,2}")


def event_dates(sentence: str, release_date: str) -> list[date]:
    """The dates a sentence names, a missing year taken from its release (`nearest_year`: "December 28"
    in a January release is last December; "March 15" in a January release is this March, an event
    it announces). A year alone ("the 2023 budget") counts as that year's end, or the release's own
    day when that comes first: "the plan for 2024" in a release of February 2024 is as new as the release."""
    try:
        released = datetime.fromisoformat(release_date)
    except ValueError:
        return []
    settings = {"RELATIVE_BASE": released, "PREFER_DAY_OF_MONTH": "first"}
    found = []
    for m in _MENTION.finditer(sentence):
        text = _RANGE_END.sub("", m.group(0)).strip()
        if m.group("en") and not re.search(r"\d", text):
            continue  # a month alone ("in May") is too vague, and "May" may be the verb
        parsed = dateparser.parse(text, languages=["en", "ko"], settings=settings)
        if parsed is None:
            continue
        day = parsed.date()
        if not _YEAR.search(text):
            day = day.replace(year=nearest_year(released.date(), day.month, day.day))
        found.append(day)
    rest = _MENTION.sub(" ", sentence)
    for m in _YEAR.finditer(rest):
        found.append(min(date(int(m.group(1)), 12, 31), released.date()))
    return found


# A release reports what has happened far more often than what is coming: a day after its dateline
# counts this many times its distance (a November release's "April 23" is the April before, 195 days
# back, not the April after, 170 days on; a December release's "January 5" is still the January after).
FUTURE_WEIGHT = 2


def nearest_year(released: date, month: int, day: int) -> int:
    """The year of a day a release names without one: the year that puts it nearest the release's
    dateline, a day after it counting FUTURE_WEIGHT times as far (a January release's "December 28" is
    the year before, a December release's "January 5" the year after). The one rule for the answer's
    shown dates and for recency."""
    options = []
    # Any other day is nearest within a year either side; February 29 may need the leap year two away.
    for year in range(released.year - 4, released.year + 5):
        try:
            days = (date(year, month, day) - released).days
        except ValueError:  # February 29 of a year without it; a day no month has ("February 30")
            continue
        options.append((days * FUTURE_WEIGHT if days > 0 else -days, year))
    return min(options)[1] if options else released.year


def event_date(sentence: str, release_date: str) -> date | None:
    """The newest date the sentence names; its release date when it names none."""
    dates = event_dates(sentence, release_date)
    if dates:
        return max(dates)
    try:
        return date.fromisoformat(release_date)
    except ValueError:
        return None


def newest_near_best(
    ranked: Sequence[T],
    *,
    score: Callable[[T], float],
    sentence: Callable[[T], str],
    release_date: Callable[[T], str],
    margin: float,
    eligible: Callable[[T], bool] = lambda c: True,
    depth: int = 12,
) -> list[T]:
    """`ranked` (best first) with the newest of the eligible items scoring within `margin` of the
    best moved to the front; the rest keep their order."""
    if not ranked:
        return []
    top = score(ranked[0])
    near = [c for c in ranked[:depth] if score(c) >= top - margin and (c is ranked[0] or eligible(c))]
    dated = [(event_date(sentence(c), release_date(c)), i, c) for i, c in enumerate(near)]
    dated = [(d, i, c) for d, i, c in dated if d is not None]
    if not dated:
        return list(ranked)
    # Newest first; between equal dates the better score (its earlier place) wins.
    _, _, newest = max(dated, key=lambda t: (t[0], -t[1]))
    return [newest, *(c for c in ranked if c is not newest)]


# "Before Blinken's visit, when had they last met?", "How long had it been since …?", "the most recent
# … before the one in Washington": the answer is a release looking back from its own event.
_ASKS_LOOKBACK = re.compile(
    r"\bhad\b[^?]*\b(?:last|first|previously)\b|\bhow long had it been\b|\bbefore\b[^?]*\blast\b|\blast\b[^?]*\bbefore\b"
    r"|\bmost recent\b[^?]*\b(?:before|prior to)\b|\bprevious (?:one|meeting|round|session|visit)\b"
    r"|마지막[^?]*(?:이전|전에|전)|이전[^?]*마지막|만에|이전에는 언제",
    re.IGNORECASE,
)
# "They last met in New York in September", "the first visit … since November 2017", "the first in
# four months, following the one held in Tokyo", "the first … in about seven years".
_LOOKS_BACK = re.compile(
    r"\b(?:last|first) (?:met|held|visited|took place|convened|spoke|talked)\b|\blast(?: [\w-]+){1,3} (?:took place|was held|were held)\b"
    r"|\bfirst\b[^.]*?\b(?:since|in (?:about |nearly |over |some |more than )?(?:\w+|\d+) (?:years?|months?))\b"
    r"|\bfollowing the (?:one|last|previous)\b|\bthe previous\b(?! (?:day|week|evening|night|morning|year)\b)|이후 처음|만에|지난번|직전",
    re.IGNORECASE,
)


def asks_lookback(question: str) -> bool:
    """Whether the question asks for the event before another one, or the time since it."""
    return bool(_ASKS_LOOKBACK.search(question))


def looks_back(sentence: str) -> bool:
    """Whether the sentence tells of an earlier event from a later one's release."""
    return bool(_LOOKS_BACK.search(sentence))
