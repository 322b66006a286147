"""The Gradio chat: a ChatInterface whose replies are formatted answers with their sources."""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import gradio as gr

from ui.reply import escape_md, format_reply

if TYPE_CHECKING:  # qa.service pulls in the index and embeddings; the chat only needs `.ask`
    from qa.service import Pressroom

__all__ = ["EXAMPLES", "build_chat", "format_reply", "make_respond", "user_turns"]

EXAMPLES = [
    "When did Korea and ASEAN establish dialogue relations?",
    "What did Park Jin and Hayashi agree in Tokyo?",
    "How many North Korean individuals were sanctioned on October 14, 2022?",
]
UNAVAILABLE = "The question-answering service is not available."


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


def _notice(reason: str | None) -> str:
    # The reason is ours (it names a command to run), so its `code` may render; HTML still may not.
    return html.escape(reason or UNAVAILABLE, quote=False)


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


def make_respond(pressroom: Pressroom | None, unavailable_reason: str | None = None) -> Callable[[Any, list], str]:
    """The ChatInterface function: (message, history) -> Markdown reply."""

    def respond(message: Any, history: list) -> str:
        if pressroom is None:
            return f"**Unavailable.** {_notice(unavailable_reason)}"
        question = _text_of(message).strip()
        if not question:
            return "Please type a question about the press releases."
        try:
            answer = pressroom.ask(question, user_turns(history))
        except ValueError as exc:  # the service's word on a question it refuses
            return escape_md(str(exc))
        return format_reply(answer)

    return respond


def build_chat(
    pressroom: Pressroom | None, *, unavailable_reason: str | None = None, title: str = "Pressroom"
) -> gr.Blocks:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry from a local tool
    description = "Ask about the ministry's press releases. Every answer cites the paragraphs it comes from."
    if pressroom is None:
        description += f"\n\n**Unavailable:** {_notice(unavailable_reason)}"
    chatbot = gr.Chatbot(
        height=560,
        sanitize_html=True,
        allow_tags=False,  # custom tags would otherwise survive sanitising
        latex_delimiters=[],  # a "$" in a release is money, not maths
        buttons=["copy"],
        placeholder="Ask a question, or pick an example below.",
    )
    return gr.ChatInterface(
        make_respond(pressroom, unavailable_reason),
        chatbot=chatbot,
        # A custom textbox carries its own submit button; ChatInterface's submit_btn only reaches its default one.
        textbox=gr.Textbox(placeholder="Ask about the press releases…", max_lines=4, submit_btn=True),
        examples=EXAMPLES,
        cache_examples=False,  # caching would run the models at start-up
        title=title,
        description=description,
        flagging_mode="never",
        analytics_enabled=False,
        api_name="ask",
    )
