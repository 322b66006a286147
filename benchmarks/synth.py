"""Synthetic material: release files in the ministry layout, corpus copies, chunks with vectors, fake embeddings."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from ingest.models import Chunk

DIM = 384  # all-MiniLM-L6-v2


class FakeEmbeddings:
    """Same interface as SentenceTransformerEmbeddings, but random unit vectors: for skip-path timing only."""

    def __init__(self, model_id: str = "bench-fake-384", dim: int = DIM, seed: int = 0) -> None:
        self.model_id = model_id
        self.dim = dim
        self.batch_size = 64
        self._rng = np.random.default_rng(seed)
        self.texts_encoded = 0

    def encode(self, texts) -> np.ndarray:
        texts = list(texts)
        self.texts_encoded += len(texts)
        v = self._rng.standard_normal((len(texts), self.dim)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def embed_documents(self, texts):
        return self.encode(texts).tolist()

    def embed_query(self, text):
        return self.encode([text])[0].tolist()


_NAV = ["바로가기 메뉴", "본문 바로가기", "주메뉴 바로가기", "검색창 열기", "KOR"]
_WHO = ["Minister of Foreign Affairs", "First Vice Foreign Minister", "Second Vice Foreign Minister",
        "Deputy Minister for Political Affairs", "Director-General for North American Affairs",
        "Special Representative for Korean Peninsula Peace and Security Affairs"]
_WHAT = ["held talks with", "met", "had a telephone conversation with", "co-chaired a meeting with",
         "hosted a luncheon for", "exchanged views with"]
_PARTNER = ["the Foreign Minister of Mexico", "the Secretary-General of ASEAN", "the U.S. Deputy Secretary of State",
            "the Japanese Vice Minister", "the Foreign Minister of Poland", "the EU High Representative",
            "the Foreign Minister of Indonesia", "the Australian Foreign Minister", "the Director-General of the IAEA"]
_TOPIC = ["supply chain resilience", "economic security", "the Indo-Pacific Strategy", "nuclear non-proliferation",
          "climate change cooperation", "development cooperation", "critical minerals", "consular cooperation",
          "cultural exchanges", "maritime security", "cyber security", "humanitarian assistance"]
_PLACE = ["Seoul", "Tokyo", "Washington", "Jakarta", "Brussels", "Warsaw", "Canberra", "Vienna", "Mexico City"]


def synthetic_release_text(i: int, rng: np.random.Generator) -> str:
    """A small release (2–3 numbered paragraphs, a ※ note) in the ministry's page layout."""
    day = date(2014, 1, 1) + timedelta(days=int(rng.integers(0, 11 * 365)))
    who, what, partner = _WHO[i % len(_WHO)], _WHAT[i % len(_WHAT)], _PARTNER[(i // 7) % len(_PARTNER)]
    topic, topic2 = _TOPIC[i % len(_TOPIC)], _TOPIC[(i // 3) % len(_TOPIC)]
    place = _PLACE[(i // 11) % len(_PLACE)]
    title = f"{who} and {partner.removeprefix('the ')} Discuss {topic.title()} (No. {i})"
    paragraphs = [
        f"1. On {day:%B} {day.day}, {who} {what} {partner} in {place}. The two sides discussed {topic} "
        f"and agreed to hold the {i % 50 + 1}th round of consultations within the year.",
        f"2. The two sides noted that bilateral trade reached USD {int(rng.integers(1, 900))} million last year and "
        f"agreed to expand cooperation on {topic2}, including a joint working group of {int(rng.integers(3, 40))} experts.",
    ]
    notes = [f"※ Background: ▲the dialogue was launched in {2000 + i % 23} ▲this was meeting number {i}."]
    if i % 3 == 0:
        paragraphs.append(
            f"3. {who} also explained the government's position on {topic} and asked for continued support "
            f"for the initiative announced in {place}."
        )
    lines = [*_NAV, "", "Press Releases", "", title, "", "Date", day.isoformat(), "hit", str(int(rng.integers(100, 9000))), ""]
    lines += [paragraphs[0], "", *notes, "", *sum(([p, ""] for p in paragraphs[1:]), [])]
    return "\n".join(lines) + "\n"


def write_synthetic_releases(folder: Path, count: int, seed: int = 1) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(count):
        path = folder / f"synthetic_{i:06d}.txt"
        path.write_text(synthetic_release_text(i, rng), encoding="utf-8")
        paths.append(path)
    return paths


def replicate_corpus(files: list[Path], folder: Path, copies: int) -> Path:
    """`copies` copies of the release files with new names (hence new release and chunk ids)."""
    folder.mkdir(parents=True, exist_ok=True)
    for copy in range(copies):
        for path in files:
            shutil.copyfile(path, folder / f"copy{copy:02d}_{path.name}")
    return folder


def copy_files(files: list[Path], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copyfile(path, folder / path.name)
    return folder


CHUNKS_PER_SYNTHETIC_RELEASE = 4


def synthetic_chunks(
    start: int,
    count: int,
    real_chunks: list[Chunk],
    real_vectors: np.ndarray,
    rng: np.random.Generator,
    noise: float = 1.0,
) -> tuple[list[Chunk], np.ndarray]:
    """`count` chunks numbered from `start`, each a perturbed copy of a random real chunk.

    The vector is the parent's vector plus Gaussian noise of norm ≈ `noise` (cosine ≈ 0.7 to the parent
    at noise 1.0), renormalised: the synthetic chunks cluster around the real topics, as a bigger
    archive would, but real chunks stay the nearest to real questions. The body is the parent's body
    (so the answerer reads passages of realistic length); the date is random in 2014–2024 so that a
    one-year filter keeps about a tenth of them.
    """
    parents = rng.integers(0, len(real_chunks), size=count)
    noise_vectors = rng.standard_normal((count, real_vectors.shape[1])).astype(np.float32)
    noise_vectors *= noise / np.sqrt(real_vectors.shape[1])
    vectors = real_vectors[parents] + noise_vectors
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    chunks: list[Chunk] = []
    release_dates: dict[int, str] = {}
    for offset, parent in enumerate(parents):
        n = start + offset
        release = n // CHUNKS_PER_SYNTHETIC_RELEASE
        paragraph = n % CHUNKS_PER_SYNTHETIC_RELEASE + 1
        if release not in release_dates:
            release_dates[release] = (date(2014, 1, 1) + timedelta(days=int(rng.integers(0, 11 * 365)))).isoformat()
        p = real_chunks[int(parent)]
        release_id = f"synthetic-{release:06d}"
        chunks.append(
            Chunk(
                chunk_id=f"{release_id}:p{paragraph}.0:{hashlib.sha1(f'{n}'.encode()).hexdigest()[:12]}",
                text="",
                body=p.body,
                source=f"{release_id}.txt",
                release_id=release_id,
                title=f"{p.title} (synthetic {release})",
                date_iso=release_dates[release],
                paragraph=paragraph,
                language=p.language,
                chunk_index=paragraph - 1,
            )
        )
    return chunks, vectors.astype(np.float32)


def batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
