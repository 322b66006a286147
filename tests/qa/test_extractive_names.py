"""A Korean question's names choose the release: a Korean release about another meeting of the same
minister shares the question's words, yet the English release that names 에브라르드 (Ebrard, by sound)
is the one that answers."""

from __future__ import annotations

from qa.extractive import ExtractiveAnswerer, ExtractiveConfig
from qa.models import Query, ScoredPassage, SearchPlan

QUESTION = "박진 장관과 에브라르드 멕시코 외교장관은 무엇을 함께 추진하기로 합의했나요?"

KOREAN = ScoredPassage(
    "k:p1.0:x", "k.txt", "k", "한미일 외교장관회의", "2022-07-08", 1, "ko",
    "박진 외교부 장관은 발리에서 블링컨 국무장관, 하야시 외무대신과 외교장관회의를 갖고 협력을 함께 추진하기로 합의하였다.", 0.9,
)
ENGLISH = ScoredPassage(
    "e:p1.0:x", "e.txt", "e", "Korea-Mexico Foreign Ministers' Meeting", "2022-07-04", 1, "en",
    "Minister Park Jin and Secretary Marcelo Ebrard agreed to push forward with a Korea-Mexico FTA.", 0.8,
)


def _answer(w_names_fit: float):
    plan = SearchPlan(Query(QUESTION), QUESTION)
    config = ExtractiveConfig(abstain_below=-10, w_names_fit=w_names_fit, max_sentences=1, cited_missing_penalty=0)
    return ExtractiveAnswerer(None, config)(plan, [KOREAN, ENGLISH])


def test_the_release_that_names_the_questions_names_answers():
    assert _answer(0.0).citations[0].source == "k.txt"  # the shared Korean words win without the step
    answer = _answer(0.4)
    assert answer.citations[0].source == "e.txt" and "Ebrard" in answer.answer


def test_names_no_english_release_spells_do_not_count():
    # 한미 is a proper noun to the analyser; no English release can spell it, so nothing moves.
    question = "한미 외교장관회의에서 무엇을 함께 추진하기로 합의했나요?"
    plan = SearchPlan(Query(question), question)
    config = ExtractiveConfig(abstain_below=-10, max_sentences=1, cited_missing_penalty=0)
    with_step = ExtractiveAnswerer(None, config)(plan, [KOREAN, ENGLISH])
    without = ExtractiveAnswerer(None, ExtractiveConfig(abstain_below=-10, max_sentences=1, cited_missing_penalty=0, w_names_fit=0))(plan, [KOREAN, ENGLISH])
    assert with_step.answer == without.answer and with_step.confidence == without.confidence
