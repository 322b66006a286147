"""The bench's ingest RSS probe: a real `pressroom ingest` of one release in a subprocess, which must
leave the index it measures as it found it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from ingest.chunking import CHUNKING_VERSION
from ingest.index import open_index
from ingest.lexical import LexicalIndex

REPO = Path(__file__).resolve().parents[2]
RELEASES = REPO / "corpus" / "releases"


def _state(path: Path, model_id: str) -> tuple[set[str], int, list[str]]:
    index = open_index(path, embedding_model=model_id, chunking_version=CHUNKING_VERSION)
    lexical = LexicalIndex.load(path / "lexical")
    return set(index.files), index.count(), list(lexical.ids)


def _probe(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.rss_probe", *args], cwd=REPO, capture_output=True, text=True, timeout=600
    )


def test_ingest_probe_reports_peak_rss_and_takes_its_release_out_again(corpus_index, embeddings, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(corpus_index.path, index_dir)
    before = _state(index_dir, embeddings.model_id)
    release = tmp_path / "rss-probe-release.txt"
    shutil.copyfile(sorted(RELEASES.glob("*.txt"))[0], release)

    done = _probe("--index", str(index_dir), "--ingest", str(release))

    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["chunks"] > 0
    assert report["peak_mb"] >= report["rss_mb"] > 100  # two encoders were loaded to embed it
    assert _state(index_dir, embeddings.model_id) == before


def test_ingest_probe_refuses_a_release_the_index_already_holds(corpus_index, embeddings, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(corpus_index.path, index_dir)
    before = _state(index_dir, embeddings.model_id)

    done = _probe("--index", str(index_dir), "--ingest", str(sorted(RELEASES.glob("*.txt"))[0]))

    assert done.returncode != 0
    assert "not added" in done.stderr
    assert _state(index_dir, embeddings.model_id) == before


def test_ingest_probe_refuses_an_index_whose_manifest_does_not_list_every_chunk(corpus_index, embeddings, tmp_path):
    # Chunks stored without a manifest record are what a killed ingest leaves; a real ingest drops them.
    index_dir = tmp_path / "index"
    shutil.copytree(corpus_index.path, index_dir)
    (index_dir / "manifest.json").write_text('{"files": {}}', encoding="utf-8")
    count = open_index(index_dir, embedding_model=embeddings.model_id, chunking_version=CHUNKING_VERSION).count()
    release = tmp_path / "rss-probe-release.txt"
    shutil.copyfile(sorted(RELEASES.glob("*.txt"))[0], release)

    done = _probe("--index", str(index_dir), "--ingest", str(release))

    assert done.returncode != 0
    assert "manifest lists 0 chunks" in done.stderr
    assert open_index(index_dir, embedding_model=embeddings.model_id, chunking_version=CHUNKING_VERSION).count() == count
