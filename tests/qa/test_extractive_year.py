"""A date quoted from a release gains the year from the release's dateline, unless a date in it has its year;
"this year" gains it in every answer."""

from __future__ import annotations

from qa.extractive import name_this_year, with_release_year


def test_a_month_and_day_gain_the_release_year():
    assert with_release_year("On May 30, the Ministry opened the Center.", "2022-05-31") == "On May 30, 2022, the Ministry opened the Center."
    assert with_release_year("Cho took office on January 10.", "2024-01-11") == "Cho took office on January 10, 2024."
    assert with_release_year("박진 장관은 5월 30일 개소식을 열었다.", "2022-05-31") == "박진 장관은 2022년 5월 30일 개소식을 열었다."


def test_the_year_is_the_one_that_puts_the_day_nearest_the_release():
    # A January release looks back at December; a December release ahead to January.
    assert with_release_year("The 7th SED was held on December 12.", "2023-01-05") == "The 7th SED was held on December 12, 2022."
    assert with_release_year("The term begins on January 1.", "2023-12-20") == "The term begins on January 1, 2024."
    assert with_release_year("정부는 12월 28일 보고서를 발표했다.", "2023-01-05") == "정부는 2022년 12월 28일 보고서를 발표했다."
    assert with_release_year("It ended on June 4-5.", "2024-06-06") == "It ended on June 4-5, 2024."
    assert with_release_year("Held on February 29.", "2024-03-01") == "Held on February 29, 2024."


def test_a_release_looks_back_more_often_than_ahead():
    # November 4: the April after is nearer (170 days) than the April before (195), but a release reports
    # what has happened; a day ahead wins only when it is much nearer (the December release's January 1).
    sentence = "Launched with a first round in Honolulu from April 23 to 25, the talks were concluded after eight rounds."
    assert with_release_year(sentence, "2024-11-04") == (
        "Launched with a first round in Honolulu from April 23 to 25, 2024, the talks were concluded after eight rounds."
    )
    assert with_release_year("첫 회의는 4월 23일 열렸다.", "2024-11-04") == "첫 회의는 2024년 4월 23일 열렸다."
    assert with_release_year("The Summit opens on January 20.", "2024-11-04") == "The Summit opens on January 20, 2025."


def test_a_span_written_with_to_takes_the_year_after_its_last_day_and_keeps_one_it_has():
    assert with_release_year("It ran from June 4 to 5.", "2024-06-06") == "It ran from June 4 to 5, 2024."
    assert with_release_year("It ran from June 4 to 5, 2023.", "2024-06-06") == "It ran from June 4 to 5, 2023."


def test_sentences_with_a_year_or_without_a_date_or_undated_releases_are_left_alone():
    for sentence, date in [("They met on May 9, 2022.", "2023-06-20"), ("No date here.", "2022-05-31"),
                           ("On May 30, the Center opened.", ""), ("2023년 6월 6일 회의가 열렸다.", "2023-06-07")]:
        assert with_release_year(sentence, date) == sentence


def test_a_year_elsewhere_in_the_sentence_does_not_date_the_day():
    # "2024-2025" is the term, not the day of the election.
    sentence = "Korea was elected for the 2024-2025 term at the UN General Assembly in New York on June 6 (local time)."
    assert with_release_year(sentence, "2023-06-07") == (
        "Korea was elected for the 2024-2025 term at the UN General Assembly in New York on June 6, 2023 (local time)."
    )
    assert with_release_year("In 2019 it began; on May 30 the Center opened.", "2022-05-31") == (
        "In 2019 it began; on May 30, 2022 the Center opened."
    )


def test_this_year_gains_the_release_year_once():
    assert name_this_year("The ODA budget for this year was set at 6.25 trillion won.", "2024-02-29") == (
        "The ODA budget for this year (2024) was set at 6.25 trillion won."
    )
    assert name_this_year("올해 ODA 예산은 6.25조 원이다.", "2024-02-29") == "올해(2024년) ODA 예산은 6.25조 원이다."
    assert name_this_year("This year (2024) is named.", "2024-02-29") == "This year (2024) is named."
    assert name_this_year("No year here.", "") == "No year here."


def test_a_possessive_this_year_is_left_alone():
    assert name_this_year("This year's Meeting brought them together.", "2022-10-26") == "This year's Meeting brought them together."
