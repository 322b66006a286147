"""Wiring: plain factories that build the question-answering service from its parts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ingest.chunking import CHUNKING_VERSION
from ingest.embeddings import (  # noqa: F401 (some re-exported for evals)
    MINILM,
    USE_MULTILINGUAL,
    load_embeddings,
    model_id_of,
    part_of,
)
from ingest.index import ChunkIndex, open_index
from ingest.pipeline import ingest_paths
from qa.chain import Answerer, Retriever, Understander, Verifier, build_chain, literal_plan
from qa.extractive import ExtractiveAnswerer, ExtractiveConfig
from qa.models import Answer, Query
from qa.retrieval import DenseRetriever


class Pressroom:
    """Answers questions; the one object the UI, the CLI and the evals talk to."""

    def __init__(
        self,
        retriever: Retriever,
        answerer: Answerer,
        *,
        name: str = "pressroom",
        understand: Understander = literal_plan,
        verify: Verifier | None = None,
    ) -> None:
        self.name = name
        self.retriever = retriever
        self.answerer = answerer
        self.understand = understand
        self.verify = verify
        self.chain = build_chain(retriever, answerer, understand=understand, verify=verify)

    def ask(
        self,
        question: str,
        history: tuple[str, ...] = (),
        *,
        asked_on: date | None = None,
        answer_language: str | None = None,
    ) -> Answer:
        question = question.strip()
        if not question:
            raise ValueError("the question is empty; type a question about the press releases")
        return self.chain.invoke(Query(question, tuple(history), asked_on, answer_language))


def build_pressroom(
    index: ChunkIndex,
    embeddings,
    *,
    k: int = 10,
    answerer_config: ExtractiveConfig | None = None,
    answer_embeddings=None,
) -> Pressroom:
    """`answer_embeddings` score the answerer's sentences; by default the retrieval embeddings."""
    retriever = DenseRetriever(index, embeddings, k=k)
    return Pressroom(retriever, ExtractiveAnswerer(answer_embeddings or embeddings, answerer_config))


def open_pressroom(
    index_dir: Path,
    *,
    embedding_model: str,
    k: int = 10,
    answerer_config: ExtractiveConfig | None = None,
    embeddings=None,
    answer_model: str | None = None,
) -> Pressroom:
    """Open an existing index (refusing a missing or mismatched one) and build the service on it.

    `answer_model` names the model that scores answer sentences (e.g. USE alone: ~10× faster
    answers, a little less accurate); by default the retrieval embeddings do.
    """
    embeddings = embeddings or load_embeddings(embedding_model)
    index = open_index(index_dir, embedding_model=embeddings.model_id, chunking_version=CHUNKING_VERSION)
    answer_embeddings = part_of(embeddings, answer_model) if answer_model else None
    return build_pressroom(
        index, embeddings, k=k, answerer_config=answerer_config, answer_embeddings=answer_embeddings
    )


def build_pressroom_from(
    corpus: list[Path],
    embeddings,
    workdir: Path,
    *,
    k: int = 10,
    answerer_config: ExtractiveConfig | None = None,
    answer_model: str | None = None,
) -> Pressroom:
    """A service over a fresh index of `corpus` in `workdir`: for comparisons and benchmarks."""
    index = open_index(
        workdir, embedding_model=embeddings.model_id, chunking_version=CHUNKING_VERSION, create=True, rebuild=True
    )
    ingest_paths(corpus, index, embeddings, progress=False)
    answer_embeddings = part_of(embeddings, answer_model) if answer_model else None
    return build_pressroom(
        index, embeddings, k=k, answerer_config=answerer_config, answer_embeddings=answer_embeddings
    )
