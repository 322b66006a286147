"""The typed data that crosses the qa seam: a query, a scored passage, an answer with citations."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Query:
    text: str
    history: tuple[str, ...] = ()  # earlier user turns, oldest first; a seam for follow-up questions


@dataclass(frozen=True)
class ScoredPassage:
    chunk_id: str
    source: str
    release_id: str
    title: str
    date: str  # ISO date, "" when the release has none
    paragraph: int
    language: str
    text: str
    score: float


@dataclass(frozen=True)
class Citation:
    n: int
    source: str
    title: str
    date: str
    paragraph: int
    quote: str
    chunk_id: str


@dataclass
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: list[Citation]
    retrieved: list[ScoredPassage]
    confidence: float = 0.0
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The JSON shape of `pressroom ask --json` and `POST /api/ask`."""
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "confidence": round(self.confidence, 4),
            "citations": [asdict(c) for c in self.citations],
            "retrieved": [
                {
                    "source": p.source,
                    "chunk_id": p.chunk_id,
                    "score": round(p.score, 4),
                    "title": p.title,
                    "date": p.date,
                    "paragraph": p.paragraph,
                }
                for p in self.retrieved
            ],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }
