"""The question-answering chain as langchain-core runnables, one stage each:

understand (Query -> SearchPlan) -> retrieve (SearchPlan -> passages) -> answer -> verify.
Each stage is a plain callable, swappable by the factories in qa.service and testable alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from langchain_core.runnables import Runnable, RunnableLambda

from qa.models import Answer, Query, ScoredPassage, SearchPlan

Understander = Callable[[Query], SearchPlan]
Retriever = Callable[[SearchPlan], list[ScoredPassage]]
Answerer = Callable[[SearchPlan, list[ScoredPassage]], Answer]
Verifier = Callable[[Answer], Answer]


def literal_plan(query: Query) -> SearchPlan:
    """The plainest understanding: search the question as asked."""
    return SearchPlan(query=query, text=query.text, date_from=query.date_from, date_to=query.date_to)


def build_chain(
    retriever: Retriever,
    answerer: Answerer,
    *,
    understand: Understander = literal_plan,
    verify: Verifier | None = None,
) -> Runnable[Query, Answer]:
    """Compose the stages; each stage's time is recorded on the answer."""

    def timed(stage: str, fn: Callable, state: dict) -> object:
        start = time.perf_counter()
        result = fn()
        state.setdefault("timings", {})[stage] = (time.perf_counter() - start) * 1000
        return result

    def understand_step(query: Query) -> dict:
        state: dict = {}
        state["plan"] = timed("understand", lambda: understand(query), state)
        return state

    def retrieve_step(state: dict) -> dict:
        state["passages"] = timed("retrieve", lambda: retriever(state["plan"]), state)
        return state

    def answer_step(state: dict) -> dict:
        state["answer"] = timed("answer", lambda: answerer(state["plan"], state["passages"]), state)
        return state

    def verify_step(state: dict) -> Answer:
        answer: Answer = state["answer"]
        if verify is not None:
            answer = timed("verify", lambda: verify(answer), state)
        answer.plan = state["plan"]
        answer.timings_ms.update(state["timings"])
        return answer

    return (
        RunnableLambda(understand_step, name="understand")
        | RunnableLambda(retrieve_step, name="retrieve")
        | RunnableLambda(answer_step, name="answer")
        | RunnableLambda(verify_step, name="verify")
    )
