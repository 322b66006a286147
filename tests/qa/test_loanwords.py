"""Names across the scripts by sound (qa.loanwords): the Hangul spelling of a foreign name keeps its
consonants in order."""

import pytest

from qa.loanwords import hangul_skeleton, latin_skeletons, spelled_in_hangul


@pytest.mark.parametrize(
    ("name", "hangul"),
    [
        ("Ireland", "아일랜드"),
        ("Turkmenistan", "투르크메니스탄"),
        ("Türkiye", "튀르키예"),
        ("Blinken", "블링컨"),
        ("Hayashi", "하야시"),
        ("Bali", "발리"),
        ("Mexico", "멕시코"),
        ("ukrain", "우크라이나"),  # the index's stem of "Ukraine"
        ("Washington", "워싱턴"),
        ("Sherman", "셔먼"),  # an English "r" before a consonant is not written
        ("Bárcena", "바르세나"),  # a Spanish one is
        ("Singapore", "싱가포르"),
    ],
)
def test_a_name_and_its_hangul_spelling(name, hangul):
    assert spelled_in_hangul(name, [hangul])


@pytest.mark.parametrize(
    ("name", "hangul"),
    [
        ("Ukraine", "코로나"),  # same consonants, but one starts with a vowel
        ("Jin", "최영"),  # two consonants need as many syllables
        ("Seoul", "외교부"),
        ("Chile", "아일랜드"),
        ("Ireland", "랜드"),  # the start is missing
    ],
)
def test_different_names_do_not_match(name, hangul):
    assert not spelled_in_hangul(name, [hangul])


def test_skeletons_ignore_vowels_and_merge_r_and_l():
    assert hangul_skeleton("아일랜드") in latin_skeletons("Ireland")
    assert latin_skeletons("Bali") == {"bl"}


def test_a_short_name_with_one_consonant_never_matches():
    assert not spelled_in_hangul("Yi", ["이"])
    assert not spelled_in_hangul("", ["아"])
