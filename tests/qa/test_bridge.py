"""The lexical bridge: a Korean question's words find English releases through the terms the packaged
multilingual model puts close to them (qa.bridge), as a route of the hybrid retriever."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ingest.analysis import analyze, has_hangul
from ingest.embeddings import USE_MULTILINGUAL, part_of
from qa.bridge import LexicalBridge, NameBridge, english_names, korean_words, names_spelled_in
from qa.models import Query
from qa.retrieval import HybridRetriever, load_lexical
from qa.understand import Understanding
from tests.counting import CountingModel

QUESTION = "2023년 6월 유엔 안보리 비상임이사국 선거에서 한국은 몇 표를 얻었나요?"


@pytest.fixture(scope="module")
def lexical(corpus_index):
    return load_lexical(corpus_index)


@pytest.fixture(scope="module")
def bridge(embeddings, lexical):
    return LexicalBridge(part_of(embeddings, USE_MULTILINGUAL), lexical.vocabulary)


def test_korean_words_map_to_the_english_terms_of_the_index(bridge):
    assert {"elect", "budget"} <= set(bridge.english_terms(["선거", "예산"]))
    assert all(term.isascii() for term in bridge.english_terms(korean_words(analyze(QUESTION))))


def test_only_close_terms_cross(bridge):
    strict = LexicalBridge(bridge.model, bridge.terms, min_similarity=0.99)
    assert strict.english_terms(["선거", "예산"]) == []
    assert bridge.english_terms([]) == []


def test_korean_words_leave_out_one_syllable_particles_numbers_and_latin():
    words = korean_words(analyze("2024년 정부 ODA 예산은 얼마로 확정됐나요?"))
    assert "예산" in words and "정부" in words
    assert all(len(w) >= 2 and not w.isascii() for w in words)


def test_a_korean_question_finds_the_english_release_through_the_bridge(corpus_index, embeddings, lexical):
    understand = Understanding(newest=lexical.newest_date())
    with_bridge = HybridRetriever(corpus_index, embeddings, lexical, k=10)
    passages = with_bridge(understand(Query(QUESTION)))
    assert passages[0].source == "024_unsc-election.txt"
    assert any("bridge" in p.routes for p in passages)
    # An English question takes no bridge route.
    english = with_bridge(understand(Query("How many votes did Korea receive in the UN Security Council election?")))
    assert not any("bridge" in p.routes for p in english)


def test_the_bridge_puts_more_korean_questions_release_on_top(corpus_index, embeddings, lexical, dev_questions):
    understand = Understanding(newest=lexical.newest_date())
    korean = [q for q in dev_questions if has_hangul(q["question"]) and q.get("sources") and not q.get("history")]
    assert len(korean) >= 25
    on = HybridRetriever(corpus_index, embeddings, lexical, k=10)
    off = HybridRetriever(corpus_index, embeddings, lexical, k=10)
    off.config = replace(off.config, bridge=False)

    def on_top(retriever) -> int:
        return sum(retriever(understand(Query(q["question"])))[0].source in q["sources"] for q in korean)

    with_bridge, without = on_top(on), on_top(off)
    print(f"{len(korean)} Korean dev questions with a gold release on top: {with_bridge} with the bridge, {without} without")
    assert with_bridge >= without + 4


def test_after_an_ingest_only_the_new_terms_are_encoded(bridge):
    model = CountingModel(bridge.model)
    known: dict = {}
    before = LexicalBridge(model, ["election", "budget"], known=known)
    assert "elect" not in before.english_terms(["선거"])  # only these two terms exist yet
    assert "election" in before.english_terms(["선거"]) and model.encoded == 2 + 1 + 1
    after = LexicalBridge(model, ["election", "budget", "aircraft"], known=known)
    assert "aircraft" in after.english_terms(["항공기"])
    assert model.encoded == 4 + 1 + 1  # "aircraft" and the one Korean word, not the three terms again


@pytest.fixture(scope="module")
def names(embeddings, lexical):
    return NameBridge(part_of(embeddings, USE_MULTILINGUAL), lexical.vocabulary)


def test_names_cross_by_sound_and_meaning_both_ways(names):
    # Sound alone would also bring "front" and "plant" for 폴란드; the multilingual model keeps "poland".
    assert names.english_terms(["폴란드"]) == ["poland"]
    assert names.english_terms(["멕시코", "아프리카"]) == ["mexico", "africa"]
    assert names.korean_terms(english_names("How did Korea help Türkiye after the earthquake?")) == ["튀르키예"]
    assert "아일랜드" in names.korean_terms(["Ireland"])
    assert names.korean_terms(["Qingdao"]) == []  # sounds like 캐나다, means something else


def test_a_korean_name_finds_the_english_words_of_its_romanisation(embeddings, lexical):
    runs = NameBridge(part_of(embeddings, USE_MULTILINGUAL), lexical.vocabulary, runs=lexical.names)
    assert {"cho", "tae", "yul"} <= set(runs.english_terms(["조태열"]))
    assert {"park", "jin"} <= set(runs.english_terms(["박진"]))
    assert not {"cho", "tae", "yul"} & set(runs.english_terms(["박진"]))
    assert runs.english_terms(["장관", "외교"]) == []  # ordinary words stay out
    # Without the releases' runs a multi-word name has no single term to match.
    assert not {"cho", "tae", "yul"} & set(NameBridge(runs.model, lexical.vocabulary).english_terms(["조태열"]))


def test_a_korean_question_naming_a_korean_minister_finds_the_english_release(corpus_index, embeddings, lexical):
    question = "2024년 5월 조태열 장관은 베이징 어디에서 왕이 외교부장과 회담했나요?"
    retriever = HybridRetriever(corpus_index, embeddings, lexical, k=10)
    passages = retriever(Understanding(newest=lexical.newest_date())(Query(question)))
    assert passages[0].source == "047_cho-wangyi-beijing.txt"
    assert "bridge" in passages[0].routes


def test_english_names_are_the_capitalised_words_inside_the_question():
    assert english_names("When did Park Jin meet Blinken in Bali?") == ["Park", "Jin", "Blinken", "Bali"]
    assert english_names("What did the ministry say?") == []


def test_an_english_question_finds_the_korean_release_through_a_name(corpus_index, embeddings, lexical):
    question = "On what date did Park Jin, Blinken and Hayashi hold their trilateral meeting in Bali?"
    # The background gate (qa.retrieval) finds it too; off here, so that the names alone are tested.
    on = HybridRetriever(corpus_index, embeddings, lexical, k=10)
    on.config = replace(on.config, background_gate=0.0)
    off = HybridRetriever(corpus_index, embeddings, lexical, k=10)
    off.config = replace(on.config, name_bridge=False)
    plan = Understanding()(Query(question))
    with_names = on(plan)
    assert "bridge" in with_names[0].routes or any("bridge" in p.routes for p in with_names)
    top = lambda passages: passages[0].source  # noqa: E731
    assert top(with_names).startswith("005_rok-us-japan-fm-bali-ko")
    assert not top(off(plan)).startswith("005_rok-us-japan-fm-bali-ko")


def test_the_retriever_takes_the_term_vectors_ingest_stored(corpus_index, embeddings, lexical):
    retriever = HybridRetriever(corpus_index, embeddings, lexical, k=10)
    words, _ = retriever._lexical_bridge()
    assert words.terms and set(words.terms) <= set(words.known)  # nothing left to encode on the first question


def test_names_spelled_in_counts_an_english_questions_names_written_in_hangul():
    sentence = "박진 외교부 장관은 인도네시아 발리에서 토니 블링컨 미국 국무장관과 회담을 가졌다."
    assert names_spelled_in(["Bali", "Blinken", "Indonesia"], sentence) == 3
    assert names_spelled_in(["Bali", "Warsaw"], sentence) == 1
    assert names_spelled_in(["Bali"], "Park Jin met Blinken in Bali.") == 0  # English sentences are matched by their words
    assert names_spelled_in([], sentence) == 0


def test_an_english_question_is_answered_from_the_only_release_that_has_it_in_korean(pressroom):
    # The meeting in Bali is reported only in a Korean release; English releases about other meetings of
    # the same ministers share the question's words. The names the Korean sentence spells in Hangul win.
    answer = pressroom.ask("On what date did Park Jin, Blinken and Hayashi hold their trilateral meeting in Bali?")
    assert not answer.abstained
    assert answer.citations[0].source.startswith("005_rok-us-japan-fm-bali-ko")
    assert "7월 8일" in answer.answer
