"""qa.text: the tokens that lexical matching, IDF weights and the metrics are computed on."""

from __future__ import annotations

import pytest

from qa.text import QUESTION_WORDS, STOPWORDS, normalize, tokens, word_count


def test_numbers_lose_their_thousands_separators():
    assert tokens("1,513 people") == ["1513", "peopl"]  # Snowball stems
    assert tokens("USD 200,000,000") == ["usd", "200000000"]
    assert tokens("1,513") == tokens("1513")
    assert "2.5" in tokens("growth of 2.5 percent")  # a decimal point is not a separator


def test_number_words_and_ordinals_become_digits():
    assert tokens("three envoys") == ["3", "envoy"]
    assert tokens("the eighth meeting") == tokens("the 8th meeting") == ["8", "meet"]
    assert tokens("one of two") == ["1", "2"]  # kept although "one" and "two" are stopwords
    assert tokens("twenty") == ["20"] and tokens("tenth") == ["10"] and tokens("zero") == ["0"]
    assert tokens("21st 2nd 3rd") == ["21", "2", "3"]


def test_korean_becomes_character_bigrams():
    assert tokens("외교부") == ["외교", "교부"]
    assert tokens("외교부 장관") == ["외교", "교부", "장관"]
    assert tokens("한") == ["한"]
    # Particles attached to a word still leave its bigrams to match.
    assert {"긴급", "구호"} <= set(tokens("긴급구호대를"))
    assert tokens("118명") == ["118", "명"]


def test_stopwords_are_dropped_unless_asked_to_keep_them():
    assert tokens("The Minister of Foreign Affairs of the Republic of Korea") == []
    assert tokens("what is the theme of the meeting") == ["theme", "meet"]
    # Stopwords are also recognised after stemming, so their plurals go with them.
    assert tokens("three ministers of two ministries") == ["3", "2"]
    kept = tokens("the meeting of the ministers", drop_stopwords=False)
    assert kept[:2] == ["the", "meet"] and "of" in kept
    assert {"the", "of", "korea", "ministry"} <= STOPWORDS
    assert {"when", "who", "how"} <= QUESTION_WORDS


def test_normalisation_folds_case_width_and_curly_quotes():
    assert normalize("Korea’s ＡＳＥＡＮ") == "korea's asean"
    assert tokens("SANCTIONS") == tokens("sanctions") == ["sanction"]
    assert tokens("Ｕｎｉｔｅｄ") == ["unit"]


def test_light_stemming_matches_plurals():
    assert tokens("sanctions") == tokens("sanction") == ["sanction"]
    assert tokens("countries") == tokens("country") == ["countri"]
    assert tokens("talks") == tokens("talk")


@pytest.mark.parametrize(
    ("a", "b"), [("meetings", "meeting"), ("releases", "release"), ("designated", "designate")]
)
def test_stemming_is_consistent_between_word_forms(a, b):
    assert tokens(a) == tokens(b)


def test_possessive_does_not_let_stopwords_through():
    assert tokens("Korea's strategy") == tokens("Korea strategy") == ["strategi"]


def test_stemming_meets_other_forms_too():
    assert tokens("designates") == tokens("designating") == tokens("designate")
    assert tokens("agreed") == tokens("agrees") == tokens("agree")
    assert tokens("noted notes") == ["note", "note"]  # not taken for the stopword "not"


def test_word_count():
    assert word_count("The talks lasted about 20 minutes. [1]") == 7
    assert word_count("  ") == 0


def test_a_huge_word_is_tokenised_without_recursion():
    # The hand-written stemmer this replaced recursed once per letter and crashed on 1,103 letters.
    word = "a" + "y" * 100_000
    assert len(tokens(f"{word} sanctions")) == 2
