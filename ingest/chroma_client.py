"""Which Chroma holds the vectors: embedded in this process (the index folder) or a Chroma server.

The embedded `PersistentClient` suits one process. Several app workers, or an index too big for
each worker to map, talk to one `chroma run` server through `HttpClient` instead; the manifest and
the side indexes stay in the index folder either way (see README, "Scale"). Chroma 1.x's server has
no auth of its own, so a token is checked by a proxy in front of it (nginx: README, "Scale") and
sent here as `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import chromadb
import numpy as np
from chromadb.config import Settings

log = logging.getLogger(__name__)

DEFAULT_COLLECTION = "pressroom"
# Chroma's own rule for collection names (checked here so the error names the setting to change).
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


class ChromaProblem(RuntimeError):
    """Chroma cannot serve the index as it is; the message says what to do (open_index re-raises it as
    an IndexProblem, which the CLI and the app already report)."""


class ChromaUnavailableError(ChromaProblem):
    """The Chroma server cannot be reached, or refused us."""


@dataclass(frozen=True)
class ChromaServer:
    """Where the Chroma server is: `url` like http://127.0.0.1:8000, an optional bearer token, and the
    collection that holds this index (one server can hold several indexes under different names)."""

    url: str
    token: str | None = None
    collection: str = DEFAULT_COLLECTION

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"PRESSROOM_CHROMA_URL={self.url!r} is not a server address; write it as http://HOST:PORT "
                "(or unset it to keep the index embedded in the index folder)"
            )
        name = self.collection
        if not (3 <= len(name) <= 512 and set(name) <= _NAME_CHARS and name[0].isalnum() and name[-1].isalnum()):
            raise ValueError(
                f"PRESSROOM_CHROMA_COLLECTION={name!r} is not a Chroma collection name; use 3-512 characters "
                "from a-z A-Z 0-9 . _ -, starting and ending with a letter or digit"
            )

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 8000)

    @property
    def ssl(self) -> bool:
        return urlsplit(self.url).scheme == "https"

    def describe(self) -> str:
        return f"collection {self.collection!r} on the Chroma server at {self.url}"


def _settings() -> Settings:
    return Settings(anonymized_telemetry=False)


def embedded_client(path: Path):
    return chromadb.PersistentClient(path=str(path), settings=_settings())


def server_client(server: ChromaServer):
    """An HttpClient that has answered one authenticated call, else a ChromaUnavailableError."""
    headers = {"Authorization": f"Bearer {server.token}"} if server.token else None
    try:
        client = chromadb.HttpClient(
            host=server.host, port=server.port, ssl=server.ssl, headers=headers, settings=_settings()
        )
        client.list_collections(limit=1)  # heartbeat is public; this one needs the token
    except Exception as exc:  # chromadb raises ValueError, httpx errors or its own, by version
        text = str(exc)
        if any(code in text for code in ("401", "403", "Unauthorized", "Forbidden")):
            raise ChromaUnavailableError(
                f"the Chroma server at {server.url} refused the request ({text.strip()[:200]}); "
                "set PRESSROOM_CHROMA_TOKEN to the token its proxy expects"
            ) from None
        raise ChromaUnavailableError(
            f"cannot reach the Chroma server at {server.url} ({text.strip()[:200]}); start it with "
            f"`chroma run --path DIR --host {server.host} --port {server.port}`, or unset PRESSROOM_CHROMA_URL "
            "to use the index embedded in the index folder"
        ) from None
    return client


def connect(path: Path, server: ChromaServer | None):
    return server_client(server) if server else embedded_client(path)


def collection_exists(client, name: str) -> bool:
    try:
        client.get_collection(name)
    except (chromadb.errors.NotFoundError, ValueError):
        return False
    return True


def check_searchable(
    collection, *, samples: int = 16, describe: str = "the index", graph_used_above: int | None = None
) -> int:
    """Query stored vectors, spread over the collection, for themselves; returns how many are not
    among their own 3 nearest.

    Chroma 1.5.9 has a report (chroma-core/chroma #7090) of a server restart leaving collections
    above ~1,000 vectors with an HNSW segment that fails to load, or that silently answers from part
    of the data. A segment that fails, or misses most of the sample, is refused. A few misses are a
    graph's unreachable nodes, not a lost segment: on the query bench's synthetic clusters Chroma's
    HNSW search misses 835 of 12,000 vectors even when asked for all of them, in the process that
    wrote them and after it (benchmarks/rss_probe.py reports the share). Those are logged: Pressroom
    searches its own copy of the vectors (qa.exact) up to `RetrievalConfig.projected_rows` chunks,
    so its answers do not depend on the graph below that: with `graph_used_above` (that limit) a
    collection no larger is not refused for misses, only logged (a search that fails still is).
    """
    total = collection.count()
    if total == 0:
        return 0
    ids, vectors = sample_stored(collection, samples, total)
    try:
        missing = not_found_by_self(collection, ids, vectors, min(3, total))
    except Exception as exc:
        raise ChromaProblem(
            f"{describe} holds {total} vectors but cannot be searched ({str(exc).strip()[:300]}); "
            "rebuild it with `pressroom ingest --rebuild PATH...` (the releases and manifest are unchanged)"
        ) from None
    graph_used = graph_used_above is None or total > graph_used_above
    if graph_used and len(missing) * 2 > len(ids):
        raise ChromaProblem(
            f"{describe} holds {total} vectors but {len(missing)} of {len(ids)} sampled ones are not found "
            "by search (a damaged vector index); rebuild it with `pressroom ingest --rebuild PATH...`"
        )
    if missing:
        log.warning("%s: Chroma's HNSW search does not find %d of %d sampled vectors for themselves (nodes its "
                    "graph cannot reach, or a damaged graph); Pressroom's exact search reads the stored vectors "
                    "and does not use the graph up to RetrievalConfig.projected_rows chunks", describe,
                    len(missing), len(ids))
    return len(missing)


def sample_stored(collection, samples: int, total: int | None = None) -> tuple[list[str], list]:
    """The ids and vectors of up to `samples` stored vectors, spread evenly over the collection
    (`total`: its count, when the caller has it; each count is a round trip to a Chroma server)."""
    total = collection.count() if total is None else total
    ids: list[str] = []
    vectors: list = []
    for offset in range(0, total, max(1, total // samples))[:samples]:
        got = collection.get(limit=1, offset=offset, include=["embeddings"])
        ids += got["ids"]
        vectors += list(got["embeddings"])
    return ids, vectors


def not_found_by_self(collection, ids: list[str], vectors: list, n_results: int) -> list[str]:
    """The ids whose own vector's search does not return them among its `n_results` nearest (no more
    than the collection holds)."""
    found = collection.query(
        query_embeddings=np.asarray(vectors, dtype=np.float32), n_results=n_results,
        include=["distances"],
    )["ids"]
    return [i for i, near in zip(ids, found) if i not in near]


@dataclass(frozen=True)
class HnswSettings:
    """The HNSW graph Chroma builds for a new collection, recorded in its metadata.

    Measured by benchmarks/bench_scale.py (README, "Scale"): recall@30 against exact search at 10k chunks
    0.94 with Chroma's defaults (16/100/100), 1.00 with 32/200/200; at 100k 0.42 with the defaults and,
    with M 32 / construction ef 200, 0.61 / 0.76 / 0.80 / 0.83 at search ef 200 / 800 / 1600 / 3200
    (p95 under 21 ms each): short of 0.98 there. Search ef 800 takes most of that gain for little time. `max_neighbors` and `ef_construction` are fixed when the collection is made;
    `ef_search` can be modified, and takes effect when the collection is next loaded.
    """

    max_neighbors: int = 32
    ef_construction: int = 200
    ef_search: int = 800

    def configuration(self) -> dict:
        return {
            "space": "cosine",
            "max_neighbors": self.max_neighbors,
            "ef_construction": self.ef_construction,
            "ef_search": self.ef_search,
        }

    def metadata(self) -> dict[str, int]:
        return {
            "hnsw:M": self.max_neighbors,
            "hnsw:construction_ef": self.ef_construction,
            "hnsw:search_ef": self.ef_search,
        }


def hnsw_configuration() -> HnswSettings:
    return HnswSettings()
