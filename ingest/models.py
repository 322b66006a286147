"""The typed data that leaves the ingest package: a parsed release and its chunks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Paragraph:
    number: int
    text: str
    notes: tuple[str, ...] = ()

    @property
    def body(self) -> str:
        return "\n".join((self.text, *self.notes)).strip()


@dataclass(frozen=True)
class Release:
    source: str  # the file name: what citations show and what questions' gold `sources` name
    release_id: str
    title: str
    date: date | None
    language: str  # "en" or "ko"
    paragraphs: tuple[Paragraph, ...]
    hits: int | None = None

    @property
    def date_iso(self) -> str:
        return self.date.isoformat() if self.date else ""


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    text: str  # what is embedded: title, date and body
    body: str  # what is quoted back to the user
    source: str
    release_id: str
    title: str
    date_iso: str
    paragraph: int
    language: str
    chunk_index: int

    @property
    def date_int(self) -> int:
        return int(self.date_iso.replace("-", "")) if self.date_iso else 0
