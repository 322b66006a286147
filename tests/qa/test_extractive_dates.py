"""The question's own dates ("earlier this month", "in December 2023") choose between sentences that say
much the same thing: the one from a release dated inside them answers. When no release is inside, nothing
moves: the evidence is as strong (or weak) as it was."""

from __future__ import annotations

from datetime import date

from qa.extractive import ExtractiveAnswerer, ExtractiveConfig
from qa.models import Query, ScoredPassage, SearchPlan

QUESTION = "Which Mexican official did Park Jin receive in Seoul earlier this month?"


def _passage(n: int, day: str, text: str, score: float) -> ScoredPassage:
    return ScoredPassage(f"r{n}:p1.0:x", f"r{n}.txt", f"r{n}", f"Release {n}", day, 1, "en", text, score)


PASSAGES = [
    _passage(1, "2022-07-04", "Minister Park Jin held talks in Seoul with Secretary of Foreign Affairs of Mexico Marcelo Ebrard.", 0.9),
    _passage(2, "2023-12-08", "Minister Park Jin held talks in Seoul with Secretary of Foreign Affairs of Mexico Alicia Barcena.", 0.6),
]


def _answer(w_date_fit: float, date_from: date | None, date_to: date | None):
    plan = SearchPlan(Query(QUESTION, asked_on=date(2023, 12, 20)), QUESTION, date_from=date_from, date_to=date_to)
    answerer = ExtractiveAnswerer(None, ExtractiveConfig(abstain_below=-10, w_date_fit=w_date_fit, max_sentences=1))
    return answerer(plan, PASSAGES)


def test_the_release_inside_the_questions_dates_answers():
    december = (date(2023, 12, 1), date(2023, 12, 31))
    assert "Ebrard" in _answer(0.0, *december).answer  # the better-retrieved release, without the step
    answer = _answer(0.2, *december)
    assert "Barcena" in answer.answer and answer.citations[0].source == "r2.txt"


def test_a_release_a_few_days_after_the_range_is_inside():
    # "in November 2023": a release dated December 8 may report a meeting of the last days of November.
    answer = _answer(0.2, date(2023, 11, 1), date(2023, 11, 30))
    assert "Ebrard" in answer.answer  # December 8 is past the week's slack: nothing is inside, nothing moves
    answer = _answer(0.2, date(2023, 11, 1), date(2023, 12, 2))
    assert "Barcena" in answer.answer


def test_with_no_release_inside_the_confidence_does_not_move():
    none_inside = (date(2021, 1, 1), date(2021, 12, 31))
    assert _answer(0.2, *none_inside).confidence == _answer(0.0, *none_inside).confidence
    assert _answer(0.2, *none_inside).answer == _answer(0.0, *none_inside).answer
