"""Metric definitions on hand-made answers: each metric moves the way its definition says."""

from pathlib import Path

import pytest

from evals.check import check_metrics
from evals.metrics import grade, key_fact_recall, retrieval_metrics, summarize, token_f1
from evals.questions import EvalQuestion, QuestionFileError, load_questions
from qa.citations import cite
from qa.models import Answer, ScoredPassage


def passage(source: str, text: str, score: float = 0.5) -> ScoredPassage:
    return ScoredPassage(f"{source}:p1", source, source, "Title", "2023-06-20", 1, "en", text, score)


GOLD = EvalQuestion("q1", "How many individuals were designated?", "15 individuals and 16 institutions", ("a.txt",), "fact")
UNANSWERABLE = EvalQuestion("q2", "Who won?", "", (), "unanswerable")


def answer_from(question: str, sentence: str, passages: list[ScoredPassage]) -> Answer:
    text, citations = cite([(sentence, passages[0])])
    return Answer(question, text, False, citations, passages)


def test_key_fact_recall_counts_numbers_and_words():
    assert key_fact_recall(GOLD.answer, "It designated 15 individuals and 16 institutions.") == 1.0
    assert key_fact_recall(GOLD.answer, "It designated 15 individuals.") == 0.5
    assert key_fact_recall("Eight", "KASI has 8 core lines of effort") == 1.0
    assert token_f1(GOLD.answer, GOLD.answer) == 1.0
    assert token_f1(GOLD.answer, "nothing related") == 0.0


def test_grade_correct_concise_cited_answer():
    p = passage("a.txt", "Korea designated 15 individuals and 16 institutions on October 14.")
    graded = grade(GOLD, answer_from(GOLD.question, p.text, [p]), 12.0)
    assert graded.correct and graded.citations_valid
    assert graded.citations_gold_release == 1
    assert graded.release_ranking == ["a.txt"]


def test_grade_passage_dump_is_not_correct():
    long_text = "Korea designated 15 individuals and 16 institutions. " + "More words follow here. " * 30
    p = passage("a.txt", long_text)
    assert not grade(GOLD, answer_from(GOLD.question, long_text, [p]), 1.0).correct


def test_grade_abstention_and_invalid_citation():
    p = passage("b.txt", "Unrelated text about something else entirely.")
    abstained = Answer(UNANSWERABLE.question, "The press releases I have don't say.", True, [], [p])
    assert grade(UNANSWERABLE, abstained, 1.0).correct
    forged = answer_from(GOLD.question, "A sentence the passage never had.", [p])
    assert not grade(GOLD, forged, 1.0).citations_valid


def test_retrieval_metrics_and_summary():
    hit = grade(GOLD, answer_from(GOLD.question, "x" * 25, [passage("b.txt", "x" * 25), passage("a.txt", "y")]), 1.0)
    metrics = retrieval_metrics([GOLD], [hit])
    assert metrics["recall@1"] == 0.0 and metrics["recall@3"] == 1.0
    assert metrics["mrr"] == pytest.approx(0.5)
    summary = summarize([GOLD], [hit])
    assert summary["by_type"]["fact"]["n"] == 1
    assert set(summary["latency"]) >= {"total_ms_p50", "total_ms_p95"}


def test_check_names_the_metric_that_fell(tmp_path: Path):
    expected = tmp_path / "expected.toml"
    expected.write_text(
        '[dev.pressroom]\ntolerance = 0.01\n"retrieval.recall@5" = 0.9\n"answers.false_abstention" = 0.05\n'
    )
    good = {"configs": {"pressroom": {"retrieval": {"recall@5": 0.95}, "answers": {"false_abstention": 0.0}}}}
    bad = {"configs": {"pressroom": {"retrieval": {"recall@5": 0.8}, "answers": {"false_abstention": 0.2}}}}
    assert check_metrics(good, expected, "dev") == []
    problems = check_metrics(bad, expected, "dev")
    assert any("recall@5 fell to 0.800" in p for p in problems)
    assert any("false_abstention rose to 0.200" in p for p in problems)
    assert check_metrics(good, expected, "test") != []


def test_question_files_load_and_bad_lines_are_named(tmp_path: Path):
    root = Path(__file__).resolve().parents[2] / "evals" / "questions"
    dev, test = load_questions(root / "dev.jsonl"), load_questions(root / "test.jsonl")
    assert len(dev) + len(test) >= 150
    assert not {q.id for q in dev} & {q.id for q in test}
    assert all(q.history for q in dev + test if q.type == "followup")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "q", "type": "fact"}\nnot json\n')
    with pytest.raises(QuestionFileError, match="bad.jsonl:2"):
        load_questions(bad)
