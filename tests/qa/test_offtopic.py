"""Questions no press release answers ("population of Mars", "recipe for kimchi") are declined by the
extractive default, with the verify stage, as the service is built."""

from __future__ import annotations

import pytest

from tests.qa.offtopic_probes import PROBES


@pytest.mark.parametrize("question", PROBES)
def test_off_topic_probes_are_declined(pressroom, question):
    answer = pressroom.ask(question)
    assert answer.abstained, f"answered an off-topic question: {answer.answer!r}"
    assert answer.citations == []



def test_an_answer_across_the_languages_needs_a_word_route(pressroom):
    """A Korean question answered from an English passage that only the dense route found loses
    confidence like a same-language answer whose release lacks the question's names; one that BM25 or the
    bridge found too is answered ("2023년 6월 ... 몇 표", answered from the English UNSC release)."""
    answered = pressroom.ask("2023년 6월 유엔 안보리 비상임이사국 선거에서 한국은 몇 표를 얻었나요?")
    assert not answered.abstained and "180" in answered.answer
    cited = {c.chunk_id for c in answered.citations}
    assert any(r in ("bm25", "bridge") for p in answered.retrieved if p.chunk_id in cited for r in p.routes)
