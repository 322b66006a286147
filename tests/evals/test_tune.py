"""`make tune`: dev only, the strict grader, a choice that honours the false-abstention limit."""

import json
from pathlib import Path

import pytest

from evals.questions import load_questions
from evals.tune import MAX_FALSE_ABSTENTION, FrozenSetRefused, refuse_test, tune

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "evals" / "questions"


def test_the_test_set_is_refused_by_name_and_by_shared_ids(tmp_path: Path):
    with pytest.raises(FrozenSetRefused, match="frozen test set"):
        refuse_test(QUESTIONS / "test.jsonl")
    copy = tmp_path / "my-dev.jsonl"
    copy.write_text((QUESTIONS / "test.jsonl").read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(FrozenSetRefused, match="shares 1 question id"):
        refuse_test(copy)
    assert len(refuse_test(QUESTIONS / "dev.jsonl")) == len(load_questions(QUESTIONS / "dev.jsonl"))


def test_the_held_out_sets_are_refused_too():
    for name in ("held-out-korean.jsonl", "held-out-fresh.jsonl"):
        with pytest.raises(FrozenSetRefused, match="held-out set"):
            refuse_test(QUESTIONS / name)


def test_tune_picks_the_best_point_within_the_abstention_limit(pressroom, tmp_path: Path):
    dev = load_questions(QUESTIONS / "dev.jsonl")
    questions = [q for q in dev if q.answerable][:4] + [q for q in dev if not q.answerable][:2]
    # A threshold of 5 abstains on everything: best on abstention, but over the false-abstention limit.
    result = tune(pressroom, questions, grid={"abstain_below": (0.05, 5.0)})
    by_threshold = {row["params"]["abstain_below"]: row for row in result["grid"]}
    assert by_threshold[5.0]["dev"]["false_abstention"] == 1.0
    assert by_threshold[5.0]["dev"]["abstention_recall"] == 1.0
    assert result["chosen_params"] == {"abstain_below": 0.05}
    assert result["chosen_dev"]["false_abstention"] <= MAX_FALSE_ABSTENTION
    assert result["chosen"]["abstain_below"] == 0.05 and "w_dense" in result["chosen"]
    json.dumps(result)  # what make tune writes
