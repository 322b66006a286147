"""Answers fit their length budget by leaving out clauses nobody asked about, never the facts."""

from __future__ import annotations

from qa.shorten import fit, pieces_of, shorten
from qa.text import word_count

VISIT = (
    "Minister of Foreign Affairs Cho Tae-yul, visiting China from May 13, 2024 to 14 at the invitation of "
    "Minister of Foreign Affairs Wang Yi, Member of the Political Bureau of the Central Committee of the "
    "Communist Party of China, held talks and a dinner with Minister Wang at the Diaoyutai State Guesthouse "
    "in Beijing on May 13."
)
SANCTIONS = (
    "On October 14, the Korean government designated 15 North Korean individuals and 16 institutions as "
    "targets of its own unilateral sanctions in response to North Korea's evolving nuclear and missile threats."
)


def test_an_aside_without_facts_or_asked_words_goes_first():
    short = shorten(VISIT, "On what date did Cho Tae-yul hold talks with Wang Yi in Beijing?", "date", 10)
    assert "Political Bureau" not in short
    assert short.endswith("in Beijing on May 13.")
    assert "May 13, 2024" in short and "Wang Yi" in short


def test_a_trailing_reason_goes_but_figures_and_dates_stay():
    short = shorten(SANCTIONS, "How many individuals did Korea designate on October 14?", "number", 8)
    assert short == (
        "On October 14, the Korean government designated 15 North Korean individuals and 16 institutions as "
        "targets of its own unilateral sanctions."
    )


def test_the_subject_meets_its_verb_when_a_relative_clause_goes():
    sentence = (
        "Minister Park Jin, who accompanied President Yoon Suk Yeol to the APEC Economic Leaders' Meeting in "
        "San Francisco, held talks with Secretary Alicia Bárcena Ibarra on November 15."
    )
    assert shorten(sentence, "With whom did Park Jin hold talks on November 15?", "name", 15) == (
        "Minister Park Jin held talks with Secretary Alicia Bárcena Ibarra on November 15."
    )


def test_commas_inside_figures_dates_and_dc_are_not_clause_breaks():
    texts = [t for _, t in pieces_of("It gave USD 1,000,000 in Washington, D.C. on May 13, 2024, with Japan.")]
    assert texts == ["It gave USD 1,000,000 in Washington, D.C. on May 13, 2024", "with Japan."]


def test_nothing_is_cut_when_the_answer_fits_or_nothing_may_go():
    assert fit([(VISIT, "When?", "date")], 200) == [VISIT]
    plain = "Korea and Japan agreed to meet again in 2025."
    assert shorten(plain, "What did they agree?", None, 5) == plain


def test_fit_brings_a_long_answer_under_the_budget():
    question = "When did Cho Tae-yul meet Wang Yi, and how many individuals did Korea designate on October 14?"
    texts = fit([(VISIT, question, "date"), (SANCTIONS, question, "number")], 70)
    assert sum(word_count(t) for t in texts) <= 70
    assert "15 North Korean individuals" in texts[1] and "May 13" in texts[0]


THIRD_ROUND = (
    "On July 14, the Korean government designated four North Korean individuals and three entities involved "
    "in the development and financing of North Korea's nuclear and missile programs as targets of unilateral sanctions."
)


def test_a_modifier_phrase_goes_when_the_other_sentences_hold_the_asked_words():
    question = "How many entities did Korea designate in its October 2022 and July 2023 unilateral sanctions combined?"
    # Alone, "unilateral sanctions" is only in the modifier, so it stays ...
    assert shorten(THIRD_ROUND, question, "number", 12) == THIRD_ROUND
    # ... in an answer whose other sentence says it, the modifier may go; the figures and the subject stay.
    first, third = fit([(SANCTIONS, question, "number"), (THIRD_ROUND, question, "number")], 40)
    assert first == SANCTIONS.replace(" in response to North Korea's evolving nuclear and missile threats", "")
    assert third == "On July 14, the Korean government designated four North Korean individuals and three entities."


def test_a_clause_with_a_spelled_out_number_or_after_an_opening_date_stays():
    sentence = "On December 2, the government designated eight individuals and seven institutions, the second round this year."
    # "the second round this year" goes; "the government designated eight…" (no digit in it) does not.
    assert shorten(sentence, "What happened on December 2?", None, 20) == (
        "On December 2, the government designated eight individuals and seven institutions."
    )


def test_asides_in_parentheses_go_last_and_never_with_a_figure_or_an_asked_word():
    sentence = (
        "Vice Minister Kang Insun and Under Secretary Jose W. Fernandez held the 8th ROK-U.S. Senior Economic "
        "Dialogue (SED) in Seoul on January 31, 2024 (local time), as co-chairs (the 2023 session was cancelled)."
    )
    # Every clause holds a figure or an asked word, so only asides can go.
    [short] = fit([(sentence, "Where was the 8th Senior Economic Dialogue held, and who co-chaired it?", "place")], 20)
    assert "(SED)" not in short and "(local time)" not in short
    assert "(the 2023 session was cancelled)" in short  # it holds a figure
    [kept] = fit([(sentence, "What does SED stand for?", None)], 20)
    assert "(SED)" in kept  # the question asks about it
    [untouched] = fit([(sentence, "Where was it held?", "place")], 80)
    assert untouched == sentence
