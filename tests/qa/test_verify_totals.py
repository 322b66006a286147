"""Totals are added by code from the verified figures, only when the question asks and the parts are clear."""

from __future__ import annotations

from qa.arithmetic import add_total
from qa.models import Answer


def answer(question: str, text: str) -> Answer:
    return Answer(question, text, False, [], [])


def test_a_total_of_counted_things_is_added_with_its_parts():
    a = add_total(answer(
        "How many North Korean individuals in total did Korea designate in October and December 2022?",
        "On October 14 Korea designated 15 individuals and 16 institutions. [1] On December 2 it designated 8 individuals. [2]",
    ))
    assert a.answer.endswith("In total (added from the cited figures): 23 individuals (15 + 8).")
    b = add_total(answer("How many North Korean individuals in total were designated?",
                         "15 North Korean individuals were designated. [1] 8 North Korean individuals were designated. [2]"))
    assert b.answer.endswith("In total (added from the cited figures): 23 individuals (15 + 8).")


def test_a_money_total_keeps_its_scale():
    a = add_total(answer(
        "How much humanitarian assistance in total did Korea give for Ukraine and Türkiye?",
        "Korea will provide USD 3 million for Ukraine. [1] Korea decided to give US$5 million to Türkiye. [2]",
    ))
    assert "In total (added from the cited figures): USD 8 million (USD 3 million + USD 5 million)" in a.answer


def test_no_total_unless_asked_or_when_a_part_is_ambiguous_or_alone():
    text = "Korea designated 15 individuals. [1] It designated 8 individuals. [2]"
    assert add_total(answer("How many individuals did Korea designate?", text)).answer == text
    single = "Korea designated 15 individuals. [1]"
    assert add_total(answer("How many individuals in total were designated?", single)).answer == single
    two = "Korea designated 15 individuals and later 4 individuals. [1] It designated 8 individuals. [2]"
    assert add_total(answer("How many individuals in total were designated?", two)).answer == two
    declined = Answer("How many in total?", "The press releases I have don't say.", True, [], [])
    assert add_total(declined) is declined


def test_small_counts_spelled_out_are_counted():
    # Releases spell small counts: "eight North Korean individuals".
    a = add_total(answer(
        "How many North Korean individuals in total did Korea designate on October 14 and December 2?",
        "Korea designated 15 North Korean individuals. [1] On December 2, Korea designated eight North Korean individuals. [2]",
    ))
    assert a.answer.endswith("23 individuals (15 + 8).")


def test_the_counted_thing_is_the_head_noun_and_its_alternative():
    # "North Korean institutions or entities": institutions and entities count, the individuals beside them don't.
    a = add_total(answer(
        "How many North Korean institutions or entities did Korea designate in October 2022 and July 2023 combined?",
        "Korea designated 15 North Korean individuals and 16 institutions. [1] "
        "In July it designated four North Korean individuals and three entities. [2]",
    ))
    assert a.answer.endswith("19 institutions or entities (16 + 3).")


def test_one_event_told_twice_is_not_added_twice():
    text = (
        "On October 14, Korea designated 15 North Korean individuals. [1] "
        "This follows the designation of 15 individuals on October 14. [2]"
    )
    assert add_total(answer("How many individuals in total did Korea designate?", text)).answer == text


def test_a_difference_is_computed_from_the_two_cited_figures():
    from qa.arithmetic import add_difference

    a = add_difference(answer(
        "How many more North Korean individuals did Korea designate in October 2022 than in December 2022?",
        "On October 14 Korea designated 15 North Korean individuals. [1] On December 2 it designated eight North Korean individuals. [2]",
    ))
    assert a.answer.endswith("Difference (computed from the cited figures): 7 individuals (15 − 8).")
    money = add_difference(answer(
        "By how much did Korea's aid to Türkiye exceed its aid to Chile?",
        "Korea decided to give US$5 million to Türkiye. [1] Korea will provide USD 100,000 to Chile. [2]",
    ))
    assert money.answer.endswith("Difference (computed from the cited figures): USD 4.9 million (USD 5 million − USD 100,000).")


def test_no_difference_unless_asked_and_two_figures_of_one_unit_are_cited():
    from qa.arithmetic import add_difference, asks_difference

    text = "Korea designated 15 individuals. [1] It designated 8 individuals. [2]"
    assert add_difference(answer("How many individuals did Korea designate?", text)).answer == text
    three = text + " It designated 4 individuals. [3]"
    assert add_difference(answer("How many more individuals were designated in October?", three)).answer == three
    one = "Korea designated 15 individuals. [1]"
    assert add_difference(answer("How many more individuals were designated in October?", one)).answer == one
    # A total is a total, not a difference.
    assert not asks_difference("How many more individuals in total were designated?")
    assert asks_difference("What was the difference between the 2023 and 2024 budgets?")


def test_a_korean_release_s_dollars_count_in_a_money_total():
    # "500만 달러" is USD 5 million: a Korean release's figure was invisible to the total.
    a = add_total(answer(
        "How much humanitarian assistance in total did Korea decide to give for Türkiye and Chile?",
        "정부는 500만 달러 규모의 인도적 지원을 제공하기로 결정하였다. [1] Korea will provide USD 100,000 to Chile. [2]",
    ))
    assert a.answer.endswith("In total (added from the cited figures): USD 5.1 million (USD 5 million + USD 100,000).")
    b = add_total(answer("튀르키예와 칠레에 총 얼마를 지원했나요?", "튀르키예에 500만 달러를 지원한다. [1] 칠레에 10만 달러를 지원한다. [2]"))
    assert b.answer.endswith("USD 5.1 million (USD 5 million + USD 100,000).")
    c = add_total(answer("총 얼마인가요?", "A국에 5천만 달러를 지원한다. [1] B국에 1억 2,000만 달러를 지원한다. [2]"))
    assert c.answer.endswith("USD 170 million (USD 50 million + USD 120 million).")


def test_in_all_asks_a_total_only_where_it_ends_the_count():
    from qa.arithmetic import asks_total

    assert asks_total("How many people in all did the aircraft fly out of Israel?")
    assert asks_total("How many nationals were evacuated, all told?")
    assert not asks_total("Which travel advisories apply in all countries of the region?")
