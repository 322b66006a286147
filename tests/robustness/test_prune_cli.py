"""The operator's view of prune, through the real `pressroom` command and real models: a typo, a file
argument, `serve --ingest` and a mass removal never lose releases; `--yes` and `--dry-run` do what they say."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RELEASES = ROOT / "corpus" / "releases"
FILES = ["000_3a0123e4a4b49311.txt", "017_ireland-working-holiday-ko.txt", "024_unsc-election.txt", "029_israel-evacuation.txt"]
NEW = "038_cho-kamikawa-phone.txt"
PRESSROOM = [sys.executable, "-m", "pressroom.cli"]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}


def run(*args: str, index: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*PRESSROOM, *args, "--index", str(index)], capture_output=True, text=True, env=ENV, cwd=ROOT,
        input=stdin, timeout=300,
    )


def chunk_counts(index: Path) -> dict[str, int]:
    """Chunks per release as stored in Chroma, read by a separate process (no client shared with the CLI)."""
    code = (
        "import chromadb, json, collections, sys;"
        "c = chromadb.PersistentClient(sys.argv[1]).get_collection('pressroom');"
        "print(json.dumps(collections.Counter(m['source'] for m in c.get(include=['metadatas'])['metadatas'])))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(index)], capture_output=True, text=True, env=ENV, check=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """An index of four releases built by the real command once; each test works on a copy."""
    base = tmp_path_factory.mktemp("prune-cli")
    corpus = base / "releases"
    corpus.mkdir()
    for name in FILES:
        shutil.copy(RELEASES / name, corpus / name)
    index = base / "index"
    result = run("ingest", str(corpus), index=index)
    assert result.returncode == 0, result.stderr
    return corpus, index


@pytest.fixture
def workspace(built, tmp_path):
    corpus, index = built
    shutil.copytree(corpus, tmp_path / "releases")
    shutil.copytree(index, tmp_path / "index")
    # The manifest records absolute paths; point them at the copy.
    manifest = tmp_path / "index" / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(str(corpus), str(tmp_path / "releases")), encoding="utf-8")
    return tmp_path / "releases", tmp_path / "index"


def test_a_typo_with_prune_is_an_error_and_changes_nothing(workspace):
    corpus, index = workspace
    before = chunk_counts(index)
    result = run("ingest", str(corpus) + "s", "--prune", index=index)
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr and "nothing was changed" in result.stderr
    assert chunk_counts(index) == before and set(before) == set(FILES)


def test_a_file_argument_with_prune_removes_nothing(workspace):
    corpus, index = workspace
    before = chunk_counts(index)
    result = run("ingest", str(corpus / FILES[0]), "--prune", index=index)
    assert result.returncode == 0, result.stderr
    assert "removed 0" in result.stdout
    assert chunk_counts(index) == before


def test_mass_prune_is_refused_without_yes_then_done_with_it(workspace):
    corpus, index = workspace
    for name in FILES[:3]:
        (corpus / name).unlink()
    before = chunk_counts(index)
    refused = run("ingest", str(corpus), "--prune", index=index, stdin="")
    assert refused.returncode == 2
    assert "would remove 3 of the 4 releases" in refused.stderr and "--yes" in refused.stderr
    assert chunk_counts(index) == before

    dry = run("ingest", str(corpus), "--prune", "--dry-run", "--yes", index=index)
    assert dry.returncode == 0, dry.stderr
    assert all(f"would remove: {name}" in dry.stdout for name in FILES[:3])
    assert chunk_counts(index) == before

    done = run("ingest", str(corpus), "--prune", "--yes", index=index)
    assert done.returncode == 0, done.stderr
    assert set(chunk_counts(index)) == {FILES[3]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_until_healthy(args: list[str], index: Path) -> subprocess.CompletedProcess | None:
    """Start `pressroom serve`; return its result if it exits, None once /healthz answers (then stop it)."""
    port = _free_port()
    proc = subprocess.Popen(
        [*PRESSROOM, "serve", *args, "--index", str(index), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                out, err = proc.communicate()
                return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    return None
            except OSError:
                time.sleep(0.5)
        pytest.fail("serve did not answer /healthz within 240 s")
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


def test_serve_ingest_adds_a_release_and_keeps_every_other(workspace, tmp_path):
    corpus, index = workspace
    new = tmp_path / NEW
    shutil.copy(RELEASES / NEW, new)
    before = chunk_counts(index)
    assert _serve_until_healthy(["--ingest", str(new)], index) is None
    after = chunk_counts(index)
    assert {k: v for k, v in after.items() if k != NEW} == before
    assert after.get(NEW, 0) > 0


def test_serve_ingest_with_a_wrong_path_refuses_to_start_and_changes_nothing(workspace, tmp_path):
    _, index = workspace
    before = chunk_counts(index)
    result = _serve_until_healthy(["--ingest", str(tmp_path / "new.html")], index)
    assert result is not None and result.returncode == 2
    assert "no such file or folder" in result.stderr
    assert chunk_counts(index) == before
