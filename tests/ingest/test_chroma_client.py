"""The open check on Chroma's vector search (ingest.chroma_client.check_searchable), on a real
embedded collection whose search is made to miss some of the vectors asked for."""

from __future__ import annotations

import logging

import chromadb
import numpy as np
import pytest

from ingest.chroma_client import ChromaProblem, check_searchable


class _Missing:
    """The collection, except that search never returns the ids in `lost` (as unreachable graph
    nodes, or a segment that lost them, would)."""

    def __init__(self, collection, lost: set[str]) -> None:
        self._c = collection
        self.lost = lost

    def __getattr__(self, name):
        return getattr(self._c, name)

    def query(self, query_embeddings, n_results, include):
        got = self._c.query(query_embeddings=query_embeddings, n_results=n_results + len(self.lost), include=include)
        return {"ids": [[i for i in ids if i not in self.lost][:n_results] for ids in got["ids"]]}


@pytest.fixture
def collection(tmp_path):
    client = chromadb.PersistentClient(path=str(tmp_path / "chroma"))
    c = client.create_collection("check", embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
    vectors = np.random.default_rng(1).standard_normal((320, 24)).astype(np.float32)
    c.add(ids=[f"v{i:03d}" for i in range(320)], embeddings=vectors)
    return c


def _sampled(collection, samples=16):
    step = collection.count() // samples
    return [collection.get(limit=1, offset=o)["ids"][0] for o in range(0, collection.count(), step)[:samples]]


def test_a_healthy_collection_passes(collection):
    assert check_searchable(collection) == 0


def test_a_few_unreachable_vectors_are_logged_not_refused(collection, caplog):
    lost = set(_sampled(collection)[:3])
    with caplog.at_level(logging.WARNING, logger="ingest.chroma_client"):
        assert check_searchable(_Missing(collection, lost)) == 3
    assert "does not find 3 of 16 sampled vectors" in caplog.text


def test_most_of_the_sample_missing_is_refused(collection):
    lost = set(_sampled(collection)[:9])
    with pytest.raises(ChromaProblem, match="9 of 16 sampled ones are not found.*pressroom ingest --rebuild"):
        check_searchable(_Missing(collection, lost))


def test_a_reader_that_does_not_search_the_graph_is_not_refused(collection, caplog):
    """Below `graph_used_above` chunks the retriever searches its own copy of the vectors: a graph that
    misses most of the sample is logged, not refused; above it, refused."""
    lost = set(_sampled(collection)[:12])
    with caplog.at_level(logging.WARNING, logger="ingest.chroma_client"):
        assert check_searchable(_Missing(collection, lost), graph_used_above=collection.count()) == 12
    assert "does not find 12 of 16" in caplog.text
    with pytest.raises(ChromaProblem, match="12 of 16 sampled ones"):
        check_searchable(_Missing(collection, lost), graph_used_above=collection.count() - 1)
