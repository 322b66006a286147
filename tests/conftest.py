"""Shared fixtures: the real packaged embedding model and one index of corpus/releases per session,
plus a fast deterministic stand-in for the embedding model for tests about ingest bookkeeping."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

# Before anything imports sentence-transformers / huggingface_hub: a hub lookup on this offline
# network hangs before it falls back to the packaged files.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RELEASES = ROOT / "corpus" / "releases"
SAMPLE = RELEASES / "000_3a0123e4a4b49311.txt"
DEV_QUESTIONS = ROOT / "evals" / "questions" / "dev.jsonl"
DIM = 384


class FakeEmbeddings:
    """Deterministic hash-seeded unit vectors: same text, same vector; no model, no network.

    Counts what it embeds so tests can check that unchanged chunks are not embedded again.
    """

    def __init__(self, model_id: str = "fake-hash-384") -> None:
        self.model_id = model_id
        self.calls: list[list[str]] = []

    @staticmethod
    def vector(text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
        v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
        return v / np.linalg.norm(v)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        self.calls.append(texts)
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([self.vector(t) for t in texts]).astype(np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.vector(text).tolist()

    @property
    def embedded_texts(self) -> list[str]:
        return [t for call in self.calls for t in call]


@pytest.fixture
def fake_embeddings() -> FakeEmbeddings:
    return FakeEmbeddings()


@pytest.fixture(scope="session")
def embeddings():
    """The real all-MiniLM-L6-v2 from its PyPI package (about 5 s to load)."""
    from ingest.embeddings import load_embeddings

    return load_embeddings()


@pytest.fixture(scope="session")
def minilm(embeddings):
    """all-MiniLM-L6-v2 itself (the default embeddings pair it with USE)."""
    from ingest.embeddings import MINILM, load_embeddings

    if embeddings.model_id == MINILM:
        return embeddings
    return next((model for model, _ in getattr(embeddings, "parts", []) if model.model_id == MINILM), None) or load_embeddings(MINILM)


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, embeddings):
    """corpus/releases ingested once, with the real model, into a session folder."""
    from ingest.chunking import CHUNKING_VERSION
    from ingest.index import open_index
    from ingest.pipeline import ingest_paths

    index = open_index(
        tmp_path_factory.mktemp("corpus-index") / "index",
        embedding_model=embeddings.model_id,
        chunking_version=CHUNKING_VERSION,
        create=True,
    )
    report = ingest_paths([RELEASES], index, embeddings, progress=False)
    assert not report.failed, report.failed
    assert len(report.added) == len(list(RELEASES.glob("*.txt")))
    return index


@pytest.fixture(scope="session")
def pressroom(corpus_index, embeddings):
    from qa.service import build_pressroom

    return build_pressroom(corpus_index, embeddings)


@pytest.fixture(scope="session")
def dev_questions() -> list[dict]:
    return [json.loads(line) for line in DEV_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def make_fake_embeddings():
    """A factory, for tests that need a second model id (index mismatch)."""
    return FakeEmbeddings
