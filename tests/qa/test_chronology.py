"""The days between two cited events, and which came first, counted by code from the cited dates."""

from __future__ import annotations

from qa.chronology import add_interval, asks_interval, states_interval
from qa.models import Answer


def answer(question: str, text: str, abstained: bool = False) -> Answer:
    return Answer(question, text, abstained, [], [])


def test_the_days_between_two_dated_events_are_counted_from_the_cited_dates():
    a = add_interval(answer(
        "How many days after taking office did Cho Tae-yul first call Kamikawa?",
        "Foreign Minister Cho took office on January 10, 2024. [1] Cho spoke by telephone with Kamikawa on January 23, 2024. [2]",
    ))
    assert a.answer.endswith("Between them, 13 days: January 10, 2024 [1] to January 23, 2024 [2].")
    # Months asked for (or a long span): the rough count beside the days.
    b = add_interval(answer(
        "How long after the December 2022 round did Korea impose its next sanctions?",
        "Korea designated eight individuals on December 2, 2022. [1] Korea designated four individuals on July 14, 2023. [2]",
    ))
    assert b.answer.endswith("Between them, 224 days (about 7 months): December 2, 2022 [1] to July 14, 2023 [2].")


def test_which_came_first_is_told_by_the_cited_dates_in_the_question_s_direction():
    text = "The report came out on December 28, 2022. [1] The dialogue was held on December 12, 2022. [2]"
    first = add_interval(answer("Which came first: the report or the dialogue?", text))
    assert first.answer.endswith("First: December 12, 2022 [2], 16 days before December 28, 2022 [1].")
    later = add_interval(answer("Which was released later: the report or the dialogue?", text))
    assert later.answer.endswith("Later: December 28, 2022 [1], 16 days after December 12, 2022 [2].")


def test_a_korean_question_gets_the_count_in_korean():
    a = add_interval(answer(
        "조태열 장관은 취임 며칠 만에 가미카와 외상과 통화했나요?",
        "조태열 장관은 2024년 1월 10일 취임했다. [1] 조 장관은 2024년 1월 23일 가미카와 외상과 통화했다. [2]",
    ))
    assert a.answer.endswith("두 날짜 사이 13일: 2024년 1월 10일 [1] ~ 2024년 1월 23일 [2].")


def test_nothing_is_added_unless_two_sentences_give_two_different_days():
    question = "How many days after the launch were the designations announced?"
    one = "On July 12, 2023, two days before this designation, North Korea launched an ICBM. [1]"
    assert add_interval(answer(question, one)).answer == one
    same = "The talks were on May 13, 2024. [1] A dinner followed on May 13, 2024. [2]"
    assert add_interval(answer(question, same)).answer == same
    three = "A on May 1, 2024. [1] B on May 3, 2024. [2] C on May 9, 2024. [3]"
    assert add_interval(answer(question, three)).answer == three
    declined = add_interval(answer(question, "The press releases I have don't say.", abstained=True))
    assert declined.answer == "The press releases I have don't say."
    # Not asked about time between: nothing added.
    dated = "Talks on May 1, 2024. [1] Dinner on May 3, 2024. [2]"
    assert add_interval(answer("What did the ministers discuss?", dated)).answer == dated


def test_the_count_is_left_out_rather_than_break_the_length_promise():
    long = " ".join(["word"] * 60)
    text = f"{long} on May 1, 2024. [1] Then on May 9, 2024. [2]"
    assert add_interval(answer("How many days after the talks was the dinner?", text)).answer == text


def test_what_asks_for_the_time_between_and_what_states_it():
    assert asks_interval("How many days after the launch did the government announce the designations?")
    assert asks_interval("How far ahead of the Summit was the senior officials' meeting held?")
    assert asks_interval("How long was the gap between the 7th and the 8th dialogue?")
    assert asks_interval("취임 며칠 만에 통화했나요?")
    assert asks_interval("How many days separated the phone call and the first in-person meeting?")
    assert not asks_interval("How long were the families separated?")
    assert not asks_interval("How long did the meeting last?")
    assert not asks_interval("How many days did the visit take?")
    assert states_interval("the Summit, now just 36 days away")
    assert states_interval("On July 12, two days before this designation, North Korea launched an ICBM.")
    assert not states_interval("The visit lasted four days.")
