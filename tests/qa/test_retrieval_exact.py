"""Exact dense search over an in-memory copy of the vectors (qa.retrieval, `exact_rows`,
`projected_rows`): the same passages as the HNSW index where that one is exact, date ranges as a mask,
and vectors fetched once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from ingest.lexical import LEXICAL_DIR, LexicalIndex
from qa.models import Query
from qa.retrieval import HybridRetriever, load_lexical
from qa.understand import Understanding

QUESTIONS = [
    "When did Korea and ASEAN start their dialogue relations?",
    "How much humanitarian assistance in total did Korea decide to give for the February 2023 Türkiye earthquake "
    "and Chile wildfires?",
    "What were the latest unilateral sanctions on North Korea?",
    "2023년 6월 유엔 안보리 비상임이사국 선거에서 한국은 몇 표를 얻었나요?",
]


@pytest.fixture(scope="module")
def lexical(corpus_index):
    return load_lexical(corpus_index)


class CountingIndex:
    """The real index, counting the vectors fetched from it."""

    def __init__(self, inner) -> None:
        self.inner, self.fetched = inner, 0

    def vectors(self, ids):
        self.fetched += len(ids)
        return self.inner.vectors(ids)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_exact_search_finds_what_the_hnsw_index_finds_on_the_corpus(corpus_index, embeddings, lexical):
    # 183 chunks: the HNSW index is exact there, so both must give the same passages in the same order.
    # The background gate reads every row's score, which only the table has: off in both, so that the
    # two searches are what is compared.
    exact = HybridRetriever(corpus_index, embeddings, lexical, k=10)
    exact.config = replace(exact.config, background_gate=0.0)
    hnsw = HybridRetriever(corpus_index, embeddings, lexical, k=10)
    hnsw.config = replace(exact.config, exact_rows=0, projected_rows=0)
    understand = Understanding(newest=lexical.newest_date())
    for question in QUESTIONS:
        plan = understand(Query(question))
        got, want = exact(plan), hnsw(plan)
        assert [p.chunk_id for p in got] == [p.chunk_id for p in want], question
        assert np.allclose([p.score for p in got], [p.score for p in want], atol=1e-5)
    assert exact._exact is not None and hnsw._exact is None


def test_above_exact_rows_the_projected_table_finds_the_same_passages(corpus_index, embeddings, lexical):
    # The projection only ranks; its best `rescore` rows (here all 183) are scored on the float16
    # vectors, so the passages are those of the float32 table, with cosines within float16 rounding.
    # The background gate is read from the projection's scores there (see the next test): off in both.
    full = HybridRetriever(corpus_index, embeddings, lexical, k=10)
    full.config = replace(full.config, background_gate=0.0)
    projected = HybridRetriever(corpus_index, embeddings, lexical, k=10)
    projected.config = replace(full.config, exact_rows=0, project_dims=32)
    understand = Understanding(newest=lexical.newest_date())
    for question in QUESTIONS:
        plan = understand(Query(question))
        got, want = projected(plan), full(plan)
        assert {p.chunk_id for p in got} == {p.chunk_id for p in want}, question
        scores = {p.chunk_id: p.score for p in want}
        assert all(abs(p.score - scores[p.chunk_id]) < 2e-3 for p in got)
    assert type(projected._exact[1]).__name__ == "ProjectedTable" and type(full._exact[1]).__name__ == "FullTable"


def test_the_projected_table_gives_about_the_background_gates_of_the_full_table(corpus_index, embeddings, lexical):
    full = HybridRetriever(corpus_index, embeddings, lexical, k=10)
    projected = HybridRetriever(corpus_index, embeddings, lexical, k=10)
    projected.config = replace(projected.config, exact_rows=0)  # the default 128 directions
    for question in QUESTIONS:
        vector = np.asarray(embeddings.embed_query(question), dtype=np.float32)
        want = full._background_gates(full._table().scores(vector))
        got = projected._background_gates(projected._table().scores(vector))
        assert want.keys() == got.keys() and all(abs(got[k] - want[k]) < 0.05 for k in want), question


def test_a_date_range_is_a_mask_on_the_exact_scores(corpus_index, embeddings, lexical):
    retriever = HybridRetriever(corpus_index, embeddings, lexical, k=10)
    query = Query("sanctions on North Korea", date_from=date(2022, 12, 1), date_to=date(2022, 12, 31))
    passages = retriever(Understanding()(query))
    assert passages and all("2022-12-01" <= p.date <= "2022-12-31" for p in passages)


def test_vectors_are_fetched_once_and_kept_across_index_versions(corpus_index, embeddings, lexical):
    counting = CountingIndex(corpus_index)
    retriever = HybridRetriever(counting, embeddings, lexical, k=10)
    plan = Understanding()(Query(QUESTIONS[0]))
    retriever(plan)
    fetched = counting.fetched
    assert fetched >= len(lexical)  # the whole matrix (and the passages' own rows are read from it)
    retriever(plan)
    assert counting.fetched == fetched
    # An ingest elsewhere: a new lexical index object with the same rows fetches nothing new.
    retriever.lexical = LexicalIndex.load(corpus_index.path / LEXICAL_DIR)
    retriever(plan)
    assert counting.fetched == fetched


def test_above_the_limit_the_hnsw_index_answers(corpus_index, embeddings, lexical):
    counting = CountingIndex(corpus_index)
    retriever = HybridRetriever(counting, embeddings, lexical, k=10)
    retriever.config = replace(retriever.config, exact_rows=len(lexical) - 1, projected_rows=len(lexical) - 1)
    assert retriever(Understanding()(Query(QUESTIONS[0])))
    assert retriever._exact is None and counting.fetched <= 10  # only the passages' own vectors
