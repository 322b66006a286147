"""Totals and differences computed by code from cited figures, never by a model's arithmetic.

When a question asks for a total ("in total", "adding up", "합계") and the verified answer cites one
figure of the counted thing per sentence from two or more sentences, the sum is appended with the
figures it adds: "In total: 23 individuals (15 + 8)." When it asks how many more, or the difference,
and the answer cites exactly two such figures, their difference is appended the same way. The figures
are already verified against their passages, so the result is as good as its parts; nothing is added
when the parts are ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.models import Answer
from qa.text import MONTHS, tokens
from qa.verify import answer_sentences

# "How many people in all did…" (not "in all countries"), "all told".
_TOTAL = re.compile(
    r"\bin total\b|\btotal\b|\badding up\b|\baltogether\b|\bcombined\b|\ball told\b"
    r"|\bin all\b(?=\s*(?:[?,.]|$|(?:did|do|does|were|was|have|has|had|will|are|is)\b))"
    r"|합계|합해|모두 합|총\s*몇|총\s*얼마",
    re.IGNORECASE,
)
_HOW_MANY = re.compile(r"how many\s+((?:[\w'-]+\s+){0,5}?[\w'-]+?)(?:\s+(?:in total|did|were|was|have|has|does|do)\b|[?,])", re.IGNORECASE)
_MONEY = re.compile(r"(?:USD|US\$|\$)\s?(\d[\d,]*(?:\.\d+)?)\s*(million|billion)?", re.IGNORECASE)
_WORDS = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
_WORD_VALUE = {word: i for i, word in enumerate(_WORDS, start=1)}
# "8 North Korean individuals" and, as releases spell small counts, "eight North Korean individuals".
# A lookahead, so one match's words may start the next: "On December 2, Korea designated eight…".
_COUNT = re.compile(
    r"(?<![\w,])(?=(\d[\d,]*|%s)\s+((?:[A-Za-z'-]+\s+){0,2}[A-Za-z'-]+))" % "|".join(_WORDS), re.IGNORECASE
)
_DAY = re.compile(
    r"\b(?:%s)\s+\d{1,2}\b|\d{1,2}\s*월\s*\d{1,2}\s*일" % "|".join(m.capitalize() for m in MONTHS)
)
_SCALE = {None: 1, "": 1, "million": 1_000_000, "billion": 1_000_000_000}
# A Korean release's dollars: "500만 달러" (5 million), "10만 달러를", "5천만 달러", "1억 2,000만 달러".
_MONEY_KO = re.compile(
    r"(?<![\d,.])(?:(\d[\d,]{0,20}+(?:\.\d{1,6})?)\s*억\s*)?(?:(\d[\d,]{0,20}+(?:\.\d{1,6})?)\s*(천만|백만|만|천)?\s*)?달러"
)
_SCALE_KO = {"천만": 10_000_000, "백만": 1_000_000, "만": 10_000, "천": 1_000, None: 1}


def _korean_dollars(sentence: str) -> list[float]:
    out = []
    for m in _MONEY_KO.finditer(sentence):
        eok, number, scale = m.groups()
        if not (eok or number):
            continue
        value = float(eok.replace(",", "")) * 100_000_000 if eok else 0.0
        if number:
            value += float(number.replace(",", "")) * _SCALE_KO[scale]
        out.append(value)
    return out


_DIFFERENCE = re.compile(
    r"\bhow (?:many|much) (?:more|fewer|less)\b|\bby how (?:many|much)\b|\bdifference (?:between|in)\b"
    r"|\bhow much (?:higher|lower|larger|bigger|smaller)\b",
    re.IGNORECASE,
)


def asks_total(question: str) -> bool:
    return bool(_TOTAL.search(question))


def asks_difference(question: str) -> bool:
    return bool(_DIFFERENCE.search(question)) and not asks_total(question)


def _figures(sentence: str, question: str) -> list[tuple[float, str]]:
    """(value, unit) pairs in `sentence` that count what the question counts."""
    if re.search(r"how much|얼마", question, re.IGNORECASE) or _MONEY.search(question):
        dollars = [float(n.replace(",", "")) * _SCALE[(scale or "").lower()] for n, scale in _MONEY.findall(sentence)]
        return [(value, "USD") for value in dollars + _korean_dollars(sentence)]
    asked = _HOW_MANY.search(question)
    if not asked:
        return []
    # The counted thing is the phrase's head noun, with any alternative joined by "or"/"and":
    # "North Korean institutions or entities" counts institutions and entities, not Koreans.
    words = asked.group(1).split()
    heads = {words[-1]}
    if len(words) >= 3 and words[-2].lower() in ("or", "and"):
        heads.add(words[-3])
    nouns = set(tokens(" ".join(heads)))
    label = " ".join(words[-3:]) if len(heads) > 1 else words[-1]
    out = []
    for number, following in _COUNT.findall(sentence):
        # "8 North Korean individuals": the counted noun ends the phrase.
        if next((word for word in reversed(following.split()) if set(tokens(word)) & nouns), None):
            value = _WORD_VALUE.get(number.lower()) or float(number.replace(",", "") or 0)
            out.append((float(value), label.lower()))
    return out


def _show(value: float, unit: str) -> str:
    if unit == "USD":
        for scale, word in ((1_000_000_000, "billion"), (1_000_000, "million")):
            if value >= scale:
                return f"USD {value / scale:g} {word}"
        return f"USD {value:,.0f}"
    return f"{value:,.0f} {unit}"


def _cited_figures(answer: Answer) -> list[tuple[float, str]] | None:
    """One figure of the counted thing per sentence that has one; None when a sentence has several (which
    one counts is not clear) or when the same figure on the same day is told twice."""
    parts: list[tuple[float, str]] = []
    days: list[set[str]] = []
    for sentence, _ in answer_sentences(answer.answer):
        figures = _figures(sentence, answer.question)
        if len(figures) != 1:
            if len(figures) > 1:
                return None
            continue
        # The same figure on the same day twice is one event told twice ("following the designation
        # of 15 individuals on October 14"), not two to add.
        day = set(_DAY.findall(sentence))
        if any(value == figures[0][0] and day & seen for (value, _), seen in zip(parts, days)):
            return None
        parts.append(figures[0])
        days.append(day)
    return parts


def add_total(answer: Answer) -> Answer:
    """`answer` with a computed total appended when the question asks for one and the figures are clear."""
    if answer.abstained or not asks_total(answer.question):
        return answer
    parts = _cited_figures(answer)
    units = {unit for _, unit in parts or []}
    if not parts or len(parts) < 2 or len(units) != 1:
        return answer
    unit = units.pop()
    total = sum(v for v, _ in parts)
    shown = " + ".join(_show(v, unit) if unit == "USD" else f"{v:,.0f}" for v, _ in parts)
    line = f"In total (added from the cited figures): {_show(total, unit)} ({shown})."
    return replace(answer, answer=f"{answer.answer} {line}")


def add_difference(answer: Answer) -> Answer:
    """`answer` with the difference of its two cited figures appended when the question asks how many
    more (or the difference) and there are exactly two of one unit."""
    if answer.abstained or not asks_difference(answer.question):
        return answer
    parts = _cited_figures(answer)
    if not parts or len(parts) != 2 or parts[0][1] != parts[1][1]:
        return answer
    unit = parts[0][1]
    (big, _), (small, _) = sorted(parts, reverse=True)
    shown = f"{_show(big, unit)} − {_show(small, unit)}" if unit == "USD" else f"{big:,.0f} − {small:,.0f}"
    line = f"Difference (computed from the cited figures): {_show(big - small, unit)} ({shown})."
    return replace(answer, answer=f"{answer.answer} {line}")
