"""The retrieval chain as langchain-core runnables: query -> passages -> cited answer."""

from __future__ import annotations

import time
from collections.abc import Callable

from langchain_core.runnables import Runnable, RunnableLambda

from qa.models import Answer, Query, ScoredPassage

Retriever = Callable[[Query], list[ScoredPassage]]
Answerer = Callable[[Query, list[ScoredPassage]], Answer]


def build_chain(retriever: Retriever, answerer: Answerer) -> Runnable[Query, Answer]:
    """Compose a retriever and an answerer; each stage's time is recorded on the answer."""

    def retrieve(query: Query) -> dict:
        start = time.perf_counter()
        passages = retriever(query)
        return {"query": query, "passages": passages, "retrieve_ms": (time.perf_counter() - start) * 1000}

    def answer(state: dict) -> Answer:
        start = time.perf_counter()
        result = answerer(state["query"], state["passages"])
        result.timings_ms["retrieve"] = state["retrieve_ms"]
        result.timings_ms["answer"] = (time.perf_counter() - start) * 1000
        return result

    return RunnableLambda(retrieve, name="retrieve") | RunnableLambda(answer, name="answer")
