"""One source of truth: when the database and the manifest disagree, the next ingest repairs the database
and says so; `ask` never creates an index where there is none (or only a 0-byte file)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from ingest.chunking import CHUNKING_VERSION
from ingest.consistency import find_drift
from ingest.index import open_index
from ingest.pipeline import ingest_paths
from tests.robustness.conftest import fake_cli, manifest, snapshot


def _ingest(releases: Path, index: Path):
    result = fake_cli("ingest", str(releases), "--index", str(index))
    assert result.returncode == 0, result.stderr
    return result


def _lose_database(index: Path) -> None:
    for child in index.iterdir():
        if child.name.startswith("chroma.sqlite3"):
            child.unlink()
        elif child.is_dir() and child.name.count("-") == 4:  # Chroma's segment folders
            shutil.rmtree(child)


def test_a_lost_database_is_refused_by_ask_and_rebuilt_by_the_next_ingest(releases, tmp_path):
    index = tmp_path / "index"
    _ingest(releases, index)
    clean = snapshot(index)
    _lose_database(index)

    ask = fake_cli("ask", "What did the ministers agree?", "--index", str(index))
    assert ask.returncode == 2
    assert "pressroom ingest" in ask.stderr and "Traceback" not in ask.stderr
    assert not (index / "chroma.sqlite3").exists(), "ask must never create an index"

    repaired = _ingest(releases, index)
    assert repaired.stderr.count("repair:") == len(list(releases.iterdir()))
    assert "embedding it again" in repaired.stderr
    assert snapshot(index) == clean

    steady = _ingest(releases, index)
    assert "repair:" not in steady.stderr and "(0 chunks embedded)" in steady.stdout


def test_a_database_truncated_to_zero_bytes_is_refused_then_rebuilt(releases, tmp_path):
    index = tmp_path / "index"
    _ingest(releases, index)
    clean = snapshot(index)
    (index / "chroma.sqlite3").write_bytes(b"")

    ask = fake_cli("ask", "What did the ministers agree?", "--index", str(index))
    assert ask.returncode == 2
    assert "0 bytes" in ask.stderr and "pressroom ingest" in ask.stderr
    assert (index / "chroma.sqlite3").stat().st_size == 0, "ask must not write into the emptied database"

    repaired = _ingest(releases, index)
    assert "missing from the database" in repaired.stderr
    assert snapshot(index) == clean


# -- the same repairs, in process, one kind of drift at a time --------------------------------------


def _open(folder: Path, fake_embeddings):
    return open_index(folder, embedding_model=fake_embeddings.model_id, chunking_version=CHUNKING_VERSION, create=True)


def _vectors(index) -> dict[str, bytes]:
    got = index._collection.get(include=["embeddings"])
    return {i: np.asarray(e, dtype=np.float32).tobytes() for i, e in zip(got["ids"], got["embeddings"])}


def test_missing_extra_and_orphaned_chunks_are_repaired(releases, tmp_path, fake_embeddings):
    index = _open(tmp_path / "index", fake_embeddings)
    ingest_paths([releases], index, fake_embeddings, progress=False)
    clean = _vectors(index)
    names = sorted(index.files)
    lost = sorted(index.chunk_ids_for(names[0]))[:2]
    index._collection.delete(ids=lost)  # missing: recorded, not stored
    stray = index.all_chunks()[0]
    index._collection.upsert(  # extra: stored under a recorded release, not recorded
        ids=[f"{stray.release_id}:p99.0:stray"], embeddings=[np.ones(384, dtype=np.float32)],
        documents=["stray"], metadatas=[{**index._collection.get(ids=[stray.chunk_id])["metadatas"][0]}],
    )
    index._collection.upsert(  # orphan: a release the manifest does not know
        ids=["ghost:p1.0:000"], embeddings=[np.ones(384, dtype=np.float32)], documents=["ghost"],
        metadatas=[{"source": "ghost.txt", "release_id": "ghost", "title": "Ghost", "date": "", "date_int": 0,
                    "paragraph": 1, "language": "en", "chunk_index": 0}],
    )
    assert find_drift(index)

    fake_embeddings.calls.clear()
    report = ingest_paths([releases], index, fake_embeddings, progress=False)
    assert len(report.repairs) == 3, report.repairs
    assert report.updated == [names[0]] and not report.failed
    assert len(fake_embeddings.embedded_texts) == 2, "only the missing chunks are embedded again"
    assert _vectors(index) == clean
    assert not find_drift(index)
    assert set(index.lexical.stored_ids()) == set(clean), "the BM25 side index follows the repair"


def test_missing_chunks_of_a_release_not_in_this_run_are_read_from_its_recorded_file(releases, tmp_path, fake_embeddings):
    index = _open(tmp_path / "index", fake_embeddings)
    first = sorted(releases.iterdir())
    ingest_paths(first[:3], index, fake_embeddings, progress=False)
    clean = _vectors(index)
    index._collection.delete(ids=sorted(index.chunk_ids_for(first[0].name)))

    report = ingest_paths([first[4]], index, fake_embeddings, progress=False)
    assert report.added == [first[4].name] and report.updated == [first[0].name]
    assert clean.items() <= _vectors(index).items()
    assert not find_drift(index)


def test_missing_chunks_whose_file_is_gone_are_named_not_hidden(releases, tmp_path, fake_embeddings):
    index = _open(tmp_path / "index", fake_embeddings)
    files = sorted(releases.iterdir())
    ingest_paths(files[:2], index, fake_embeddings, progress=False)
    index._collection.delete(ids=sorted(index.chunk_ids_for(files[0].name)))
    files[0].unlink()

    report = ingest_paths([files[1]], index, fake_embeddings, progress=False)
    assert [name for name, _ in report.failed] == [files[0].name]
    assert "is gone" in report.failed[0][1] and "--prune" in report.failed[0][1]


def test_a_manifest_from_before_chunk_ids_were_recorded_is_filled_in_without_embedding(releases, tmp_path, fake_embeddings):
    index = _open(tmp_path / "index", fake_embeddings)
    ingest_paths([releases], index, fake_embeddings, progress=False)
    path = index.path / "manifest.json"
    old = {"files": {name: {"sha256": r["sha256"], "path": r["path"]} for name, r in manifest(index.path).items()}}
    path.write_text(json.dumps(old), encoding="utf-8")

    fresh = _open(index.path, fake_embeddings)
    fake_embeddings.calls.clear()
    report = ingest_paths([releases], fresh, fake_embeddings, progress=False)
    assert report.repairs == [] and fake_embeddings.embedded_texts == []
    assert all(record.get("chunks") for record in manifest(index.path).values())


def test_a_dry_run_reports_drift_and_changes_nothing(releases, tmp_path, fake_embeddings):
    index = _open(tmp_path / "index", fake_embeddings)
    ingest_paths([releases], index, fake_embeddings, progress=False)
    name = sorted(index.files)[0]
    index._collection.delete(ids=sorted(index.chunk_ids_for(name)))
    before = _vectors(index)
    report = ingest_paths([releases], index, fake_embeddings, progress=False, dry_run=True)
    assert report.repairs and name in report.repairs[0]
    assert _vectors(index) == before
