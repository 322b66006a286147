"""The web server's limits over real sockets (uvicorn on 127.0.0.1:7881-7883), as an attacker would try them:
a 20 MB body, a 1 MB question through Gradio's route, uploads, and /healthz while every answering slot is busy."""

from __future__ import annotations

import socket
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn

from tests.ui.test_api import FakePressroom
from ui.app import create_app
from ui.config import WebConfig
from ui.limits import Limits

QUESTION = "When did Korea and ASEAN establish dialogue relations?"


class SlowPressroom(FakePressroom):
    """Takes a second a question: the answering slots fill up like they do under real load."""

    def ask(self, question, history=(), **options):
        time.sleep(1.0)
        return super().ask(question, history, **options)


def _wait_until_up(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code in (200, 503):
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"the test server on port {port} did not start")


@pytest.fixture
def serve():
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app, port: int) -> str:
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread))
        _wait_until_up(port)
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(10)


def test_a_20_mb_body_is_refused_without_being_read(serve) -> None:
    serve(create_app(FakePressroom()), 7881)
    with socket.create_connection(("127.0.0.1", 7881), timeout=5) as sock:
        size = 20 * 1024 * 1024
        sock.sendall(
            b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {size}\r\n\r\n".encode()
            + b'{"question": "' + b"x" * 65_536
        )
        start = time.perf_counter()
        reply = sock.recv(4096)  # answered after 64 KB of the 20 MB: the rest is never sent, never read
        elapsed = time.perf_counter() - start
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b'"too_large"' in reply
    assert elapsed < 2.0


def test_a_1_mb_question_through_gradio_is_refused_fast(serve) -> None:
    fake = FakePressroom()
    base = serve(create_app(fake), 7882)
    for path in ("/gradio_api/call/ask", "/gradio_api/queue/join", "/embed/gradio_api/queue/join"):
        start = time.perf_counter()
        response = httpx.post(base + path, json={"data": ["x" * 1_000_000, []], "fn_index": 0, "session_hash": "a"}, timeout=10)
        elapsed = time.perf_counter() - start
        assert response.status_code == 413, path
        assert elapsed < 1.0, f"{path} took {elapsed:.2f} s"
    upload = httpx.post(base + "/gradio_api/upload", files={"files": ("big.bin", b"\0" * 100_000)}, timeout=10)
    assert upload.status_code == 404
    assert fake.calls == []


def test_healthz_stays_fast_while_every_answering_slot_is_busy(serve) -> None:
    limits = Limits(rate_per_minute=0, max_concurrent=2, max_waiting=64)
    base = serve(create_app(SlowPressroom(), config=WebConfig(limits=limits)), 7883)
    with httpx.Client(timeout=60) as client, ThreadPoolExecutor(max_workers=16) as pool:
        answers = [pool.submit(client.post, base + "/api/ask", json={"question": QUESTION}) for _ in range(16)]
        time.sleep(0.5)  # the slots are taken and the rest wait
        latencies = []
        for _ in range(30):
            start = time.perf_counter()
            assert client.get(base + "/healthz").status_code == 200
            latencies.append(time.perf_counter() - start)
            time.sleep(0.05)
        statuses = [future.result().status_code for future in answers]
    assert statuses == [200] * 16
    # Queued behind the answers, a probe would wait a whole answer (>= 1 s). The 100 ms p99 under
    # real load is benchmarks/bench_load.py's figure; on this shared box a probe can lose the CPU for a
    # while, so the test holds the mechanism: the median within 100 ms, no probe near an answer's time.
    summary = f"healthz max {max(latencies) * 1000:.0f} ms, median {statistics.median(latencies) * 1000:.0f} ms"
    assert statistics.median(latencies) < 0.1, summary
    assert max(latencies) < 0.5, summary
