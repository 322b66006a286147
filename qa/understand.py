"""The understand stage: Query -> SearchPlan.

- Follow-ups: a question that leans on the conversation ("they", "that trip", "그때", or no name of
  its own) is searched together with the names, dates and words of the turns before it.
- Dates: absolute and relative dates in English and Korean become a release-date range, counted
  from `Query.asked_on`, or when that is None from the newest release in the index (an archive's
  "last year" is the year before its newest release, not before the day the code runs).
- "latest", "most recent", "최근": newest relevant releases first.
- Multi-part questions ("X and Y", "respectively", "compare", "in total", "및", "각각", "which came
  first, X or Y") get one sub-query per part, each searched on its own and merged by the retriever.

Rules, not a model: they run in microseconds and say in `notes` what they did. A language model
can rewrite follow-ups instead (`rewrite`, the seam for an LLM-backed understanding).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from qa.models import Query, SearchPlan

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"

# Absolute dates, most specific first; each match is consumed so "June 2022" is not also "2022".
_EN_DATES = [
    ("day", re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,)?\s+{_YEAR}\b", re.I)),
    ("day", re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,)?\s+{_YEAR}\b", re.I)),
    ("day", re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b")),
    ("month", re.compile(rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}\b", re.I)),
    ("year", re.compile(rf"\b(?:in|of|during|since|for|year)\s+{_YEAR}\b(?![-–]\d)", re.I)),
]
_KO_DATES = [
    ("day", re.compile(r"(?P<year>(?:19|20)\d{2})\s*년\s*(?P<month>\d{1,2})\s*월\s*(?P<day>\d{1,2})\s*일")),
    ("month", re.compile(r"(?P<year>(?:19|20)\d{2})\s*년\s*(?P<month>\d{1,2})\s*월")),
    # "2024-2025년 임기", "2022~2023년": one end of a span of years (a term, a period) is no date of its own,
    # as "the 2024-2025 term" is not in English.
    ("year", re.compile(r"(?<![-–~])(?<![-–~]\s)(?P<year>(?:19|20)\d{2})\s*년(?!\s*\d)")),
]
_RECENT = re.compile(
    r"\b(latest|most recent(ly)?|newest|recently|the last time)\b|최근|최신|가장 최근|마지막"
    # "When did Park and Blinken last meet?" (not "last year", "last month"…)
    r"|\bdid\b[^?]*?\blast\s+(?!(?:year|month|week|time|spring|summer|fall|autumn|winter)\b)[a-z]+",
    re.I,
)
# "the most recent X before Y" asks about the past of Y, not for the newest release.
_BEFORE = re.compile(r"\b(before|prior to|preceding|previous)\b|이전|전에", re.I)

# Words that lean on an earlier turn.
_EN_LEANING = re.compile(
    r"\b(he|she|they|them|him|her|his|hers|their|theirs|it|its|that|those|these|this|there|then|"
    r"the same|the other|the two|both sides|the meeting|the talks|the visit|the trip|the year before|"
    r"else|also|again)\b",
    re.I,
)
_KO_LEANING = re.compile(r"그때|그 때|당시|그들|그녀|그는|그가|이들|해당|같은|그 회담|그 회의|이 회담|그곳|거기|그 전|그해|전년")
_STARTS_WITH_AND = re.compile(r"^\s*(and|but|so|also|what about|how about|그리고|그럼|그러면)\b", re.I)
_NAME = re.compile(r"\b(?:[A-Z][\w’'\-.]*|\d+(?:st|nd|rd|th)?)(?:\s+(?:of\s+|the\s+)?(?:[A-Z][\w’'\-.]*|\d+))*")
_QUESTION_OPENERS = frozenset(
    "What Which Who Whom Whose When Where Why How Did Does Do Was Were Is Are Could Can Would Will Has Have Had And But So "
    "The A An In On At For Since After Before During Tell List Name Also Then".split()
)

# Multi-part triggers.
_MULTI_CUE = re.compile(
    r"\b(respectively|compare[sd]?|comparison|differ(?:ed|ence|ences)?|combined|in total|total|both)\b|및|각각|합계|차이|비교",
    re.I,
)
_ATOM = (
    rf"(?:{_MONTH}\s+{_YEAR}|{_MONTH}\s+\d{{1,2}}\b(?:,\s*{_YEAR})?|{_MONTH}|(?:19|20)\d{{2}}\b|\d+(?:st|nd|rd|th)\b)"
).replace("(?P<month>", "(?:").replace("(?P<year>", "(?:")
# "October 14 and December 2, 2022", "the 7th and 8th", "2022 and 2023", "June 2022 and February 2023"
_ATOM_LIST = re.compile(rf"(?P<items>{_ATOM}(?:\s*,\s*{_ATOM})*\s*,?\s+and\s+{_ATOM})", re.I)
_CLAUSE_SPLIT = re.compile(r",\s*and\s+(?=(?:when|where|what|who|whom|which|how|why|did|does|do|is|are|was|were)\b)", re.I)
# A choice between named options: "Which came first, the X or the Y?", "Who got more votes: A or B?"
_CHOICE = re.compile(
    r"^(?P<stem>[^:,]*\b(?:first|earlier|later|sooner|more|most|larger|bigger|longer|older|newer|higher|lower|fewer|less|"
    r"greater|smaller)\b[^:,]*)[:,]\s*(?P<options>.+?\s+or\s+[^?]+?)\??$",
    re.I,
)
# "How did A compare with B?", "How does A differ from B?", "A versus B": two things, one question. The
# connector is found first and the stem within a bounded span, so a long hostile question costs linear time.
_COMPARATIVE = r"(?:bigger|larger|smaller|higher|lower|longer|shorter|earlier|later|more|fewer|less)"
_COMPARED_BY = re.compile(
    r"\s(?:compared?\s+(?:in\s+\w+\s+)?(?:with|to|against)|differ(?:ed|s)?\s+from|vs\.?|versus"
    # "Was A bigger or smaller than B?", "Was A held earlier than B?" (not "more than 40 countries": B must
    # open with a determiner or a name)
    rf"|(?:{_COMPARATIVE}\s+or\s+)?{_COMPARATIVE}\s+than(?=\s+(?:the|that|its|their|his|her|(?-i:[A-Z]))))\s",
    re.I,
)
_COMPARE_STEM = re.compile(r"(?:how|in what way|what)\b[^?]{0,60}?\b(?:did|do|does|was|were|is|are)\s+", re.I)
_CONTRAST_ATOM = re.compile(r"\b(?:(?:19|20)\d{2}|\d+(?:st|nd|rd|th))\b", re.I)


def _compared(question: str) -> list[str]:
    """The two sides of "How did A compare with B?", each searchable alone: a side shorter than the
    other ("the 2017 revision") takes the other side's words around it."""
    question = question.strip()
    m = _COMPARED_BY.search(question)
    if not m:
        return []
    a, b = question[: m.start()], question[m.end() :].strip().rstrip("?").strip(" ,")
    opening = _COMPARE_STEM.match(a)
    stem = opening.group(0) if opening else ""
    a = a[len(stem) :].strip(" ,")
    if not a or not b:
        return []
    atoms_a, atoms_b = _CONTRAST_ATOM.findall(a), _CONTRAST_ATOM.findall(b)
    owner_b, owner_a = _OWNER_ONLY.match(b), _OWNER.search(a)
    one = _THE_ONE.match(b)
    if one:
        # "than the October one": A's thing, with A's own month (or year, or ordinal) changed to B's.
        which = _ONE_KINDS.fullmatch(one.group("mod"))
        same = next((k for k in _ONE_KIND_PATTERNS if which and which.group(k)), None)
        own = re.search(rf"\b{_ONE_KIND_PATTERNS[same]}\b", a, re.I) if same else None
        b = f"{a[: own.start()]}{one.group('mod')}{a[own.end():]}" if own else f"{one.group('mod')} {a}"
    elif owner_b and owner_a:
        # "How did Park Jin's first contact with Kamikawa differ from Cho Tae-yul's?": B is another owner of A's thing.
        b = f"{a[: owner_a.start()]}{owner_b.group(0)}{a[owner_a.end():]}"
    elif _content_words(b) <= _SHORT_SIDE < _content_words(a) or _content_words(b) < _content_words(a) <= _SHORT_SIDE:
        if len(atoms_a) == 1 and len(atoms_b) == 1:
            b = a.replace(atoms_a[0], atoms_b[0], 1)  # "the 2017 revision" of what A revised
        else:
            # B stands where A's last word stands: "at the Korea-Africa Summit SOM" / "the foreign ministers' meeting".
            b = f"{a.rsplit(' ', 1)[0]} {b}"
    return [f"{stem}{a}", f"{stem}{b}"]


_ONE_KIND_PATTERNS = {
    "month": _MONTH.replace("(?P<month>", "(?:"),
    "year": r"(?:19|20)\d{2}",
    "nth": r"\d+(?:st|nd|rd|th)",
}
_ONE_KINDS = re.compile("|".join(f"(?P<{k}>{p})" for k, p in _ONE_KIND_PATTERNS.items()), re.I)
_THE_ONE = re.compile(r"^(?:the|that|its|their)\s+(?P<mod>[\w-]+(?:\s+[\w-]+)?)\s+ones?$", re.I)
# A side of a comparison this short ("the 2017 revision", "the 7th") is A's thing with one word changed; a
# longer one ("its February 2023 wildfire aid for Chile") stands on its own.
_SHORT_SIDE = 3
_OWNER = re.compile(r"\b[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){0,4}['’]s\b")
_OWNER_ONLY = re.compile(r"^(?:the\s+)?[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){0,4}['’]s$")
# "…: which edition, where and when?": the asked-for slots after a colon belong to every part.
_SHARED_TAIL = re.compile(r":\s*(?=(?:which|what|when|where|who|how)\b)", re.I)
# "How many days after X did Y…?", "How long after X did Y?", "How far ahead of X was Y held?": the time
# between two events, each searched for its own date. (Bounded spans: a hostile question costs linear time.)
_INTERVAL = re.compile(
    r"^how\s+(?:many\s+(?:days|weeks|months|years)|long|far|much\s+(?:later|earlier)|soon)\s+"
    r"(?:after|before|ahead\s+of|following|prior\s+to)\s+(?P<first>[^?]{3,200}?)\s+"
    r"(?P<aux>did|was|were|had|has|have|does|do|is|are|will|would)\s+(?P<second>[^?]{3,200}?)\s*\??$",
    re.I,
)
_BETWEEN = re.compile(
    r"^how\s+(?:many\s+(?:days|weeks|months|years)|long|much\s+time)\b[^?]{0,60}?\b(?:between|separated)\s+"
    r"(?P<first>[^?]{3,200}?)\s+and\s+(?P<second>[^?]{3,200}?)\s*\??$",
    re.I,
)


def interval_parts(question: str) -> list[str]:
    """The two events of a question about the time between them, each asked "when"; [] otherwise."""
    question = question.strip()
    m = _INTERVAL.match(question) or _BETWEEN.match(question)
    if not m:
        return []
    first, second = m.group("first").strip(" ,"), m.group("second").strip(" ,")
    atoms_first, atoms_second = _CONTRAST_ATOM.findall(first), _CONTRAST_ATOM.findall(second)
    if _content_words(first) <= _SHORT_SIDE < _content_words(second) and len(atoms_first) == len(atoms_second) == 1:
        first = second.replace(atoms_second[0], atoms_first[0], 1)  # "between the 7th and the 8th dialogue"
    aux = m.groupdict().get("aux") or "was"
    return [f"When was {first}", f"When {aux} {second}"]


_NOUN_PAIR = re.compile(r"\b[a-z]+s and [a-z]+s\b")
_PRONOUN = re.compile(r"\b(he|she|they|them|him|her|their)\b", re.I)
MIN_PART_TERMS = 2


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date
    kind: str  # "day", "month", "year", "relative"


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _month_number(value: str) -> int:
    return int(value) if value.isdigit() else MONTHS[value.lower().rstrip(".")]


def absolute_dates(text: str) -> list[DateRange]:
    """Dates written out in the text, English or Korean."""
    found: list[DateRange] = []
    taken = [False] * len(text)
    for kind, pattern in [*_EN_DATES, *_KO_DATES]:
        for m in pattern.finditer(text):
            if any(taken[m.start() : m.end()]):
                continue
            try:
                year = int(m.group("year"))
                if kind == "year":
                    found.append(DateRange(date(year, 1, 1), date(year, 12, 31), kind))
                else:
                    month = _month_number(m.group("month"))
                    if kind == "month":
                        found.append(DateRange(*_month_range(year, month), kind))
                    else:
                        day = date(year, month, int(m.group("day")))
                        # Releases come out on the day or a few days after the event they report.
                        found.append(DateRange(day - timedelta(days=1), day + timedelta(days=7), kind))
            except (ValueError, KeyError):
                continue  # "February 30": not a date
            for i in range(m.start(), m.end()):
                taken[i] = True
    return found


def days_in(text: str) -> list[date]:
    """The days written out in the text (English or Korean, with their year), in reading order."""
    found: list[tuple[int, date]] = []
    for kind, pattern in [*_EN_DATES, *_KO_DATES]:
        if kind != "day":
            continue
        for m in pattern.finditer(text):
            try:
                found.append((m.start(), date(int(m.group("year")), _month_number(m.group("month")), int(m.group("day")))))
            except (ValueError, KeyError):
                continue
    return [day for _, day in sorted(found)]


def relative_dates(text: str, today: date) -> list[DateRange]:
    """"last year", "this month", "last December", "two years ago", "작년", "지난달", "올해"."""
    out: list[DateRange] = []
    lower = text.lower()

    def year(y: int) -> None:
        out.append(DateRange(date(y, 1, 1), date(y, 12, 31), "relative"))

    if re.search(r"\blast year\b|\bprevious year\b|작년|지난해|전년", lower):
        year(today.year - 1)
    if re.search(r"\bthis year\b|올해|금년", lower):
        year(today.year)
    m = re.search(r"\b(\d+|two|three|four|five)\s+years?\s+ago\b", lower)
    if m:
        n = {"two": 2, "three": 3, "four": 4, "five": 5}.get(m.group(1)) or int(m.group(1))
        year(today.year - n)
    previous_month = (today.replace(day=1) - timedelta(days=1))
    if re.search(r"\blast month\b|지난달|지난 달", lower):
        out.append(DateRange(*_month_range(previous_month.year, previous_month.month), "relative"))
    if re.search(r"\bthis month\b|이번 달|이달", lower):
        out.append(DateRange(*_month_range(today.year, today.month), "relative"))
    for m in re.finditer(rf"\b(last|this|past)\s+{_MONTH}\b", text, re.I):
        month = _month_number(m.group("month"))
        y = today.year if (m.group(1).lower() == "this" or month < today.month) else today.year - 1
        out.append(DateRange(*_month_range(y, month), "relative"))
    return out


def parse_dates(text: str, today: date) -> tuple[date | None, date | None, tuple[str, ...]]:
    """The span of every date the text names, and notes saying what was read."""
    ranges = absolute_dates(text) + relative_dates(text, today)
    if not ranges:
        return None, None, ()
    start, end = min(r.start for r in ranges), max(r.end for r in ranges)
    return start, end, (f"dates {start.isoformat()}..{end.isoformat()} from {', '.join(r.kind for r in ranges)}",)


# A year told by its relation to the earlier turn's: "And what was it the year before?" after a question
# about 2024 asks about 2023.
_YEAR_SHIFT = (
    # Not "up from the previous year", "전년 대비": a change against that year asks about this one.
    (re.compile(r"(?<!from )(?<!over )(?<!than )(?<!with )(?<!to )(?<!on )"
                r"(?:\b(?:the|a) (?:year|twelve months) (?:before|earlier)\b|\bthe (?:previous|prior) year\b"
                r"|\ba year (?:before|earlier)\b)|그 전해|한 해 전", re.I), -1),
    (re.compile(r"\bthe (?:following|next) year\b|\ba year later\b|이듬해|다음 해|그 다음 해|1년 뒤|1년 후", re.I), 1),
)


def _shift_year(question: str, start: date | None, end: date | None, notes: tuple[str, ...]):
    """The earlier turn's dates moved by the year the follow-up names relative to them; unchanged when
    it names none, or when those dates span more than one year (no single year to move from)."""
    if start is None or end is None or start.year != end.year:
        return start, end, notes
    for pattern, years in _YEAR_SHIFT:
        if pattern.search(question):
            year = start.year + years
            shifted = (date(year, 1, 1), date(year, 12, 31))
            return *shifted, (f"dates {shifted[0].isoformat()}..{shifted[1].isoformat()}: a year from the earlier turn's {start.year}",)
    return start, end, notes


def names(text: str) -> list[str]:
    """Capitalised words and numbers: the names, places, ordinals and years a question is about."""
    out = []
    for m in _NAME.finditer(text):
        words = m.group(0).split()
        while words and words[0] in _QUESTION_OPENERS:
            words = words[1:]
        if words:
            out.append(" ".join(words))
    return out


def _korean_nouns(text: str) -> list[str]:
    from ingest.analysis import analyze, has_hangul

    return analyze(text, "ko") if has_hangul(text) else []


def leans_on_history(question: str) -> bool:
    """Does the question point back at the conversation instead of naming what it asks about?"""
    if _STARTS_WITH_AND.search(question) or _KO_LEANING.search(question):
        return True
    own = names(question)
    if _EN_LEANING.search(question):
        return len(own) <= 1  # "What did they agree on?"; "Who else did Park Jin meet?" has its own
    from ingest.analysis import has_hangul

    return not own and not has_hangul(question)


def _content_words(text: str) -> int:
    from ingest.analysis import analyze

    return len(analyze(text))


def _list_items(items: str) -> list[str]:
    return [x.strip() for x in re.split(r",(?!\s*(?:19|20)\d{2}\b)\s*(?:and\s+)?|\s+and\s+", items) if x.strip()]


_MONTH_ONLY = re.compile(rf"^{_MONTH}(?:\s+\d{{1,2}})?$", re.I)
_FINAL_YEAR = re.compile(r"\b((?:19|20)\d{2})\s*$")


def carry_year(text: str) -> str:
    """A year written once after a list of dates belongs to each: "November and December 2023" ->
    "November 2023 and December 2023", "July 4, July 8 and July 18, 2022" -> each in 2022."""
    m = _ATOM_LIST.search(text)
    year = _FINAL_YEAR.search(m.group("items")) if m else None
    if not year:
        return text
    items = _list_items(m.group("items"))
    if not any(_MONTH_ONLY.match(item) for item in items[:-1]):
        return text
    sep = lambda item: ", " if item[-1:].isdigit() else " "  # noqa: E731 ("July 4, 2022", "November 2023")
    filled = [f"{item}{sep(item)}{year.group(1)}" if _MONTH_ONLY.match(item) else item for item in items[:-1]]
    joined = ", ".join(filled) + " and " + items[-1] if len(filled) > 1 else f"{filled[0]} and {items[-1]}"
    return f"{text[: m.start()]}{joined}{text[m.end():]}"


def split_parts(question: str) -> list[str]:
    """Sub-queries of a question that joins parts; [] when it asks one thing."""
    question = carry_year(question)
    m = _ATOM_LIST.search(question)
    interval = interval_parts(question)
    if interval:
        filled = []
        everyone = names(question)
        for part in interval:
            # "When was taking office" names nobody: it borrows the question's names, as other parts do.
            filled.append(part if names(part[5:]) else " ".join([part, *[n for n in everyone if n not in part]]))
    elif m:
        # "the 7th and 8th dialogues" -> "the 7th dialogues", "the 8th dialogues"
        items = _list_items(m.group("items"))
        filled = [f"{question[: m.start()]}{item}{question[m.end():]}".strip() for item in items]
    else:
        clauses = _CLAUSE_SPLIT.split(question)
        choice = _CHOICE.search(question)
        compared = _compared(question) if len(clauses) == 1 else []
        if compared:
            clauses = compared
        elif len(clauses) == 1 and choice:
            # "Which was released later: the report or the 7th SED?": each option is searched with the stem.
            stem, options = choice.group("stem"), re.split(r",?\s+or\s+", choice.group("options"))
            clauses = [f"{stem} {option}" for option in options]
        elif len(clauses) == 1:
            if not _MULTI_CUE.search(question):
                return []
            head, tail = question, ""
            if (colon := _SHARED_TAIL.search(question)) is not None:
                head, tail = question[: colon.start()], question[colon.end() :].strip(" ?")
            # Two plural nouns joined ("individuals and entities") name one thing counted, not two parts.
            joined = _NOUN_PAIR.sub(lambda m: m.group(0).replace(" and ", " and\u00a0"), head)
            clauses = [c.replace("\u00a0", " ") for c in re.split(r"\s+and(?!\u00a0)\s+|\s+및\s+|\s*각각\s*", joined, maxsplit=2)]
            if tail:
                clauses = [f"{c.strip(' ,')} {tail}" for c in clauses]
        # A part that says "her", or names nothing, borrows the names of the other parts.
        everyone = names(question)
        filled = []
        for part in (c.strip(" ,?") for c in clauses):
            if _content_words(part) < MIN_PART_TERMS:
                continue  # ", and when?": nothing of its own to search
            if _PRONOUN.search(part) or not names(part):
                part = " ".join([part, *[n for n in everyone if n not in part]])
            filled.append(part)
    kept = [p for p in dict.fromkeys(filled) if _content_words(p) >= MIN_PART_TERMS]
    return kept if len(kept) >= 2 else []


class Understanding:
    """The rule-based understand stage; `newest` is the newest release date in the index.

    `rewrite(query) -> str | None` (e.g. a language model) turns a follow-up into a standalone
    question; when it is None or returns None, the rules carry the earlier turns' words over.
    """

    def __init__(self, *, newest: date | None = None, rewrite: Callable[[Query], str | None] | None = None,
                 history_turns: int = 2) -> None:
        self.newest = newest
        self.rewrite = rewrite
        self.history_turns = history_turns

    def reference_day(self, query: Query) -> date:
        return query.asked_on or self.newest or date.today()

    def standalone(self, query: Query) -> tuple[str, tuple[str, ...]]:
        question = query.text.strip()
        if not query.history or not leans_on_history(question):
            return question, ()
        if self.rewrite is not None:
            rewritten = self.rewrite(query)
            if rewritten:
                return rewritten.strip(), ("follow-up rewritten by the language model",)
        turns = [t.strip() for t in query.history[-self.history_turns :] if t.strip()]
        carried: list[str] = []
        for turn in reversed(turns):  # the latest turn's words first
            for word in [*names(turn), *_korean_nouns(turn)]:
                if word not in carried and word not in question:
                    carried.append(word)
        context = " ".join(turns)
        # The earlier turns ride along whole: their topic words matter as much as their names.
        text = f"{question} {context}".strip()
        return text, (f"follow-up: carried {', '.join(carried[:8]) or 'the previous turn'}",)

    def __call__(self, query: Query) -> SearchPlan:
        text, notes = self.standalone(query)
        today = self.reference_day(query)
        date_from, date_to, date_notes = parse_dates(carry_year(query.text), today)
        if date_from is None and text != query.text:
            date_from, date_to, date_notes = parse_dates(" ".join(query.history[-self.history_turns :]), today)
            date_from, date_to, date_notes = _shift_year(query.text, date_from, date_to, date_notes)
        prefer_recent = bool(_RECENT.search(query.text)) and not _BEFORE.search(query.text)
        # "When was the latest round, and how many were designated?" asks about one event, the newest.
        subqueries = () if prefer_recent else tuple(split_parts(query.text))
        if subqueries and text != query.text:
            context = text[len(query.text) :].strip()
            subqueries = tuple(f"{part} {context}" for part in subqueries)
        # A range the user chose (the chat's date filter) wins over what the question says.
        if query.date_from or query.date_to:
            date_from, date_to = query.date_from, query.date_to
            date_notes = ("dates chosen by the user",)
        notes = (*notes, *date_notes)
        part_dates = tuple(parse_dates(carry_year(part), today)[:2] for part in subqueries)
        if prefer_recent:
            notes = (*notes, "newest relevant releases first")
        if subqueries:
            notes = (*notes, f"{len(subqueries)} parts searched separately")
        return SearchPlan(
            query=query,
            text=text,
            subqueries=subqueries,
            date_from=date_from,
            date_to=date_to,
            prefer_recent=prefer_recent,
            part_dates=part_dates if not (query.date_from or query.date_to) else (),
            notes=notes,
        )
