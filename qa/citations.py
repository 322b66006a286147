"""Inline `[n]` citation markers: building them and checking that every one is backed."""

from __future__ import annotations

import re

from qa.models import Answer, Citation, ScoredPassage

_MARKER = re.compile(r"\[(\d+)\]")


def markers(text: str) -> list[int]:
    return [int(n) for n in _MARKER.findall(text)]


def cite(pieces: list[tuple[str, ScoredPassage]]) -> tuple[str, list[Citation]]:
    """Join (sentence, passage) pieces into answer text with `[n]` after each sentence.

    Passages are numbered in order of first use; sentences from one passage share its number.
    """
    numbers: dict[str, int] = {}
    quotes: dict[str, list[str]] = {}
    passages: dict[str, ScoredPassage] = {}
    parts: list[str] = []
    for sentence, passage in pieces:
        n = numbers.setdefault(passage.chunk_id, len(numbers) + 1)
        passages[passage.chunk_id] = passage
        quotes.setdefault(passage.chunk_id, []).append(sentence)
        parts.append(f"{sentence} [{n}]")
    citations = [
        Citation(
            n=n,
            source=passages[cid].source,
            title=passages[cid].title,
            date=passages[cid].date,
            paragraph=passages[cid].paragraph,
            quote=" … ".join(quotes[cid]),
            chunk_id=cid,
        )
        for cid, n in numbers.items()
    ]
    return " ".join(parts), citations


def citation_problems(answer: Answer) -> list[str]:
    """Everything wrong with an answer's citations; empty when each marker is backed by its passage."""
    problems: list[str] = []
    by_n = {c.n: c for c in answer.citations}
    retrieved = {p.chunk_id: p for p in answer.retrieved}
    for n in markers(answer.answer):
        if n not in by_n:
            problems.append(f"[{n}] has no citation")
    for citation in answer.citations:
        passage = retrieved.get(citation.chunk_id)
        if passage is None:
            problems.append(f"[{citation.n}] cites {citation.chunk_id}, which was not retrieved")
            continue
        for quote in citation.quote.split(" … "):
            if quote.removeprefix("※ ") not in passage.text:
                problems.append(f"[{citation.n}] quotes text that is not in {citation.chunk_id}")
        if citation.n not in markers(answer.answer):
            problems.append(f"citation {citation.n} is not marked in the answer")
    return problems
