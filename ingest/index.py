"""The vector index: a Chroma collection of chunks plus a manifest of which file produced which chunks.

The collection records the embedding model and chunking version it was built with; opening it with
others is refused, because mixing vector spaces silently ruins retrieval.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from chromadb.errors import NotFoundError

from ingest.chroma_client import ChromaProblem, ChromaServer, check_searchable, collection_exists, connect, hnsw_configuration
from ingest.lexical import LEXICAL_DIR, LexicalStore, remove_lexical
from ingest.models import Chunk

COLLECTION = "pressroom"
MANIFEST = "manifest.json"

log = logging.getLogger(__name__)


class IndexProblem(RuntimeError):
    """Base for index problems that the user can fix; the message says how."""


class IndexMissingError(IndexProblem):
    pass


class IndexMismatchError(IndexProblem):
    pass


class IndexUnavailableError(IndexProblem):
    """The Chroma server holding the index cannot be reached or searched."""


class IndexCorruptError(IndexProblem):
    """The database or the manifest cannot be read; the message names the file and the fix."""


class IndexUnwritableError(IndexProblem):
    pass


@dataclass(frozen=True)
class IndexHit:
    chunk: Chunk
    score: float  # cosine similarity, higher is closer


@dataclass(frozen=True)
class FileRecord:
    sha256: str
    path: str
    # The chunk ids this file put in the collection: what the consistency check compares against.
    # None in manifests written before it was recorded (filled in from the collection on the next ingest).
    chunks: tuple[str, ...] | None = None

    def to_json(self) -> dict:
        data = {"sha256": self.sha256, "path": self.path}
        if self.chunks is not None:
            data["chunks"] = list(self.chunks)
        return data


def _chunk_metadata(chunk: Chunk) -> dict[str, str | int]:
    return {
        "source": chunk.source,
        "release_id": chunk.release_id,
        "title": chunk.title,
        "date": chunk.date_iso,
        "date_int": chunk.date_int,
        "paragraph": chunk.paragraph,
        "language": chunk.language,
        "chunk_index": chunk.chunk_index,
    }


def _chunk_from_record(chunk_id: str, body: str, meta: dict) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
        text="",
        body=body,
        source=str(meta["source"]),
        release_id=str(meta["release_id"]),
        title=str(meta["title"]),
        date_iso=str(meta["date"]),
        paragraph=int(meta["paragraph"]),
        language=str(meta["language"]),
        chunk_index=int(meta["chunk_index"]),
    )


class ChunkIndex:
    def __init__(self, path: Path, client, collection) -> None:
        self.path = path
        self._client = client
        self._collection = collection
        self._manifest_path = path / MANIFEST
        self.files: dict[str, FileRecord] = self._load_manifest()
        # The BM25 side index mirrors every upsert and delete, and is written with the manifest.
        self.lexical = LexicalStore(path / LEXICAL_DIR)
        # Readers (open_index without create: ask, serve) see only the chunk ids the manifest on disk
        # lists, re-read when another process replaces it: an ingest running beside them is invisible
        # until it commits (ingest.pipeline), and a release never shows half old, half new.
        self.committed_only = False
        self._manifest_stamp: tuple | None = None
        self._visible: set[str] | None = None

    def refresh(self) -> bool:
        """For a reader: re-read the manifest if another process committed since; True when it did."""
        if not self.committed_only:
            return False
        try:
            st = self._manifest_path.stat()
        except OSError:
            return False
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp == self._manifest_stamp:
            return False
        first = self._manifest_stamp is None
        self.files = self._load_manifest()
        records = self.files.values()
        self._visible = None if any(r.chunks is None for r in records) else {i for r in records for i in r.chunks}
        self._manifest_stamp = stamp
        return not first

    def _committed_ids(self) -> set[str] | None:
        """The committed chunk ids, or None when not filtering (a writer, or an old manifest)."""
        if not self.committed_only:
            return None
        self.refresh()
        return self._visible

    def _committed(self, chunks: list[Chunk]) -> list[Chunk]:
        visible = self._committed_ids()
        return chunks if visible is None else [c for c in chunks if c.chunk_id in visible]

    def _search(self, vector, n: int, where: dict | None, include: list[str]) -> list[tuple]:
        """(id, distance, document, metadata) of the `n` nearest committed chunks; asks Chroma for more
        when uncommitted ones (an ingest in progress) took places."""
        total = self.count()
        ask = n
        while True:
            result = self._collection.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=min(ask, total), where=where,
                include=["distances", *include],
            )
            found = result["ids"][0]
            docs = (result.get("documents") or [None])[0] or [None] * len(found)
            metas = (result.get("metadatas") or [None])[0] or [None] * len(found)
            rows = list(zip(found, result["distances"][0], docs, metas))
            visible = self._committed_ids()
            if visible is None:
                return rows[:n]
            kept = [row for row in rows if row[0] in visible]
            if len(kept) >= n or ask >= total or len(rows) < min(ask, total):
                return kept[:n]
            ask = min(total, ask * 2 + (len(rows) - len(kept)))

    # -- manifest: lets a re-ingest skip unchanged files without parsing or embedding them
    def _load_manifest(self) -> dict[str, FileRecord]:
        if not self._manifest_path.exists():
            return {}
        try:
            raw = json.loads(self._manifest_path.read_text(encoding="utf-8"))
            return {
                str(name): FileRecord(
                    str(record["sha256"]),
                    str(record["path"]),
                    None if record.get("chunks") is None else tuple(map(str, record["chunks"])),
                )
                for name, record in raw["files"].items()
            }
        except (ValueError, TypeError, KeyError, AttributeError) as exc:  # JSON errors are ValueErrors
            raise IndexCorruptError(
                f"the manifest {self._manifest_path} is damaged ({type(exc).__name__}: {exc}). It only lists which "
                f"files are indexed: move it aside (mv {self._manifest_path} {self._manifest_path}.bad) and run "
                f"`pressroom ingest PATH... --index {self.path}` with the release folders; unchanged releases are "
                "re-read and checked, not embedded again"
            ) from None
        except OSError as exc:
            raise IndexUnwritableError(
                f"cannot read the manifest {self._manifest_path}: {exc.strerror or exc}; check its permissions"
            ) from None

    def save_manifest(self, exclude: set[str] | frozenset[str] = frozenset()) -> bool:
        """Write the manifest (atomically) and the BM25 side index; `exclude`: stored chunk ids that are
        on their way out (deleted right after this commit), left out of the side index already.
        Returns whether the side index changed."""
        changed = self.save_lexical(exclude)
        tmp = self._manifest_path.with_suffix(".tmp")
        data = {"files": {name: record.to_json() for name, record in sorted(self.files.items())}}
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self._manifest_path)  # atomic: a crash leaves the old manifest whole
        return changed

    @property
    def info(self) -> dict:
        return dict(self._collection.metadata or {})

    def count(self) -> int:
        return self._collection.count()

    def chunk_ids_for(self, source: str) -> set[str]:
        return set(self._collection.get(where={"source": source}, include=[])["ids"])

    def ids_by_source(self) -> dict[str, set[str]]:
        """Every stored chunk id, grouped by the release file it came from (one paged scan of the collection)."""
        grouped: dict[str, set[str]] = {}
        page = 20_000  # a Chroma server caps what one call may return
        for offset in range(0, self.count(), page):
            got = self._collection.get(include=["metadatas"], limit=page, offset=offset)
            for chunk_id, meta in zip(got["ids"], got["metadatas"] or []):
                grouped.setdefault(str(meta["source"]), set()).add(chunk_id)
        return grouped

    def sources(self) -> set[str]:
        metas = self._collection.get(include=["metadatas"])["metadatas"] or []
        return {str(m["source"]) for m in metas} | set(self.files)

    def upsert(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        if not chunks:
            return
        self._collection.upsert(
            ids=[c.chunk_id for c in chunks],
            embeddings=np.asarray(vectors, dtype=np.float32),
            documents=[c.body for c in chunks],
            metadatas=[_chunk_metadata(c) for c in chunks],
        )
        self.lexical.add(chunks)

    def delete(self, ids: set[str] | list[str]) -> None:
        if ids:
            self._collection.delete(ids=sorted(ids))
            self.lexical.remove(ids)

    def save_lexical(self, exclude: set[str] | frozenset[str] = frozenset()) -> bool:
        """Bring the BM25 side index level with the collection and write it if anything changed."""
        ids = set(self._collection.get(include=[])["ids"]) - set(exclude)
        self.lexical.sync(ids, self._stored_chunks)
        return self.lexical.save()

    def get_chunks(self, ids: list[str]) -> list[Chunk]:
        """Stored chunks by id, in the order asked (ids not stored, or not committed, are left out)."""
        return self._committed(self._stored_chunks(ids))

    def _stored_chunks(self, ids: list[str]) -> list[Chunk]:
        found: dict[str, Chunk] = {}
        for start in range(0, len(ids), 5000):
            got = self._collection.get(ids=list(ids[start : start + 5000]), include=["documents", "metadatas"])
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"]):
                found[i] = _chunk_from_record(i, d, m)
        return [found[i] for i in ids if i in found]

    def vectors(self, ids: list[str]) -> np.ndarray:
        """Stored vectors by id, in the order asked (every id must be stored)."""
        got = self._collection.get(ids=list(ids), include=["embeddings"])
        row = {i: n for n, i in enumerate(got["ids"])}
        return np.asarray(got["embeddings"], dtype=np.float32)[[row[i] for i in ids]]

    def nearest_ids(self, vector, n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine) of the `n` nearest chunks, without fetching their text."""
        n = min(n, self.count())
        if n <= 0:
            return []
        return [(cid, 1.0 - float(dist)) for cid, dist, _, _ in self._search(vector, n, None, [])]

    def query(self, vector, k: int, where: dict | None = None) -> list[IndexHit]:
        k = min(k, self.count())
        if k <= 0:
            return []
        return [
            IndexHit(_chunk_from_record(cid, doc, meta), 1.0 - float(dist))
            for cid, dist, doc, meta in self._search(vector, k, where, ["documents", "metadatas"])
        ]

    def release_chunks(self, chunk_id: str) -> list[Chunk]:
        """All chunks of the release that holds `chunk_id`, in reading order; [] for an unknown id."""
        found = self._collection.get(ids=[chunk_id], include=["metadatas"])
        if not found["ids"]:
            return []
        got = self._collection.get(where={"source": found["metadatas"][0]["source"]}, include=["documents", "metadatas"])
        chunks = [_chunk_from_record(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]
        return sorted(self._committed(chunks), key=lambda c: (c.paragraph, c.chunk_index))

    def all_chunks(self) -> list[Chunk]:
        got = self._collection.get(include=["documents", "metadatas"])
        return [_chunk_from_record(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]


DATABASE = "chroma.sqlite3"


def _forget_client(path: Path) -> None:
    # chromadb caches one system per path for the life of the process, including one whose database
    # failed to open; without this a rebuild (or a retry) would keep talking to the damaged file.
    from chromadb.api.shared_system_client import SharedSystemClient

    getattr(SharedSystemClient, "_identifier_to_system", {}).pop(str(path), None)


def _remove_database(path: Path) -> None:
    """Delete Chroma's files in `path` (the database and its segment folders), nothing else."""
    for child in path.iterdir():
        if child.name.startswith(DATABASE):
            child.unlink()
        elif child.is_dir() and len(child.name) == 36 and child.name.count("-") == 4:  # a segment's UUID
            shutil.rmtree(child)


def unwritable_error(path: Path, detail: str) -> IndexUnwritableError:
    return IndexUnwritableError(
        f"cannot write to the index folder {path} ({detail}); give this user write access to it "
        f"(e.g. chmod -R u+w {path}) or choose another folder with --index or PRESSROOM_INDEX"
    )


def _check_writable(path: Path) -> None:
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise unwritable_error(path, f"{existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise unwritable_error(path, f"no write permission on {existing}")
    for name in (DATABASE, MANIFEST):
        if (path / name).exists() and not os.access(path / name, os.W_OK):
            raise unwritable_error(path, f"no write permission on {path / name}")


def _damaged(path: Path, exc: Exception) -> IndexProblem:
    text = str(exc)
    if isinstance(exc, PermissionError) or any(
        sign in text for sign in ("readonly database", "Permission denied", "unable to open database")
    ):
        return unwritable_error(path, text)
    return IndexCorruptError(
        f"the index database {path / DATABASE} is damaged and cannot be read ({text}). Rebuild it from the "
        f"release files: `pressroom ingest --rebuild --index {path} PATH...` (or move the folder aside and "
        "ingest into a new one); the release files themselves are not touched"
    )


def _open_collection(
    path: Path, wanted: dict, *, create: bool, rebuild: bool, server: ChromaServer | None,
    graph_used_above: int | None = None,
):
    client = connect(path, server)
    name = server.collection if server else COLLECTION
    where = server.describe() if server else str(path)
    if rebuild:
        # Not shutil.rmtree: chromadb keeps one client per path for the life of the process, and
        # a client whose files were deleted under it still serves the old collection (or fails
        # with "Failed to get segments"). Dropping the collection through the client is safe.
        try:
            client.delete_collection(name)
        except (NotFoundError, ValueError):
            pass
        (path / MANIFEST).unlink(missing_ok=True)
        remove_lexical(path)
        (path / MANIFEST).with_suffix(".tmp").unlink(missing_ok=True)
    if not create:
        if not collection_exists(client, name):
            raise IndexMissingError(
                f"no pressroom index in {where}; build it with `pressroom ingest corpus/releases --index {path}`"
            )
        collection = client.get_collection(name, embedding_function=None)
        try:
            check_searchable(collection, describe=f"the index in {where}", graph_used_above=graph_used_above)
        except ChromaProblem:
            # While an ingest writes, the graph this process loaded may lack what it wrote last: not
            # damage, so no rebuild; exact search (qa.exact) reads the stored vectors.
            from ingest.lock import ingest_holder

            holder = ingest_holder(path) if server is None else None
            if holder is None:
                raise
            log.warning("the index in %s is being written by %s: vectors it added last may not be found by "
                        "Chroma's HNSW search until it finishes", where, holder)
        return collection
    hnsw = hnsw_configuration()
    # embedding_function=None: Chroma's default would download an ONNX model; we pass vectors ourselves.
    return client.get_or_create_collection(
        name,
        metadata={**wanted, **hnsw.metadata()},
        configuration={"hnsw": hnsw.configuration()},
        embedding_function=None,
    )


def open_index(
    path: Path,
    *,
    embedding_model: str,
    chunking_version: str,
    create: bool = False,
    rebuild: bool = False,
    server: ChromaServer | None = None,
    graph_used_above: int | None = None,
) -> ChunkIndex:
    """Open (or with `create`, make) the index at `path`, refusing one built with other settings.

    `graph_used_above`: the size above which the reader searches Chroma's HNSW graph; a smaller index
    whose graph misses sampled vectors is opened with a warning (ingest.chroma_client.check_searchable).

    `server`: the Chroma server holding the vectors (None: Chroma embedded in `path`); the manifest and
    side indexes live in `path` either way. Without `create` (ask, serve) nothing is ever created: a
    missing, empty (0-byte) or emptied database is an IndexMissingError that says how to build it.
    Damaged or unwritable files raise IndexCorruptError / IndexUnwritableError naming the file and the
    fix, never a raw traceback.
    """
    path = Path(path)
    database = path / DATABASE
    if not create and server is None:
        if not database.exists():
            raise IndexMissingError(
                f"no index at {path}; build it with `pressroom ingest corpus/releases --index {path}`"
            )
        if database.stat().st_size == 0:
            raise IndexMissingError(
                f"the index database {database} is empty (0 bytes): it was truncated or lost. Run "
                f"`pressroom ingest corpus/releases --index {path}` (with your release folders) to rebuild it: "
                "the manifest is checked against the database and every missing release is embedded again"
            )
    if create:
        _check_writable(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise unwritable_error(path, exc.strerror or str(exc)) from None
    wanted = {"embedding_model": embedding_model, "chunking_version": chunking_version}
    try:
        collection = _open_collection(
            path, wanted, create=create, rebuild=rebuild, server=server, graph_used_above=graph_used_above
        )
    except IndexProblem:
        raise
    except ChromaProblem as exc:
        raise IndexUnavailableError(str(exc)) from None
    except Exception as exc:  # chromadb reports a damaged file as InternalError, a locked-down one too
        if server is not None:
            raise
        _forget_client(path)
        problem = _damaged(path, exc)
        if not (rebuild and isinstance(problem, IndexCorruptError)):
            raise problem from None
        # --rebuild is the documented fix for a damaged database, so it must work on one.
        _remove_database(path)
        collection = _open_collection(path, wanted, create=create, rebuild=rebuild, server=server)
    stored = {key: (collection.metadata or {}).get(key) for key in wanted}
    if stored != wanted:
        raise IndexMismatchError(
            f"the index at {path} was built with {stored}, but this run uses {wanted}; "
            f"run `pressroom ingest --rebuild --index {path} PATH...` to rebuild it"
        )
    index = ChunkIndex(path, None, collection)
    index.committed_only = not create
    index.refresh()  # notes the manifest read now, so a later commit by another process is seen
    if not create:
        _check_against_manifest(index)
    return index


def _check_against_manifest(index: ChunkIndex) -> None:
    """Readers do not repair (the next ingest does); they refuse an emptied database and warn of drift."""
    stored = index.count()
    if index.files and stored == 0:
        raise IndexMissingError(
            f"the index database in {index.path} holds no chunks, but its manifest lists {len(index.files)} "
            f"releases: the database was lost or emptied. Run `pressroom ingest corpus/releases --index {index.path}` "
            "(with your release folders): every missing release is embedded again"
        )
    recorded = sum(len(r.chunks) for r in index.files.values() if r.chunks is not None)
    if recorded and recorded != stored:
        log.warning(
            "the index in %s holds %d chunks but its manifest records %d; the next `pressroom ingest` repairs it",
            index.path, stored, recorded,
        )
