"""The time between two cited events, and which came first, computed by code from the cited dates.

"How many days after the launch did the government announce the designations?" and "Which happened
first: the announcement or the talks?" are answered by two sentences, each with its own date (the
understand stage searches each event on its own). The days between them, and their order, are then
counted from the dates those sentences state, never estimated: "Between them, 13 days: January 10,
2024 [1] to January 23, 2024 [2]." Nothing is added unless exactly two sentences carry a date, on
different days, and the answer stays within its promised length.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from qa.abstain import chooses_by_time
from qa.models import Answer
from qa.understand import days_in
from qa.verify import answer_sentences

# The length an answer is promised not to pass ("[n]" markers count as words), as for the extractive answerer.
ANSWER_WORDS = 80
KOREAN_CHARS = 400
_SPAN = r"(?:many\s+(?:days|weeks|months|years)|long|far|much\s+(?:later|earlier|time)|soon)"
_ASKS_INTERVAL = re.compile(
    rf"\bhow\s+{_SPAN}\s+(?:after|before|ahead\s+of|following|prior\s+to)\b"
    rf"|\bhow\s+{_SPAN}\b[^?]{{0,60}}?\b(?:between\b|separated\b[^?]{{3,200}}?\band\b)"
    r"|며칠\s*(?:만에|후|뒤|전)|몇\s*(?:일|주|개월|달|년)\s*(?:만에|후|뒤|전|차이)",
    re.IGNORECASE,
)
_UNIT = re.compile(r"\bhow\s+many\s+(weeks|months|years)\b|몇\s*(주|개월|달|년)", re.IGNORECASE)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATER = re.compile(r"\b(?:later|more recent(?:ly)?|last)\b", re.IGNORECASE)


_STATED = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|a few|several)\s+(?:days|weeks|months|years)\s+"
    r"(?:after|before|later|earlier|away|ahead|since|into)\b|\d+\s*(?:일|주|개월|년)\s*(?:만에|후|뒤|전|앞)",
    re.IGNORECASE,
)


def states_interval(sentence: str) -> bool:
    """The sentence itself says how long between: "two days before this designation", "36 days away"."""
    return bool(_STATED.search(sentence))


def asks_interval(question: str) -> bool:
    return bool(_ASKS_INTERVAL.search(question))


def _english(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _korean(day: date) -> str:
    return f"{day.year}년 {day.month}월 {day.day}일"


def _rough(days: int, question: str) -> str:
    """The days as the question counts them ("how many months": about 7 months), in English or Korean."""
    unit = _UNIT.search(question)
    name = next((g for g in unit.groups() if g), "") if unit else ("months" if days >= 60 else "")
    size, english, korean = {
        "weeks": (7, "weeks", "주"), "주": (7, "weeks", "주"),
        "months": (30.44, "months", "개월"), "개월": (30.44, "months", "개월"), "달": (30.44, "months", "개월"),
        "years": (365.25, "years", "년"), "년": (365.25, "years", "년"),
    }.get(name.lower(), (0, "", ""))
    if not size or days < size:
        return ""
    count = round(days / size)
    return f" (약 {count}{korean})" if _HANGUL.search(question) else f" (about {count} {english})"


def add_interval(answer: Answer) -> Answer:
    """`answer` with the days between its two dated sentences appended, when the question asks how long
    between two events or which came first."""
    question = answer.question
    interval, order = asks_interval(question), chooses_by_time(question)
    if answer.abstained or not (interval or order):
        return answer
    dated = [(days[0], marks) for sentence, marks in answer_sentences(answer.answer) if (days := days_in(sentence))]
    if len(dated) != 2 or dated[0][0] == dated[1][0] or not all(marks for _, marks in dated):
        return answer
    (early, early_marks), (late, late_marks) = sorted(dated, key=lambda d: d[0])
    days = (late - early).days
    cite = lambda marks: f"[{marks[0]}]"  # noqa: E731
    first, then = f"{cite(early_marks)}", f"{cite(late_marks)}"
    if _HANGUL.search(question):
        line = (f"먼저 {_korean(early)} {first}, {days}일 뒤 {_korean(late)} {then}." if order else
                f"두 날짜 사이 {days}일{_rough(days, question)}: {_korean(early)} {first} ~ {_korean(late)} {then}.")
    elif order and _LATER.search(question):
        line = f"Later: {_english(late)} {then}, {days} days after {_english(early)} {first}."
    elif order:
        line = f"First: {_english(early)} {first}, {days} days before {_english(late)} {then}."
    else:
        line = f"Between them, {days} days{_rough(days, question)}: {_english(early)} {first} to {_english(late)} {then}."
    text = f"{answer.answer} {line}"
    if (len(text) > KOREAN_CHARS if _HANGUL.search(text) else len(text.split()) > ANSWER_WORDS):
        return answer  # the answer is promised short: the two dated sentences say it already
    return replace(answer, answer=text)
