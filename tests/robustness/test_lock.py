"""Two ingests on one index cannot run at once; the second fails fast naming the holder. Readers take no
lock: the web app keeps answering while an ingest writes."""

from __future__ import annotations

import json
import os
import time
import urllib.request

import pytest

from ingest.index import IndexProblem
from ingest.lock import IndexBusyError, ingest_lock
from ingest.pipeline import ingest_paths
from tests.robustness.conftest import copy_releases, fake_cli, start_fake_cli
from tests.robustness.test_index_errors import _free_port, _get


def _wait_for(proc, text: str, timeout: float = 120) -> str:
    """Read the process's stderr until a line containing `text`; return what was read."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if text in line:
            return "".join(seen)
    pytest.fail(f"no {text!r} from the process; it said:\n{''.join(seen)}")


def test_a_second_ingest_fails_fast_and_names_the_first(releases, tmp_path):
    index = tmp_path / "index"
    slow = start_fake_cli("ingest", str(releases), "--index", str(index), env={"FAKE_CLI_BATCH": "2", "FAKE_CLI_DELAY": "0.5"})
    try:
        _wait_for(slow, "embedding:")
        started = time.monotonic()
        second = fake_cli("ingest", str(releases), "--index", str(index))
        assert second.returncode == 2
        assert "being updated by process" in second.stderr and str(slow.pid) in second.stderr
        assert "Traceback" not in second.stderr
        assert time.monotonic() - started < 60
        assert slow.poll() is None, "the first ingest carries on"
    finally:
        slow.kill()
        slow.wait()
    # The lock dies with its holder: a kill -9 leaves nothing that blocks the next run.
    again = fake_cli("ingest", str(releases), "--index", str(index))
    assert again.returncode == 0, again.stderr


def test_the_lock_in_process(tmp_path, fake_embeddings, releases):
    from ingest.chunking import CHUNKING_VERSION
    from ingest.index import open_index

    index = open_index(tmp_path / "index", embedding_model=fake_embeddings.model_id, chunking_version=CHUNKING_VERSION, create=True)
    import threading

    held, release = threading.Event(), threading.Event()

    def hold():
        with ingest_lock(index.path):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        held.wait(10)
        with pytest.raises(IndexBusyError, match=f"process {os.getpid()}") as err:
            ingest_paths([releases], index, fake_embeddings, progress=False)
        assert isinstance(err.value, IndexProblem)
        # a dry run reads only, and needs no lock
        assert ingest_paths([releases], index, fake_embeddings, progress=False, dry_run=True).added
    finally:
        release.set()
        holder.join()
    with ingest_lock(index.path):  # re-entrant for its holder: the CLI holds it across open and ingest
        assert ingest_paths([releases], index, fake_embeddings, progress=False).added


def test_serve_keeps_answering_during_an_ingest(tmp_path):
    folder = copy_releases(tmp_path / "releases", None)
    names = sorted(p.name for p in folder.iterdir())
    first = tmp_path / "first"
    first.mkdir()
    for name in names[:6]:
        (folder / name).rename(first / name)
    index = tmp_path / "index"
    assert fake_cli("ingest", str(first), "--index", str(index)).returncode == 0

    port = _free_port()
    server = start_fake_cli("serve", "--index", str(index), "--port", str(port))
    ingest = None
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if _get(f"http://127.0.0.1:{port}/readyz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.communicate()
            time.sleep(0.5)
        ingest = start_fake_cli("ingest", str(folder), "--index", str(index), env={"FAKE_CLI_BATCH": "4", "FAKE_CLI_DELAY": "0.2"})
        _wait_for(ingest, "embedding:")
        answers = []
        while ingest.poll() is None and len(answers) < 20:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/ask", data=json.dumps({"question": "What did the ministers agree?"}).encode(),
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                answers.append((response.status, json.loads(response.read())))
        assert answers, "the ingest finished before a question was asked"
        assert all(status == 200 and body["answer"] for status, body in answers)
        assert ingest.wait(120) == 0
    finally:
        for proc in (ingest, server):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)


def test_opening_during_an_ingest_does_not_call_a_lagging_graph_damage(tmp_path, fake_embeddings, monkeypatch, caplog):
    """While an ingest writes, the graph a reader loads may lack what was written last. When the open
    check finds most of its sample missing then, it must not tell the reader to rebuild the index; with
    no writer it still must."""
    import subprocess
    import sys

    import ingest.index as index_module
    from ingest.chroma_client import ChromaProblem
    from ingest.chunking import CHUNKING_VERSION
    from ingest.index import IndexUnavailableError, open_index

    path = tmp_path / "index"
    open_index(path, embedding_model=fake_embeddings.model_id, chunking_version=CHUNKING_VERSION, create=True)

    def lagging(collection, *, samples=16, describe="the index", graph_used_above=None):
        raise ChromaProblem(f"{describe} holds 12000 vectors but 9 of 16 sampled ones are not found by search")

    monkeypatch.setattr(index_module, "check_searchable", lagging)
    with pytest.raises(IndexUnavailableError, match="not found by search"):
        open_index(path, embedding_model=fake_embeddings.model_id, chunking_version=CHUNKING_VERSION)
    writer = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from ingest.lock import ingest_lock\n"
         f"with ingest_lock({str(path)!r}):\n    print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "held"
        with caplog.at_level("WARNING", logger="ingest.index"):
            opened = open_index(path, embedding_model=fake_embeddings.model_id, chunking_version=CHUNKING_VERSION)
        assert opened is not None
        assert f"process {writer.pid}" in caplog.text and "being written" in caplog.text
    finally:
        writer.kill()
        writer.wait()
