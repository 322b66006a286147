"""Bootstrap intervals and paired tests on graded answers made by hand."""

import pytest

from evals.metrics import Graded
from evals.stats import intervals, paired


def graded(i: int, correct: bool, answerable: bool = True, abstained: bool = False) -> Graded:
    return Graded(
        id=f"q{i}", type="fact", answerable=answerable, abstained=abstained, system_abstained=abstained,
        correct=correct, reason="", keyword_recall=1.0 if correct else 0.0, f1=0.0, size=10, citations=1,
        citations_gold_release=1, citation_pairs=1, citation_right=int(correct and answerable), sentences=1,
        sentences_supported=int(correct), citation_scored=True, citations_valid=True, citation_problems=(),
        release_ranking=["a.txt"], gold_sources=("a.txt",) if answerable else (), latency_ms={"total": 1.0},
    )


def run(pattern: str) -> list[Graded]:
    """'1' correct answerable, '0' wrong answerable, 'a' abstained on an unanswerable one, 'x' answered it."""
    out = []
    for i, c in enumerate(pattern):
        if c in "ax":
            out.append(graded(i, c == "a", answerable=False, abstained=c == "a"))
        else:
            out.append(graded(i, c == "1"))
    return out


def test_intervals_hold_the_value_and_are_seeded():
    a = run("1101100110" * 4 + "aaxa")
    first, again = intervals(a), intervals(a)
    assert first == again
    c = first["answer_correctness"]
    assert c["value"] == pytest.approx(0.6)
    assert c["low"] < c["value"] < c["high"]
    assert first["abstention_recall"]["value"] == pytest.approx(0.75)
    assert first["citation_precision"]["value"] == pytest.approx(24 / 44)


def test_paired_difference_outside_noise_and_within_it():
    strong, weak = run("1111111110" * 4), run("0100001000" * 4)
    better = paired(strong, weak)["answer_correctness"]
    assert better["verdict"] == "higher" and better["diff"] == pytest.approx(0.7) and better["p"] < 0.01
    # Four wins, no losses in 40: the bootstrap interval alone clears 0, the sign-flip test does not (p ~ 0.125).
    close = paired(run("1101100110" * 4), run("1101100100" * 4))["answer_correctness"]
    assert close["verdict"] == "within noise" and 0.08 < close["p"] < 0.2
    mixed = paired(run("1101100110" * 4), run("1001101110" * 4))["answer_correctness"]
    assert mixed["verdict"] == "within noise" and mixed["low"] <= 0 <= mixed["high"]
    same = paired(strong, strong)["answer_correctness"]
    assert same["diff"] == 0 and same["verdict"] == "within noise"


def test_paired_needs_the_same_questions():
    with pytest.raises(ValueError, match="same questions"):
        paired(run("11"), run("110"))


def test_the_default_is_compared_with_every_other_configuration_as_well_as_the_baselines():
    from evals.runner import ConfigRun, comparisons

    def config(name: str, pattern: str) -> ConfigRun:
        return ConfigRun(name, [], [], run(pattern), {})

    runs = [config("pressroom", "1101100110" * 4), config("pressroom-use", "1100000110" * 4),
            config("pressroom-minilm", "1101100110" * 4), config("bm25-only", "0000000000" * 4)]
    found = comparisons(runs)
    assert set(found) == {
        "pressroom vs bm25-only", "pressroom-use vs bm25-only", "pressroom-minilm vs bm25-only",
        "pressroom vs pressroom-use", "pressroom vs pressroom-minilm",
    }
    assert found["pressroom vs pressroom-use"]["answer_correctness"]["diff"] == pytest.approx(0.2)
    assert found["pressroom vs pressroom-minilm"]["answer_correctness"]["verdict"] == "within noise"
