"""The LangChain RAG tutorial as its authors wrote it: raw text in 1000/200 recursive character splits,
all-MiniLM-L6-v2, Chroma, top 4, the tutorial's RAG prompt, answered by the configured language model.

Without a model the answer is the top chunk trimmed to Pressroom's length budget (80 words, or 400
characters for Korean), so the length cap does not fail it by construction.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate
from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.decode import decode_bytes
from ingest.index import open_index
from ingest.models import Chunk
from ingest.pipeline import find_release_files
from qa.citations import cite
from qa.models import Answer, ScoredPassage, SearchPlan
from qa.retrieval import DenseRetriever
from qa.service import Pressroom

TUTORIAL_CHUNKING = "tutorial-1000-200"
TUTORIAL_K = 4
MAX_WORDS = 80
MAX_KOREAN_CHARS = 400
# The prompt the tutorial pulls from the hub (rlm/rag-prompt), as published.
RAG_PROMPT = ChatPromptTemplate.from_messages(
    [
        (
            "human",
            "You are an assistant for question-answering tasks. Use the following pieces of retrieved context "
            "to answer the question. If you don't know the answer, just say that you don't know. Use three "
            "sentences maximum and keep the answer concise.\nQuestion: {question} \nContext: {context} \nAnswer:",
        )
    ]
)


def tutorial_chunks(paths: list[Path]) -> list[Chunk]:
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    files, _ = find_release_files(paths)
    chunks: list[Chunk] = []
    for path in files:
        text = decode_bytes(path.read_bytes(), path.name)
        for i, piece in enumerate(splitter.split_text(text)):
            digest = hashlib.sha1(piece.encode("utf-8")).hexdigest()[:12]
            chunks.append(
                Chunk(
                    chunk_id=f"{path.stem}:s{i}:{digest}",
                    text=piece,
                    body=piece,
                    source=path.name,
                    release_id=path.stem,
                    title=path.name,
                    date_iso="",
                    paragraph=0,  # character splits ignore paragraphs; citations are judged by quote
                    language="",
                    chunk_index=i,
                )
            )
    return chunks


def trim_to_budget(text: str) -> str:
    """The leading part of `text` within the answer budget (a substring, so it stays quotable)."""
    hangul = len(re.findall(r"[\uac00-\ud7a3]", text))
    if hangul and hangul >= len(re.findall(r"[A-Za-z]", text)):
        kept, count = [], 0
        for ch in text:
            count += not ch.isspace()
            if count > MAX_KOREAN_CHARS:
                break
            kept.append(ch)
        return "".join(kept).strip()
    words = list(re.finditer(r"\S+", text))
    if len(words) <= MAX_WORDS:
        return text.strip()
    return text[: words[MAX_WORDS - 1].end()].strip()


def top_chunk_answer(plan: SearchPlan, passages: list[ScoredPassage]) -> Answer:
    """No model: the best chunk, trimmed to the budget, cited. It never abstains."""
    if not passages:
        return Answer(plan.question, "", False, [], passages)
    text, citations = cite([(trim_to_budget(passages[0].text), passages[0])])
    return Answer(plan.question, text, False, citations, passages, confidence=passages[0].score, answerer="tutorial-top-chunk")


class TutorialLLMAnswer:
    """The tutorial's generate step: its prompt, the retrieved chunks joined, the model's reply as is."""

    def __init__(self, llm) -> None:
        self.chain = RAG_PROMPT | llm

    def __call__(self, plan: SearchPlan, passages: list[ScoredPassage]) -> Answer:
        context = "\n\n".join(p.text for p in passages)
        try:
            reply = self.chain.invoke({"question": plan.question, "context": context})
        except Exception as exc:  # a time-out or a server error: the tutorial has no fallback, so no answer
            # One failed call must not end a run of hours; the answer is empty (graded wrong) and says why.
            return Answer(plan.question, "", False, [], passages, answerer=f"tutorial-llm (failed: {type(exc).__name__})")
        text = reply.content if isinstance(reply.content, str) else str(reply.content)
        # The tutorial gives no citations; its answer is graded on its words alone.
        return Answer(plan.question, text.strip(), False, [], passages, answerer="tutorial-llm")


def build_tutorial_baseline(corpus: list[Path], embeddings, workdir: Path, *, llm=None, k: int = TUTORIAL_K) -> Pressroom:
    index = open_index(
        workdir, embedding_model=embeddings.model_id, chunking_version=TUTORIAL_CHUNKING, create=True, rebuild=True
    )
    chunks = tutorial_chunks(corpus)
    index.upsert(chunks, embeddings.encode([c.text for c in chunks]))
    # No per-release cap: the tutorial takes Chroma's top-k as it comes.
    retriever = DenseRetriever(index, embeddings, k=k, per_release=k)
    answerer = TutorialLLMAnswer(llm) if llm is not None else top_chunk_answer
    return Pressroom(retriever, answerer, name="langchain-tutorial")
