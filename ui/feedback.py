"""Thumbs up/down on answers, kept in SQLite and exportable as eval questions for review.

One row per rating: the question, the history it followed, the answer shown (text and, when the page
sent it, the answer JSON with its citations), the rating, an optional comment and the signed-in user.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    user TEXT,
    question TEXT NOT NULL,
    history TEXT NOT NULL DEFAULT '[]',
    answer TEXT NOT NULL,
    answer_json TEXT,
    answer_id TEXT,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT
)
"""
_MARKER = re.compile(r"\s*\[\d+\]")


@dataclass(frozen=True)
class Feedback:
    question: str
    answer: str
    rating: str  # "up" or "down"
    comment: str | None = None
    user: str | None = None
    history: tuple[str, ...] = ()
    answer_json: dict | None = None  # the Answer.to_dict() the page showed, when it sent it
    answer_id: str | None = None
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    id: int | None = None


class FeedbackStore:
    """A SQLite file (WAL, one connection per call): safe from the API's worker threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ready = False
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        with self._lock:
            if not self._ready:
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise OSError(f"cannot create {self.path.parent} for feedback ({exc.strerror}); set PRESSROOM_FEEDBACK_DB to a writable path") from None
                with sqlite3.connect(self.path, timeout=10) as db:
                    db.execute("PRAGMA journal_mode=WAL")
                    db.execute(SCHEMA)
                self._ready = True
        return sqlite3.connect(self.path, timeout=10)

    def add(self, item: Feedback) -> int:
        if item.rating not in ("up", "down"):
            raise ValueError("rating must be 'up' or 'down'")
        db = self._connect()
        try:
            with db:
                cursor = db.execute(
                    "INSERT INTO feedback (created_at, user, question, history, answer, answer_json, answer_id, rating, comment)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        item.created_at,
                        item.user,
                        item.question,
                        json.dumps(list(item.history), ensure_ascii=False),
                        item.answer,
                        json.dumps(item.answer_json, ensure_ascii=False) if item.answer_json is not None else None,
                        item.answer_id,
                        item.rating,
                        item.comment,
                    ),
                )
            return int(cursor.lastrowid)
        finally:
            db.close()

    def set_comment(self, feedback_id: int, comment: str) -> None:
        """The optional comment that follows a thumb (the page saves the thumb at once)."""
        db = self._connect()
        try:
            with db:
                db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment[:2000], int(feedback_id)))
        finally:
            db.close()

    def all(self) -> list[Feedback]:
        if not self.path.exists():
            return []
        db = self._connect()
        try:
            rows = db.execute(
                "SELECT id, created_at, user, question, history, answer, answer_json, answer_id, rating, comment"
                " FROM feedback ORDER BY id"
            ).fetchall()
        finally:
            db.close()
        return [
            Feedback(
                id=row[0],
                created_at=row[1],
                user=row[2],
                question=row[3],
                history=tuple(json.loads(row[4] or "[]")),
                answer=row[5],
                answer_json=json.loads(row[6]) if row[6] else None,
                answer_id=row[7],
                rating=row[8],
                comment=row[9],
            )
            for row in rows
        ]


def as_eval_question(item: Feedback) -> dict:
    """One line of an eval question file (evals/README.md), with what the system said under `review`.

    A thumbs-up answer becomes the proposed gold answer with its cited releases as sources; a
    thumbs-down one has no gold yet (answer "" and no sources): a reviewer writes it before the item
    joins a question set.
    """
    shown = item.answer_json or {}
    citations = shown.get("citations") or []
    up = item.rating == "up"
    sources = sorted({str(c["source"]) for c in citations if c.get("source")}) if up else []
    if up and shown.get("abstained"):
        kind = "unanswerable"  # "not in the releases", and the user agreed
    else:
        kind = "followup" if item.history else "fact"
    line: dict = {
        "id": f"fb{item.id:05d}" if item.id is not None else "fb",
        "question": item.question,
        "answer": _MARKER.sub("", item.answer).strip() if up and sources else "",
        "sources": sources,
        "type": kind,
    }
    if item.history:
        line["history"] = list(item.history)
    if up and citations:
        line["evidence"] = [
            {"source": c["source"], "paragraph": int(c.get("paragraph") or 0), "quote": c.get("quote", "")}
            for c in citations
            if c.get("source")
        ]
    line["tags"] = ["feedback", f"rated-{item.rating}", "needs-review"]
    line["review"] = {
        "system_answer": item.answer,
        "rating": item.rating,
        "comment": item.comment,
        "user": item.user,
        "created_at": item.created_at,
        "answerer": (item.answer_json or {}).get("answerer"),
    }
    return line


def export_questions(store: FeedbackStore, out: Path, *, rating: str | None = None) -> int:
    """Write the stored feedback (optionally one rating only) as eval-question JSON lines; returns the count."""
    items = [i for i in store.all() if rating in (None, i.rating)]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(as_eval_question(item), ensure_ascii=False) + "\n")
    tmp.replace(out)
    return len(items)
