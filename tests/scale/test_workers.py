"""`pressroom serve --workers 2` over one Chroma server, as commands: both workers answer, and a release
ingested while they serve is found without a restart. Real model (MiniLM alone, to keep it quick)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import RELEASES

PRESSROOM = Path(sys.executable).parent / "pressroom"
PORT = 8105
NEW = "047_cho-wangyi-beijing.txt"


def _env(chroma_url: str, collection: str) -> dict[str, str]:
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PRESSROOM_CHROMA_URL": chroma_url,
        "PRESSROOM_CHROMA_COLLECTION": collection,
        "PRESSROOM_EMBEDDING_MODEL": "all-MiniLM-L6-v2",
        "PRESSROOM_LLM_URL": "",
        "PRESSROOM_RATE_LIMIT_PER_MINUTE": "10000",
        "PRESSROOM_RATE_LIMIT_BURST": "10000",
    }


def _ask(question: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/api/ask", data=json.dumps({"question": question}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def _wait_ready(proc: subprocess.Popen, timeout: float = 300) -> None:
    """Until /readyz answered 200 ten times in a row: each worker loads its models on its own."""
    deadline = time.monotonic() + timeout
    ready = 0
    while time.monotonic() < deadline and ready < 10:
        assert proc.poll() is None, "serve exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=5) as r:
                ready = ready + 1 if r.status == 200 else 0
        except (urllib.error.URLError, OSError):
            ready = 0
        time.sleep(0.2 if ready else 1)
    assert ready >= 10, "serve did not get ready"


def _worker_pids(parent: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def test_more_than_one_worker_needs_a_chroma_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PRESSROOM_CHROMA_URL"}
    done = subprocess.run([str(PRESSROOM), "serve", "--index", str(tmp_path / "i"), "--workers", "2"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "PRESSROOM_CHROMA_URL" in done.stderr


def test_two_workers_answer_and_see_an_ingest_without_restart(tmp_path, chroma):
    folder = tmp_path / "releases"
    folder.mkdir()
    for path in sorted(RELEASES.glob("*.txt"))[:12]:
        shutil.copy(path, folder / path.name)
    env = _env(chroma.url, f"test-{uuid.uuid4().hex[:12]}")
    index = tmp_path / "index"
    subprocess.run([str(PRESSROOM), "ingest", str(folder), "--index", str(index)], env=env, check=True,
                   capture_output=True, timeout=600)
    assert not (index / "chroma.sqlite3").exists()

    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([str(PRESSROOM), "serve", "--index", str(index), "--workers", "2", "--port", str(PORT)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(proc)
        assert len(_worker_pids(proc.pid)) >= 2
        title = next(line for line in (RELEASES / NEW).read_text(encoding="utf-8").splitlines()[5:] if len(line) > 30)
        before = _ask(title)
        assert all(p["source"] != NEW for p in before["retrieved"])

        shutil.copy(RELEASES / NEW, folder / NEW)
        subprocess.run([str(PRESSROOM), "ingest", str(folder), "--index", str(index)], env=env, check=True,
                       capture_output=True, timeout=600)
        # Every worker sees it: ask several times (the kernel spreads connections over the workers).
        for _ in range(6):
            after = _ask(title)
            assert after["retrieved"] and after["retrieved"][0]["source"] == NEW
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    if proc.returncode not in (0, -15):
        pytest.fail((tmp_path / "serve.log").read_text(errors="replace")[-3000:])
