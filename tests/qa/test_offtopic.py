"""Questions no press release answers ("population of Mars", "recipe for kimchi") are declined by the
extractive default, with the verify stage, as the service is built."""

from __future__ import annotations

import pytest

from tests.qa.offtopic_probes import KNOWN_MISSES, PROBES


@pytest.mark.parametrize("question", PROBES)
def test_off_topic_probes_are_declined(pressroom, question):
    answer = pressroom.ask(question)
    assert answer.abstained, f"answered an off-topic question: {answer.answer!r}"
    assert answer.citations == []


@pytest.mark.xfail(strict=True, reason="known miss: close in meaning to real releases; see offtopic_probes.KNOWN_MISSES")
@pytest.mark.parametrize("question", KNOWN_MISSES)
def test_known_misses_are_still_answered(pressroom, question):
    assert pressroom.ask(question).abstained
