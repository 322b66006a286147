"""What one chat turn does, apart from the page layout: read the history, ask (streaming when the
service can), and render each step as the chat's Markdown. Plain Python, tested without a browser."""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from ui.reply import escape_md, format_reply

if TYPE_CHECKING:  # qa.service pulls in the index and embeddings; the chat only needs `.ask`/`.stream`
    from qa.service import Pressroom

__all__ = ["EXAMPLES", "TurnError", "answer_events", "parse_day", "run_turn", "ui_language", "user_turns"]

EXAMPLES = {
    "en": [
        "When did Korea and ASEAN establish dialogue relations?",
        "What did Park Jin and Hayashi agree in Tokyo?",
        "How many North Korean individuals were sanctioned on October 14, 2022?",
    ],
    "ko": [
        "경제안보외교센터는 언제 출범했나요?",
        "한미일 외교차관 협의회는 어디에서 열렸나요?",
    ],
}
UNAVAILABLE = "The question-answering service is not available."
WORKING = {"en": "Searching the releases…", "ko": "보도자료를 찾는 중…"}
EMPTY = {"en": "Please type a question about the press releases.", "ko": "보도자료에 관한 질문을 입력해 주세요."}


class TurnError(ValueError):
    """A question the chat won't send (bad date, empty): the message says what to fix."""


def _text_of(content: Any) -> str:
    """The text of a message's content: a string, a text part, or a list of parts (files are skipped)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        text = content.get("text")  # {"type": "text", "text": …} and multimodal {"text": …, "files": …}
        return text if isinstance(text, str) else ""
    if isinstance(content, (list, tuple)):
        return " ".join(t for t in (_text_of(part) for part in content) if t)
    return ""


def user_turns(history: Iterable[Any]) -> tuple[str, ...]:
    """Earlier user questions, oldest first, from messages-style chat history."""
    turns: list[str] = []
    for message in history or ():
        if isinstance(message, dict):
            role, content = message.get("role"), message.get("content")
        else:  # a gr.ChatMessage
            role, content = getattr(message, "role", None), getattr(message, "content", None)
        if role == "user" and (text := " ".join(_text_of(content).split())):
            turns.append(text)
    return tuple(turns)


def ui_language(accept_language: str | None) -> str:
    """"ko" when the browser prefers Korean over English, else "en" (labels in replies follow the page)."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("ko"):
            return "ko"
        if tag.startswith("en"):
            return "en"
    return "en"


def parse_day(value: Any, what: str) -> date | None:
    """A date from the filter box: "", None, "YYYY-MM-DD" (a picker may add a time; it is ignored)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)):  # a picker's timestamp
        from datetime import datetime, timezone

        return datetime.fromtimestamp(value, tz=timezone.utc).date()
    text = str(value).strip()[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise TurnError(f"the {what} date “{str(value)[:20]}” is not a date; use YYYY-MM-DD, e.g. 2022-08-04") from None


def answer_events(pressroom: Pressroom, question: str, history: tuple[str, ...], **options: Any) -> Iterator[dict]:
    """{"type": "token", "text"}… then {"type": "answer", "answer": <JSON>}: the service's stream when
    it has one (a language model writing), else one final event from `.ask`."""
    options = {k: v for k, v in options.items() if v is not None}
    stream = getattr(pressroom, "stream", None)
    if callable(stream):
        yield from stream(question, history, **options)
        return
    yield {"type": "answer", "answer": pressroom.ask(question, history, **options).to_dict()}


def run_turn(
    pressroom: Pressroom | None,
    question: str,
    history: Iterable[Any],
    *,
    lang: str = "en",
    answer_language: str | None = None,
    date_from: Any = None,
    date_to: Any = None,
    unavailable_reason: str | None = None,
) -> Iterator[tuple[str, dict | None]]:
    """Yields (the reply so far as Markdown, the answer JSON once known) while the answer comes in."""
    if pressroom is None:
        yield f"**Unavailable.** {html.escape(unavailable_reason or UNAVAILABLE, quote=False)}", None
        return
    question = " ".join(question.split())
    if not question:
        yield EMPTY.get(lang, EMPTY["en"]), None
        return
    try:
        options = {
            "answer_language": answer_language if answer_language in ("en", "ko") else None,
            "date_from": parse_day(date_from, "from"),
            "date_to": parse_day(date_to, "to"),
        }
        yield WORKING.get(lang, WORKING["en"]), None
        written = ""
        for event in answer_events(pressroom, question, user_turns(history), **options):
            if event.get("type") == "token":
                written += str(event.get("text", ""))
                yield escape_md(written) + " ▍", None
            elif event.get("type") == "answer":
                yield format_reply(event["answer"], lang), event["answer"]
                return
    except ValueError as exc:  # the service's (or our) word on a question it refuses
        yield escape_md(str(exc)), None
