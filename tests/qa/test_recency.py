"""Dating an answer sentence by the event it names, and choosing the newest of near-equal answers."""

from __future__ import annotations

from datetime import date

import pytest

from qa.recency import asks_lookback, event_date, event_dates, looks_back, newest_near_best


def test_a_sentence_is_dated_by_the_dates_it_names():
    # The release of the 8th dialogue recalls the 7th: its own date cannot tell them apart.
    assert event_dates("The 7th SED was held in Washington, D.C. on December 12, 2022.", "2024-02-01") == [date(2022, 12, 12)]
    assert event_dates("They held the 8th SED in Seoul on January 31.", "2024-02-01") == [date(2024, 1, 31)]
    assert event_dates("이번 회의는 1월 31일 서울에서 열렸다.", "2024-02-01") == [date(2024, 1, 31)]
    assert event_dates("The summit is set for June 4-5, 2024.", "2024-02-01") == [date(2024, 6, 4)]


def test_a_missing_year_is_the_one_nearest_the_release_looking_back_before_ahead():
    assert event_dates("On December 28, the government released the report.", "2023-01-05") == [date(2022, 12, 28)]
    assert event_dates("The talks are set for January 8.", "2024-01-05") == [date(2024, 1, 8)]
    # An event the release announces months ahead is this year's, as the answer shows it (with_release_year).
    assert event_dates("The summit will be held on March 15.", "2024-01-05") == [date(2024, 3, 15)]
    assert event_dates("정상회의는 3월 15일 열린다.", "2024-01-05") == [date(2024, 3, 15)]
    assert event_dates("The meeting on January 3 will be the first of the new year.", "2023-12-20") == [date(2024, 1, 3)]
    # February 29 without its year, in a release two years from a leap year, is a leap year's (the rule once
    # looked one year either side only and dated it into a year without one): the one before, 732 days back,
    # since a day ahead counts twice its distance (729 days on).
    assert event_dates("On February 29 the talks were held.", "2022-03-02") == [date(2020, 2, 29)]
    assert event_dates("On February 29 the talks were held.", "2024-03-04") == [date(2024, 2, 29)]


def test_a_year_alone_counts_as_its_end_but_never_after_the_release():
    assert event_dates("The 2023 ODA budget was 4.77 trillion won.", "2024-02-29") == [date(2023, 12, 31)]
    assert event_dates("It finalized the ODA plan for 2024.", "2024-02-29") == [date(2024, 2, 29)]


def test_a_month_alone_or_no_date_falls_back_to_the_release():
    assert event_dates("In May they met again.", "2023-06-01") == []
    assert event_date("The ministers agreed to cooperate.", "2023-06-01") == date(2023, 6, 1)
    assert event_date("The ministers agreed to cooperate.", "not a date") is None


def _pick(items, margin, eligible=lambda c: True):
    return newest_near_best(
        items, score=lambda c: c[0], sentence=lambda c: c[1], release_date=lambda c: c[2], margin=margin, eligible=eligible
    )


def test_the_newest_within_the_margin_answers_and_the_rest_keep_their_order():
    older = (0.70, "The 7th SED was held on December 12, 2022.", "2024-02-01")
    newer = (0.65, "They held the 8th SED on January 31.", "2024-02-01")
    other = (0.50, "Unrelated sentence.", "2023-01-01")
    assert _pick([older, newer, other], 0.1) == [newer, older, other]
    assert _pick([older, newer, other], 0.01) == [older, newer, other]  # too far below the best
    assert _pick([older, newer, other], 0.1, eligible=lambda c: c is not newer) == [older, newer, other]
    assert _pick([], 0.1) == []


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Before Blinken's November 2023 visit to Seoul, when had he and Park Jin last met in person?", True),
        ("How long had it been since the three ministers last met in person?", True),
        ("When was the most recent vice foreign ministerial meeting before the one in Washington?", True),
        ("발리 회담은 정상회담이 열린 지 얼마 만에 성사됐나요?", True),
        ("When did Park Jin and Blinken last meet?", False),
        ("What did the minister agree with Mexico last year?", False),
    ],
)
def test_questions_that_ask_for_the_event_before_another(question, asks):
    assert asks_lookback(question) is asks


@pytest.mark.parametrize(
    ("sentence", "back"),
    [
        ("The two foreign ministers last met in person on the sidelines of the UN General Assembly in New York in September.", True),
        ("This is the first visit to China by a Korean foreign minister since Foreign Minister Kang Kyung-wha's visit in November 2017.", True),
        ("That trilateral meeting was the first in four months, following the one held in Tokyo in October 2022.", True),
        ("The last trilateral summit took place in December 2019.", True),
        ("지난주 정상회담이 열린 지 약 1주일 만에 성사되었다.", True),
        ("On the previous day, June 7, Vice Minister Cho held bilateral talks.", False),
        ("The ministers agreed to cooperate.", False),
    ],
)
def test_sentences_that_look_back_from_a_later_event(sentence, back):
    assert looks_back(sentence) is back
