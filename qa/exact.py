"""Exact dense search over an in-memory copy of the index's vectors.

HNSW's recall against exact search falls with size (0.52 at 100k synthetic chunks here, a loss no
answer shows), so the retriever searches a copy of the vectors itself:

- `FullTable` (up to `RetrievalConfig.exact_rows` chunks): float32, one product gives every row's
  exact cosine. 100k chunks of the default pair: 342 MiB.
- `ProjectedTable` (up to `RetrievalConfig.projected_rows`): the vectors as float16 (half the memory)
  beside a float32 projection on their top principal directions. The projection's product ranks every
  row; the best `rescore` rows of that ranking are scored again on the full vectors, and only those
  scores are used. A row the projection places outside those `rescore` is the only way to lose one, and
  the scale benchmark measures how often that happens (recall@30 against exact search).

Both answer the same three calls, so the retriever does not care which it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ingest.selection import best_rows

# Rows of the sample the principal directions are found from: enough for a stable basis of a few
# hundred directions, small enough to take a second or two.
SAMPLE_ROWS = 20_000

# Columns of the projection multiplied at once (ProjectedTable.scores).
BLOCK_DIMS = 64
WIDEN_ROWS = 32  # rows widened at a time: 32 x 896 values stay under torch's grain for threads


class _Table:
    """What both tables share: `vectors` (one row per chunk) and exact scores of chosen rows."""

    vectors: np.ndarray

    def __len__(self) -> int:
        return len(self.vectors)

    def take(self, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        # np.take copies whole rows; fancy indexing copies a float16 table element by element (4× slower).
        return np.take(self.vectors, np.asarray(rows, dtype=np.int64), axis=0).astype(np.float32, copy=False)

    def rescore(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return self.take(rows) @ np.asarray(query, dtype=np.float32)


class FullTable(_Table):
    """float32 vectors; `scores` are exact."""

    exact = True

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    @property
    def nbytes(self) -> int:
        return self.vectors.nbytes

    def scores(self, queries: np.ndarray) -> np.ndarray:
        """Cosine of every row with each query: (rows,) for one query, (queries, rows) for several."""
        queries = np.asarray(queries, dtype=np.float32)
        return (self.vectors @ queries.T).T


class ProjectedTable(_Table):
    """float16 vectors and a float32 projection of them; `scores` rank, `rescore` is exact."""

    exact = False

    def __init__(self, vectors: np.ndarray, dims: int, *, seed: int = 0) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float16)
        self.basis = principal_directions(self.vectors, dims, seed=seed)
        width = self.basis.shape[1]
        # The projection is kept as blocks of BLOCK_DIMS columns: OpenBLAS multiplies a tall matrix
        # of at most 64 columns by a few queries several times faster than one of 128 (at 1M rows and
        # 4 queries, one thread: 2 x 15 ms against 85 ms), and the sum of the blocks' products is the
        # same product.
        self.blocks = [np.empty((len(self.vectors), min(BLOCK_DIMS, width - lo)), dtype=np.float32)
                       for lo in range(0, width, BLOCK_DIMS)]
        for start in range(0, len(self.vectors), 50_000):
            block = self.vectors[start : start + 50_000].astype(np.float32) @ self.basis
            for n, columns in enumerate(self.blocks):
                columns[start : start + len(block)] = block[:, n * BLOCK_DIMS : n * BLOCK_DIMS + columns.shape[1]]

    @property
    def nbytes(self) -> int:
        return self.vectors.nbytes + sum(b.nbytes for b in self.blocks) + self.basis.nbytes

    def take(self, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        return widen(np.take(self.vectors, np.asarray(rows, dtype=np.int64), axis=0))

    def scores(self, queries: np.ndarray) -> np.ndarray:
        """Every row's score in the projection (an approximation of the cosine, for ranking only):
        (rows,) for one query, (queries, rows) for several."""
        queries = np.asarray(queries, dtype=np.float32)
        projected = queries @ self.basis
        one = projected.ndim == 1
        projected = np.atleast_2d(projected).T  # (dims, queries)
        out = np.zeros((len(self.vectors), projected.shape[1]), dtype=np.float32)
        part = np.empty_like(out)
        for n, columns in enumerate(self.blocks):
            np.matmul(columns, projected[n * BLOCK_DIMS : n * BLOCK_DIMS + columns.shape[1]], out=part)
            out += part
        # Each query's scores contiguous: the selections that follow read them many times.
        return out[:, 0].copy() if one else np.ascontiguousarray(out.T)


def widen(half: np.ndarray) -> np.ndarray:
    """float16 rows as float32. numpy converts element by element (3,000 rows of 896: ~4.5 ms, eight
    times for a question of four parts with dates); torch, which sentence-transformers installs, uses
    the CPU's conversion instructions. In steps of WIDEN_ROWS rows, each small enough to run on the
    calling thread: one conversion of 3,000 rows wakes torch's thread pool, which then fights
    OpenBLAS's for the two cores (a rescoring 6-11 ms a call measured, against 2.3 ms in steps).
    Imported here, only above the full table's size."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch comes with sentence-transformers
        return half.astype(np.float32)
    out = np.empty(half.shape, dtype=np.float32)
    source, target = torch.from_numpy(np.ascontiguousarray(half)), torch.from_numpy(out)
    for start in range(0, len(half), WIDEN_ROWS):
        target[start : start + WIDEN_ROWS].copy_(source[start : start + WIDEN_ROWS])
    return out


def principal_directions(vectors: np.ndarray, dims: int, *, seed: int = 0) -> np.ndarray:
    """(d, dims) orthonormal basis of the directions the rows vary most along, from a seeded sample.

    The rows are not centred: a dot product is kept best by the directions of the largest second
    moment, the mean's direction included (every vector of one model shares a large common part)."""
    rng = np.random.default_rng(seed)
    n = len(vectors)
    sample = vectors if n <= SAMPLE_ROWS else vectors[np.sort(rng.choice(n, SAMPLE_ROWS, replace=False))]
    _, _, vt = np.linalg.svd(np.asarray(sample, dtype=np.float32), full_matrices=False)
    return np.ascontiguousarray(vt[: min(dims, vt.shape[0])].T, dtype=np.float32)


VectorTable = FullTable | ProjectedTable


def top_rows(
    table: VectorTable | None, query: np.ndarray, scores: np.ndarray, depth: int, mask: np.ndarray | None = None,
    *, rescore: int = 3000,
) -> list[tuple[int, float]]:
    """The `depth` best rows by cosine, best first, from `scores` (the table's scores for `query`)
    inside `mask`. A projected table's scores only rank: its best `rescore` rows are scored exactly.

    Inside a mask too (rescoring only `rescore` × the mask's share was tried: on the query bench's 1M
    clustered vectors recall@30 in a one-year range fell from 1.00 to 0.88)."""
    rows = None if mask is None else np.flatnonzero(mask)
    valid = len(scores) if rows is None else len(rows)
    if min(depth, valid) <= 0:
        return []
    if table is not None and not table.exact:
        candidates = best_rows(scores, max(rescore, depth), rows)
        exact = table.rescore(query, candidates)
        order = np.lexsort((candidates, -exact))[:depth]
        return [(int(candidates[o]), float(exact[o])) for o in order]
    return [(int(row), float(scores[row])) for row in best_rows(scores, depth, rows)]


def build_table(
    ids: Sequence[str],
    fetch: Callable[[list[str]], np.ndarray],
    *,
    full_rows: int,
    dims: int,
    old: tuple[Sequence[str], VectorTable] | None = None,
    batch: int = 5000,
) -> VectorTable:
    """The vectors of `ids` in that order, as a full table up to `full_rows` rows, else projected.

    Rows `old` holds (the table before an ingest, with its ids) are copied from it; only the rest are
    fetched."""
    known = {chunk_id: row for row, chunk_id in enumerate(old[0])} if old is not None else {}
    full = len(ids) <= full_rows
    is_new = np.fromiter((chunk_id not in known for chunk_id in ids), dtype=bool, count=len(ids))
    where_new = np.flatnonzero(is_new)
    missing = [ids[i] for i in where_new]
    out: np.ndarray | None = None
    if old is not None:
        out = np.empty((len(ids), old[1].vectors.shape[1]), dtype=np.float32 if full else np.float16)
        out[~is_new] = old[1].vectors[[known[i] for i, n in zip(ids, is_new) if not n]]
    # Each fetched batch goes straight to its rows: the build holds the new table and one batch.
    for start in range(0, len(missing), batch):
        got = np.asarray(fetch(missing[start : start + batch]), dtype=np.float32)
        if out is None:
            out = np.empty((len(ids), got.shape[1]), dtype=np.float32 if full else np.float16)
        out[where_new[start : start + len(got)]] = got
    if out is None:
        raise ValueError("no vectors to build a table from")
    if full:
        return FullTable(out)
    return ProjectedTable(out, dims)
