"""The k best rows of a score array: the step every search route ends with.

`np.argpartition` over a million scores takes 15–20 ms here, and a multi-part question makes a dozen
such selections. Almost every row is far below the k-th best, so `best_rows` first finds a value the
k-th best must reach from a strided sample, keeps only the rows at or above it, and partitions those.
The result is exact: when the sample's guess keeps fewer than k rows, it partitions every row.
"""

from __future__ import annotations

import numpy as np

# Below this many rows a plain partition is as fast as the sample's extra passes.
DIRECT_BELOW = 50_000
# Every STRIDE-th row is sampled; the sample's threshold aims at about twice k candidates.
STRIDE = 16


def best_rows(scores: np.ndarray, k: int, rows: np.ndarray | None = None) -> np.ndarray:
    """Rows with the `k` highest scores, highest first; equal scores in row order (which of several
    rows tied at the k-th score are returned is not specified).

    `rows`: only these rows compete (a date range's or a language's); None: every row."""
    values = scores if rows is None else scores[rows]
    n = len(values)
    k = min(k, n)
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    picked = _top_positions(values, k)
    picked = picked[np.lexsort((picked, -values[picked]))]
    return picked if rows is None else np.asarray(rows)[picked]


def _top_positions(values: np.ndarray, k: int) -> np.ndarray:
    n = len(values)
    if k == n:
        return np.arange(n)
    if n >= DIRECT_BELOW:
        sample = values[::STRIDE]
        # The sample's (2k/STRIDE + 8)-th best: about 2k rows of the whole should reach it.
        rank = min(len(sample) - 1, 2 * k // STRIDE + 8)
        threshold = np.partition(sample, len(sample) - 1 - rank)[len(sample) - 1 - rank]
        candidates = np.flatnonzero(values >= threshold)
        if k <= len(candidates):
            return candidates[np.argpartition(-values[candidates], k - 1)[:k]]
    return np.argpartition(-values, k - 1)[:k]
