"""The vector index: a Chroma collection of chunks plus a manifest of which file produced which chunks.

The collection records the embedding model and chunking version it was built with; opening it with
others is refused, because mixing vector spaces silently ruins retrieval.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings
from chromadb.errors import NotFoundError

from ingest.models import Chunk

COLLECTION = "pressroom"
MANIFEST = "manifest.json"


class IndexProblem(RuntimeError):
    """Base for index problems that the user can fix; the message says how."""


class IndexMissingError(IndexProblem):
    pass


class IndexMismatchError(IndexProblem):
    pass


@dataclass(frozen=True)
class IndexHit:
    chunk: Chunk
    score: float  # cosine similarity, higher is closer


@dataclass(frozen=True)
class FileRecord:
    sha256: str
    path: str


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

    # -- manifest: lets a re-ingest skip unchanged files without parsing or embedding them
    def _load_manifest(self) -> dict[str, FileRecord]:
        if not self._manifest_path.exists():
            return {}
        raw = json.loads(self._manifest_path.read_text(encoding="utf-8"))
        return {name: FileRecord(**record) for name, record in raw.get("files", {}).items()}

    def save_manifest(self) -> None:
        tmp = self._manifest_path.with_suffix(".tmp")
        data = {"files": {name: vars(record) for name, record in sorted(self.files.items())}}
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self._manifest_path)  # atomic: a crash leaves the old manifest whole

    @property
    def info(self) -> dict:
        return dict(self._collection.metadata or {})

    def count(self) -> int:
        return self._collection.count()

    def chunk_ids_for(self, source: str) -> set[str]:
        return set(self._collection.get(where={"source": source}, include=[])["ids"])

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

    def delete(self, ids: set[str] | list[str]) -> None:
        if ids:
            self._collection.delete(ids=sorted(ids))

    def query(self, vector, k: int, where: dict | None = None) -> list[IndexHit]:
        k = min(k, self.count())
        if k <= 0:
            return []
        result = self._collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=k,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        return [
            IndexHit(_chunk_from_record(cid, doc, meta), 1.0 - float(dist))
            for cid, doc, meta, dist in zip(
                result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0]
            )
        ]

    def all_chunks(self) -> list[Chunk]:
        got = self._collection.get(include=["documents", "metadatas"])
        return [_chunk_from_record(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]


def _client(path: Path):
    return chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))


def open_index(
    path: Path,
    *,
    embedding_model: str,
    chunking_version: str,
    create: bool = False,
    rebuild: bool = False,
) -> ChunkIndex:
    """Open (or with `create`, make) the index at `path`, refusing one built with other settings."""
    path = Path(path)
    exists = (path / "chroma.sqlite3").exists()
    if not create and not exists:
        raise IndexMissingError(
            f"no index at {path}; build it with `pressroom ingest corpus/releases --index {path}`"
        )
    path.mkdir(parents=True, exist_ok=True)
    client = _client(path)
    if rebuild:
        # Not shutil.rmtree: chromadb keeps one client per path for the life of the process, and
        # a client whose files were deleted under it still serves the old collection (or fails
        # with "Failed to get segments"). Dropping the collection through the client is safe.
        try:
            client.delete_collection(COLLECTION)
        except NotFoundError:
            pass
        (path / MANIFEST).unlink(missing_ok=True)
        (path / MANIFEST).with_suffix(".tmp").unlink(missing_ok=True)
    wanted = {"embedding_model": embedding_model, "chunking_version": chunking_version}
    # embedding_function=None: Chroma's default would download an ONNX model; we pass vectors ourselves.
    collection = client.get_or_create_collection(
        COLLECTION,
        metadata=wanted,
        configuration={"hnsw": {"space": "cosine"}},
        embedding_function=None,
    )
    stored = {key: (collection.metadata or {}).get(key) for key in wanted}
    if stored != wanted:
        raise IndexMismatchError(
            f"the index at {path} was built with {stored}, but this run uses {wanted}; "
            f"run `pressroom ingest --rebuild --index {path} PATH...` to rebuild it"
        )
    return ChunkIndex(path, client, collection)
