"""Limits that hold on every route, the JSON API's and Gradio's alike.

- one size limit for the question and the history (`Limits.check`), enforced for `/api/*` by the
  request models and for Gradio's `/gradio_api/*` calls by `RequestGuard` before Gradio sees them;
- a request body limit, refused from Content-Length before the body is read;
- strict JSON: NaN, Infinity and lone surrogates are a 400, not a 500 later on;
- Gradio's upload and other file routes refused (the chat takes text only);
- a per-client token bucket on the routes that answer questions;
- a bounded wait for an answering slot (`AnswerGate`): beyond it, "busy, retry" with Retry-After.
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ui.errors import error_response


@dataclass(frozen=True)
class Limits:
    """Defaults are the PRESSROOM_* settings' defaults (README, "Operations")."""

    max_question_chars: int = 2000  # a press-release question is a sentence, not a document
    max_history_turns: int = 50  # earlier user questions sent with a follow-up
    max_body_bytes: int = 1_048_576  # any request body; beyond it 413 before the body is read
    rate_per_minute: float = 60.0  # questions per client per minute; 0 turns the limit off
    rate_burst: int = 20  # questions a client may send at once before the rate applies
    max_concurrent: int = 2  # answers computed at once (the models are CPU-bound)
    max_waiting: int = 64  # questions waiting for a slot; beyond it 503 "busy, retry"
    wait_timeout_s: float = 60.0  # longest a question waits for a slot before 503
    retry_after_s: int = 5

    def check(self, question: str, history: tuple[str, ...] | list[str] = ()) -> None:
        """The one rule for question and history; raises LimitExceeded with a message for the user."""
        if len(question) > self.max_question_chars:
            raise LimitExceeded(
                f"the question is {len(question):,} characters; the limit is {self.max_question_chars:,}. "
                "Ask one shorter question."
            )
        if len(history) > self.max_history_turns:
            raise LimitExceeded(
                f"the conversation has {len(history)} earlier questions; the limit is {self.max_history_turns}. "
                "Start a new conversation."
            )
        for turn in history:
            if len(turn) > self.max_question_chars:
                raise LimitExceeded(
                    f"an earlier question is over {self.max_question_chars:,} characters; start a new conversation."
                )


class LimitExceeded(ValueError):
    pass


class StrictJSONError(ValueError):
    pass


def _reject_constant(name: str):
    raise StrictJSONError(f"{name} is not valid JSON; send numbers as finite values")


def _check_text(value, depth: int = 0) -> None:
    if depth > 64:
        raise StrictJSONError("the JSON is nested too deeply")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise StrictJSONError("the JSON holds a lone surrogate (\\ud800-\\udfff); send valid Unicode text") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, depth + 1)
            _check_text(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_text(item, depth + 1)


def strict_json_loads(body: bytes):
    """Parse a request body as RFC 8259 JSON: no NaN/Infinity, valid UTF-8, no lone surrogates."""
    try:
        value = json.loads(body, parse_constant=_reject_constant)
    except StrictJSONError:
        raise
    except UnicodeDecodeError:
        raise StrictJSONError("the body is not valid UTF-8") from None
    except RecursionError:
        raise StrictJSONError("the JSON is nested too deeply") from None
    except ValueError as exc:
        raise StrictJSONError(f"the body is not valid JSON ({getattr(exc, 'msg', 'syntax error')})") from None
    _check_text(value)
    return value


class TokenBucket:
    """Per-client token buckets, bounded in memory (least recently seen clients are forgotten)."""

    def __init__(self, per_minute: float, burst: int, *, clock: Callable[[], float] = time.monotonic, max_clients: int = 10_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = max(1, burst)
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 when the client may go now; otherwise the seconds until it may."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait


class Busy(RuntimeError):
    pass


class AnswerGate:
    """At most `max_concurrent` answers at once and `max_waiting` waiting; the rest are told to retry.

    Waiting happens on the event loop, not in a worker thread, so a full queue costs no threads and
    the health checks stay quick. `on_idle` runs when the last answer in flight ends and nobody waits.
    """

    def __init__(self, max_concurrent: int, max_waiting: int, timeout_s: float,
                 on_idle: Callable[[], None] | None = None) -> None:
        self.max_concurrent = max(1, max_concurrent)
        self.max_waiting = max_waiting
        self.timeout_s = timeout_s
        self.on_idle = on_idle
        self.waiting = 0
        self.in_flight = 0
        self._semaphore: asyncio.Semaphore | None = None

    async def acquire(self) -> Slot:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_concurrent)
        if self.waiting >= self.max_waiting:
            raise Busy("the queue is full")
        self.waiting += 1
        try:
            await asyncio.wait_for(self._semaphore.acquire(), self.timeout_s)
        except TimeoutError:
            raise Busy("no answering slot came free in time") from None
        finally:
            self.waiting -= 1
        self.in_flight += 1
        return Slot(self)

    def _release(self) -> None:
        self.in_flight -= 1
        self._semaphore.release()
        if self.in_flight == 0 and self.waiting == 0 and self.on_idle is not None:
            self.on_idle()


class Slot:
    """A held answering slot; releasing twice is harmless (a stream may end two ways)."""

    def __init__(self, gate: AnswerGate) -> None:
        self._gate: AnswerGate | None = gate

    def release(self) -> None:
        gate, self._gate = self._gate, None
        if gate is not None:
            gate._release()


# Gradio POST routes the chat uses; every other POST under /gradio_api (upload, stream, component
# server, run history, vibe editing …) is refused.
GRADIO_PREFIX = "/gradio_api/"
GRADIO_CALLS = ("queue/join", "call/", "run/", "api/")
GRADIO_ALLOWED_POSTS = GRADIO_CALLS + ("cancel", "reset")
RATE_LIMITED_ROUTES = ("/api/ask", "/api/ask/stream", "/api/feedback")
USER_KEY = "pressroom.user"  # set in the ASGI scope by ui.auth when someone signed in


def route_path(scope: Scope) -> str:
    """The path inside the app: without the root path when the proxy did not strip it."""
    path, root = scope.get("path", ""), scope.get("root_path", "").rstrip("/")
    if root and (path == root or path.startswith(root + "/")):
        path = path[len(root) :] or "/"
    return path


def client_key(scope: Scope) -> str:
    user = scope.get(USER_KEY)
    if user:
        return f"user:{user}"
    client = scope.get("client")
    return f"ip:{client[0]}" if client else "ip:unknown"


def _texts_in(value) -> tuple[list[str], int]:
    """Gradio payload `data`: its top-level texts (the inputs typed into the page) and the user turns nested
    in chat histories."""
    top: list[str] = []
    user_turns = 0
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str):
            top.append(item)
        elif isinstance(item, dict) and isinstance(item.get("text"), str):  # a multimodal textbox
            top.append(item["text"])
        elif isinstance(item, list):
            user_turns += sum(1 for m in item if isinstance(m, dict) and m.get("role") == "user")
    return top, user_turns


class RequestGuard:
    """ASGI middleware: body limit, strict JSON, Gradio route rules and the per-client rate limit."""

    def __init__(self, app: ASGIApp, limits: Limits, bucket: TokenBucket | None = None) -> None:
        self.app = app
        self.limits = limits
        self.bucket = bucket or TokenBucket(limits.rate_per_minute, limits.rate_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        path = route_path(scope)
        at = path.find(GRADIO_PREFIX)  # "/gradio_api/…" of the page at "/", "/embed/gradio_api/…" of /embed
        gradio = at >= 0
        inner = path[at + len(GRADIO_PREFIX) :] if gradio else ""
        if gradio and not inner.startswith(GRADIO_ALLOWED_POSTS):
            return await error_response(404, "not_found", "uploads and file routes are turned off")(scope, receive, send)

        headers = dict((k.lower(), v) for k, v in scope.get("headers", []))
        declared = headers.get(b"content-length")
        too_large = error_response(
            413, "too_large", f"the request body is over the {self.limits.max_body_bytes:,}-byte limit"
        )
        if declared is not None:
            try:
                if int(declared) > self.limits.max_body_bytes:
                    return await too_large(scope, receive, send)
            except ValueError:
                return await error_response(400, "invalid_request", "bad Content-Length")(scope, receive, send)

        limited = path in RATE_LIMITED_ROUTES or (gradio and inner.startswith(GRADIO_CALLS))
        if limited:
            wait = self.bucket.take(client_key(scope))
            if wait > 0:
                retry = str(max(1, math.ceil(wait)))
                message = f"too many questions from this client; retry in {retry} s"
                return await error_response(429, "rate_limited", message, {"Retry-After": retry})(scope, receive, send)

        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        call = gradio and inner.startswith(GRADIO_CALLS)
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.limits.max_body_bytes:
                return await too_large(scope, receive, send)
            if not message.get("more_body", False):
                break
        # Bodies here are small (the limit is ~1 MB), so buffering them keeps one code path for the checks.
        problem = self._check(bytes(body), call) if (call or content_type.endswith(b"json")) else None
        if problem:
            status, code, text = problem
            return await error_response(status, code, text)(scope, receive, send)
        await self.app(scope, _replay(bytes(body), receive), send)

    def _check(self, body: bytes, gradio_call: bool) -> tuple[int, str, str] | None:
        if not body:
            return None
        try:
            payload = strict_json_loads(body)
        except StrictJSONError as exc:
            return 400, "invalid_request", str(exc)
        if gradio_call and isinstance(payload, dict):
            texts, turns = _texts_in(payload.get("data"))
            try:
                for text in texts:
                    self.limits.check(text)
                if turns > self.limits.max_history_turns + 1:
                    self.limits.check("", [""] * (turns - 1))
            except LimitExceeded as exc:
                return 413, "too_large", str(exc)
        return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
