"""Totals computed by code from cited figures, never by a model's arithmetic.

When a question asks for a total ("in total", "adding up", "합계") and the verified answer cites one
figure of the counted thing per sentence from two or more sentences, the sum is appended with the
figures it adds: "In total: 23 individuals (15 + 8)." The figures are already verified against
their passages, so the sum is as good as its parts; nothing is added when the parts are ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.models import Answer
from qa.text import tokens
from qa.verify import answer_sentences

_TOTAL = re.compile(r"\bin total\b|\btotal\b|\badding up\b|\baltogether\b|\bcombined\b|합계|합해|모두 합|총\s*몇|총\s*얼마", re.IGNORECASE)
_HOW_MANY = re.compile(r"how many\s+((?:[\w'-]+\s+){0,3}?[\w'-]+?)(?:\s+(?:in total|did|were|was|have|has|does|do)\b|[?,])", re.IGNORECASE)
_MONEY = re.compile(r"(?:USD|US\$|\$)\s?(\d[\d,]*(?:\.\d+)?)\s*(million|billion)?", re.IGNORECASE)
_COUNT = re.compile(r"(\d[\d,]*)\s+((?:[A-Za-z'-]+\s+){0,2}[A-Za-z'-]+)")
_SCALE = {None: 1, "": 1, "million": 1_000_000, "billion": 1_000_000_000}


def _figures(sentence: str, question: str) -> list[tuple[float, str]]:
    """(value, unit) pairs in `sentence` that count what the question counts."""
    if re.search(r"how much", question, re.IGNORECASE) or _MONEY.search(question):
        return [(float(n.replace(",", "")) * _SCALE[(scale or "").lower()], "USD") for n, scale in _MONEY.findall(sentence)]
    asked = _HOW_MANY.search(question)
    if not asked:
        return []
    nouns = set(tokens(asked.group(1)))
    out = []
    for number, following in _COUNT.findall(sentence):
        # The counted noun is the last matching word: "8 North Korean individuals" counts individuals.
        unit = next((word for word in reversed(following.split()) if set(tokens(word)) & nouns), None)
        if unit:
            out.append((float(number.replace(",", "")), unit.lower()))
    return out


def _show(value: float, unit: str) -> str:
    if unit == "USD":
        for scale, word in ((1_000_000_000, "billion"), (1_000_000, "million")):
            if value >= scale:
                return f"USD {value / scale:g} {word}"
        return f"USD {value:,.0f}"
    return f"{value:,.0f} {unit}"


def add_total(answer: Answer) -> Answer:
    """`answer` with a computed total appended when the question asks for one and the figures are clear."""
    if answer.abstained or not _TOTAL.search(answer.question):
        return answer
    parts: list[tuple[float, str]] = []
    for sentence, _ in answer_sentences(answer.answer):
        figures = _figures(sentence, answer.question)
        if len(figures) != 1:
            if len(figures) > 1:
                return answer  # a sentence with several candidate figures: which one counts is not clear
            continue
        parts.append(figures[0])
    units = {unit for _, unit in parts}
    if len(parts) < 2 or len(units) != 1:
        return answer
    unit = units.pop()
    total = sum(v for v, _ in parts)
    shown = " + ".join(_show(v, unit) if unit == "USD" else f"{v:,.0f}" for v, _ in parts)
    line = f"In total: {_show(total, unit)} ({shown}), added from the cited figures."
    return replace(answer, answer=f"{answer.answer} {line}")
