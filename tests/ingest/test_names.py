"""Runs of capitalised words: the English spellings of names a Korean question writes as one word."""

from __future__ import annotations

from ingest.names import name_runs


def test_a_name_inside_a_longer_run_of_capitals_is_one_of_its_windows():
    runs = name_runs("Foreign Minister Cho Tae-yul held a phone call with Chinese Foreign Minister Wang Yi.")
    assert {"Cho Tae-yul", "Wang Yi", "Minister Cho Tae-yul"} <= runs
    assert all(2 <= len(run.split()) <= 3 for run in runs)


def test_single_capitalised_words_and_lowercase_text_give_no_runs():
    assert name_runs("The minister met Blinken in Bali on Monday.") == set()
    assert name_runs("") == set()


def test_runs_do_not_cross_lines_or_punctuation():
    assert name_runs("Park Jin\nSeoul Korea") == {"Park Jin", "Seoul Korea"}
    assert "Jin Blinken" not in name_runs("Park Jin, Blinken and Hayashi met.")
