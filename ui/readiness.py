"""Readiness that means ready: the service is loaded and has answered a warm-up question.

`serve` hands the app a loader; the app starts listening at once (health checks answer "starting")
while a background thread loads the models and the index and asks the warm-up questions, so the
first user's question is as fast as the rest and a load balancer sends no traffic too early.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa.service import Pressroom

log = logging.getLogger("pressroom.web")

# One English and one Korean question: the Korean analyser and every model are loaded by them.
WARM_UP = ("When did Korea and ASEAN establish dialogue relations?", "한국과 아세안은 언제 대화 관계를 수립했나요?")


class Readiness:
    """The service behind the app and whether it can answer: "starting", "ready" or "unavailable"."""

    def __init__(self, reason_if_down: str = "The question-answering service is not available.") -> None:
        self.status = "starting"
        self.reason: str | None = "loading the models and the index"
        self.pressroom: Pressroom | None = None
        self.load_seconds: float | None = None
        self._default_reason = reason_if_down
        self._done = threading.Event()

    @property
    def ready(self) -> bool:
        return self.status == "ready"

    def set_ready(self, pressroom: Pressroom, seconds: float | None = None) -> None:
        self.pressroom, self.status, self.reason, self.load_seconds = pressroom, "ready", None, seconds
        self._done.set()

    def set_unavailable(self, reason: str | None) -> None:
        self.pressroom, self.status, self.reason = None, "unavailable", reason or self._default_reason
        self._done.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def load(self, loader: Callable[[], Pressroom], *, warm_up: tuple[str, ...] = WARM_UP) -> None:
        """Build the service and ask the warm-up questions; any failure leaves the app up with the reason."""
        start = time.perf_counter()
        try:
            pressroom = loader()
            for question in warm_up:
                pressroom.ask(question)
        except Exception as exc:  # noqa: BLE001 — the app stays up in 503 mode and says why
            log.error("the service could not start: %s", exc)
            self.set_unavailable(str(exc) or type(exc).__name__)
            return
        seconds = time.perf_counter() - start
        log.info("ready in %.1f s", seconds)
        self.set_ready(pressroom, seconds)

    def start(self, loader: Callable[[], Pressroom], *, warm_up: tuple[str, ...] = WARM_UP) -> threading.Thread:
        thread = threading.Thread(target=self.load, args=(loader,), kwargs={"warm_up": warm_up}, name="pressroom-load", daemon=True)
        thread.start()
        return thread


class NotReady(ValueError):
    """Asked before the service is ready (or when it could not start); the message says which."""


class LiveService:
    """Stands in for the Pressroom while it loads: what the Gradio page is built with, so the page can be
    served at once and answers as soon as the service is ready."""

    def __init__(self, readiness: Readiness) -> None:
        self.readiness = readiness

    def _service(self) -> Pressroom:
        service = self.readiness.pressroom
        if service is None:
            if self.readiness.status == "starting":
                raise NotReady("the service is starting (loading the models and the index); try again in a few seconds")
            raise NotReady(self.readiness.reason or "the question-answering service is not available")
        return service

    @property
    def name(self) -> str:
        return getattr(self.readiness.pressroom, "name", "pressroom")

    def ask(self, *args, **kwargs):
        return self._service().ask(*args, **kwargs)

    def stream(self, *args, **kwargs):
        service = self._service()
        if hasattr(service, "stream"):
            return service.stream(*args, **kwargs)
        return iter([{"type": "answer", "answer": service.ask(*args, **kwargs).to_dict()}])

    def release_of(self, chunk_id: str):
        return self._service().release_of(chunk_id)
