"""What a question asks for: the slot an answer must hold (qa.abstain.expected_kind)."""

import pytest

from qa.abstain import expected_kind, holds_slot


@pytest.mark.parametrize(
    "question, kind",
    [
        ("When did Korea and ASEAN start their dialogue relations?", "date"),
        ("Which two Mexican foreign secretaries did Park Jin host in Seoul, and when?", "date"),
        ("Before the visit, when and where had the two ministers last met?", "date"),
        ("What year did the dialogue start?", "date"),
        # The slot named after "what was the": the same question as "what date".
        ("Last year the government imposed its first sanctions in five years. What was the date?", "date"),
        ("한국과 아세안은 언제 대화 관계를 수립했나요?", "date"),
        # "when" that only sets the scene: the question word is another one, or there is none.
        ("Which country's seat did Korea take over when it joined the Security Council?", "name"),
        ("What did the Secretary-General say in reply when the minister urged a firm message?", None),
        ("When the ministers met in Tokyo, what did they agree on?", None),
        ("How many votes did Korea receive when it was elected?", "number"),
        ("Who co-chaired the dialogue?", "name"),
        ("Which Japanese embassy official did the ministry summon?", "name"),
        ("Which foreign ministers came to Korea in November?", "name"),
        ("Which company won the contract for the new airport?", "name"),
        ("Which Korean agency runs the relief programme?", "name"),
        ("Which natural disaster did the minister offer condolences for?", None),
        ("Where was the meeting held?", "place"),
        # A choice by time is answered by each option's date.
        ("Which was released later: the strategy report or the 7th SED?", "date"),
        ("Which came first, the Busan meeting or the Tokyo talks?", "date"),
        ("Which countries did he visit first?", "name"),
        # "the number of" asks a number, however the question opens.
        ("How did the number of African countries at the SOM compare with the FMM?", "number"),
        # Compared in size: the figures.
        ("How did the 2022 aid for Ukraine compare in size with the 2023 aid for Chile?", "number"),
        ("Was the December sanctions list bigger or smaller than the October one?", "number"),
        # A frequency is worded without a number ("every six months", "반기마다").
        ("How often does the ministry adjust its travel advisories?", None),
        ("외교부는 여행경보 단계를 얼마 주기로 조정하나요?", None),
        ("정부가 결정한 인도적 지원 규모는 얼마인가요?", "number"),
        # Which one lasted longer: each one's length.
        ("Which of the two meetings ran longer, the one in Tokyo or the one in New York?", "number"),
        ("Which was shorter: the phone call or the meeting in Rio?", "number"),
        ("Is the embassy no longer open?", None),
        ("What longer-term goals did they set?", None),
        # "도와준 나라는 어디" asks which country acted, as "Which country…?" does; "어디에서" asks a place.
        ("수단에서 철수할 때 우리 국민의 이동을 도와준 나라는 어디인가요?", None),
        ("회의는 어디에서 열렸나요?", "place"),
    ],
)
def test_the_asked_slot(question, kind):
    assert expected_kind(question) == kind


def test_a_slot_the_question_itself_gives_is_not_an_answer():
    question = "How many votes did Korea receive in June 2023?"
    assert holds_slot("Korea received 180 votes out of 192.", "number", question)
    assert not holds_slot("The election was held in June 2023.", "number", question)  # the question gave it
    assert not holds_slot("The election was held at the General Assembly.", "number", question)


def test_a_day_of_a_month_is_not_a_count():
    question = "How many power generators did Korea ship to Ukraine?"
    assert not holds_slot("On December 11, Korea dispatched relief items, including power generators.", "number", question)
    assert not holds_slot("12월 11일 정부는 발전기를 보냈다.", "number", question)
    assert holds_slot("On December 11, Korea shipped 40 power generators to Ukraine.", "number", question)
    assert holds_slot("The aid was raised in 2023.", "number", question)  # a year can answer "how many years"


def test_a_count_in_words_holds_a_number():
    question = "How many specialists staff the Center?"
    assert holds_slot("It brings together more than a dozen specialists in diplomacy and technology.", "number", question)
    assert holds_slot("Hundreds of people were evacuated.", "number", question)
    assert not holds_slot("It brings together specialists in diplomacy and technology.", "number", question)


def test_a_name_inside_one_the_question_gave_is_not_an_answer():
    question = "Which company won the contract for Poland's Solidarity Transport Hub?"
    topic_only = "They noted the potential for cooperation in the Solidarity Transport Hub, Poland's planned new airport."
    assert not holds_slot(topic_only, "name", question)
    assert holds_slot("Hyundai Rotem won the contract for the Solidarity Transport Hub.", "name", question)


def test_a_place_inside_one_the_question_gave_is_not_an_answer():
    question = "Where in Washington Dulles International Airport did the relief team gather?"
    assert not holds_slot("The team arrived in Washington on Monday.", "place", question)
    assert holds_slot("The team gathered at Terminal B before flying to Ankara.", "place", question)


@pytest.mark.parametrize(
    "question, action",
    [
        ("Can you book me a flight to Tokyo?", True),
        ("Please order a pizza.", True),
        ("Could you reserve a table for two?", True),
        ("도쿄행 항공권 예약해 줘", True),
        ("피자 주문해 주세요", True),
        # Questions about what a release says, with the same verbs:
        ("Who booked the venue for the summit?", False),
        ("What did Korea order?", False),
        ("Order the meetings by date", False),
        ("When was the call with Wang Yi?", False),
        ("Which book did the minister cite?", False),
        ("무엇을 주문했나요?", False),
    ],
)
def test_a_request_to_do_something_is_told_from_a_question(question, action):
    from qa.abstain import ABSTAIN_EN, ACTION_EN, ACTION_KO, abstain_message, asks_for_action

    assert asks_for_action(question) is action
    if action:
        assert abstain_message(question) in (ACTION_EN, ACTION_KO)
    elif question.isascii():
        assert abstain_message(question) == ABSTAIN_EN


def test_the_slots_a_question_asks_in_turn():
    from qa.abstain import asked_slots

    assert [k for _, k in asked_slots("Who briefed the Council, and how many countries took part?")] == ["name", "number"]
    assert [k for _, k in asked_slots("첫 회의는 언제 열렸고, 몇 개국이 참가했나요?")] == ["date", "number"]
    assert [k for _, k in asked_slots("What did the ministers agree on?")] == []


def test_how_many_people_is_answered_only_by_a_count_of_people():
    from qa.abstain import holds_slot

    question = "How many people were on the relief team that went to Morocco?"
    assert not holds_slot("Korea will provide USD 2 million in humanitarian assistance to Morocco.", "number", question)
    assert holds_slot("A team of 118 personnel, mainly medical staff, was sent.", "number", question)
    # A count in words, and a count whose words run into the next one.
    individuals = "How many North Korean individuals were designated?"
    assert holds_slot("Korea designated eight North Korean individuals and seven institutions.", "number", individuals)
    assert holds_slot("Korea designated 15 North Korean individuals and 16 institutions.", "number", individuals)
    # Not a count of people: any new number still holds the slot.
    assert holds_slot("The budget is USD 2 million.", "number", "How many dollars did Korea pledge?")
