"""Question files: one JSON object a line, `{"id", "question", "answer", "sources", "type"}` (+ `history`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

TYPES = ("fact", "multi", "date", "compare", "paraphrase", "korean", "unanswerable", "followup")


class QuestionFileError(ValueError):
    pass


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answer: str
    sources: tuple[str, ...]
    type: str
    history: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return bool(self.sources)


def load_questions(path: Path) -> list[EvalQuestion]:
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(line)
            q = EvalQuestion(
                id=str(raw["id"]),
                question=str(raw["question"]),
                answer=str(raw.get("answer", "")),
                sources=tuple(raw.get("sources", [])),
                type=str(raw.get("type", "fact")),
                history=tuple(raw.get("history", [])),
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise QuestionFileError(f"{where}: not a question object ({exc}); see evals/README.md for the format") from None
        if q.id in seen:
            raise QuestionFileError(f"{where}: duplicate id {q.id!r}")
        if q.type not in TYPES:
            raise QuestionFileError(f"{where}: unknown type {q.type!r}; use one of {', '.join(TYPES)}")
        seen.add(q.id)
        questions.append(q)
    if not questions:
        raise QuestionFileError(f"{path}: no questions in the file")
    return questions
