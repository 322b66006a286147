"""The strict grader: adversarial answers must fail, reformatted correct answers must pass.

Nothing here uses the system's own text functions (qa.text, qa.citations): the grader has its own.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from evals.grader import grade_text, says_it_abstains
from evals.normalize import facts_of, keywords, length_ok
from evals.questions import load_questions

ROOT = Path(__file__).resolve().parents[2]


def verdict(question: str, gold: str | list[str], answer: str, *, answerable: bool = True, flag: bool = False):
    forms = [gold] if isinstance(gold, str) else gold
    return grade_text(question, forms, answer, answerable=answerable, system_abstained=flag)


def correct(question, gold, answer, **kw) -> bool:
    return verdict(question, gold, answer, **kw).correct


# -- normalised facts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "forms",
    [
        ["June 20, 2023", "20 June 2023", "2023-06-20", "2023년 6월 20일", "2023.6.20"],
        ["USD 600,000", "$600,000", "60만 달러", "600,000 dollars", "US$ 600000"],
        ["4,000", "4000"],
        ["5th", "fifth"],
        ["June 2023", "2023년 6월"],
        ["KRW 2.55 billion", "25억 5천만 원", "2.55 billion won"],
        ["USD 5 million", "500만 달러", "$5,000,000"],
    ],
)
def test_formats_of_one_fact_normalise_alike(forms):
    described = {tuple(facts_of(form).describe()) for form in forms}
    assert len(described) == 1, described


def test_a_date_range_states_each_day_and_a_month_is_not_a_verb():
    assert facts_of("June 4-5, 2024").describe() == ["date 2024-06-04", "date 2024-06-05"]
    assert facts_of("They may meet again.").describe() == []


# -- reformatted correct answers pass ---------------------------------------------------------


@pytest.mark.parametrize(
    "question, gold, answer",
    [
        ("When was the Center launched?", "May 30, 2022", "It opened on 30 May 2022. [1]"),
        ("When was the Center launched?", "May 30, 2022", "센터는 2022년 5월 30일 출범했다. [1]"),
        ("How much aid did Korea give?", "USD 600,000", "Korea provided $600,000 in humanitarian aid. [1]"),
        ("How much aid did Korea give?", "USD 600,000", "정부는 60만 달러 규모의 인도적 지원을 제공한다. [1]"),
        ("How many doses?", "4,000 doses", "Korea donated 4000 doses of vaccine. [1]"),
        ("Which round of talks was it?", "The fifth", "It was the 5th round of the talks. [1]"),
        ("When did the election happen?", "June 2023", "The election was held in 2023년 6월. [1]"),
        ("Who met Blinken in Washington in June 2022?", "Foreign Minister Park Jin", "박진 외교부 장관이 블링컨 장관을 만났다. [1]"),
        (
            "When did Park meet Blinken in 2022?",
            "June 13, 2022",
            "Park met Blinken at the State Department on June 13 (local time). [1]",  # the question gives the year
        ),
    ],
)
def test_paraphrased_and_reformatted_correct_answers_pass(question, gold, answer):
    v = verdict(question, gold, answer)
    assert v.correct, v.reason


def test_either_gold_form_is_enough():
    question = "튀르키예에 파견된 긴급구호대는 몇 명이었나요?"
    gold = ["118 people from MOFA, the Ministry of National Defense, the National Fire Agency and KOICA",
            "118명 (외교부·국방부·소방청·KOICA 인력)"]
    assert correct(question, gold, "외교부, 국방부, 소방청, KOICA 인력 118명으로 구성되었다. [1]")
    assert correct(question, gold, "The 118-member team came from MOFA, the Ministry of National Defense, "
                                   "the National Fire Agency and KOICA. [1]")


# -- adversarial answers fail -----------------------------------------------------------------

TWO_PART = ("How many individuals and institutions did Korea designate?", "15 individuals and 16 institutions")


def test_changed_digits_fail():
    question, gold = TWO_PART
    assert correct(question, gold, "Korea designated 15 individuals and 16 institutions. [1]")
    v = verdict(question, gold, "Korea designated 19 individuals and 16 institutions. [1]")
    assert not v.correct and "number 15" in v.reason


def test_every_digit_changed_fails_on_the_real_gold_answers():
    """The issue's own probe: with every digit changed to 9, gold answers with numbers must stop passing."""
    questions = [
        q for name in ("dev.jsonl", "test.jsonl") for q in load_questions(ROOT / "evals" / "questions" / name)
        if q.answerable and re.search(r"[0-8]", q.answer)
    ]
    still_pass = [
        q.id for q in questions
        if correct(q.question, q.gold_forms, re.sub(r"\d", "9", q.answer)) and re.sub(r"\d", "9", q.answer) != q.answer
    ]
    # Every one of these gold answers passes as itself…
    assert all(correct(q.question, q.gold_forms, q.answer) for q in questions)
    # …and none with its digits changed (the one exception allowed: a fact that already was all 9s).
    assert len(still_pass) <= 1, still_pass


def test_the_question_echoed_fails():
    question, gold = TWO_PART
    v = verdict(question, gold, question)
    assert not v.correct
    echo_with_facts = "How many individuals and institutions did Korea designate: 15 individuals and 16 institutions?"
    assert correct(question, gold, echo_with_facts)  # it does state the facts


def test_the_question_echoed_fails_on_every_real_question():
    questions = [q for name in ("dev.jsonl", "test.jsonl") for q in load_questions(ROOT / "evals" / "questions" / name)]
    assert not [q.id for q in questions if q.answerable and correct(q.question, q.gold_forms, q.question)]


def test_a_passage_dump_fails_on_length():
    question, gold = TWO_PART
    dump = "Korea designated 15 individuals and 16 institutions. " + "The ministry added further background. " * 20
    v = verdict(question, gold, dump)
    assert not v.correct and "too long" in v.reason
    korean_dump = "정부는 개인 15명과 기관 16곳을 지정했다. " + "외교부는 관련 배경을 설명했다. " * 40
    assert not length_ok(korean_dump)[0]
    assert not correct(question, gold, korean_dump)


def test_the_right_words_about_the_wrong_year_fail():
    question = "When was Korea elected to the Security Council?"
    gold = "June 6, 2023"
    assert correct(question, gold, "Korea was elected on June 6, 2023. [1]")
    v = verdict(question, gold, "Korea was elected on June 6, 2022. [1]")
    assert not v.correct and "date 2023-06-06" in v.reason
    # A day without a year does not borrow the gold's year when the answer names another one.
    assert not correct(question, gold, "Korea was elected on June 6, as in 2012. [1]")


def test_a_correct_answer_to_the_wrong_half_of_a_two_part_question_fails():
    question, gold = TWO_PART
    assert not correct(question, gold, "Korea designated 16 institutions. [1]")
    both = ("Who led each delegation?", "Park Jin and Hayashi Yoshimasa")
    assert not correct(*both, "The Korean delegation was led by Foreign Minister Park Jin. [1]")
    assert correct(*both, "Foreign Minister Park Jin met Foreign Minister Hayashi Yoshimasa. [1]")


def test_a_wrong_name_fails():
    question = "Who represented Japan at the meeting?"
    gold = "Vice Minister for Foreign Affairs Mori Takeo"
    assert correct(question, gold, "Japan sent Vice Minister Mori Takeo. [1]")
    assert not correct(question, gold, "Japan sent Vice Minister Funakoshi Takehiro. [1]")


# -- abstention ---------------------------------------------------------------------------------


def test_across_the_languages_a_matched_name_does_not_stand_in_for_what_else_the_gold_says():
    # The gold says what was asked of China; naming China in English is not that (a dev answer once
    # passed this way, about the ministers' phone call and nothing of the request).
    question = "조태열 장관은 왕이 외교부장과의 통화에서 탈북민 문제와 관련해 무엇을 요청했나요?"
    gold = "중국 내 탈북민이 강제북송되지 않고 희망하는 곳으로 갈 수 있도록 해 달라고 요청"
    assert not correct(question, gold, "Cho Tae-yul held phone talks with Wang Yi of China on February 6. [1]")
    # Nor does a right count with other countries' names, which the alias table does not hold.
    question = "3단계에서 2단계로 하향된 국가는 어디인가요?"
    assert not correct(question, "스페인, 튀니지, 모리셔스 등 6개국", "Six countries, including Peru and Sudan, were lowered to Level 2. [1]")


def test_across_the_languages_facts_and_names_suffice_when_they_are_all_the_gold_says():
    question = "한국은 안보리 선거에서 몇 표를 얻었나요?"
    assert correct(question, "192개국 중 180표", "Korea received 180 votes out of 192 member states voting. [1]")
    assert not correct(question, "192개국 중 180표", "Korea received 108 votes out of 192 member states voting. [1]")
    assert correct("Who met Blinken in Washington in June 2022?", "Foreign Minister Park Jin", "박진 외교부 장관이 블링컨 장관을 만났다. [1]")


def test_abstaining_on_an_answerable_question_is_wrong_even_when_unflagged():
    question, gold = TWO_PART
    text = "The press releases I have don't say how many were designated."
    assert says_it_abstains(text)
    assert not correct(question, gold, text, flag=False)
    assert verdict(question, gold, text).abstained
    assert not correct(question, gold, "Korea designated 15 individuals and 16 institutions. [1]", flag=True)


def test_on_an_unanswerable_question_only_a_stated_abstention_is_right():
    question = "What did Cho Tae-yul discuss with Radosław Sikorski in Warsaw?"
    assert correct(question, [], "The press releases I have don't say.", answerable=False, flag=True)
    assert correct(question, [], "보유한 보도자료에는 이 질문에 답하는 내용이 없습니다.", answerable=False, flag=True)
    # The flag alone, on text that asserts an answer, is not an abstention.
    v = verdict(question, [], "They discussed Ukraine and energy security. [1]", answerable=False, flag=True)
    assert not v.correct and "flagged" in v.reason
    assert not correct(question, [], "They discussed Ukraine. [1]", answerable=False, flag=False)


def test_keywords_are_the_graders_own():
    assert keywords("The ministers agreed on cooperation") == {"minist", "agre", "cooper"}
    assert "박진" in keywords("박진 장관")


def test_the_grader_does_not_import_the_system_text_functions():
    forbidden = {"qa.text", "qa.citations", "qa.extractive", "ingest.sentences"}
    for name in ("grader.py", "normalize.py", "attribution.py", "metrics.py", "stats.py", "judge.py"):
        tree = ast.parse((ROOT / "evals" / name).read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not imported & forbidden, (name, imported & forbidden)
        assert not any(m and m.startswith("qa") for m in imported), (name, imported)


def test_a_day_without_a_year_takes_the_year_of_the_cited_release_only():
    question, gold = "When was the Center launched?", "May 30, 2022"
    answer = "On May 30, the ministry opened the Center. [1]"
    assert not correct(question, gold, answer)
    assert grade_text(question, [gold], answer, answerable=True, system_abstained=False, cited_years=frozenset({2022})).correct
    assert not grade_text(question, [gold], answer, answerable=True, system_abstained=False, cited_years=frozenset({2021})).correct
    # A year stated in the answer wins over the cited release's.
    wrong = "On May 30, 2021, the ministry opened the Center. [1]"
    assert not grade_text(question, [gold], wrong, answerable=True, system_abstained=False, cited_years=frozenset({2022})).correct
