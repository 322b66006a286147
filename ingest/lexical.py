"""The BM25 side index, kept beside Chroma in the index folder and updated by the same ingest.

Ingest records each chunk's analysed terms (as ids into a vocabulary, in arrays: `terms.*`) and, when
anything changed, rebuilds the BM25 matrix from them (bm25s, a few seconds at 100k chunks, ~35 s at
1M) into `lexical/`. Queries load that
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
STORE_FORMAT = 2  # terms kept as ids in arrays (1: a JSON line per chunk, converted on the next write)
_OLD_TERMS = "terms.jsonl"
_STORE_FILES = [f"{stem}.{part}" for stem in ("terms", "names") for part in ("ids.npy", "starts.npy", "vocab.json")]
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


@dataclass(frozen=True)
class _Ragged:
    """A list of strings per row, stored as ids into `vocab`: row i is flat[starts[i]:starts[i + 1]].
    Arrays, not a JSON line per chunk: at a million chunks they load in a fraction of a second where
    the JSON took half a minute and several GiB of Python strings."""

    vocab: tuple[str, ...]
    flat: np.ndarray  # int32
    starts: np.ndarray  # int64, one more than the rows

    @classmethod
    def of(cls, lists: list[tuple[str, ...]], vocab: tuple[str, ...] = ()) -> _Ragged:
        """`lists` as ids, extending `vocab` with the strings it lacks."""
        known = {term: n for n, term in enumerate(vocab)}
        flat = [known.setdefault(term, len(known)) for terms in lists for term in terms]
        starts = np.zeros(len(lists) + 1, dtype=np.int64)
        np.cumsum([len(terms) for terms in lists], out=starts[1:])
        return cls(tuple(known), np.asarray(flat, dtype=np.int32), starts)

    def __len__(self) -> int:
        return len(self.starts) - 1

    def rows(self) -> list[list[int]]:
        return [self.flat[a:b].tolist() for a, b in zip(self.starts[:-1].tolist(), self.starts[1:].tolist())]

    def take(self, order: np.ndarray) -> _Ragged:
        """These rows, in this order."""
        lengths = np.diff(self.starts)[order]
        starts = np.zeros(len(order) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        # Each kept row's positions in `flat`: its old start plus 0 .. its length.
        positions = np.repeat(self.starts[:-1][order] - starts[:-1], lengths) + np.arange(starts[-1], dtype=np.int64)
        return _Ragged(self.vocab, self.flat[positions], starts)

    def joined(self, other: _Ragged) -> _Ragged:
        """`other`'s rows after these (other's vocabulary must extend this one)."""
        assert other.vocab[: len(self.vocab)] == self.vocab
        return _Ragged(other.vocab, np.concatenate([self.flat, other.flat]),
                       np.concatenate([self.starts, self.starts[-1] + other.starts[1:]]))

    def compact(self) -> _Ragged:
        """Without the strings no row uses, the rest in sorted order."""
        used = np.flatnonzero(np.bincount(self.flat, minlength=len(self.vocab)))
        vocab = sorted(self.vocab[i] for i in used)
        new_id = np.zeros(len(self.vocab), dtype=np.int32)
        where = {term: n for n, term in enumerate(vocab)}
        new_id[used] = [where[self.vocab[i]] for i in used]
        return _Ragged(tuple(vocab), new_id[self.flat], self.starts)

    def save(self, folder: Path, stem: str) -> None:
        np.save(folder / f"{stem}.ids.npy", self.flat)
        np.save(folder / f"{stem}.starts.npy", self.starts)
        (folder / f"{stem}.vocab.json").write_text(json.dumps(list(self.vocab), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, stem: str) -> _Ragged:
        vocab = tuple(json.loads((folder / f"{stem}.vocab.json").read_text(encoding="utf-8")))
        return cls(vocab, np.load(folder / f"{stem}.ids.npy"), np.load(folder / f"{stem}.starts.npy"))


@dataclass(frozen=True)
class _Rows:
    """The side index's content: per row (sorted by chunk id) its release, language, date, terms, names."""

    ids: list[str]
    sources: list[str]
    languages: list[str]
    dates: list[int]
    terms: _Ragged
    names: _Ragged

    @classmethod
    def empty(cls) -> _Rows:
        nothing = _Ragged.of([])
        return cls([], [], [], [], nothing, nothing)


class LexicalStore:
    """The ingest side: analysed terms per chunk, written with the BM25 matrix on `save()`.

    What is stored is loaded only when something changes; changes are kept apart (`_added`,
    `_removed`) and merged into the stored rows when they are written."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._stored: _Rows | None = None
        self._added: dict[str, _Entry] = {}
        self._removed: set[str] = set()
        self._merged: _Rows | None = None
        self._stored_set: set[str] | None = None
        self.dirty = False

    # -- reading what is stored
    def _read_meta(self) -> dict | None:
        """rows.json when the folder holds a usable store of this analyser and format."""
        try:
            rows = json.loads((self.folder / _ROWS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if rows.get("analyzer") != ANALYZER_VERSION:
            return None
        if rows.get("store") == STORE_FORMAT:
            return rows if all((self.folder / name).exists() for name in _STORE_FILES) else None
        return rows if (self.folder / _OLD_TERMS).exists() else None

    def stored_ids(self) -> set[str]:
        meta = self._read_meta()
        return set(meta["ids"]) if meta else set()

    def _stored_rows(self) -> _Rows:
        if self._stored is None:
            meta = self._read_meta()
            if meta is None:
                self._stored = _Rows.empty()
                self.dirty = True  # missing or from another analyser: whatever is added is the whole index
            elif meta.get("store") != STORE_FORMAT:
                self._stored = _rows_from_json_lines(self.folder / _OLD_TERMS)
                self.dirty = True  # written again in the current format
            else:
                try:
                    terms, names = _Ragged.load(self.folder, "terms"), _Ragged.load(self.folder, "names")
                except (OSError, ValueError) as exc:
                    raise RuntimeError(
                        f"the BM25 side index in {self.folder} cannot be read ({exc}); delete that folder and ingest "
                        "again: it is rebuilt from the stored chunks, nothing is re-embedded"
                    ) from exc
                self._stored = _Rows(meta["ids"], meta["sources"], meta["languages"], meta["dates"], terms, names)
        return self._stored

    def _stored_ids(self) -> set[str]:
        if self._stored_set is None:
            self._stored_set = set(self._stored_rows().ids)
        return self._stored_set

    def _current(self) -> _Rows:
        """The stored rows with the changes applied, sorted by chunk id."""
        if self._merged is None:
            stored = self._stored_rows()
            drop = self._removed | set(self._added)
            keep = np.fromiter((i not in drop for i in stored.ids), dtype=bool, count=len(stored.ids))
            kept = np.flatnonzero(keep)
            added = sorted(self._added)
            entries = [self._added[i] for i in added]
            terms = stored.terms.take(kept).joined(_Ragged.of([e.terms for e in entries], stored.terms.vocab))
            names = stored.names.take(kept).joined(_Ragged.of([e.names for e in entries], stored.names.vocab))
            rows = kept.tolist()

            def merged(stored_values: list, added_values: list) -> list:
                return [stored_values[k] for k in rows] + added_values

            ids = merged(stored.ids, added)
            order = sorted(range(len(ids)), key=ids.__getitem__)
            sources = merged(stored.sources, [e.source for e in entries])
            languages = merged(stored.languages, [e.language for e in entries])
            dates = merged(stored.dates, [e.date_int for e in entries])
            at = np.asarray(order, dtype=np.int64)
            self._merged = _Rows(
                [ids[n] for n in order], [sources[n] for n in order], [languages[n] for n in order],
                [dates[n] for n in order], terms.take(at).compact(), names.take(at).compact(),
            )
        return self._merged

    def vocabulary(self) -> set[str]:
        """Every term of the stored chunks."""
        return set(self._current().terms.vocab)

    # -- changes, mirrored from the Chroma collection
    def add(self, chunks: list[Chunk]) -> None:
        for chunk in chunks:
            self._added[chunk.chunk_id] = _Entry(
                chunk.source, chunk.language, chunk.date_int, tuple(chunk_terms(chunk)), tuple(chunk_names(chunk))
            )
            self._removed.discard(chunk.chunk_id)
        if chunks:
            self.dirty, self._merged = True, None

    def remove(self, ids) -> None:
        ids = set(ids)
        if not ids:
            return
        stored = self._stored_ids()
        for chunk_id in ids:
            changed = self._added.pop(chunk_id, None) is not None
            if chunk_id in stored and chunk_id not in self._removed:
                self._removed.add(chunk_id)
                changed = True
            if changed:
                self.dirty, self._merged = True, None

    def sync(self, ids: set[str], fetch) -> tuple[int, int]:
        """Make the stored ids equal `ids` (the collection's): add what is missing via `fetch(ids) ->
        list[Chunk]`, drop what is orphaned. Repairs an index built before the side index existed or
        an ingest killed between the Chroma write and this one. Returns (added, removed)."""
        on_disk = self._read_meta()
        if on_disk is None or self._stored is not None or self._added or self._removed:
            # The ids after the changes, without merging their terms (save merges once).
            stored = (self._stored_ids() - self._removed) | set(self._added)
        else:
            stored = set(on_disk["ids"])
        if on_disk is None:
            self.dirty = True  # nothing (usable) on disk: written whole, from what is held here and added
        missing, orphaned = ids - stored, stored - ids
        if missing:
            self.add(fetch(sorted(missing)))
        self.remove(orphaned)
        return len(missing), len(orphaned)

    def save(self) -> bool:
        """Write terms, rows and the BM25 matrix when anything changed; returns whether it wrote."""
        if not self.dirty:
            return False
        rows = self._current()
        staging = self.folder.with_name(self.folder.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        rows.terms.save(staging, "terms")
        rows.names.save(staging, "names")
        if rows.ids:
            # bm25s from term ids: the strings are analysed once, at ingest, and kept as ids.
            model = bm25s.BM25()
            model.index((rows.terms.rows(), {term: n for n, term in enumerate(rows.terms.vocab)}), show_progress=False)
            model.save(str(staging / _BM25), show_progress=False)
        (staging / _NAMES).write_text(json.dumps(list(rows.names.vocab), ensure_ascii=False), encoding="utf-8")
        meta = {
            "analyzer": ANALYZER_VERSION,
            "store": STORE_FORMAT,
            "ids": rows.ids,
            "sources": rows.sources,
            "languages": rows.languages,
            "dates": rows.dates,
        }
        # rows.json last: a folder without it reads as missing and is rebuilt from Chroma.
        (staging / _ROWS).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        old = self.folder.with_name(self.folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.folder.exists():
            os.replace(self.folder, old)
        os.replace(staging, self.folder)
        shutil.rmtree(old, ignore_errors=True)
        self._stored, self._merged, self._stored_set = rows, rows, None
        self._added, self._removed = {}, set()
        self.dirty = False
        return True


def _rows_from_json_lines(path: Path) -> _Rows:
    """A store written before terms were kept as ids (one JSON line per chunk), read once to convert."""
    entries: dict[str, _Entry] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            entries[row["id"]] = _Entry(row["source"], row["language"], row["date"], tuple(row["terms"]), tuple(row.get("names", ())))
    ids = sorted(entries)
    return _Rows(
        ids, [entries[i].source for i in ids], [entries[i].language for i in ids], [entries[i].date_int for i in ids],
        _Ragged.of([entries[i].terms for i in ids]), _Ragged.of([entries[i].names for i in ids]),
    )


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
