"""The typed data that crosses the qa seam: a query, a scored passage, an answer with citations."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date


@dataclass(frozen=True)
class Query:
    """The question as the user asked it."""

    text: str
    history: tuple[str, ...] = ()  # earlier user turns, oldest first
    # The day the question is asked: "last year" and "last December" count back from it. None: today.
    asked_on: date | None = None
    # Answer in this language ("en", "ko"); None: the question's own language.
    answer_language: str | None = None
    # A release-date range the user chose (the chat's date filter), inclusive; None: open-ended.
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class SearchPlan:
    """What the understand stage made of a Query: what to search, in which dates, in how many parts."""

    query: Query
    text: str  # the standalone query actually searched (a follow-up made whole)
    subqueries: tuple[str, ...] = ()  # parts of a multi-part question, each searched on its own
    date_from: date | None = None  # inclusive range of release dates the question is about
    date_to: date | None = None
    prefer_recent: bool = False  # "latest", "most recent", "최근": newest relevant releases first
    # Each part's own dates ("on July 8, 2022" of "on July 4, July 8 and July 18"), in the order of
    # `subqueries`; (None, None) for a part that names none (it searches the whole question's dates).
    part_dates: tuple[tuple[date | None, date | None], ...] = ()
    notes: tuple[str, ...] = ()  # how the question was understood, for the JSON and the logs

    @property
    def question(self) -> str:
        return self.query.text

    @property
    def follows_up(self) -> bool:
        """Whether the search carried earlier turns (the question leans on them)."""
        return self.text.strip() != self.query.text.strip()

    def to_dict(self) -> dict:
        return {
            "searched": self.text,
            "subqueries": list(self.subqueries),
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "prefer_recent": self.prefer_recent,
            "part_dates": [[d.isoformat() if d else None for d in pair] for pair in self.part_dates],
            "notes": list(self.notes),
        }


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
    # Which routes found it and its 1-based rank in each: {"dense": 2, "bm25": 1, "subquery:1": 3}.
    routes: dict[str, int] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Citation:
    n: int
    source: str
    title: str
    date: str
    paragraph: int
    quote: str
    chunk_id: str
    # Character offsets [start, end) of the supporting span in the cited passage's text, when known.
    span: tuple[int, int] | None = None


@dataclass
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: list[Citation]
    retrieved: list[ScoredPassage]
    confidence: float = 0.0
    timings_ms: dict[str, float] = field(default_factory=dict)
    answerer: str = "extractive"  # which answerer wrote it: "extractive", "llm:<model>", …
    plan: SearchPlan | None = None  # what was searched; set by the chain

    def to_dict(self) -> dict:
        """The JSON shape of `pressroom ask --json` and `POST /api/ask`."""
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "confidence": round(self.confidence, 4),
            "citations": [{**asdict(c), "span": list(c.span) if c.span else None} for c in self.citations],  # JSON: a list
            "retrieved": [
                {
                    "source": p.source,
                    "chunk_id": p.chunk_id,
                    "score": round(p.score, 4),
                    "title": p.title,
                    "date": p.date,
                    "paragraph": p.paragraph,
                    "routes": dict(p.routes),
                }
                for p in self.retrieved
            ],
            "answerer": self.answerer,
            "query": self.plan.to_dict() if self.plan else None,
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }
