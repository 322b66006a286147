"""The understand stage: dates, recency, follow-ups and multi-part questions become a SearchPlan."""

from __future__ import annotations

from datetime import date

import pytest

from qa.models import Query
from qa.understand import Understanding, absolute_dates, carry_year, leans_on_history, parse_dates, split_parts

NEWEST = date(2024, 6, 5)
understand = Understanding(newest=NEWEST)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("What did Park Jin say in Seoul on June 8, 2022?", date(2022, 6, 7), date(2022, 6, 15)),
        ("the meeting of 14 October 2022", date(2022, 10, 13), date(2022, 10, 21)),
        ("the talks in December 2023", date(2023, 12, 1), date(2023, 12, 31)),
        ("sanctions imposed in 2022", date(2022, 1, 1), date(2022, 12, 31)),
        ("2023년 6월 유엔 안보리 선거", date(2023, 6, 1), date(2023, 6, 30)),
        ("2022년 10월 14일 대북 독자제재", date(2022, 10, 13), date(2022, 10, 21)),
        ("released on 2023-06-20", date(2023, 6, 19), date(2023, 6, 27)),
    ],
)
def test_absolute_dates_in_english_and_korean(text, start, end):
    assert parse_dates(text, NEWEST)[:2] == (start, end)


def test_a_date_is_read_once_at_its_most_specific():
    (only,) = absolute_dates("in June 2022")
    assert only.kind == "month"
    assert parse_dates("between June 8, 2022 and February 2023", NEWEST)[:2] == (date(2022, 6, 7), date(2023, 2, 28))


def test_impossible_dates_and_bare_numbers_are_not_dates():
    assert parse_dates("on February 30, 2023", NEWEST)[:2] == (None, None)
    assert parse_dates("How many of the 2,023 people?", NEWEST)[:2] == (None, None)
    assert parse_dates("the 2024-2025 term", NEWEST)[:2] == (None, None)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("What happened last year?", date(2023, 1, 1), date(2023, 12, 31)),
        ("작년 12월 우크라이나 지원", date(2023, 1, 1), date(2023, 12, 31)),
        ("Who did he meet last month?", date(2024, 5, 1), date(2024, 5, 31)),
        ("this year's budget", date(2024, 1, 1), date(2024, 12, 31)),
        ("the talks last December", date(2023, 12, 1), date(2023, 12, 31)),
        ("two years ago", date(2022, 1, 1), date(2022, 12, 31)),
    ],
)
def test_relative_dates_count_back_from_the_reference_day(text, start, end):
    assert parse_dates(text, NEWEST)[:2] == (start, end)


def test_relative_dates_use_asked_on_before_the_newest_release():
    plan = understand(Query("Who did the minister meet last month?", asked_on=date(2023, 3, 15)))
    assert (plan.date_from, plan.date_to) == (date(2023, 2, 1), date(2023, 2, 28))
    plan = understand(Query("Who did the minister meet last month?"))
    assert (plan.date_from, plan.date_to) == (date(2024, 5, 1), date(2024, 5, 31))
    assert any("dates" in note for note in plan.notes)


def test_a_date_range_chosen_by_the_user_wins():
    plan = understand(Query("sanctions in 2022", date_from=date(2023, 1, 1), date_to=date(2023, 3, 1)))
    assert (plan.date_from, plan.date_to) == (date(2023, 1, 1), date(2023, 3, 1))


@pytest.mark.parametrize(
    ("text", "recent"),
    [
        ("What is the latest travel advisory adjustment?", True),
        ("When was the most recent vice foreign ministerial meeting held?", True),
        ("가장 최근에 열린 고위급경제협의회는 어디서 열렸나요?", True),
        ("When was the most recent meeting before the one in Washington in February 2023?", False),
        ("When did Korea join the UN?", False),
        ("When did Park Jin and Antony Blinken last meet?", True),
        ("What did the minister agree with Mexico last year?", False),
        ("Who did he meet last month?", False),
        ("When had Seoul last done something like that?", False),  # the past of another event
    ],
)
def test_recency(text, recent):
    assert understand(Query(text)).prefer_recent is recent


def test_a_question_about_the_latest_event_is_not_split_into_parts():
    # Both clauses ask about the one newest round; searched apart, the second finds every round.
    plan = understand(Query("When did Korea most recently impose sanctions on North Korea, and how many were designated?"))
    assert plan.prefer_recent and plan.subqueries == ()
    assert len(understand(Query("When did Korea impose sanctions on North Korea, and how many were designated?")).subqueries) == 2


@pytest.mark.parametrize(
    ("question", "leans"),
    [
        ("What did they agree on?", True),
        ("Who else did he meet on that trip?", True),
        ("And what was it the year before?", True),
        ("Were any foreigners on board?", True),
        ("그때 합의한 내용은 무엇인가요?", True),
        ("What did Park Jin and Blinken discuss in Washington in June 2022?", False),
        ("튀르키예 긴급구호대는 몇 명이었나요?", False),
    ],
)
def test_leaning_on_the_conversation(question, leans):
    assert leans_on_history(question) is leans


def test_a_follow_up_is_searched_with_the_previous_turn():
    history = ("When did Park Jin meet the ASEAN Secretary-General?",)
    plan = understand(Query("What did they agree on?", history))
    assert plan.question == "What did they agree on?"
    assert plan.text.startswith("What did they agree on?")
    assert "ASEAN Secretary-General" in plan.text and "Park Jin" in plan.text
    assert any(note.startswith("follow-up") for note in plan.notes)
    assert plan.to_dict()["searched"] == plan.text


def test_a_question_with_its_own_names_ignores_the_history():
    plan = understand(Query("How many votes did Korea get in the June 2023 UN Security Council election?", ("Who is Park Jin?",)))
    assert plan.text == plan.question


def test_a_follow_up_takes_its_dates_from_the_history_when_it_has_none():
    plan = understand(Query("What did they agree on?", ("What did Cho Tae-yul and Blinken discuss in February 2024?",)))
    assert (plan.date_from, plan.date_to) == (date(2024, 2, 1), date(2024, 2, 29))


@pytest.mark.parametrize(
    "follow_up, year",
    [
        ("And what was it the year before?", 2023),
        ("What about the previous year?", 2023),
        ("And the following year?", 2025),
        ("그 전해에는 얼마였나요?", 2023),
        ("What did they agree on?", 2024),  # no year named: the earlier turn's
    ],
)
def test_a_follow_up_year_told_by_its_relation_to_the_earlier_turn_s(follow_up, year):
    # It took the earlier turn's year itself: "the year before" a 2024 budget was searched in 2024.
    plan = understand(Query(follow_up, ("How large is Korea's ODA budget for 2024?",)))
    assert (plan.date_from, plan.date_to) == (date(year, 1, 1), date(year, 12, 31))


def test_a_change_against_the_year_before_does_not_move_the_year():
    from qa.understand import _shift_year

    span = (date(2024, 1, 1), date(2024, 12, 31))
    for question in ("How much did it rise from the previous year?", "전년 대비 얼마나 늘었나요?", "Up over the year before?"):
        assert _shift_year(question, *span, ()) == (*span, ())
    assert _shift_year("And the year before?", *span, ())[:2] == (date(2023, 1, 1), date(2023, 12, 31))


def test_a_year_is_not_moved_from_dates_spanning_several():
    plan = understand(Query("And the year before?", ("What did Korea give Ukraine in December 2022 and January 2023?",)))
    assert (plan.date_from, plan.date_to) == (date(2022, 12, 1), date(2023, 1, 31))


def test_a_language_model_can_rewrite_follow_ups():
    seen = []

    def rewrite(query: Query) -> str:
        seen.append(query)
        return "What did Park Jin and Kao Kim Hourn agree on?"

    plan = Understanding(newest=NEWEST, rewrite=rewrite)(Query("What did they agree on?", ("Who met Kao Kim Hourn?",)))
    assert plan.text == "What did Park Jin and Kao Kim Hourn agree on?"
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Where were the 7th and 8th ROK-U.S. Senior Economic Dialogues held?",
            ["Where were the 7th ROK-U.S. Senior Economic Dialogues held?", "Where were the 8th ROK-U.S. Senior Economic Dialogues held?"],
        ),
        (
            "How did the March 2023 and August 2023 travel advisory adjustments differ?",
            ["How did the March 2023 travel advisory adjustments differ?", "How did the August 2023 travel advisory adjustments differ?"],
        ),
        (
            "How many were designated on October 14 and December 2, 2022?",
            # The year written once after the list belongs to each date.
            ["How many were designated on October 14, 2022?", "How many were designated on December 2, 2022?"],
        ),
        (
            "Which foreign ministers came to Korea for talks with Park Jin in November and December 2023?",
            ["Which foreign ministers came to Korea for talks with Park Jin in November 2023?",
             "Which foreign ministers came to Korea for talks with Park Jin in December 2023?"],
        ),
    ],
)
def test_parallel_dates_and_ordinals_become_one_part_each(question, parts):
    assert split_parts(question) == parts
    assert understand(Query(question)).subqueries == tuple(parts)


def test_a_choice_between_named_options_searches_each_option():
    assert split_parts("Which was released later: the Indo-Pacific Strategy final report or the 7th ROK-U.S. SED?") == [
        "Which was released later the Indo-Pacific Strategy final report",
        "Which was released later the 7th ROK-U.S. SED",
    ]
    assert split_parts("Which came first, the Busan meeting or the Tokyo talks?") == [
        "Which came first the Busan meeting", "Which came first the Tokyo talks",
    ]
    # "or" without a comparison is one question about either word.
    assert split_parts("What did the minister say about trade or investment?") == []


def test_two_things_compared_are_searched_each_on_its_own():
    # The shorter side takes the longer side's words around what sets it apart.
    assert split_parts("How did the 2023 revision of the Korea-Ireland working holiday MOU compare with the 2017 revision?") == [
        "How did the 2023 revision of the Korea-Ireland working holiday MOU",
        "How did the 2017 revision of the Korea-Ireland working holiday MOU",
    ]
    assert split_parts("How does the 8th SED differ from the 7th?") == ["How does the 8th SED", "How does the 7th SED"]
    assert split_parts(
        "How did the number of African countries at the Korea-Africa Summit SOM compare with the foreign ministers' meeting?"
    ) == [
        "How did the number of African countries at the Korea-Africa Summit SOM",
        "How did the number of African countries at the Korea-Africa Summit the foreign ministers' meeting",
    ]
    assert split_parts("How did aid to Türkiye compare with the aid Korea gave Chile after the wildfires?") == [
        "How did aid to Türkiye", "How did the aid Korea gave Chile after the wildfires",
    ]
    # A side that says enough on its own ("its February 2023 wildfire aid for Chile") is searched as it is,
    # and "compare in size with" is still a comparison.
    assert split_parts(
        "How did Korea's December 2022 winter aid for Ukraine compare in size with its February 2023 wildfire aid for Chile?"
    ) == ["How did Korea's December 2022 winter aid for Ukraine", "How did its February 2023 wildfire aid for Chile"]
    # "than the October one": A's thing with A's month changed; "more than 40" compares nothing.
    assert split_parts("Was the December 2022 sanctions list against North Korea bigger or smaller than the October one?") == [
        "Was the December 2022 sanctions list against North Korea", "Was the October 2022 sanctions list against North Korea",
    ]
    assert split_parts("Was the 8th SED held later than the 7th one?") == ["Was the 8th SED held", "Was the 7th SED held"]
    assert split_parts("Did more than 40 African countries attend the summit?") == []
    assert split_parts("Did more than a dozen specialists join the relief team?") == []
    # Another owner of the same thing: B's stands where A's owner stands.
    assert split_parts("How did Park Jin's first contact with Kamikawa Yoko differ from Cho Tae-yul's?") == [
        "How did Park Jin's first contact with Kamikawa Yoko", "How did Cho Tae-yul's first contact with Kamikawa Yoko",
    ]
    # Nothing named on one side: one question.
    assert split_parts("How did the budget compare?") == []
    # The connector is found first: a question of many "did"s (no comparison) and one very long side are read
    # in one pass each (the first pattern, lazy on both sides, took 1.4 s on 20,000 such characters).
    assert split_parts("how did " + "did " * 25_000) == []
    long_side = "the 2023 revision of the Korea-Ireland MOU " + "and its annex " * 5_000
    assert split_parts(f"How did {long_side}compare with the 2017 revision?")[1].startswith("How did the 2017 revision of")


def test_each_part_keeps_its_own_dates():
    plan = understand(Query("Where was Park Jin on July 4, July 8 and July 18, 2022, respectively?"))
    assert [start for start, _ in plan.part_dates] == [date(2022, 7, 3), date(2022, 7, 7), date(2022, 7, 17)]
    assert (plan.date_from, plan.date_to) == (date(2022, 7, 3), date(2022, 7, 25))
    # A part that names no date searches the whole question's; a range the user chose is every part's.
    plan = understand(Query("Where were the 7th and 8th ROK-U.S. Senior Economic Dialogues held?"))
    assert plan.part_dates == ((None, None), (None, None))
    chosen = understand(Query("Where was Park Jin on July 4 and July 8, 2022?", date_from=date(2022, 1, 1)))
    assert chosen.part_dates == ()


def test_a_year_after_a_list_of_dates_is_the_year_of_each():
    assert carry_year("talks in November and December 2023") == "talks in November 2023 and December 2023"
    assert carry_year("on July 4, July 8 and July 18, 2022") == "on July 4, 2022, July 8, 2022 and July 18, 2022"
    assert carry_year("in June 2022 and February 2023") == "in June 2022 and February 2023"  # each has its own
    assert carry_year("the 7th and 8th dialogues in 2023") == "the 7th and 8th dialogues in 2023"  # not dates
    plan = understand(Query("Which foreign ministers came to Korea in November and December 2023?"))
    assert (plan.date_from, plan.date_to) == (date(2023, 11, 1), date(2023, 12, 31))


def test_clauses_split_and_a_part_that_says_her_borrows_the_names():
    parts = split_parts("When and where did Park Jin first meet Kamikawa Yoko, and when did Cho Tae-yul first speak with her?")
    assert parts[0] == "When and where did Park Jin first meet Kamikawa Yoko"
    assert parts[1].startswith("when did Cho Tae-yul first speak with her") and "Kamikawa Yoko" in parts[1]


@pytest.mark.parametrize(
    "question",
    [
        "When did Korea and ASEAN establish dialogue relations?",  # "and" inside one thing asked
        "Which two Mexican foreign secretaries did Park Jin host in Seoul, and when?",  # the part adds no terms
        "What did Cho Tae-yul say makes Korea and Africa well placed to speak frankly with each other?",
    ],
)
def test_one_thing_asked_is_not_split(question):
    assert split_parts(question) == []


def test_a_span_of_years_in_korean_is_no_date_as_in_english():
    # "the 2024-2025 term" sets no dates; neither may "2024-2025년 임기" (it read as 2025 alone).
    understand = Understanding(newest=date(2024, 6, 30))
    for question in ("2024-2025년 임기는 한국의 몇 번째 안보리 비상임이사국 임기인가요?", "2022~2023년 사이에 무엇이 있었나요?",
                     "Which of Korea's non-permanent Security Council terms is the 2024-2025 term?"):
        plan = understand(Query(question))
        assert (plan.date_from, plan.date_to) == (None, None), question
    plan = understand(Query("2023년 재외공관장회의에서 첫 번째 의제는 무엇이었나요?"))
    assert (plan.date_from, plan.date_to) == (date(2023, 1, 1), date(2023, 12, 31))


def test_the_slots_asked_after_a_colon_belong_to_every_part():
    assert split_parts(
        "Compare the ASEAN-ROK and the Korea-Pacific Islands foreign ministers' meetings of 2022: which edition, where and when?"
    ) == [
        "Compare the ASEAN-ROK which edition, where and when",
        "the Korea-Pacific Islands foreign ministers' meetings of 2022 which edition, where and when",
    ]


def test_a_question_about_the_time_between_two_events_searches_each_event_for_its_date():
    assert split_parts("How many days after North Korea's Hwasong-18 launch did the government announce the sanctions?") == [
        "When was North Korea's Hwasong-18 launch", "When did the government announce the sanctions North Korea's Hwasong-18",
    ]
    # An event that names nobody borrows the question's names.
    assert split_parts("How many days after taking office did Cho Tae-yul call Kamikawa?") == [
        "When was taking office Cho Tae-yul Kamikawa", "When did Cho Tae-yul call Kamikawa",
    ]
    assert split_parts("How far ahead of the Korea-Africa Summit was the senior officials' meeting held?") == [
        "When was the Korea-Africa Summit", "When was the senior officials' meeting held Korea-Africa Summit",
    ]
    # "between the 7th and the 8th X": the short side is the other's thing with its own ordinal.
    assert split_parts("How long was the gap between the 7th and the 8th Senior Economic Dialogue?") == [
        "When was the 7th Senior Economic Dialogue", "When was the 8th Senior Economic Dialogue",
    ]
    # "How many days separated X and Y" as "between X and Y".
    assert split_parts("How many days separated Cho Tae-yul's first phone call with Kamikawa Yoko and their first meeting?") == [
        "When was Cho Tae-yul's first phone call with Kamikawa Yoko", "When was their first meeting Cho Tae-yul's Kamikawa Yoko",
    ]
    # How long something lasted is one question.
    assert split_parts("How long did the meeting last?") == []
