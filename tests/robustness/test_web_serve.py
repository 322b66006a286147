"""`pressroom serve` on a real index (a few releases, the real models): it listens at once, says "starting"
while it loads, is ready only after the warm-up, and then the first answer is as fast as the rest; a
broken index leaves it up in 503 mode with the reason. Ports 7884-7886."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
RELEASES = sorted((ROOT / "corpus" / "releases").glob("0[01]*.txt"))[:6]
QUESTION = "When did Korea and ASEAN establish dialogue relations?"


def _env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
            "PRESSROOM_FEEDBACK_DB": str(tmp / "feedback.db"), "PRESSROOM_RATE_LIMIT_PER_MINUTE": "0"}


@pytest.fixture(scope="module")
def small_index(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("serve")
    index = tmp / "index"
    subprocess.run([sys.executable, "-m", "pressroom.cli", "ingest", *map(str, RELEASES), "--index", str(index)],
                   cwd=ROOT, env=_env(tmp), check=True, capture_output=True, timeout=600)
    return index


def _start(index: Path, port: int, tmp: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pressroom.cli", "serve", "--index", str(index), "--port", str(port)],
        cwd=ROOT, env=_env(tmp), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGINT)
    try:
        out, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    return out


def test_serve_is_ready_only_after_loading_and_warming_up(small_index: Path, tmp_path: Path) -> None:
    base = "http://127.0.0.1:7884"
    started = time.monotonic()
    process = _start(small_index, 7884, tmp_path)
    seen: list[str] = []
    early_ask = None
    try:
        ready_at = None
        while time.monotonic() - started < 600:
            assert process.poll() is None, process.stdout.read()
            try:
                # Generous time-outs: while the models load, this shared 2-core box may leave the loop little CPU.
                health = httpx.get(base + "/healthz", timeout=10).json()
                seen.append(health["status"])
                if health["status"] == "starting" and early_ask is None:
                    early_ask = httpx.post(base + "/api/ask", json={"question": QUESTION}, timeout=10)
                if httpx.get(base + "/readyz", timeout=10).status_code == 200:
                    ready_at = time.monotonic()
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        assert ready_at is not None, f"not ready in 600 s; health said {seen[-3:]}"
        timings = []
        for _ in range(4):
            start = time.perf_counter()
            answer = httpx.post(base + "/api/ask", json={"question": QUESTION}, timeout=60)
            timings.append(time.perf_counter() - start)
            assert answer.status_code == 200 and not answer.json()["abstained"]
        print(f"\nserve: ready {ready_at - started:.1f} s after start; answers {', '.join(f'{t * 1000:.0f}' for t in timings)} ms")
    finally:
        _stop(process)
    assert "starting" in seen, "the server should listen (and say so) while it loads"
    assert early_ask is not None and early_ask.status_code == 503
    assert early_ask.json()["error"]["code"] == "starting" and early_ask.headers["Retry-After"]
    # Warmed up: the first answer costs what the others cost, not a model load. (The absolute
    # targets, <= 2 s and ready <= 10 s, depend on the machine; benchmarks/bench_load.py measures them.)
    assert timings[0] <= 1.5 * max(timings[1:]) + 0.25, f"first answer {timings[0]:.2f} s, then {timings[1:]}"


def test_a_corrupt_index_leaves_serve_up_in_503_mode(small_index: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    base = "http://127.0.0.1:7885"
    process = _start(broken, 7885, tmp_path)
    try:
        deadline = time.monotonic() + 600
        health = None
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read()
            try:
                health = httpx.get(base + "/healthz", timeout=2)
                if health.json()["status"] == "unavailable":
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        assert health is not None and health.status_code == 503
        reason = health.json()["reason"]
        assert reason
        ask = httpx.post(base + "/api/ask", json={"question": QUESTION}, timeout=10)
        assert ask.status_code == 503 and ask.json()["error"]["message"] == reason
        assert httpx.get(base + "/", timeout=10).status_code == 200
    finally:
        _stop(process)
