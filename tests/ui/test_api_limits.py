"""Limits on every route (issue 7 item 4): body size, strict JSON, Gradio's routes, rate, bounded queue."""

from __future__ import annotations

import json
import threading
import time

import pytest
from fastapi.testclient import TestClient

from tests.ui.test_api import FakePressroom
from ui.app import create_app
from ui.config import WebConfig
from ui.limits import LimitExceeded, Limits, StrictJSONError, TokenBucket, strict_json_loads

QUESTION = "When did Korea and ASEAN establish dialogue relations?"


@pytest.fixture(scope="module")
def fake() -> FakePressroom:
    return FakePressroom()


@pytest.fixture(scope="module")
def client(fake: FakePressroom):
    with TestClient(create_app(fake, config=WebConfig(limits=Limits(rate_per_minute=0)))) as c:
        yield c


# -- strict JSON: NaN, Infinity and lone surrogates are a 4xx with a reason, never a 500


@pytest.mark.parametrize(
    "body",
    [
        b'{"question": NaN}',
        b'{"question": "Why?", "history": [Infinity]}',
        b'{"question": -Infinity}',
        b'{"question": "\\ud800"}',
        b'{"question": "Why?", "history": ["\\udfff and more"]}',
        b'{"question": "caf\xe9"}',  # Latin-1, not UTF-8
        b'{"question": "Why?"',
        b"[" * 100_000,
    ],
)
@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream", "/api/feedback"])
def test_bad_json_is_a_400_that_says_why(client: TestClient, fake: FakePressroom, body: bytes, path: str) -> None:
    calls = len(fake.calls)
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["message"]
    assert len(response.content) < 300  # nothing of the input comes back
    assert len(fake.calls) == calls


def test_strict_json_loads_accepts_ordinary_json() -> None:
    assert strict_json_loads('{"q": "한국과 아세안 \\u00e9", "n": [1, 2.5, null, true]}'.encode()) == {
        "q": "한국과 아세안 é", "n": [1, 2.5, None, True]}
    with pytest.raises(StrictJSONError, match="NaN"):
        strict_json_loads(b"[NaN]")


# -- body size


def test_a_body_over_the_limit_is_refused_from_its_content_length(client: TestClient, fake: FakePressroom) -> None:
    calls = len(fake.calls)
    body = json.dumps({"question": QUESTION, "history": ["x" * 1000] * 1100}).encode()  # ~1.1 MB
    response = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == {"code": "too_large", "message": "the request body is over the 1,048,576-byte limit"}
    assert len(fake.calls) == calls


def test_a_chunked_body_over_the_limit_is_cut_off(client: TestClient) -> None:
    def chunks():
        yield b'{"question": "'
        for _ in range(40):
            yield b"x" * 32_768
        yield b'"}'

    response = client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_a_non_json_body_is_refused_by_type(client: TestClient) -> None:
    response = client.post("/api/ask", content=b"question=Why", headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"


# -- Gradio's routes: the same question limit, no uploads


@pytest.mark.parametrize("prefix", ["", "/embed"])
def test_a_huge_question_through_gradio_is_refused_before_gradio_sees_it(client: TestClient, fake: FakePressroom, prefix: str) -> None:
    calls = len(fake.calls)
    for path, payload in (
        (f"{prefix}/gradio_api/call/ask", {"data": ["x" * 1_000_000, []]}),
        (f"{prefix}/gradio_api/queue/join", {"data": ["x" * 3000, [], None, "auto", "", ""], "fn_index": 0, "session_hash": "s1"}),
        (f"{prefix}/gradio_api/run/predict", {"data": [{"text": "x" * 2001, "files": []}]}),
    ):
        start = time.perf_counter()
        response = client.post(path, json=payload)
        assert response.status_code == 413, path
        assert time.perf_counter() - start < 1.0
        assert "limit is 2,000" in response.json()["error"]["message"]
    assert len(fake.calls) == calls


def test_a_long_chat_history_through_gradio_is_refused(client: TestClient) -> None:
    history = [{"role": role, "content": "turn"} for _ in range(60) for role in ("user", "assistant")]
    response = client.post("/gradio_api/queue/join", json={"data": ["And then?", history], "fn_index": 0, "session_hash": "s1"})
    assert response.status_code == 413 and "new conversation" in response.json()["error"]["message"]


def test_an_ordinary_gradio_call_is_let_through(client: TestClient) -> None:
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "In 1989. " * 300}]
    response = client.post("/gradio_api/queue/join", json={"data": [QUESTION, history, None, "auto", "", ""], "fn_index": 0,
                                                           "trigger_id": 1, "session_hash": "s2"})
    assert response.status_code not in (400, 404, 413, 429)  # Gradio's own answer, whatever it makes of the call


@pytest.mark.parametrize("path", ["/gradio_api/upload", "/embed/gradio_api/upload", "/gradio_api/upload?upload_id=x",
                                  "/gradio_api/stream/abc", "/gradio_api/process_recording", "/gradio_api/run-history/connect"])
def test_uploads_and_file_routes_are_turned_off(client: TestClient, path: str) -> None:
    response = client.post(path, files={"files": ("a.html", b"<script>alert(1)</script>", "text/html")})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "uploads and file routes are turned off"


def test_limits_check_is_the_one_rule() -> None:
    limits = Limits(max_question_chars=10, max_history_turns=2)
    limits.check("x" * 10, ["y" * 10, "z"])
    for question, history in (("x" * 11, []), ("ok", ["a", "b", "c"]), ("ok", ["y" * 11])):
        with pytest.raises(LimitExceeded):
            limits.check(question, history)


# -- per-client rate limit


def test_the_rate_limit_answers_429_with_retry_after(fake: FakePressroom) -> None:
    limits = Limits(rate_per_minute=6, rate_burst=2)
    with TestClient(create_app(fake, config=WebConfig(limits=limits))) as c:
        assert [c.post("/api/ask", json={"question": QUESTION}).status_code for _ in range(2)] == [200, 200]
        limited = c.post("/api/ask", json={"question": QUESTION})
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(limited.headers["Retry-After"]) <= 10
        gradio = c.post("/gradio_api/queue/join", json={"data": [QUESTION], "fn_index": 0, "session_hash": "s"})
        assert gradio.status_code == 429  # the chat's route shares the client's bucket
        assert c.get("/healthz").status_code == 200  # health checks are never limited
    with TestClient(create_app(fake, config=WebConfig(limits=limits)), client=("10.0.0.9", 5000)) as other:
        assert other.post("/api/ask", json={"question": QUESTION}).status_code == 200  # another client, its own bucket


def test_token_bucket_refills_at_the_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(per_minute=60, burst=2, clock=lambda: now[0])
    assert bucket.take("a") == 0 and bucket.take("a") == 0
    assert bucket.take("a") == pytest.approx(1.0)
    assert bucket.take("b") == 0
    now[0] += 1.0
    assert bucket.take("a") == 0
    assert TokenBucket(per_minute=0, burst=1).take("a") == 0  # 0: no limit


# -- bounded queue: busy, retry


class SlowPressroom(FakePressroom):
    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.entered = threading.Semaphore(0)

    def ask(self, question, history=(), **options):
        self.entered.release()
        self.release.wait(10)
        return super().ask(question, history, **options)


def test_a_full_queue_answers_503_busy_with_retry_after() -> None:
    slow = SlowPressroom()
    limits = Limits(rate_per_minute=0, max_concurrent=1, max_waiting=1, retry_after_s=3)
    with TestClient(create_app(slow, config=WebConfig(limits=limits))) as c:
        results: list[int] = []
        workers = [threading.Thread(target=lambda: results.append(c.post("/api/ask", json={"question": QUESTION}).status_code))
                   for _ in range(2)]
        workers[0].start()
        assert slow.entered.acquire(timeout=10)  # one answering
        workers[1].start()
        deadline = time.monotonic() + 10
        while c.app.state.gate.waiting < 1 and time.monotonic() < deadline:  # until the second one is queued
            time.sleep(0.01)
        busy = c.post("/api/ask", json={"question": QUESTION})
        assert busy.status_code == 503
        assert busy.json()["error"]["code"] == "busy" and busy.headers["Retry-After"] == "3"
        health = c.get("/healthz")
        assert health.status_code == 200  # answered while every slot is taken
        slow.release.set()
        for worker in workers:
            worker.join(10)
    assert sorted(results) == [200, 200]



def test_the_chat_queues_are_bounded_too(fake: FakePressroom) -> None:
    app = create_app(fake, config=WebConfig(limits=Limits(max_waiting=7)))
    sizes = [route.app.get_blocks()._queue.max_size for route in app.routes if hasattr(getattr(route, "app", None), "get_blocks")]
    assert sizes == [7, 7]  # /embed and /


def test_a_full_chat_queue_refuses_with_503(fake: FakePressroom) -> None:
    with TestClient(create_app(fake, config=WebConfig(limits=Limits(max_waiting=0, rate_per_minute=0)))) as c:
        response = c.post("/gradio_api/queue/join", json={"data": [QUESTION, []], "fn_index": 0, "session_hash": "full"})
    assert response.status_code == 503 and "Queue is full" in response.text
