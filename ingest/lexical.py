"""The BM25 side index, kept beside Chroma in the index folder and updated by the same ingest.

Ingest records each chunk's analysed terms (`terms.jsonl`) and, when anything changed, rebuilds the
BM25 matrix from them (bm25s, a few seconds at 100k chunks) into `lexical/`. Queries load that
matrix and a row table (chunk id, release, language, date) once; nothing is rebuilt per query.
The row table's dates also serve date-restricted dense search (see qa.retrieval), and `names.json`
holds the English chunks' runs of capitalised words (ingest.names) for the name bridge (qa.bridge).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import bm25s
import numpy as np

from ingest.analysis import analyze, has_hangul
from ingest.models import Chunk
from ingest.names import name_runs
from ingest.selection import best_rows

LEXICAL_DIR = "lexical"
ANALYZER_VERSION = "snowball+kiwi-v3"  # bump when analysis changes: the side index is rebuilt (v3: name runs)
_TERMS = "terms.jsonl"
_ROWS = "rows.json"
_BM25 = "bm25"
_NAMES = "names.json"

log = logging.getLogger(__name__)


def chunk_terms(chunk: Chunk) -> list[str]:
    # The title rides along (as it does for embeddings) so a paragraph that only says "the two
    # ministers" still matches the names in its release's title.
    return analyze(f"{chunk.title}\n{chunk.body}", chunk.language or None)


def chunk_names(chunk: Chunk) -> list[str]:
    """An English chunk's runs of capitalised words (ingest.names), title included; none for Korean."""
    text = f"{chunk.title}\n{chunk.body}"
    language = chunk.language or ("ko" if has_hangul(text) else "en")
    return [] if language == "ko" else sorted(name_runs(text))


@dataclass(frozen=True)
class _Entry:
    source: str
    language: str
    date_int: int
    terms: tuple[str, ...]
    names: tuple[str, ...] = ()


class LexicalStore:
    """The ingest side: analysed terms per chunk, written with the BM25 matrix on `save()`."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._entries: dict[str, _Entry] | None = None  # loaded only when something changes
        self.dirty = False

    # -- reading what is stored
    def _read_meta(self) -> dict | None:
        try:
            rows = json.loads((self.folder / _ROWS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return rows if rows.get("analyzer") == ANALYZER_VERSION else None

    def stored_ids(self) -> set[str]:
        meta = self._read_meta()
        return set(meta["ids"]) if meta else set()

    def _entries_loaded(self) -> dict[str, _Entry]:
        if self._entries is None:
            self._entries = {}
            if self._read_meta() is not None:
                with open(self.folder / _TERMS, encoding="utf-8") as handle:
                    for line in handle:
                        row = json.loads(line)
                        self._entries[row["id"]] = _Entry(
                            row["source"], row["language"], row["date"], tuple(row["terms"]), tuple(row.get("names", ()))
                        )
            else:
                self.dirty = True  # missing or from another analyser: whatever is added is the whole index
        return self._entries

    def vocabulary(self) -> set[str]:
        """Every term of the stored chunks."""
        return {term for entry in self._entries_loaded().values() for term in entry.terms}

    # -- changes, mirrored from the Chroma collection
    def add(self, chunks: list[Chunk]) -> None:
        entries = self._entries_loaded()
        for chunk in chunks:
            entries[chunk.chunk_id] = _Entry(
                chunk.source, chunk.language, chunk.date_int, tuple(chunk_terms(chunk)), tuple(chunk_names(chunk))
            )
        self.dirty = self.dirty or bool(chunks)

    def remove(self, ids) -> None:
        ids = set(ids)
        if not ids:
            return
        entries = self._entries_loaded()
        for chunk_id in ids:
            if entries.pop(chunk_id, None) is not None:
                self.dirty = True

    def sync(self, ids: set[str], fetch) -> tuple[int, int]:
        """Make the stored ids equal `ids` (the collection's): add what is missing via `fetch(ids) ->
        list[Chunk]`, drop what is orphaned. Repairs an index built before the side index existed or
        an ingest killed between the Chroma write and this one. Returns (added, removed)."""
        if self._read_meta() is None:
            self._entries_loaded()
            self.dirty = True  # nothing (usable) on disk: write it whole
        stored = set(self._entries) if self._entries is not None else self.stored_ids()
        missing, orphaned = ids - stored, stored - ids
        if missing:
            self.add(fetch(sorted(missing)))
        self.remove(orphaned)
        return len(missing), len(orphaned)

    def save(self) -> bool:
        """Write terms, rows and the BM25 matrix when anything changed; returns whether it wrote."""
        if not self.dirty:
            return False
        entries = self._entries_loaded()
        ids = sorted(entries)
        staging = self.folder.with_name(self.folder.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        with open(staging / _TERMS, "w", encoding="utf-8") as handle:
            for chunk_id in ids:
                e = entries[chunk_id]
                handle.write(
                    json.dumps(
                        {"id": chunk_id, "source": e.source, "language": e.language, "date": e.date_int,
                         "terms": list(e.terms), "names": list(e.names)},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        if ids:
            model = bm25s.BM25()
            model.index([list(entries[i].terms) for i in ids], show_progress=False)
            model.save(str(staging / _BM25), show_progress=False)
        rows = {
            "analyzer": ANALYZER_VERSION,
            "ids": ids,
            "sources": [entries[i].source for i in ids],
            "languages": [entries[i].language for i in ids],
            "dates": [entries[i].date_int for i in ids],
        }
        names = sorted({name for e in entries.values() for name in e.names})
        (staging / _NAMES).write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
        # rows.json last: a folder without it reads as missing and is rebuilt from Chroma.
        (staging / _ROWS).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        old = self.folder.with_name(self.folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.folder.exists():
            os.replace(self.folder, old)
        os.replace(staging, self.folder)
        shutil.rmtree(old, ignore_errors=True)
        self.dirty = False
        return True


class Matches:
    """One query's BM25 scores over every row, and the rows that score at all.

    A search selects from the same scores several times (each language, a date range, both): the
    best POOL rows are ranked once, and a selection that finds its `k` among them needs no pass over
    every row (a million rows: about 3 ms a selection otherwise)."""

    POOL = 4096

    def __init__(self, scores: np.ndarray) -> None:
        self.scores = scores
        self._ranked: np.ndarray | None = None
        self._complete = False  # the pool holds every row that scores

    def top(self, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The best `k` scoring rows inside `mask`, best first."""
        if self._ranked is None:
            ranked = best_rows(self.scores, self.POOL)
            self._ranked = ranked[self.scores[ranked] > 0]
            self._complete = len(self._ranked) < self.POOL or len(self.scores) <= self.POOL
        ranked = self._ranked
        kept = ranked if mask is None else ranked[mask[ranked]]
        # Exact: a row of the mask outside the pool scores no higher than the pool's last.
        if len(kept) >= k or self._complete:
            chosen = kept[:k]
        else:  # the mask's rows are rare among the best: select over every one of them that scores
            scoring = self.scores > 0
            chosen = best_rows(self.scores, k, np.flatnonzero(scoring if mask is None else scoring & mask))
        return [(int(row), float(self.scores[row])) for row in chosen]


class LexicalIndex:
    """The query side: the BM25 matrix and the row table, loaded once."""

    def __init__(
        self, ids: list[str], sources: list[str], languages: list[str], dates: list[int], model,
        folder: Path | None = None, stamp: int | None = None, names: list[str] | None = None,
    ) -> None:
        self.folder = folder
        self.stamp = stamp
        self.ids = ids
        self.row_of = {chunk_id: row for row, chunk_id in enumerate(ids)}
        self.sources = np.asarray(sources, dtype=object)
        self.languages = np.asarray(languages, dtype=object)
        self.dates = np.asarray(dates, dtype=np.int64)
        self._model = model
        # The English releases' runs of capitalised words (ingest.names), for the name bridge.
        self.names = tuple(names or ())
        self._vocab = set(model.vocab_dict) if model is not None else set()
        # Rows of each release language, for searching each language on its own.
        self.language_masks = {lang: self.languages == lang for lang in sorted(set(languages))}
        # The same as row numbers: a gather of a language's scores is several times faster than a
        # masked reduction over every row.
        self.language_rows = {lang: np.flatnonzero(mask) for lang, mask in self.language_masks.items()}

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every term the index holds (English stems, Korean morphemes, numbers)."""
        return frozenset(self._vocab)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """None when the folder is missing, partial or from another analyser."""
        folder = Path(folder)
        try:
            stamp = (folder / _ROWS).stat().st_mtime_ns
            rows = json.loads((folder / _ROWS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if rows.get("analyzer") != ANALYZER_VERSION:
            return None
        model = None
        if rows["ids"]:
            model = bm25s.BM25.load(str(folder / _BM25), mmap=False, show_progress=False)
        names = json.loads((folder / _NAMES).read_text(encoding="utf-8")) if (folder / _NAMES).exists() else []
        return cls(rows["ids"], rows["sources"], rows["languages"], rows["dates"], model, folder, stamp, names)

    def changed_on_disk(self) -> bool:
        """Has an ingest written a newer side index since this one was loaded? (one stat call)"""
        if self.folder is None:
            return False
        try:
            return (self.folder / _ROWS).stat().st_mtime_ns != self.stamp
        except OSError:
            return False

    def matches(self, terms: list[str]) -> Matches:
        """`terms` scored once, for as many selections (languages, date ranges) as a search makes."""
        known = [t for t in terms if t in self._vocab]
        if not known or self._model is None:
            return Matches(np.zeros(len(self.ids), dtype=np.float32))
        return Matches(np.asarray(self._model.get_scores(known), dtype=np.float32))

    def top(self, terms: list[str], k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The best `k` rows with a positive score, best first."""
        return self.matches(terms).top(k, mask)

    def newest_date(self) -> date | None:
        """The newest release date in the index: what "last year" counts back from by default."""
        dated = self.dates[self.dates > 0]
        if not len(dated):
            return None
        n = int(dated.max())
        return date(n // 10000, n // 100 % 100, n % 100)

    def date_mask(self, date_from: int | None, date_to: int | None) -> np.ndarray:
        mask = np.ones(len(self.ids), dtype=bool)
        if date_from:
            mask &= self.dates >= date_from
        if date_to:
            mask &= self.dates <= date_to
        return mask


def remove_lexical(index_dir: Path) -> None:
    for name in (LEXICAL_DIR, LEXICAL_DIR + ".new", LEXICAL_DIR + ".old"):
        shutil.rmtree(Path(index_dir) / name, ignore_errors=True)
