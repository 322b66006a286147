"""best_rows must equal a full sort's top k, on every path (small arrays, the sampled threshold, and
the fall-back when the sample guesses too high)."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.selection import DIRECT_BELOW, STRIDE, best_rows


def _reference(scores: np.ndarray, k: int, rows: np.ndarray | None = None) -> np.ndarray:
    rows = np.arange(len(scores)) if rows is None else rows
    return rows[np.lexsort((rows, -scores[rows]))][:k]


@pytest.mark.parametrize("n", [0, 1, 17, DIRECT_BELOW - 1, DIRECT_BELOW, 300_000])
@pytest.mark.parametrize("k", [0, 1, 30, 3000])
def test_best_rows_equals_a_full_sort(n, k):
    scores = np.random.default_rng(n + k).standard_normal(n).astype(np.float32)
    assert best_rows(scores, k).tolist() == _reference(scores, k).tolist()


def test_best_rows_inside_a_subset_returns_subset_rows():
    rng = np.random.default_rng(1)
    scores = rng.standard_normal(200_000).astype(np.float32)
    rows = np.flatnonzero(rng.random(200_000) < 0.3)
    got = best_rows(scores, 500, rows)
    assert got.tolist() == _reference(scores, 500, rows).tolist()
    assert set(got.tolist()) <= set(rows.tolist())


def test_best_rows_falls_back_when_the_sample_overestimates():
    # Only the sampled rows score: the sample's threshold keeps far fewer than k rows.
    scores = np.zeros(100_000, dtype=np.float32)
    scores[::STRIDE] = np.arange(len(scores[::STRIDE]), dtype=np.float32) + 1
    k = 5000
    assert best_rows(scores, k).tolist() == _reference(scores, k).tolist()


def test_equal_scores_come_in_row_order():
    scores = np.ones(120_000, dtype=np.float32)
    scores[[7, 70_000]] = 2.0
    got = best_rows(scores, 6).tolist()
    assert got[:2] == [7, 70_000]
    assert got[2:] == sorted(got[2:]) and len(set(got)) == 6
