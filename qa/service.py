"""Wiring: plain factories that build the question-answering service from its parts."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
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
from ingest.chroma_client import ChromaServer
from ingest.index import ChunkIndex, open_index
from ingest.pipeline import ingest_paths
from qa.chain import Answerer, Retriever, Understander, Verifier, build_chain, literal_plan
from qa.answering import make_answerer, make_verifier, stream_answer
from qa.extractive import ExtractiveConfig
from qa.generative import LLMConfig
from qa.models import Answer, Query, ScoredPassage
from qa.retrieval import RetrievalConfig, make_retriever
from qa.understand import Understanding


def _query(question, history, asked_on, answer_language, date_from, date_to) -> Query:
    """The Query for `ask` and `stream`, refusing what no stage could answer."""
    question = question.strip()
    if not question:
        raise ValueError("the question is empty; type a question about the press releases")
    if date_from and date_to and date_from > date_to:
        raise ValueError("the date range ends before it starts; swap the two dates")
    return Query(question, tuple(history), asked_on, answer_language, date_from, date_to)


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
        releases: Callable[[str], list[ScoredPassage]] | None = None,
    ) -> None:
        self.name = name
        self.releases = releases
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
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> Answer:
        return self.chain.invoke(_query(question, history, asked_on, answer_language, date_from, date_to))

    def stream(
        self,
        question: str,
        history: tuple[str, ...] = (),
        *,
        asked_on: date | None = None,
        answer_language: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> Iterator[dict]:
        """{"type": "token", "text": …} while a model writes, then {"type": "answer", "answer": {…}}.

        The final answer is the verified one: sentences the tokens showed may be gone from it, so a
        client replaces the streamed text with it. The extractive answerer yields only the final event.
        """
        query = _query(question, history, asked_on, answer_language, date_from, date_to)
        timings: dict[str, float] = {}

        def timed(stage: str, start: float) -> None:
            timings[stage] = (time.perf_counter() - start) * 1000

        start = time.perf_counter()
        plan = self.understand(query)
        timed("understand", start)
        start = time.perf_counter()
        passages = self.retriever(plan)
        timed("retrieve", start)
        start = time.perf_counter()
        pieces = stream_answer(self.answerer, plan, passages)
        while True:
            try:
                text = next(pieces)
            except StopIteration as done:
                answer = done.value
                break
            if "first_token" not in timings:
                timed("first_token", start)
            yield {"type": "token", "text": text}
        timed("answer", start)
        if self.verify is not None:
            start = time.perf_counter()
            answer = self.verify(answer)
            timed("verify", start)
        answer.plan = plan
        answer.timings_ms.update(timings)
        yield {"type": "answer", "answer": answer.to_dict()}

    def release_of(self, chunk_id: str) -> list[ScoredPassage]:
        """Every passage of the release holding `chunk_id`, in reading order; [] when unknown.

        For the chat's source panel: the cited paragraph with its neighbours.
        """
        return self.releases(chunk_id) if self.releases else []


def build_pressroom(
    index: ChunkIndex,
    embeddings,
    *,
    k: int = 10,
    answerer_config: ExtractiveConfig | None = None,
    answer_embeddings=None,
    llm: LLMConfig | None = None,
    verify: bool = True,
    retrieval: str | RetrievalConfig = "hybrid",
    understand: Understander | None = None,
) -> Pressroom:
    """`answer_embeddings` score the answerer's sentences; by default the retrieval embeddings.

    `llm`: a language model answers (the extractive answerer behind it); `verify`: check citations.
    `retrieval`: "hybrid" (dense + BM25, fused), "dense" or "bm25" alone, or a RetrievalConfig.
    `understand`: Query -> SearchPlan; by default the rules of qa.understand, dated from the
    newest release in the index.
    """
    retriever = make_retriever(index, embeddings, k=k, retrieval=retrieval)
    answerer = make_answerer(answer_embeddings or embeddings, answerer_config=answerer_config, llm=llm)
    return Pressroom(
        retriever,
        answerer,
        understand=understand or Understanding(newest=retriever.lexical.newest_date()),
        verify=make_verifier(embeddings) if verify else None,
        releases=release_reader(index),
    )


def release_reader(index: ChunkIndex) -> Callable[[str], list[ScoredPassage]]:
    """chunk id -> its release's passages in order (score 0: nothing was searched)."""

    def read(chunk_id: str) -> list[ScoredPassage]:
        return [
            ScoredPassage(c.chunk_id, c.source, c.release_id, c.title, c.date_iso, c.paragraph, c.language, c.body, 0.0)
            for c in index.release_chunks(chunk_id)
        ]

    return read


def open_pressroom(
    index_dir: Path,
    *,
    embedding_model: str,
    k: int = 10,
    answerer_config: ExtractiveConfig | None = None,
    embeddings=None,
    answer_model: str | None = None,
    llm: LLMConfig | None = None,
    verify: bool = True,
    retrieval: str | RetrievalConfig = "hybrid",
    server: ChromaServer | None = None,
) -> Pressroom:
    """Open an existing index (refusing a missing or mismatched one) and build the service on it.

    `server`: the Chroma server holding the index's vectors (None: Chroma embedded in `index_dir`).

    `answer_model` names the model that scores answer sentences (e.g. USE alone: ~10× faster
    answers, a little less accurate); by default the retrieval embeddings do.
    """
    embeddings = embeddings or load_embeddings(embedding_model)
    # Up to projected_rows chunks the retriever searches its own copy of the vectors, not Chroma's graph.
    searched_by_graph_above = getattr(retrieval, "projected_rows", RetrievalConfig.projected_rows)
    index = open_index(index_dir, embedding_model=embeddings.model_id, chunking_version=CHUNKING_VERSION, server=server,
                       graph_used_above=searched_by_graph_above)
    answer_embeddings = part_of(embeddings, answer_model) if answer_model else None
    return build_pressroom(
        index, embeddings, k=k, answerer_config=answerer_config, answer_embeddings=answer_embeddings,
        llm=llm, verify=verify, retrieval=retrieval,
    )


def build_pressroom_from(
    corpus: list[Path],
    embeddings,
    workdir: Path,
    *,
    k: int = 10,
    answerer_config: ExtractiveConfig | None = None,
    answer_model: str | None = None,
    llm: LLMConfig | None = None,
    verify: bool = True,
    retrieval: str | RetrievalConfig = "hybrid",
) -> Pressroom:
    """A service over a fresh index of `corpus` in `workdir`: for comparisons and benchmarks."""
    index = open_index(
        workdir, embedding_model=embeddings.model_id, chunking_version=CHUNKING_VERSION, create=True, rebuild=True
    )
    ingest_paths(corpus, index, embeddings, progress=False)
    answer_embeddings = part_of(embeddings, answer_model) if answer_model else None
    return build_pressroom(
        index, embeddings, k=k, answerer_config=answerer_config, answer_embeddings=answer_embeddings,
        llm=llm, verify=verify, retrieval=retrieval,
    )
