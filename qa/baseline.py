"""The LangChain-tutorial baseline: character splits, MiniLM, Chroma top-k, the top passage as answer."""

from __future__ import annotations

from pathlib import Path

from ingest.index import open_index
from ingest.tutorial import TUTORIAL_CHUNKING, tutorial_chunks
from qa.citations import cite
from qa.models import Answer, ScoredPassage, SearchPlan
from qa.retrieval import DenseRetriever
from qa.service import Pressroom


def top_passage_answer(query: SearchPlan, passages: list[ScoredPassage]) -> Answer:
    """The tutorial's answer: the best passage, whole. It never abstains."""
    pieces = [(passages[0].text, passages[0])] if passages else []
    text, citations = cite(pieces)
    return Answer(query.question, text, False, citations, passages, confidence=passages[0].score if passages else 0.0)


def build_tutorial_baseline(corpus: list[Path], embeddings, workdir: Path, *, k: int = 10) -> Pressroom:
    index = open_index(
        workdir,
        embedding_model=embeddings.model_id,
        chunking_version=TUTORIAL_CHUNKING,
        create=True,
        rebuild=True,
    )
    chunks = tutorial_chunks(corpus)
    index.upsert(chunks, embeddings.encode([c.text for c in chunks]))
    # No per-release cap: the tutorial takes Chroma's top-k as it comes.
    retriever = DenseRetriever(index, embeddings, k=k, per_release=k)
    return Pressroom(retriever, top_passage_answer, name="langchain-tutorial")
