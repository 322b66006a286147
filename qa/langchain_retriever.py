"""Pressroom's retrieval as a LangChain `BaseRetriever`, to drop into other LangChain chains.

It runs the same two stages as the service (understand -> retrieve) and returns one Document per
passage, with the passage's fields (release, date, paragraph, score, routes) as metadata.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from qa.chain import literal_plan
from qa.models import Query, ScoredPassage


def passage_document(passage: ScoredPassage) -> Document:
    return Document(
        id=passage.chunk_id,
        page_content=passage.text,
        metadata={
            "chunk_id": passage.chunk_id,
            "source": passage.source,
            "release_id": passage.release_id,
            "title": passage.title,
            "date": passage.date,
            "paragraph": passage.paragraph,
            "language": passage.language,
            "score": passage.score,
            "routes": dict(passage.routes),
        },
    )


class PressroomRetriever(BaseRetriever):
    """`retriever`: SearchPlan -> passages (qa.retrieval); `understand`: Query -> SearchPlan.

    `k` documents per call, or `invoke(query, k=3)`; `history=[...]` passes earlier turns.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    understand: Any = literal_plan
    k: int = 4

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None, history=(), **_: Any
    ) -> list[Document]:
        plan = self.understand(Query(query, tuple(history)))
        passages = self.retriever(plan, k=k or self.k)
        return [passage_document(p) for p in passages]
