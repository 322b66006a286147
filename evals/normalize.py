"""The grader's own reading of answer text: facts (numbers, dates, amounts), names and key words.

Deliberately independent of the system under test: nothing here comes from qa/ or ingest/, so
the answerer cannot be tuned to the grader's tokeniser. English and Korean forms of a fact
normalise to the same value: "June 20, 2023" = "20 June 2023" = "2023-06-20" = "2023년 6월 20일",
"USD 600,000" = "$600,000" = "60만 달러", "4,000" = "4000", "5th" = "fifth".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import Stemmer

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
# Capitalised only: "may" as a verb is not a month.
_MONTH = r"(?P<%s>(?:January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_DAY = r"(?P<%s>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<%s>\d{4})(?!\d)"
_RANGE = r"\s*(?:-|–|~|to|and)\s*"

WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "dozen": 12, "twice": 2, "double": 2, "doubling": 2, "triple": 3,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "twentieth": 20,
}
KO_ORDINALS = {"첫": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10}
SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
KO_SMALL = {"십": 10, "백": 100, "천": 1000}
KO_LARGE = {"만": 10**4, "억": 10**8, "조": 10**12}
CURRENCIES = {
    "usd": "USD", "us$": "USD", "$": "USD", "dollar": "USD", "dollars": "USD", "달러": "USD", "불": "USD",
    "krw": "KRW", "₩": "KRW", "won": "KRW", "원": "KRW",
    "eur": "EUR", "€": "EUR", "euro": "EUR", "euros": "EUR", "유로": "EUR",
    "jpy": "JPY", "¥": "JPY", "yen": "JPY", "엔": "JPY",
}

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_KO_NUMBER = r"(?:(?:\d[\d,]*(?:\.\d+)?)\s*[십백천]?\s*[만억조]\s*)+(?:\d[\d,]*(?:\.\d+)?\s*[십백천]?)?"


def fold(text: str) -> str:
    """NFKC, lower case, accents removed ("Bárcena" = "barcena", "Türkiye" = "turkiye")."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or _is_hangul_jamo(ch))
    return unicodedata.normalize("NFC", stripped).lower()


def _is_hangul_jamo(ch: str) -> bool:
    return "\u1100" <= ch <= "\u11ff"


def is_korean(text: str) -> bool:
    """Mostly Hangul: graded by characters, not words."""
    hangul = len(_HANGUL.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return hangul > 0 and hangul >= latin


def value_of(number: str) -> Decimal:
    return Decimal(number.replace(",", ""))


def canon(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def korean_number(text: str) -> Decimal:
    """'60만' = 600000, '25억 5천만' = 2550000000, '6.25조' = 6.25e12, '1조 4,800억' = 1.48e12."""
    total = Decimal(0)
    for number, small, large in re.findall(r"(\d[\d,]*(?:\.\d+)?)\s*([십백천]?)\s*([만억조]?)", text):
        value = value_of(number) * KO_SMALL.get(small, 1) * KO_LARGE.get(large, 1)
        total += value
    return total


@dataclass(frozen=True)
class Date:
    year: int | None
    month: int | None
    day: int | None

    def __str__(self) -> str:
        parts = [f"{self.year:04d}" if self.year else "????", f"{self.month:02d}" if self.month else "??"]
        if self.day:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)


@dataclass
class Facts:
    """What a text states that can be checked exactly."""

    numbers: set[str] = field(default_factory=set)  # canonical values: "4000", "5.1", "65"
    dates: set[Date] = field(default_factory=set)
    amounts: set[tuple[str, str]] = field(default_factory=set)  # ("USD", "600000")

    @property
    def years(self) -> set[int]:
        found = {d.year for d in self.dates if d.year}
        found |= {int(n) for n in self.numbers if re.fullmatch(r"\d{4}", n)}
        return found

    def all_numbers(self) -> set[str]:
        """Every value stated, in any role: a gold number may appear as an amount or a year."""
        values = set(self.numbers) | {v for _, v in self.amounts} | {str(y) for y in self.years}
        return values

    def describe(self) -> list[str]:
        return sorted(
            [f"number {n}" for n in self.numbers]
            + [f"date {d}" for d in self.dates]
            + [f"amount {c} {v}" for c, v in self.amounts]
        )

    def __bool__(self) -> bool:
        return bool(self.numbers or self.dates or self.amounts)


def _mask(text: str, match: re.Match) -> str:
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end():]


def _dates(text: str, facts: Facts) -> str:
    """Find dates, add them to facts, and blank them out so their digits are not read again."""
    patterns = [
        # 2023-06-20
        (re.compile(r"(?<!\d)(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})(?!\d)"), "iso"),
        # 2023년 6월 20일, 6월 4~5일, 2023년 6월, 6월
        (re.compile(r"(?:(?P<y>\d{4})\s*년\s*)?(?P<m>\d{1,2})\s*월(?:\s*(?P<d>\d{1,2})(?:\s*[-~–]\s*(?P<d2>\d{1,2}))?\s*일)?"), "ko"),
        # June 4-5, 2024 / June 20, 2023 / June 20 / Dec. 12, 2022
        (re.compile(r"\b" + _MONTH % "m" + r"\s+" + _DAY % "d" + r"(?:" + _RANGE + r"(?P<d2>\d{1,2})(?:st|nd|rd|th)?)?\b(?:,?\s*" + _YEAR % "y" + r")?"), "en"),
        # 20 June 2023 / 8-9 November 2023
        (re.compile(r"\b" + _DAY % "d" + r"(?:" + _RANGE + r"(?P<d2>\d{1,2}))?\s+(?:of\s+)?" + _MONTH % "m" + r"\b(?:,?\s*" + _YEAR % "y" + r")?"), "en"),
        # June 2023, late October 2023
        (re.compile(r"\b" + _MONTH % "m" + r",?\s+(?:of\s+)?" + _YEAR % "y"), "en"),
        # 2023년
        (re.compile(r"(?P<y>\d{4})\s*년"), "ko"),
        # a month alone: "in March"
        (re.compile(r"\b" + _MONTH % "m" + r"\b"), "en"),
    ]
    for pattern, kind in patterns:
        while match := pattern.search(text):
            groups = match.groupdict()
            year = int(groups["y"]) if groups.get("y") else None
            month_raw = groups.get("m")
            if month_raw is None:
                month = None
            elif kind == "en":
                month = MONTHS[month_raw.rstrip(".").lower()]
            else:
                month = int(month_raw)
            days = [int(d) for d in (groups.get("d"), groups.get("d2")) if d]
            if month and not 1 <= month <= 12:
                text = _mask(text, match)
                continue
            for day in days or [None]:
                facts.dates.add(Date(year, month, day))
            text = _mask(text, match)
    return text


def _amounts(text: str, facts: Facts) -> str:
    scale = r"(?:\s*(?P<scale>thousand|million|billion|trillion))?"
    patterns = [
        re.compile(r"(?P<cur>US\$|USD|KRW|EUR|JPY|\$|₩|€|¥)\s*(?P<num>" + _NUM + r")" + scale, re.IGNORECASE),
        re.compile(r"(?<![\d.,])(?P<num>" + _NUM + r")" + scale + r"\s*(?:US\s*)?(?P<cur>dollars?|won|euros?|yen|USD|KRW|EUR|JPY)\b", re.IGNORECASE),
        re.compile(r"(?P<ko>" + _KO_NUMBER + r")\s*(?P<cur>달러|원|유로|엔|불)"),
        re.compile(r"(?<![\d.,])(?P<num>" + _NUM + r")\s*(?P<cur>달러|원|유로|엔|불)"),
    ]
    for pattern in patterns:
        while match := pattern.search(text):
            groups = match.groupdict()
            if groups.get("ko"):
                value = korean_number(groups["ko"])
            else:
                value = value_of(groups["num"]) * SCALES.get((groups.get("scale") or "").lower(), 1)
            facts.amounts.add((CURRENCIES[groups["cur"].lower()], canon(value)))
            text = _mask(text, match)
    return text


def _numbers(text: str, facts: Facts) -> None:
    # "2+2" (a meeting format) is one fact, not two numbers a stray "two" could stand in for.
    compound = re.compile(r"(?<![\d+])\d\+\d(?![\d+])")
    while match := compound.search(text):
        facts.numbers.add(match.group())
        text = _mask(text, match)
    scaled = re.compile(r"(?<![\d.,])(?P<num>" + _NUM + r")\s*(?P<scale>thousand|million|billion|trillion)\b", re.IGNORECASE)
    while match := scaled.search(text):
        facts.numbers.add(canon(value_of(match["num"]) * SCALES[match["scale"].lower()]))
        text = _mask(text, match)
    korean = re.compile(_KO_NUMBER)
    while match := korean.search(text):
        facts.numbers.add(canon(korean_number(match.group())))
        text = _mask(text, match)
    for match in re.finditer(r"(?<![\d.,])(" + _NUM + r")(?:st|nd|rd|th)?(?![\d])", text):
        try:
            facts.numbers.add(canon(value_of(match.group(1))))
        except InvalidOperation:
            continue
    for word in re.findall(r"[a-z]+", fold(text)):
        if word in WORD_NUMBERS:
            facts.numbers.add(str(WORD_NUMBERS[word]))
    for word in re.findall(r"(첫|두|세|네|다섯|여섯|일곱|여덟|아홉|열)\s*(?:번째|째)", text):
        facts.numbers.add(str(KO_ORDINALS[word]))


@lru_cache(maxsize=4096)
def facts_of(text: str) -> Facts:
    """Dates first, then amounts, then the numbers left over."""
    facts = Facts()
    text = unicodedata.normalize("NFKC", text)
    text = _dates(text, facts)
    text = _amounts(text, facts)
    _numbers(text, facts)
    return facts


def without_parentheses(text: str) -> str:
    """The gold answer's required part: text in parentheses is context, not a required fact."""
    previous = None
    while previous != text:
        previous = text
        text = re.sub(r"\([^()]*\)", " ", text)
    return text


# -- key words --------------------------------------------------------------------------------

STOPWORDS = frozenset(
    """a an the and or but of to in on at by for with from as into about over after before than then
    that this these those it its is are was were be been being has have had do does did not no yes
    he she they them his her their we our you your i me my which who whom whose what when where why how
    also both each all any some more most other such only own same so very can will would should could
    may might must shall there here out up down off again further once during while until between
    through under above below e.g eg i.e ie etc per via among including include includes""".split()
)
_stemmer = Stemmer.Stemmer("english")
# Words that belong to facts (months, currencies, number words): facts are checked as values instead.
FACT_WORDS = frozenset(MONTHS) | frozenset(WORD_NUMBERS) | frozenset(SCALES) | {
    c for c in CURRENCIES if c.isalpha() and c.isascii()
} | {"us", "percent"}


def keywords(text: str) -> set[str]:
    """Content words, stemmed (English) or as character bigrams (Korean); numbers, months and currencies
    are facts, not words."""
    text = fold(text)
    out: set[str] = set()
    for word in re.findall(r"[a-z][a-z'-]*", text):
        for part in re.split(r"[-']", word):
            if len(part) > 1 and part not in STOPWORDS and part not in FACT_WORDS:
                out.add(_stemmer.stemWord(part))
    # Korean: character bigrams of each Hangul run; a lone syllable is a counter or particle ("명", "중").
    for run in re.findall(r"[\uac00-\ud7a3]+", text):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def word_tokens(text: str) -> set[str]:
    """Folded words, unstemmed: for checking that a name's words are present."""
    return set(re.findall(r"[a-z0-9]+", fold(text)))


def length_ok(text: str, *, words: int = 80, korean_chars: int = 400) -> tuple[bool, int]:
    """(within budget, size): Korean answers by characters without spaces, others by words."""
    if is_korean(text):
        size = len(re.sub(r"\s", "", text))
        return size <= korean_chars, size
    size = len(text.split())
    return size <= words, size
