"""Sections 1 and 2: ingest throughput against bare encoding, and re-ingest of an unchanged corpus."""

from __future__ import annotations

import hashlib
import statistics
import time
from pathlib import Path

import numpy as np

from benchmarks.common import Row, fmt_ratio, fmt_s, log, ratio
from benchmarks.synth import FakeEmbeddings, write_synthetic_releases
from ingest.chunking import CHUNKING_VERSION, chunk_release
from ingest.index import open_index
from ingest.models import Chunk
from ingest.parse import load_release
from ingest.pipeline import EMBED_BATCH, find_release_files, ingest_paths

INGEST_RATIO_TARGET = 0.9
REINGEST_CORPUS_TARGET_S = 2.0
REINGEST_SYNTHETIC_TARGET_S = 30.0
REINGEST_SYNTHETIC_TARGET_N = 10_000


class CountingEmbeddings:
    """Wraps an embeddings object and counts the texts it is asked to encode."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.texts_encoded = 0

    def encode(self, texts):
        texts = list(texts)
        self.texts_encoded += len(texts)
        return self.inner.encode(texts)

    def embed_query(self, text):
        self.texts_encoded += 1
        return self.inner.embed_query(text)

    def embed_documents(self, texts):
        self.texts_encoded += len(texts)
        return self.inner.embed_documents(texts)


def chunks_of(files: list[Path]) -> list[Chunk]:
    """The chunks ingest_paths would embed for these files, in the order it embeds them."""
    return [chunk for path in files for chunk in chunk_release(load_release(path))]


def bare_encode(embeddings, texts: list[str]) -> tuple[np.ndarray, float]:
    """The physical limit: embeddings.encode over the same texts, in the pipeline's batches."""
    start = time.perf_counter()
    parts = [embeddings.encode(texts[i : i + EMBED_BATCH]) for i in range(0, len(texts), EMBED_BATCH)]
    return np.vstack(parts), time.perf_counter() - start


def read_and_hash(folder: Path) -> float:
    """The least a skip-everything re-ingest must do: list, read and hash every file."""
    start = time.perf_counter()
    files, _ = find_release_files([folder])
    for path in files:
        hashlib.sha256(path.read_bytes()).hexdigest()
    return time.perf_counter() - start


def ingest_throughput(embeddings, folder: Path, index_path: Path, label: str, baseline_runs: int) -> dict:
    """Bare encode, then ingest into a fresh index, then (with baseline_runs=2) bare encode again."""
    files, _ = find_release_files([folder])
    chunks = chunks_of(files)
    texts = [c.text for c in chunks]
    log(f"ingest[{label}]: {len(files)} files, {len(chunks)} chunks; bare encode (baseline 1/{baseline_runs})")
    vectors, first = bare_encode(embeddings, texts)
    baseline_s = [first]
    start = time.perf_counter()
    index = open_index(
        index_path, embedding_model=embeddings.model_id, chunking_version=CHUNKING_VERSION, create=True, rebuild=True
    )
    open_s = time.perf_counter() - start
    log(f"ingest[{label}]: ingest_paths into a fresh index")
    start = time.perf_counter()
    report = ingest_paths([folder], index, embeddings, progress=False)
    ingest_s = time.perf_counter() - start
    for run in range(1, baseline_runs):
        log(f"ingest[{label}]: bare encode (baseline {run + 1}/{baseline_runs})")
        baseline_s.append(bare_encode(embeddings, texts)[1])
    baseline_mean = statistics.fmean(baseline_s)
    ingest_rate = report.chunks_embedded / ingest_s if ingest_s else 0.0
    baseline_rate = len(texts) / baseline_mean
    spread = (max(baseline_s) - min(baseline_s)) / baseline_mean if len(baseline_s) > 1 else None
    return {
        "label": label,
        "files": len(files),
        "chunks": len(chunks),
        "chunks_embedded": report.chunks_embedded,
        "failed": report.failed,
        "open_index_s": open_s,
        "ingest_s": ingest_s,
        "baseline_encode_s": baseline_s,
        "ingest_chunks_per_s": ingest_rate,
        "baseline_chunks_per_s": baseline_rate,
        "ratio": ratio(ingest_rate, baseline_rate),
        "non_embedding_overhead_s": ingest_s - baseline_mean,
        "baseline_spread": spread,
        "embed_batch": EMBED_BATCH,
        "encode_batch_size": getattr(embeddings, "batch_size", None),
        "_chunks": chunks,
        "_vectors": vectors,
        "_index": index,
    }


def ingest_rows(result: dict) -> list[Row]:
    r = result["ratio"]
    note = ""
    if result["baseline_spread"] is not None:
        note = (
            f"baseline = mean of {len(result['baseline_encode_s'])} bare encodes (before and after the ingest), "
            f"which differed by {result['baseline_spread']:.0%}: the machine's noise at this moment"
        )
    note += (f"{'; ' if note else ''}work besides encoding {result['non_embedding_overhead_s']:.1f} s (parsing, BM25 terms "
             "with the Korean analyser's load, Chroma writes): a fixed part shows more as encoding gets faster")
    if result["chunks_embedded"] != result["chunks"]:
        note += f"; ingest embedded {result['chunks_embedded']} of {result['chunks']} chunks"
    return [
        Row(
            "1 ingest",
            f"ingest throughput ({result['label']}, {result['chunks']} chunks)",
            f"{result['ingest_chunks_per_s']:.2f} chunks/s ({result['ingest_s']:.1f} s)",
            f"{result['baseline_chunks_per_s']:.2f} chunks/s bare encode",
            fmt_ratio(r),
            f"≥ {INGEST_RATIO_TARGET:.2f}×",
            None if r is None else r >= INGEST_RATIO_TARGET,
            note,
        )
    ]


def reingest(embeddings, folder: Path, index_path: Path, reps: int) -> dict:
    """open_index (reads the manifest) + ingest_paths over unchanged files; median of `reps` runs."""
    times, embedded, encoded, unchanged = [], [], [], []
    for _ in range(reps):
        counting = CountingEmbeddings(embeddings)
        start = time.perf_counter()
        index = open_index(index_path, embedding_model=embeddings.model_id, chunking_version=CHUNKING_VERSION)
        report = ingest_paths([folder], index, counting, progress=False)
        times.append(time.perf_counter() - start)
        embedded.append(report.chunks_embedded)
        encoded.append(counting.texts_encoded)
        unchanged.append(len(report.unchanged))
    baseline = [read_and_hash(folder) for _ in range(reps)]
    return {
        "reps": reps,
        "seconds": times,
        "seconds_median": statistics.median(times),
        "chunks_embedded": max(embedded),
        "texts_encoded": max(encoded),
        "files_unchanged": min(unchanged),
        "baseline_read_hash_s": baseline,
        "baseline_median_s": statistics.median(baseline),
        "ratio": ratio(statistics.median(times), statistics.median(baseline)),
    }


def reingest_synthetic(folder: Path, index_path: Path, count: int, reps: int) -> dict:
    log(f"reingest: writing {count} synthetic releases")
    start = time.perf_counter()
    write_synthetic_releases(folder, count)
    write_s = time.perf_counter() - start
    fake = FakeEmbeddings()
    index = open_index(index_path, embedding_model=fake.model_id, chunking_version=CHUNKING_VERSION, create=True, rebuild=True)
    log(f"reingest: first ingest of {count} synthetic releases (fake embeddings)")
    start = time.perf_counter()
    first = ingest_paths([folder], index, fake, progress=False)
    first_s = time.perf_counter() - start
    log(f"reingest: re-ingest of {count} unchanged synthetic releases")
    result = reingest(fake, folder, index_path, reps)
    result.update(
        releases=count,
        write_s=write_s,
        first_ingest_s=first_s,
        first_ingest_chunks=first.chunks_embedded,
        first_ingest_failed=len(first.failed),
        embeddings="fake (random unit vectors, dim 384): only the skip path is timed",
    )
    return result


def reingest_rows(corpus: dict, corpus_files: int, synthetic: dict | None) -> list[Row]:
    rows = [
        Row(
            "2 re-ingest",
            f"re-ingest unchanged corpus ({corpus_files} files)",
            f"{fmt_s(corpus['seconds_median'])}, {corpus['texts_encoded']} embedded",
            f"{fmt_s(corpus['baseline_median_s'])} read+hash",
            fmt_ratio(corpus["ratio"]),
            f"0 embedded, < {REINGEST_CORPUS_TARGET_S:g} s",
            corpus["texts_encoded"] == 0 and corpus["seconds_median"] < REINGEST_CORPUS_TARGET_S,
            "open_index + ingest_paths, model already loaded (median of runs)",
        )
    ]
    if synthetic:
        n = synthetic["releases"]
        applies = n >= REINGEST_SYNTHETIC_TARGET_N
        rows.append(
            Row(
                "2 re-ingest",
                f"first ingest, {n:,} synthetic releases",
                f"{synthetic['first_ingest_s']:.1f} s, {synthetic['first_ingest_chunks']:,} chunks",
                "",
                "",
                "",
                None,
                "fake embeddings (random unit vectors): parse + chunk + Chroma upsert, no model",
            )
        )
        rows.append(
            Row(
                "2 re-ingest",
                f"re-ingest unchanged, {n:,} synthetic releases",
                f"{fmt_s(synthetic['seconds_median'])}, {synthetic['texts_encoded']} embedded",
                f"{fmt_s(synthetic['baseline_median_s'])} read+hash",
                fmt_ratio(synthetic["ratio"]),
                f"0 embedded, < {REINGEST_SYNTHETIC_TARGET_S:g} s" + ("" if applies else " @10k"),
                synthetic["texts_encoded"] == 0 and synthetic["seconds_median"] < REINGEST_SYNTHETIC_TARGET_S,
                "fake embeddings object, since only the skip path is timed"
                + ("" if applies else f"; the target is for 10,000 releases, this run had {n:,}"),
                indicative=not applies,
            )
        )
    return rows
