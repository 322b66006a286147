"""Citation metrics at paragraph level (ALCE-style), and citation validity, checked with our own code.

- A citation is right when the passage it cites holds gold evidence: the same release and
  paragraph as an evidence item, or passage text that contains the evidence quote.
- A sentence of the answer is supported when one of its citations is right.
- Citation precision = right (sentence, citation) pairs / all pairs; every citation given on an
  unanswerable question is wrong. Citation recall = supported sentences / answer sentences.
- A question without evidence gold is "n/a": it is left out, never guessed.
- Validity: every `[n]` has a citation, every citation is marked, cites a retrieved passage, and
  quotes text that is in that passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evals.questions import EvalQuestion, Evidence

_MARKER = re.compile(r"\[(\d+)\]")
# A sentence ends at . ! ? 。 (and any markers right after it) followed by space or the end.
_BOUNDARY = re.compile(r"[.!?。](?:\s*\[\d+\])*(?=\s|$)")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Ms|Mrs|Dr|St|No|vs|etc|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Gen|Lt|Col|Amb))\.$")


def squash(text: str) -> str:
    return " ".join(text.replace("※", " ").split())


def answer_sentences(text: str) -> list[str]:
    """Sentences with their markers; "U.S." and "Dec." do not end one."""
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        head = text[start : match.start() + 1]
        if _ABBREVIATION.search(head.rstrip()) and not _MARKER.search(match.group()):
            continue
        piece = text[start : match.end()].strip()
        if piece:
            sentences.append(piece)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        if sentences and re.fullmatch(r"(?:\s*\[\d+\])+", tail):
            sentences[-1] += " " + tail
        else:
            sentences.append(tail)
    return sentences


def _passage_fields(answer, citation) -> tuple[str, int, str]:
    """(source, paragraph, text) of the passage a citation points at; the quote if it was not retrieved."""
    for passage in answer.retrieved:
        if passage.chunk_id == citation.chunk_id:
            return passage.source, passage.paragraph, passage.text
    return citation.source, citation.paragraph, citation.quote


def holds_evidence(source: str, paragraph: int, text: str, evidence: tuple[Evidence, ...]) -> bool:
    flat = squash(text)
    for item in evidence:
        if item.source != source:
            continue
        if item.paragraph and paragraph == item.paragraph:
            return True
        if item.quote and squash(item.quote) in flat:
            return True
    return False


@dataclass(frozen=True)
class CitationScore:
    pairs: int  # (sentence, citation) pairs
    right_pairs: int
    sentences: int
    supported_sentences: int
    scored: bool  # False: no evidence gold for this answerable question (n/a)
    valid: bool
    problems: tuple[str, ...]


def citation_problems(answer) -> list[str]:
    """Everything wrong with the markers and citations, found independently of the system's own check."""
    problems: list[str] = []
    marked = {int(n) for n in _MARKER.findall(answer.answer)}
    by_n = {c.n: c for c in answer.citations}
    texts = {p.chunk_id: squash(p.text) for p in answer.retrieved}
    for n in sorted(marked - set(by_n)):
        problems.append(f"[{n}] has no citation")
    for citation in answer.citations:
        if citation.n not in marked:
            problems.append(f"citation {citation.n} is never marked in the text")
        passage = texts.get(citation.chunk_id)
        if passage is None:
            problems.append(f"citation {citation.n} cites {citation.chunk_id}, which was not retrieved")
            continue
        for quote in re.split(r"\s*…\s*", citation.quote):
            if squash(quote) and squash(quote) not in passage:
                problems.append(f"citation {citation.n} quotes text that is not in its passage")
    return problems


def score_citations(q: EvalQuestion, answer, abstained: bool) -> CitationScore:
    problems = tuple(citation_problems(answer))
    by_n = {c.n: c for c in answer.citations}
    sentences = [] if abstained else answer_sentences(answer.answer)
    pairs = right = supported = 0
    scored = (not q.answerable) or bool(q.evidence)
    for sentence in sentences:
        cited = [int(n) for n in dict.fromkeys(_MARKER.findall(sentence))]
        any_right = False
        for n in cited:
            pairs += 1
            citation = by_n.get(n)
            if citation is None or not q.answerable:
                continue
            if holds_evidence(*_passage_fields(answer, citation), q.evidence):
                right += 1
                any_right = True
        supported += any_right
    if abstained and answer.citations:
        # Citations behind an abstention still point at something; on an unanswerable question they count against.
        pairs += len(answer.citations)
    return CitationScore(pairs, right, len(sentences), supported, scored, not problems, problems)
