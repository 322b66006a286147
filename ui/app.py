"""The web app: a small JSON API plus the Gradio chat mounted at `/`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StringConstraints, field_validator

if TYPE_CHECKING:  # qa.service pulls in the index and embeddings; the app only needs `.ask`
    from qa.service import Pressroom

DEFAULT_REASON = "The question-answering service is not available."
MAX_QUESTION = 2000  # characters; a press-release question is a sentence, not a document

HistoryTurn = Annotated[str, StringConstraints(max_length=MAX_QUESTION)]


class AskRequest(BaseModel):
    question: str = Field(max_length=MAX_QUESTION, description="The question, in English or Korean.")
    history: list[HistoryTurn] = Field(
        default_factory=list, max_length=50, description="Earlier user questions, oldest first."
    )

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is empty; type a question about the press releases")
        return value.strip()


def create_app(
    pressroom: Pressroom | None, *, unavailable_reason: str | None = None, title: str = "Pressroom"
) -> FastAPI:
    """Serve `pressroom`; with None (e.g. no index yet) the app still serves and says why it can't answer."""
    reason = unavailable_reason or DEFAULT_REASON
    app = FastAPI(title=title)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        if pressroom is None:
            return JSONResponse({"status": "unavailable", "ready": False, "reason": reason}, status_code=503)
        return JSONResponse({"status": "ok", "ready": True})

    # A plain `def`: FastAPI runs it in its threadpool, so a slow answer doesn't block the event loop.
    @app.post("/api/ask")
    def ask(request: AskRequest) -> JSONResponse:
        if pressroom is None:
            raise HTTPException(status_code=503, detail=reason)
        try:
            answer = pressroom.ask(request.question, tuple(request.history))
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        return JSONResponse(answer.to_dict())

    _mount_chat(app, pressroom, reason if pressroom is None else None, title)
    return app


def _mount_chat(app: FastAPI, pressroom: Pressroom | None, reason: str | None, title: str) -> None:
    # Imported here so that importing ui.app (e.g. for the API alone) doesn't pay for gradio.
    import gradio as gr

    from ui.chat import build_chat

    blocks = build_chat(pressroom, unavailable_reason=reason, title=title)
    # Mounted last: a mount at "/" matches every path, so routes registered after it would be shadowed.
    gr.mount_gradio_app(app, blocks, path="/", ssr_mode=False, mcp_server=False)
