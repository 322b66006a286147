"""Metric definitions on hand-made answers: each metric moves the way its definition says."""

from pathlib import Path

import pytest

from evals.attribution import answer_sentences, citation_problems, score_citations
from evals.check import check_metrics
from evals.metrics import grade, retrieval_metrics, summarize, token_f1
from evals.questions import EvalQuestion, Evidence, QuestionFileError, load_questions
from qa.models import Answer, Citation, ScoredPassage

PARA3 = "Korea designated 15 individuals and 16 institutions on October 14. The measures take effect at once."
PARA1 = "The ministry announced new sanctions on North Korea."


def passage(source: str, text: str, paragraph: int = 1, score: float = 0.5) -> ScoredPassage:
    return ScoredPassage(f"{source}:p{paragraph}", source, source, "Title", "2022-10-14", paragraph, "en", text, score)


def cited_answer(question: str, pieces: list[tuple[str, ScoredPassage]], retrieved=None) -> Answer:
    """Answer text with a [n] after each sentence, numbered by passage; built here, not by the system."""
    numbers: dict[str, int] = {}
    parts, citations = [], {}
    for sentence, p in pieces:
        n = numbers.setdefault(p.chunk_id, len(numbers) + 1)
        parts.append(f"{sentence} [{n}]")
        citations.setdefault(n, Citation(n, p.source, p.title, p.date, p.paragraph, sentence, p.chunk_id))
    return Answer(question, " ".join(parts), False, list(citations.values()), retrieved or [p for _, p in pieces])


GOLD = EvalQuestion(
    "q1", "How many individuals and institutions were designated?", "15 individuals and 16 institutions", ("a.txt",),
    "fact", evidence=(Evidence("a.txt", 3, "designated 15 individuals and 16 institutions"),),
)
NO_EVIDENCE = EvalQuestion("q3", GOLD.question, GOLD.answer, ("a.txt",), "fact")
UNANSWERABLE = EvalQuestion("q2", "Who won the 2030 election?", "", (), "unanswerable")


def test_token_f1_uses_the_graders_key_words():
    assert token_f1(GOLD.answer, "15 Individuals and 16 institutions.") == 1.0
    assert token_f1(GOLD.answer, "It designated 15 individuals and 16 institutions.") == pytest.approx(0.8)
    assert token_f1(GOLD.answer, "nothing related") == 0.0


def test_a_correct_concise_cited_answer():
    p = passage("a.txt", PARA3, paragraph=3)
    g = grade(GOLD, cited_answer(GOLD.question, [("Korea designated 15 individuals and 16 institutions on October 14.", p)]), 12.0)
    assert g.correct and g.citations_valid
    assert (g.citation_pairs, g.citation_right, g.sentences, g.sentences_supported) == (1, 1, 1, 1)
    assert g.release_ranking == ["a.txt"]


def test_a_citation_to_the_right_release_but_wrong_paragraph_is_wrong():
    wrong_para = passage("a.txt", PARA1, paragraph=1)
    answer = cited_answer(GOLD.question, [("The ministry announced new sanctions on North Korea.", wrong_para)])
    g = grade(GOLD, answer, 1.0)
    assert g.citations_gold_release == 1  # the old release-level check would call it right
    assert (g.citation_pairs, g.citation_right) == (1, 0)


def test_evidence_quote_in_a_character_split_passage_counts():
    chunk = passage("a.txt", "Navigation text. " + PARA3, paragraph=0)  # the tutorial's splits have no paragraph
    answer = cited_answer(GOLD.question, [("Navigation text.", chunk)])
    assert score_citations(GOLD, answer, abstained=False).right_pairs == 1


def test_sentence_recall_counts_uncited_sentences_as_unsupported():
    p = passage("a.txt", PARA3, paragraph=3)
    answer = cited_answer(GOLD.question, [("Korea designated 15 individuals and 16 institutions on October 14.", p)])
    answer.answer = "The measures were announced on Friday. " + answer.answer
    score = score_citations(GOLD, answer, abstained=False)
    assert (score.sentences, score.supported_sentences) == (2, 1)


def test_citations_on_an_unanswerable_question_count_against_precision():
    p = passage("b.txt", PARA1)
    g = grade(UNANSWERABLE, cited_answer(UNANSWERABLE.question, [(PARA1, p)]), 1.0)
    assert not g.correct
    assert (g.citation_pairs, g.citation_right) == (1, 0)
    summary = summarize([UNANSWERABLE, GOLD], [g, grade(GOLD, cited_answer(GOLD.question, [(PARA3, passage("a.txt", PARA3, 3))]), 1.0)])
    # One marker each: right on the answerable answer, wrong on the unanswerable one.
    assert summary["answers"]["citation_precision"] == pytest.approx(1 / 2)
    # The answerable answer has two sentences and only the second carries a marker.
    assert summary["answers"]["citation_recall"] == pytest.approx(1 / 2)


def test_without_evidence_gold_citation_metrics_are_na_not_invented():
    p = passage("a.txt", PARA3, paragraph=3)
    g = grade(NO_EVIDENCE, cited_answer(NO_EVIDENCE.question, [(PARA3, p)]), 1.0)
    assert not g.citation_scored
    answers = summarize([NO_EVIDENCE], [g])["answers"]
    assert answers["citation_precision"] is None and answers["citation_recall"] is None


def test_validity_catches_forged_quotes_unmarked_citations_and_dangling_markers():
    p = passage("a.txt", PARA3, paragraph=3)
    forged = cited_answer(GOLD.question, [("A sentence the passage never had.", p)])
    assert any("not in its passage" in x for x in citation_problems(forged))
    dangling = Answer(GOLD.question, "Fifteen were designated. [2]", False, [], [p])
    assert citation_problems(dangling) == ["[2] has no citation"]
    unretrieved = cited_answer(GOLD.question, [(PARA3, p)], retrieved=[passage("c.txt", "other")])
    assert any("not retrieved" in x for x in citation_problems(unretrieved))
    assert not grade(GOLD, forged, 1.0).citations_valid


def test_answer_sentences_do_not_split_abbreviations():
    text = "Park met U.S. Secretary Blinken on Dec. 12 in Washington, D.C. [1] They agreed. [2]"
    assert answer_sentences(text) == ["Park met U.S. Secretary Blinken on Dec. 12 in Washington, D.C. [1]", "They agreed. [2]"]


def test_retrieval_metrics_and_summary():
    hit = grade(GOLD, cited_answer(GOLD.question, [("x" * 25, passage("b.txt", "x" * 25))], retrieved=[passage("b.txt", "x" * 25), passage("a.txt", "y")]), 1.0)
    metrics = retrieval_metrics([GOLD], [hit])
    assert metrics["recall@1"] == 0.0 and metrics["recall@3"] == 1.0
    assert metrics["mrr"] == pytest.approx(0.5)
    assert hit.reciprocal_rank == pytest.approx(0.5) and hit.recall_at(1) == 0.0
    summary = summarize([GOLD], [hit])
    assert summary["by_type"]["fact"]["n"] == 1
    assert set(summary["latency"]) >= {"total_ms_p50", "total_ms_p95"}


def test_check_names_the_metric_that_fell(tmp_path: Path):
    expected = tmp_path / "expected.toml"
    expected.write_text(
        '[dev.pressroom]\ntolerance = 0.01\n"retrieval.recall@5" = 0.9\n"answers.false_abstention" = 0.05\n'
        '"answers.citation_precision" = 0.5\n'
    )
    good = {"configs": {"pressroom": {"retrieval": {"recall@5": 0.95}, "answers": {"false_abstention": 0.0, "citation_precision": 0.6}}}}
    bad = {"configs": {"pressroom": {"retrieval": {"recall@5": 0.8}, "answers": {"false_abstention": 0.2, "citation_precision": None}}}}
    assert check_metrics(good, expected, "dev") == []
    problems = check_metrics(bad, expected, "dev")
    assert any("recall@5 fell to 0.800" in p for p in problems)
    assert any("false_abstention rose to 0.200" in p for p in problems)
    assert any("citation_precision is n/a" in p for p in problems)
    assert check_metrics(good, expected, "test") != []
    missing = {"configs": {}, "unavailable": {"pressroom": "needs the bm25 mode"}}
    assert check_metrics(missing, expected, "dev") == ["pressroom: did not run (needs the bm25 mode)"]


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
    with pytest.raises(QuestionFileError, match="does not exist"):
        load_questions(tmp_path / "missing.jsonl")


def test_new_fields_load(tmp_path: Path):
    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"id": "a", "question": "작년 12월에 무엇을 했나요?", "answer": "x", "answer_ko": "엑스", "sources": ["s.txt"], '
        '"type": "korean", "tags": ["ko", "relative-time"], "asked_on": "2023-03-01", '
        '"evidence": [{"source": "s.txt", "paragraph": 2, "quote": "x"}]}\n',
        encoding="utf-8",
    )
    (q,) = load_questions(path)
    assert q.asked_on.isoformat() == "2023-03-01" and q.gold_forms == ["x", "엑스"]
    assert q.evidence == (Evidence("s.txt", 2, "x"),) and q.tags == ("ko", "relative-time")


def test_all_gold_counts_a_two_release_question_only_when_both_are_in_the_top_five():
    two = EvalQuestion("q4", "What did Korea give Ukraine and Türkiye?", "USD 3 million and USD 5 million",
                       ("a.txt", "b.txt"), "multi")
    others = [passage(f"x{i}.txt", "z" * 25) for i in range(5)]
    both = grade(two, cited_answer(two.question, [("z" * 25, others[0])],
                                   retrieved=[passage("a.txt", "y"), *others[:3], passage("b.txt", "y")]), 1.0)
    one = grade(two, cited_answer(two.question, [("z" * 25, others[0])],
                                  retrieved=[passage("a.txt", "y"), *others, passage("b.txt", "y")]), 1.0)
    single = grade(GOLD, cited_answer(GOLD.question, [("z" * 25, others[0])], retrieved=[passage("a.txt", "y")]), 1.0)
    assert one.recall_at(5) == 0.5  # recall@5 gives half a pair credit …
    summary = summarize([two, two, GOLD], [both, one, single])
    assert summary["n_multi_release"] == 2  # … the single-release question is not counted …
    assert summary["retrieval"]["all_gold@5_multi_release"] == 0.5  # … and a pair counts only whole
    assert "all_gold@5_multi_release" not in summarize([GOLD], [single])["retrieval"]


def test_a_korean_question_answered_right_in_english_is_not_answered_in_korean():
    # The grader accepts the English answer (same figures); the language metrics say the reader got English.
    korean = EvalQuestion("q9", "몇 명의 개인과 몇 개의 기관이 지정되었나요?", GOLD.answer, ("a.txt",), "korean", answer_ko="개인 15명과 기관 16곳")
    p = passage("a.txt", PARA3, paragraph=3)
    english = grade(korean, cited_answer(korean.question, [("Korea designated 15 individuals and 16 institutions on October 14.", p)]), 1.0)
    in_korean = grade(korean, cited_answer(korean.question, [("한국은 10월 14일 개인 15명과 기관 16곳을 지정했습니다.", p)]), 1.0)
    assert english.correct and english.asked_in_korean and not english.answered_in_korean
    assert in_korean.correct and in_korean.answered_in_korean
    answers = summarize([korean, korean], [english, in_korean])["answers"]
    assert answers["in_question_language"] == pytest.approx(0.5)
    assert answers["korean_correct_in_korean"] == pytest.approx(0.5)
    assert summarize([GOLD], [grade(GOLD, cited_answer(GOLD.question, [("Korea designated 15 individuals and 16 institutions on October 14.", p)]), 1.0)])["answers"]["korean_correct_in_korean"] is None
