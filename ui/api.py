"""The JSON API: ask, ask with streaming (server-sent events), a release's text for the source panel,
feedback, and the health checks. Thin: the service answers, this layer checks and shapes."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field, field_validator
from starlette.background import BackgroundTask
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from ui.auth import user_of
from ui.errors import ApiError, error_body
from ui.feedback import Feedback, FeedbackStore
from ui.limits import AnswerGate, Busy, LimitExceeded, Limits, Slot
from ui.readiness import NotReady, Readiness

log = logging.getLogger("pressroom.web")


class AskRequest(BaseModel):
    question: str = Field(description="The question, in English or Korean (at most PRESSROOM_MAX_QUESTION_CHARS characters).")
    history: list[str] = Field(default_factory=list, description="Earlier user questions of the conversation, oldest first.")
    answer_language: Literal["en", "ko"] | None = Field(None, description="Answer in this language; default: the question's.")
    date_from: date | None = Field(None, description="Only releases dated on or after this day (YYYY-MM-DD).")
    date_to: date | None = Field(None, description="Only releases dated on or before this day (YYYY-MM-DD).")

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is empty; type a question about the press releases")
        return value.strip()

    @field_validator("history")
    @classmethod
    def _turns(cls, value: list[str]) -> list[str]:
        return [" ".join(turn.split()) for turn in value if turn.strip()]


class FeedbackRequest(BaseModel):
    question: str = Field(min_length=1, max_length=20_000)
    answer: str | dict[str, Any] = Field(description="The answer shown: its text, or the answer JSON from /api/ask.")
    rating: Literal["up", "down"]
    comment: str | None = Field(None, max_length=2000)
    answer_id: str | None = Field(None, max_length=64)
    history: list[str] = Field(default_factory=list, max_length=100)


class FeedbackSaved(BaseModel):
    id: int


class SourceParagraph(BaseModel):
    paragraph: int
    text: str
    cited: bool


class SourceRelease(BaseModel):
    chunk_id: str
    source: str
    title: str
    date: str
    links: list[str] = Field(description="The release's original reports (sources.tsv); empty when not known.")
    paragraphs: list[SourceParagraph] = Field(description="The cited paragraph (cited: true) and its neighbours, in order.")


ERRORS = {
    status: {"description": text, "content": {"application/json": {"example": error_body(code, text)}}}
    for status, code, text in (
        (400, "invalid_request", "The body is not valid JSON (NaN, Infinity and lone surrogates are refused)."),
        (413, "too_large", "The body, the question or the history is over its limit."),
        (422, "invalid_request", "A field is missing or wrong; the message names it."),
        (429, "rate_limited", "Too many questions from this client; see Retry-After."),
        (503, "busy", "Busy or not ready; retry after Retry-After seconds."),
    )
}


@dataclass
class ApiState:
    readiness: Readiness
    limits: Limits
    gate: AnswerGate
    feedback: FeedbackStore | None = None
    sources: Any = None  # ui.sources.SourceDesk: the source panel's lookups

    def service(self):
        if self.readiness.pressroom is not None:
            return self.readiness.pressroom
        if self.readiness.status == "starting":
            raise ApiError(503, "starting", "the service is starting (loading the models and the index); retry shortly",
                           headers={"Retry-After": "5"})
        raise ApiError(503, "unavailable", self.readiness.reason or "the question-answering service is not available")

    def check(self, request: AskRequest) -> None:
        try:
            self.limits.check(request.question, request.history)
        except LimitExceeded as exc:
            raise ApiError(413, "too_large", str(exc)) from None
        if request.date_from and request.date_to and request.date_from > request.date_to:
            raise ApiError(422, "invalid_request", "date_to is before date_from; swap the two dates")

    async def slot(self) -> Slot:
        try:
            return await self.gate.acquire()
        except Busy:
            retry = str(self.limits.retry_after_s)
            raise ApiError(503, "busy", f"the server is busy answering other questions; retry in {retry} s",
                           headers={"Retry-After": retry}) from None


def _options(request: AskRequest) -> dict:
    """Only what was given: a service without a date filter still answers plain questions."""
    return {k: v for k, v in (("answer_language", request.answer_language), ("date_from", request.date_from),
                              ("date_to", request.date_to)) if v is not None}


def _sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def build_api(state: ApiState) -> APIRouter:
    router = APIRouter()

    # async: answered on the event loop, never queued behind answers in the worker threads.
    @router.get("/healthz", tags=["health"], summary="200 once ready; 503 while starting or when the service is down, with why")
    async def healthz() -> JSONResponse:
        readiness = state.readiness
        if readiness.status == "ready":
            return JSONResponse({"status": "ok", "ready": True})
        body = {"status": readiness.status, "ready": False, "reason": readiness.reason}
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"} if readiness.status == "starting" else None)

    @router.get("/readyz", tags=["health"], summary="200 once the models and index are loaded and warmed up")
    async def readyz() -> JSONResponse:
        readiness = state.readiness
        if readiness.ready:
            return JSONResponse({"ready": True, "load_seconds": readiness.load_seconds})
        return JSONResponse({"ready": False, "status": readiness.status, "reason": readiness.reason}, status_code=503,
                            headers={"Retry-After": "5"} if readiness.status == "starting" else None)

    @router.post("/api/ask", tags=["ask"], summary="Answer a question with cited passages", responses=ERRORS)
    async def ask(request: AskRequest) -> JSONResponse:
        service = state.service()
        state.check(request)
        slot = await state.slot()
        try:
            answer = await run_in_threadpool(service.ask, request.question, tuple(request.history), **_options(request))
        except ValueError as exc:  # the service's word on a question it refuses
            raise ApiError(422, "invalid_request", str(exc)) from None
        finally:
            slot.release()
        return JSONResponse({**answer.to_dict(), "answer_id": uuid.uuid4().hex})

    @router.post(
        "/api/ask/stream",
        tags=["ask"],
        summary="Answer a question as server-sent events",
        description='`event: token` `{"text"}` as the answer is written (language-model answerers only), then one '
        '`event: answer` with the same JSON as POST /api/ask; a failure mid-way is one `event: error` '
        '`{"error": {"code", "message"}}`.',
        responses={**ERRORS, 200: {"content": {"text/event-stream": {}}}},
        response_class=StreamingResponse,
    )
    async def ask_stream(request: AskRequest) -> StreamingResponse:
        service = state.service()
        state.check(request)
        slot = await state.slot()
        args, options = (request.question, tuple(request.history)), _options(request)

        def events() -> Iterator[dict]:
            if hasattr(service, "stream"):
                yield from service.stream(*args, **options)
            else:
                yield {"type": "answer", "answer": service.ask(*args, **options).to_dict()}

        async def body() -> AsyncIterator[str]:
            try:
                async for event in iterate_in_threadpool(events()):
                    if event.get("type") == "token":
                        yield _sse("token", {"text": event.get("text", "")})
                    elif event.get("type") == "answer":
                        yield _sse("answer", {**event["answer"], "answer_id": uuid.uuid4().hex})
            except ValueError as exc:
                yield _sse("error", error_body("invalid_request", str(exc)))
            except Exception:
                log.exception("stream failed")
                yield _sse("error", error_body("internal", "something went wrong on the server; the error is in its log"))
            finally:
                slot.release()

        async def release() -> None:  # on the event loop: the slot's semaphore is an asyncio one
            slot.release()

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # nginx: pass tokens through at once
        return StreamingResponse(body(), media_type="text/event-stream", headers=headers, background=BackgroundTask(release))

    @router.get(
        "/api/sources/{chunk_id:path}",
        tags=["sources"],
        summary="The release a citation points to, every paragraph in order, the cited one marked",
        response_model=SourceRelease,
        responses={404: {"description": "No such passage in the index."}},
    )
    def source(chunk_id: str) -> JSONResponse:
        state.service()
        try:
            view = state.sources.view(chunk_id) if state.sources is not None and len(chunk_id) <= 512 else None
        except NotReady as exc:
            raise ApiError(503, "unavailable", str(exc)) from None
        if view is None:
            raise ApiError(404, "not_found", "no passage with that id in the index; it may have been re-ingested, ask again")
        return JSONResponse(view.to_dict())

    @router.post("/api/feedback", tags=["feedback"], summary="Thumbs up or down on an answer", status_code=201,
                 responses=ERRORS)
    def feedback(body: FeedbackRequest, request: Request) -> FeedbackSaved:
        if state.feedback is None:
            raise ApiError(503, "unavailable", "feedback is not stored on this server (PRESSROOM_FEEDBACK_DB is unset)")
        answer_json = body.answer if isinstance(body.answer, dict) else None
        answer_text = str(answer_json.get("answer", "")) if answer_json else str(body.answer)
        item = Feedback(
            question=body.question.strip(),
            answer=answer_text,
            rating=body.rating,
            comment=(body.comment or "").strip() or None,
            user=user_of(request),
            history=tuple(body.history),
            answer_json=answer_json,
            answer_id=body.answer_id or (answer_json or {}).get("answer_id"),
        )
        try:
            return FeedbackSaved(id=state.feedback.add(item))
        except OSError as exc:
            log.error("feedback not saved: %s", exc)
            raise ApiError(503, "unavailable", "feedback could not be saved; the reason is in the server log") from None

    return router
