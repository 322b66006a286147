"""Question files: one JSON object a line (see evals/README.md, "Question files").

Required: `id`, `question`; answerable ones also `answer` and `sources`. Optional: `type`,
`history`, `evidence` ([{"source", "paragraph", "quote"}]), `tags`, `asked_on` (YYYY-MM-DD),
`answer_ko`. Items without `evidence` load: their citation metrics are "n/a", never guessed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

TYPES = ("fact", "multi", "date", "compare", "paraphrase", "korean", "unanswerable", "followup")


class QuestionFileError(ValueError):
    pass


@dataclass(frozen=True)
class Evidence:
    source: str
    paragraph: int  # the release's own paragraph number; 0 when only the quote locates it
    quote: str


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answer: str
    sources: tuple[str, ...]
    type: str
    history: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    tags: tuple[str, ...] = ()
    asked_on: date | None = None
    answer_ko: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.sources)

    @property
    def gold_forms(self) -> list[str]:
        """Every form of the gold answer; an answer meeting any one of them is right."""
        return [form for form in (self.answer, self.answer_ko) if form.strip()]


def _evidence(raw: list) -> tuple[Evidence, ...]:
    return tuple(Evidence(str(e["source"]), int(e.get("paragraph") or 0), str(e.get("quote", ""))) for e in raw)


def _parse(raw: dict) -> EvalQuestion:
    asked_on = raw.get("asked_on")
    return EvalQuestion(
        id=str(raw["id"]),
        question=str(raw["question"]),
        answer=str(raw.get("answer", "")),
        sources=tuple(raw.get("sources", [])),
        type=str(raw.get("type", "fact")),
        history=tuple(raw.get("history", [])),
        evidence=_evidence(raw.get("evidence") or []),
        tags=tuple(raw.get("tags", [])),
        asked_on=date.fromisoformat(asked_on) if asked_on else None,
        answer_ko=str(raw.get("answer_ko", "")),
    )


def load_questions(path: Path) -> list[EvalQuestion]:
    path = Path(path)
    if not path.is_file():
        raise QuestionFileError(
            f"question file {path} does not exist; give a JSON-lines file such as evals/questions/dev.jsonl"
        )
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            q = _parse(json.loads(line))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise QuestionFileError(f"{where}: not a question object ({exc}); see evals/README.md for the format") from None
        if q.id in seen:
            raise QuestionFileError(f"{where}: duplicate id {q.id!r}")
        if q.type not in TYPES:
            raise QuestionFileError(f"{where}: unknown type {q.type!r}; use one of {', '.join(TYPES)}")
        if q.answerable and not q.answer.strip():
            raise QuestionFileError(f"{where}: {q.id} lists sources but has no gold answer")
        seen.add(q.id)
        questions.append(q)
    if not questions:
        raise QuestionFileError(f"{path}: no questions in the file")
    return questions
