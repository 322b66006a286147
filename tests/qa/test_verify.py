"""The verify stage: each sentence's [n] must be backed by passage n, or it goes."""

from __future__ import annotations

import pytest

from qa.answering import make_verifier
from qa.facts import facts_of
from qa.generative import answer_from_text
from qa.models import Query, ScoredPassage, SearchPlan
from qa.verify import CitationVerifier, answer_sentences

ASEAN = ScoredPassage(
    "asean#2", "asean.txt", "asean", "Korea-ASEAN Relations", "2024-03-05", 2, "en",
    "The ministers met in Jakarta. Korea and ASEAN established dialogue relations in 1989. "
    "Foreign Minister Cho Tae-yul co-chaired the meeting with his Lao counterpart.",
    0.9,
)
VACCINE = ScoredPassage(
    "vax#1", "vax.txt", "vax", "Vaccine donation", "2023-06-01", 1, "en",
    "The Government donated 1,500,000 doses of vaccine to Viet Nam on June 1.", 0.5,
)
SHOWN = [ASEAN, VACCINE]


def llm_answer(question: str, text: str, *, language: str | None = None):
    plan = SearchPlan(Query(question, answer_language=language), question)
    return answer_from_text(plan, SHOWN, SHOWN, text, "llm:test")


@pytest.fixture(scope="module")
def verify(embeddings):
    return make_verifier(embeddings)


def test_sentences_keep_markers_written_after_the_full_stop():
    assert answer_sentences("They met in the U.S. capital. [1] Doses were sent [2]. Unmarked.") == [
        ("They met in the U.S. capital.", [1]), ("Doses were sent.", [2]), ("Unmarked.", []),
    ]


def test_a_marker_then_a_capital_ends_a_sentence_without_a_full_stop():
    # A quoted list item has no full stop: "▲February 28: … 47 African embassies [1] Foreign Minister…".
    text = "Steps: ▲February 28: Kim met them, with 47 embassies [1] Foreign Minister Cho went on. [2] Korea [1] and Japan [2] agreed. [3]"
    assert answer_sentences(text) == [
        ("Steps: ▲February 28: Kim met them, with 47 embassies", [1]),
        ("Foreign Minister Cho went on.", [2]),
        ("Korea and Japan agreed.", [1, 2, 3]),
    ]


def test_markers_written_first_belong_to_the_sentence_they_open():
    text = "[1] 15 individuals were designated on October 14.\n[2] 8 individuals were designated on December 2."
    assert answer_sentences(text) == [
        ("15 individuals were designated on October 14.", [1]), ("8 individuals were designated on December 2.", [2]),
    ]


def test_facts_are_the_same_in_english_and_korean():
    assert facts_of("on March 5, 2024, 1,513 people") == facts_of("2024년 3월 5일 1513명") == {"y2024", "m3", "n5", "n1513"}
    assert facts_of("the eighth round") == facts_of("제8차") == {"n8"}


def test_a_supported_sentence_is_kept_with_the_span_that_supports_it(verify):
    answer = verify(llm_answer("When did Korea and ASEAN establish dialogue relations?", "They established dialogue relations in 1989 [1]."))
    assert not answer.abstained and answer.answer == "They established dialogue relations in 1989. [1]"
    (citation,) = answer.citations
    start, end = citation.span
    assert ASEAN.text[start:end] == "Korea and ASEAN established dialogue relations in 1989."
    assert citation.quote == ASEAN.text[start:end] and citation.chunk_id == "asean#2"


def test_a_number_the_passage_does_not_state_drops_the_sentence(verify):
    answer = verify(llm_answer("When did Korea and ASEAN establish dialogue relations?",
                               "They established dialogue relations in 1991 [1]. They did so in 1989 [1]."))
    assert answer.answer == "They did so in 1989. [1]"


def test_a_wrong_marker_is_removed_and_the_rest_renumbered(verify):
    answer = verify(llm_answer("How many doses were donated to Viet Nam?", "Korea donated 1,500,000 doses to Viet Nam [1][2]."))
    assert answer.answer == "Korea donated 1,500,000 doses to Viet Nam. [1]"
    assert [(c.n, c.chunk_id) for c in answer.citations] == [(1, "vax#1")]


def test_a_name_the_passage_does_not_state_is_unsupported(verify):
    answer = verify(llm_answer("Who co-chaired the meeting?", "Foreign Minister Park Jin co-chaired the meeting [1]."))
    assert answer.abstained and answer.citations == []
    kept = verify(llm_answer("Who co-chaired the meeting?", "Foreign Minister Cho Tae-yul co-chaired the meeting [1]."))
    assert not kept.abstained


def test_unmarked_and_unrelated_sentences_go_and_nothing_left_means_a_decline(verify):
    answer = verify(llm_answer("Where did the ministers meet?", "I think it was somewhere nice. The weather was sunny [1]."))
    assert answer.abstained and answer.answerer == "llm:test" and answer.retrieved == SHOWN


def test_an_answer_without_the_asked_for_date_declines(verify):
    answer = verify(llm_answer("When did the ministers meet in Jakarta?", "The ministers met in Jakarta [1]."))
    assert answer.abstained
    answer = verify(llm_answer("How many doses were donated?", "The Government donated vaccine to Viet Nam [2]."))
    assert answer.abstained


def test_a_korean_answer_may_cite_an_english_passage_when_its_facts_match(verify):
    question = "한국과 아세안은 언제 대화관계를 수립했습니까?"
    good = verify(llm_answer(question, "한국과 아세안은 1989년에 대화관계를 수립했습니다 [1]."))
    assert not good.abstained and good.citations[0].chunk_id == "asean#2"
    assert "보도자료" in verify(llm_answer(question, "한국과 아세안은 1995년에 대화관계를 수립했습니다 [1].")).answer


def test_the_decline_is_in_the_requested_language(verify):
    answer = verify(llm_answer("When did the ministers meet?", "Nothing here [1].", language="ko"))
    assert answer.abstained and "보도자료" in answer.answer


def test_extractive_answers_pass_unchanged_and_gain_spans(pressroom, dev_questions):
    verifier = CitationVerifier()
    checked = 0
    for q in dev_questions[:15]:
        raw = pressroom.answerer(pressroom.understand(Query(q["question"])), pressroom.retriever(pressroom.understand(Query(q["question"]))))
        if raw.abstained:
            continue
        verified = verifier(raw)
        if verified.abstained:
            continue  # the asked-for slot is missing: a decline, counted in the eval
        assert verified.answer == raw.answer
        assert [c.quote for c in verified.citations] == [c.quote for c in raw.citations]
        for c in verified.citations:
            passage = next(p for p in raw.retrieved if p.chunk_id == c.chunk_id)
            assert passage.text[c.span[0] : c.span[1]] in c.quote
        checked += 1
    assert checked >= 8


def test_a_short_korean_sentence_with_matching_figures_may_cite_an_english_passage(verify):
    passage = ScoredPassage(
        "unsc#1", "unsc.txt", "unsc", "Republic of Korea Elected as Non-permanent Member of UN Security Council", "2023-06-07", 1, "en",
        "The Republic of Korea was elected as a non-permanent member of the United Nations Security Council for the "
        "2024-2025 term at the election held at the UN General Assembly on June 6. Korea received 180 votes out of 192.",
        0.9,
    )
    plan = SearchPlan(Query("한국은 몇 표를 얻었나요?"), "한국은 몇 표를 얻었나요?")
    good = verify(answer_from_text(plan, [passage], [passage], "[1] 한국은 180표를 얻었습니다.", "llm:test"))
    assert not good.abstained and good.citations[0].span is not None
    bad = verify(answer_from_text(plan, [passage], [passage], "[1] 한국은 150표를 얻었습니다.", "llm:test"))
    assert bad.abstained


def test_a_shortened_dated_quote_is_supported_by_the_quote_itself():
    text = (
        "The 7th Dialogue was held in Washington, D.C. on December 12 (local time), and the two sides agreed "
        "to expand cooperation. Other business followed."
    )
    passage = ScoredPassage("sed#1", "sed.txt", "sed", "SED", "2023-01-05", 1, "en", text, 0.9)
    quote = text.split(" Other")[0]
    verifier = CitationVerifier()
    # The answerer's own form: an aside left out, the day given the year nearest the January dateline.
    shown = "The 7th Dialogue was held in Washington, D.C. on December 12, 2022, and the two sides agreed to expand cooperation."
    support = verifier.support(shown, passage, "When was the 7th Dialogue held?", quote=quote)
    assert support.ok and text[support.span[0] : support.span[1]] == quote
    # A year the dateline cannot give, or a word the quote does not have, is not the quote's form.
    for wrong in (shown.replace("2022", "2019"), shown.replace("expand", "end")):
        assert not verifier.support(wrong, passage, "When was the 7th Dialogue held?", quote=quote).ok
    # A year the quote itself has (2017) beside the one added to the day (2023) is still its own form.
    old = "정부는 2017년 협정에 이어 6월 6일 개정본에 서명했다."
    mou = ScoredPassage("mou#1", "mou.txt", "mou", "MOU", "2023-06-07", 1, "ko", old, 0.9)
    dated = "정부는 2017년 협정에 이어 2023년 6월 6일 개정본에 서명했다."
    support = verifier.support(dated, mou, "언제 서명했나요?", quote=old)
    assert support.ok and support.span == (0, len(old))


def test_a_request_to_do_something_is_declined_whatever_its_citation(verify):
    from qa.abstain import ACTION_EN

    # The sentence is supported by its passage ("Jakarta" is there), but booking is not something a
    # release can answer.
    answer = verify(llm_answer("Can you book me a flight to Jakarta?", "The ministers met in Jakarta [1]."))
    assert answer.abstained and answer.citations == [] and answer.answer == ACTION_EN
    kept = verify(llm_answer("Where did the ministers meet?", "The ministers met in Jakarta [1]."))
    assert not kept.abstained
