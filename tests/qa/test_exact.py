"""qa.exact: the vector tables exact dense search runs on (no model: synthetic vectors)."""

from __future__ import annotations

import numpy as np

from qa.exact import FullTable, ProjectedTable, build_table, top_rows


def _clustered(n: int, dim: int = 64, centres: int = 40, seed: int = 1, draw: int = 1) -> np.ndarray:
    """Unit vectors around a few centres (fixed by `seed`; `draw` picks another sample around the same
    centres), with full-dimensional noise: what a projection on a few directions does not keep."""
    centre = np.random.default_rng(seed).standard_normal((centres, dim)).astype(np.float32)
    rng = np.random.default_rng(seed * 1000 + draw)
    v = centre[rng.integers(0, centres, n)] + rng.standard_normal((n, dim)).astype(np.float32) * 0.3
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _top(scores: np.ndarray, k: int) -> set[int]:
    return set(np.argpartition(-scores, k)[:k].tolist())


def test_the_full_table_scores_one_query_or_several():
    vectors = _clustered(500)
    table = FullTable(vectors)
    one = table.scores(vectors[0])
    two = table.scores(vectors[:2])
    assert one.shape == (500,) and two.shape == (2, 500)
    assert np.allclose(two[0], one, atol=1e-6) and np.isclose(one[0], 1.0, atol=1e-5)


def test_the_projection_ranks_and_rescoring_recovers_the_exact_top_k():
    vectors = _clustered(20_000)
    queries = _clustered(30, draw=2)
    table = ProjectedTable(vectors, dims=16)
    assert table.vectors.dtype == np.float16 and [b.shape for b in table.blocks] == [(20_000, 16)]
    found, without = [], []
    for q in queries:
        exact = _top(vectors @ q, 10)
        approx = table.scores(q)
        rows = np.argpartition(-approx, 500)[:500]
        rescored = table.rescore(q, rows)
        found.append(len(exact & set(rows[np.argsort(-rescored)[:10]].tolist())) / 10)
        without.append(len(exact & _top(approx, 10)) / 10)
    # The projection alone misses rows that rescoring its best 500 finds.
    assert np.mean(found) >= 0.98
    assert np.mean(without) < np.mean(found)


def test_inside_a_mask_the_projection_finds_the_exact_top_k_of_the_masked_rows():
    vectors = _clustered(40_000)
    queries = _clustered(30, draw=2)
    table = ProjectedTable(vectors, dims=16)
    mask = np.random.default_rng(3).random(40_000) < 0.1
    found = []
    for q in queries:
        exact = vectors @ q
        inside = {int(r) for r in np.flatnonzero(mask)[np.argsort(-exact[mask])[:10]]}
        got = top_rows(table, q, table.scores(q), 10, mask, rescore=1000)
        assert all(mask[r] for r, _ in got)
        found.append(len(inside & {r for r, _ in got}) / 10)
    assert np.mean(found) >= 0.98


def test_a_rebuild_fetches_only_new_rows_and_keeps_the_order():
    vectors = _clustered(300)
    ids = [f"c{i}" for i in range(300)]
    fetched: list[str] = []

    def fetch(batch):
        fetched.extend(batch)
        return vectors[[int(i[1:]) for i in batch]]

    first = build_table(ids[:200], fetch, full_rows=250, dims=8)
    assert isinstance(first, FullTable) and fetched == ids[:200]
    fetched.clear()
    # Rows reordered and 100 added: only the new ones are fetched; past `full_rows` the table is projected.
    order = ids[100:200] + ids[200:] + ids[:100]
    second = build_table(order, fetch, full_rows=250, dims=8, old=(ids[:200], first))
    assert isinstance(second, ProjectedTable) and fetched == ids[200:]
    expected = vectors[[int(i[1:]) for i in order]]
    assert np.allclose(second.take(np.arange(300)), expected, atol=1e-3)


def test_widen_gives_numpys_float32_values():
    from qa.exact import widen

    half = np.random.default_rng(3).standard_normal((300, 40)).astype(np.float16)
    half[0, :4] = [0.0, -0.0, 6e-8, 65504.0]  # zero, signed zero, a subnormal, the largest float16
    wide = widen(half)
    assert wide.dtype == np.float32 and np.array_equal(wide, half.astype(np.float32))


def test_projected_rescore_in_steps_equals_the_exact_product():
    from qa.exact import WIDEN_ROWS, ProjectedTable

    rng = np.random.default_rng(11)
    vectors = rng.standard_normal((2000, 96)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    table = ProjectedTable(vectors, 16)
    query = vectors[7]
    rows = rng.choice(2000, 3 * WIDEN_ROWS + 5, replace=False)  # steps and a short last one
    expected = vectors.astype(np.float16).astype(np.float32)[rows] @ query
    got = table.rescore(query, rows)
    assert got.shape == (len(rows),) and np.allclose(got, expected, atol=1e-5)
    assert np.argmax(table.rescore(query, np.arange(2000))) == 7


def test_projected_scores_equal_one_product_over_every_column():
    from qa.exact import BLOCK_DIMS, ProjectedTable

    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((3000, 200)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)  # unit rows, as the index holds
    table = ProjectedTable(vectors, BLOCK_DIMS * 2 + 10)  # two full blocks and a narrow one
    assert [b.shape[1] for b in table.blocks] == [BLOCK_DIMS, BLOCK_DIMS, 10]
    projected = np.concatenate(table.blocks, axis=1)
    queries = rng.standard_normal((3, 200)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    several = table.scores(queries)
    assert several.shape == (3, 3000) and several.flags.c_contiguous
    assert np.allclose(several, (projected @ (queries @ table.basis).T).T, atol=1e-5)
    assert np.allclose(table.scores(queries[1]), several[1], atol=1e-5)
