"""The LangChain face of retrieval passes langchain-tests' standard retriever suite.

The suite checks the interface (k in the constructor and per call, Documents back, async), not
ranking quality, so it runs over a small index with the fast fake model; the last test checks the
metadata over the real index.
"""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path

import pytest
from langchain_core.documents import Document
from langchain_tests.integration_tests import RetrieversIntegrationTests

from ingest.chunking import CHUNKING_VERSION
from ingest.index import open_index
from ingest.pipeline import ingest_paths
from qa.langchain_retriever import PressroomRetriever
from qa.retrieval import make_retriever
from qa.understand import Understanding
from tests.conftest import RELEASES, FakeEmbeddings

FILES = ["000_3a0123e4a4b49311.txt", "015_turkiye-kdrt-ko.txt", "024_unsc-election.txt", "029_israel-evacuation.txt"]


@cache
def _small_retriever():
    folder = Path(tempfile.mkdtemp(prefix="pressroom-lc-"))
    for name in FILES:
        (folder / "releases").mkdir(exist_ok=True)
        shutil.copy(RELEASES / name, folder / "releases" / name)
    embeddings = FakeEmbeddings()
    index = open_index(folder / "index", embedding_model=embeddings.model_id, chunking_version=CHUNKING_VERSION, create=True)
    ingest_paths([folder / "releases"], index, embeddings, progress=False)
    return make_retriever(index, embeddings)


# pytest-asyncio runs in strict mode, so the suite's one async test needs its mark; the suite forbids
# overriding its tests, so the mark goes on the inherited function itself.
pytest.mark.asyncio(RetrieversIntegrationTests.test_ainvoke_returns_documents)


class TestPressroomRetriever(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[PressroomRetriever]:
        return PressroomRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"retriever": _small_retriever(), "k": 4}

    @property
    def retriever_query_example(self) -> str:
        return "How many votes did Korea receive in the UN Security Council election?"


def test_documents_carry_the_passage_metadata(corpus_index, embeddings):
    retriever = make_retriever(corpus_index, embeddings)
    lc = PressroomRetriever(retriever=retriever, understand=Understanding(newest=retriever.lexical.newest_date()), k=5)
    docs = lc.invoke("How many votes did Korea receive in the June 2023 UN Security Council election?")
    assert len(docs) == 5 and all(isinstance(d, Document) for d in docs)
    top = docs[0]
    assert top.metadata["source"] == "024_unsc-election.txt"
    assert top.id == top.metadata["chunk_id"]
    assert {"title", "date", "paragraph", "language", "score", "routes", "release_id"} <= set(top.metadata)
    assert "date" in top.metadata["routes"]  # the question's month boosted it
    follow = lc.invoke("Which other countries were elected along with it?", history=["How many votes did Korea get in the UN Security Council election?"])
    assert follow[0].metadata["source"] == "024_unsc-election.txt"
