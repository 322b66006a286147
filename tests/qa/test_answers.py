"""Answers from the real pipeline (packaged MiniLM over corpus/releases): cited, short, abstaining
when the releases don't hold the answer, and in the JSON shape the UI and CLI send."""

from __future__ import annotations

import json
import re
import time

import pytest

from qa.chain import build_chain, literal_plan
from qa.citations import citation_problems, markers
from qa.extractive import ABSTAIN_EN, ABSTAIN_KO, ExtractiveAnswerer, name_this_year, with_release_year
from qa.models import Answer, Query, ScoredPassage, SearchPlan
from qa.service import Pressroom

SAMPLE = "000_3a0123e4a4b49311.txt"
MAX_WORDS = 80
# Two questions of each of five answerable kinds from the dev set, so the check covers English
# facts, dates, two-release questions, paraphrases and Korean questions.
KINDS = ("fact", "date", "multi", "paraphrase", "korean")
PER_KIND = 2


def words_without_markers(text: str) -> int:
    return len(re.sub(r"\[\d+\]", " ", text).split())


@pytest.fixture(scope="module")
def varied_questions(dev_questions) -> list[str]:
    chosen: list[str] = []
    for kind in KINDS:
        chosen += [q["question"] for q in dev_questions if q["type"] == kind][:PER_KIND]
    assert len(chosen) >= 10
    return chosen


@pytest.fixture(scope="module")
def varied_answers(pressroom, varied_questions) -> dict[str, Answer]:
    return {q: pressroom.ask(q) for q in varied_questions}


@pytest.fixture(scope="module")
def asean_answer(pressroom) -> Answer:
    return pressroom.ask("When did Korea and ASEAN establish dialogue relations?")


@pytest.fixture(scope="module")
def unanswerable(pressroom) -> Answer:
    return pressroom.ask("What did Cho Tae-yul discuss with Radosław Sikorski in Warsaw?")


def check_citations_directly(answer: Answer) -> None:
    """The same promise as citation_problems, checked without it."""
    retrieved = {p.chunk_id: p for p in answer.retrieved}
    by_n = {c.n: c for c in answer.citations}
    used = markers(answer.answer)
    assert len(by_n) == len(answer.citations), "citation numbers repeat"
    assert set(used) == set(by_n), (used, sorted(by_n))
    # Numbered 1, 2, ... in order of first use in the text.
    assert list(dict.fromkeys(used)) == list(range(1, len(by_n) + 1))
    for citation in answer.citations:
        assert citation.chunk_id in retrieved, f"[{citation.n}] cites a passage that was not retrieved"
        passage = retrieved[citation.chunk_id]
        assert (citation.source, citation.title, citation.date, citation.paragraph) == (
            passage.source,
            passage.title,
            passage.date,
            passage.paragraph,
        )
        for quote in citation.quote.split(" … "):
            assert quote.strip(), "empty quote"
            assert quote.removeprefix("※ ") in passage.text, f"[{citation.n}] quote is not verbatim: {quote!r}"
    # Every sentence of the answer is a quoted sentence followed by its marker (a "when" answer's
    # month and day may gain the release's year, and "this year" its year: qa.extractive).
    for sentence, n in re.findall(r"\s*(.+?) \[(\d+)\]", answer.answer):
        citation = by_n[int(n)]
        quotes = citation.quote.split(" … ")
        dated = [name_this_year(f(q, citation.date), citation.date) for q in quotes for f in (lambda q, d: q, with_release_year)]
        assert sentence in quotes or sentence in dated


def test_korea_asean_dialogue_relations_year(asean_answer):
    answer = asean_answer
    assert not answer.abstained
    assert "1989" in answer.answer
    assert SAMPLE in {c.source for c in answer.citations}
    cited = next(c for c in answer.citations if c.source == SAMPLE)
    assert "1989" in cited.quote
    assert cited.date == "2023-06-20" and cited.paragraph == 3
    assert citation_problems(answer) == []
    check_citations_directly(answer)


def test_the_sample_is_the_top_retrieved_release_for_its_question(asean_answer):
    assert asean_answer.retrieved[0].source == SAMPLE
    # The passage that states the year is retrieved, from the sample, and it is the one cited.
    holding = [p for p in asean_answer.retrieved if "1989" in p.text]
    assert holding and holding[0].source == SAMPLE
    assert holding[0].chunk_id in {c.chunk_id for c in asean_answer.citations}


def test_varied_dev_questions_are_cited_and_verbatim(varied_answers):
    answered = 0
    for question, answer in varied_answers.items():
        assert answer.question == question
        assert answer.retrieved, question
        assert citation_problems(answer) == [], question
        check_citations_directly(answer)
        if answer.abstained:
            assert answer.citations == [] and markers(answer.answer) == []
        else:
            answered += 1
            assert answer.citations and markers(answer.answer)
    # The check above means little if everything abstained.
    assert answered >= len(varied_answers) // 2, f"only {answered} of {len(varied_answers)} answered"


def test_answers_are_short(varied_answers, asean_answer, unanswerable):
    for answer in [*varied_answers.values(), asean_answer, unanswerable]:
        assert 0 < words_without_markers(answer.answer) <= MAX_WORDS, answer.answer


def test_retrieved_passages_are_in_rank_order(pressroom, varied_answers):
    # Rank order is the retriever's fused order; `score` stays each passage's cosine (the scale the
    # answerer's confidence reads), so it need not fall monotonically.
    for answer in varied_answers.values():
        assert [p.chunk_id for p in answer.retrieved] == [p.chunk_id for p in pressroom.retriever(answer.plan)]
        assert all(p.routes for p in answer.retrieved)
        assert len(answer.retrieved) <= 10
        assert len({p.chunk_id for p in answer.retrieved}) == len(answer.retrieved)


def test_unanswerable_question_abstains_without_citations(unanswerable):
    assert unanswerable.abstained
    assert unanswerable.citations == []
    assert markers(unanswerable.answer) == []
    assert unanswerable.answer == ABSTAIN_EN
    assert unanswerable.retrieved, "it still shows what it looked at"
    assert citation_problems(unanswerable) == []


def test_abstaining_on_a_korean_question_answers_in_korean():
    answer = ExtractiveAnswerer()(literal_plan(Query("부산 엑스포 결선 투표에서 몇 표를 얻었나요?")), [])
    assert answer.abstained and answer.answer == ABSTAIN_KO and answer.citations == []


def test_answer_to_dict_shape(asean_answer):
    data = asean_answer.to_dict()
    # The five fields the UI and API clients read, plus confidence and timings_ms.
    assert set(data) == {
        "question", "answer", "abstained", "confidence", "citations", "retrieved", "timings_ms", "answerer", "query",
    }
    assert data["answerer"] == "extractive"
    assert data["query"]["searched"] == data["question"]
    assert data["question"] == "When did Korea and ASEAN establish dialogue relations?"
    assert data["answer"] == asean_answer.answer and data["abstained"] is False
    assert data["citations"], "the answer is cited"
    for citation in data["citations"]:
        assert set(citation) == {"n", "source", "title", "date", "paragraph", "quote", "chunk_id", "span"}
    assert [c["n"] for c in data["citations"]] == list(range(1, len(data["citations"]) + 1))
    assert data["retrieved"]
    for passage in data["retrieved"]:
        assert set(passage) == {"source", "chunk_id", "score", "title", "date", "paragraph", "routes"}
    assert all(p["routes"] for p in data["retrieved"])  # which route ranked it where
    assert [p["chunk_id"] for p in data["retrieved"]] == [p.chunk_id for p in asean_answer.retrieved]
    assert set(data["timings_ms"]) >= {"retrieve", "answer"}
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data  # plain JSON, nothing else


def test_abstained_answer_to_dict(unanswerable):
    data = unanswerable.to_dict()
    assert data["abstained"] is True and data["citations"] == []
    assert data["retrieved"]


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_is_refused(pressroom, question):
    with pytest.raises(ValueError, match="empty"):
        pressroom.ask(question)


def test_question_is_stripped_and_history_passed_on():
    queries: list[Query] = []

    def retriever(plan: SearchPlan) -> list[ScoredPassage]:
        queries.append(plan.query)
        return []

    service = Pressroom(retriever, ExtractiveAnswerer())
    answer = service.ask("  When did they meet?\n", history=["Who is Kao Kim Hourn?"])
    assert queries == [Query("When did they meet?", ("Who is Kao Kim Hourn?",))]
    assert answer.question == "When did they meet?"
    assert answer.abstained and answer.retrieved == []


def test_pressroom_ask_records_stage_timings(asean_answer):
    assert set(asean_answer.timings_ms) >= {"retrieve", "answer"}
    assert all(v > 0 for v in asean_answer.timings_ms.values())


def test_chain_records_retrieve_and_answer_timings():
    passage = ScoredPassage("r:p1.0:x", "r.txt", "r", "Title", "2024-01-01", 1, "en", "Text.", 0.5)
    seen: list[tuple[str, object]] = []

    def understand(query: Query) -> SearchPlan:
        seen.append(("understand", query))
        return SearchPlan(query, "What? (standalone)")

    def retriever(plan: SearchPlan) -> list[ScoredPassage]:
        seen.append(("retrieve", plan.text))
        time.sleep(0.03)
        return [passage]

    def answerer(plan: SearchPlan, passages: list[ScoredPassage]) -> Answer:
        seen.append(("answer", passages))
        time.sleep(0.06)
        return Answer(plan.question, "Text. [1]", False, [], passages)

    def verify(answer: Answer) -> Answer:
        seen.append(("verify", answer.answer))
        return answer

    query = Query("What?", history=("Earlier question?",))
    answer = build_chain(retriever, answerer, understand=understand, verify=verify).invoke(query)
    assert seen == [
        ("understand", query), ("retrieve", "What? (standalone)"), ("answer", [passage]), ("verify", "Text. [1]"),
    ]
    assert answer.retrieved == [passage]
    assert answer.plan is not None and answer.plan.text == "What? (standalone)"
    assert set(answer.timings_ms) == {"understand", "retrieve", "answer", "verify"}
    assert 25 <= answer.timings_ms["retrieve"] < 1000
    assert 50 <= answer.timings_ms["answer"] < 1000


def test_latest_answers_with_the_newest_event_not_the_one_it_recalls(pressroom):
    # The 8th dialogue's release also recalls the 7th, in a sentence as close to the question.
    answer = pressroom.ask("When and where was the most recent ROK-U.S. Senior Economic Dialogue held?")
    assert not answer.abstained
    assert answer.citations[0].source == "039_8th-sed-seoul.txt"
    assert "January 31" in answer.answer.split("[1]")[0]


def test_a_question_about_the_time_before_an_event_is_answered_by_a_look_back(pressroom):
    answer = pressroom.ask("Before Cho Tae-yul's May 2024 visit to Beijing, when had a Korean foreign minister last gone to China?")
    assert not answer.abstained
    assert "2017" in answer.answer.split("[1]")[0]


def test_a_follow_up_is_answered_from_the_release_the_conversation_is_about(pressroom):
    answer = pressroom.ask(
        "How long had it been since a Mexican foreign secretary visited?",
        ("What did Park Jin and Ebrard sign in Seoul in July 2022?",),
    )
    assert "seven years" in answer.answer
    assert {c.source for c in answer.citations} == {"004_korea-mexico-fm-ebrard.txt"}


def test_a_follow_up_gets_something_new_not_the_earlier_answer_again(pressroom):
    # The release's opening sentence answers the earlier turn ("what did they discuss") best of all.
    answer = pressroom.ask(
        "Where will they see each other next?",
        ("What did Cho Tae-yul discuss with Blinken in Washington in February 2024?",),
    )
    assert "Summit for Democracy" in answer.answer.split("[1]")[0]
