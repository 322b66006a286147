"""An extractive answer keeps its promise of at most 80 words ("[n]" markers count) even when its sentences
cannot be shortened enough: the later sentences go, the first always stays."""

from __future__ import annotations

from qa.extractive import ExtractiveAnswerer, ExtractiveConfig
from qa.models import Query, ScoredPassage, SearchPlan


def _passage(n: int, text: str) -> ScoredPassage:
    return ScoredPassage(f"r{n}:p1.0:x", f"r{n}.txt", f"r{n}", f"Release {n}", "2023-06-01", 1, "en", text, 0.9 - n / 10)


def _dense_sentence(n: int) -> str:
    # Every clause holds a figure, so no clause can be left out.
    return " ".join(f"Item {n}{i} cost {i + 1} dollars on June {i + 1}" for i in range(9)) + "."


def test_sentences_past_the_limit_are_dropped_and_the_rest_stay_cited():
    passages = [_passage(n, _dense_sentence(n)) for n in (1, 2, 3)]
    question = "What did items cost in June, and on which dates, in each of the three releases?"
    plan = SearchPlan(Query(question), question)
    answerer = ExtractiveAnswerer(None, ExtractiveConfig(abstain_below=-10, max_words=1000, follow_ratio=0, min_gain=0))
    answer = answerer(plan, passages)
    assert not answer.abstained
    assert len(answer.answer.split()) <= 80
    assert 1 <= len(answer.citations) < 3
    for c in answer.citations:
        assert f"[{c.n}]" in answer.answer
