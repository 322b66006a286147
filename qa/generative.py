"""Language-model answers through any OpenAI-compatible endpoint (llama.cpp, vLLM, Ollama /v1, hosted).

One code path: langchain-openai's ChatOpenAI with a base_url. The model writes from the fenced,
numbered passages (qa.prompt); its `[n]` markers become citations of passage n, which the verify
stage then checks sentence by sentence. The model's own "not in the releases", and a failing
endpoint, hand the question to the fallback answerer (the extractive one), so a chat never goes
dead because the model server is down; Answer.answerer says who answered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator
from dataclasses import dataclass

from qa.abstain import abstain_message
from qa.citations import markers
from qa.models import Answer, Citation, ScoredPassage, SearchPlan
from qa.prompt import DECLINE, answer_language, build_messages

_MARKER_LIST = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)+)\]")
_DECLINED = re.compile(re.escape(DECLINE) + r"|not (?:stated|mentioned) in the (?:passages|releases)", re.IGNORECASE)


class LLMError(RuntimeError):
    """The model endpoint failed (unreachable, timed out, refused); the message says which and where."""


@dataclass(frozen=True)
class LLMConfig:
    url: str
    model: str = "local"
    api_key: str | None = None
    passages: int = 4  # how many top passages the model reads: prompt tokens are the time to first token
    max_chars: int = 560  # of each passage (qa.prompt.focus keeps the part around the question)
    max_tokens: int = 200
    timeout: float = 120.0  # seconds for a whole answer
    temperature: float = 0.0
    mode: str = "write"  # "write": the model writes the answer; "check": it checks the extractive answerer's sentences


def make_chat_model(config: LLMConfig):
    """A ChatOpenAI pointed at `config.url`; no retries: a slow local model must not be asked twice."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=config.url,
        model=config.model,
        api_key=config.api_key or "none",
        temperature=config.temperature,
        max_tokens=config.max_tokens,
        timeout=config.timeout,
        max_retries=0,
        stream_usage=True,
    )


def _tidy_markers(text: str) -> str:
    """"[1, 2]" -> "[1][2]"; the verifier reads one number per marker."""
    return _MARKER_LIST.sub(lambda m: "".join(f"[{n}]" for n in re.split(r"\s*[,;]\s*", m.group(1))), text)


def answer_from_text(plan: SearchPlan, shown: list[ScoredPassage], retrieved: list[ScoredPassage], text: str, answerer: str) -> Answer:
    """The model's text as an Answer: each `[n]` cites shown passage n (the verifier checks it)."""
    text = _tidy_markers(text.strip())
    if not text or _DECLINED.search(text):
        return abstention(plan, retrieved, answerer)
    citations: list[Citation] = []
    for n in dict.fromkeys(markers(text)):
        if 1 <= n <= len(shown):
            p = shown[n - 1]
            citations.append(Citation(n, p.source, p.title, p.date, p.paragraph, "", p.chunk_id))
    return Answer(plan.question, text, False, citations, retrieved, confidence=1.0, answerer=answerer, plan=plan)


def abstention(plan: SearchPlan, retrieved: list[ScoredPassage], answerer: str) -> Answer:
    message = abstain_message(plan.question, answer_language(plan))
    return Answer(plan.question, message, True, [], retrieved, confidence=0.0, answerer=answerer, plan=plan)


class LLMAnswerer:
    """(SearchPlan, passages) -> Answer from a chat model; `.stream` yields its tokens as they come."""

    def __init__(self, chat_model, config: LLMConfig, *, fallback: Callable | None = None) -> None:
        self.chat_model = chat_model
        self.config = config
        self.fallback = fallback
        self.name = f"llm:{config.model}"
        self.last_usage: dict = {}

    def __call__(self, plan: SearchPlan, passages: list[ScoredPassage]) -> Answer:
        stream = self.stream(plan, passages)
        while True:
            try:
                next(stream)
            except StopIteration as done:
                return done.value

    def stream(self, plan: SearchPlan, passages: list[ScoredPassage]) -> Generator[str, None, Answer]:
        """Yield the model's text pieces; return the Answer (before verification)."""
        if not passages:
            return abstention(plan, passages, self.name)
        shown = passages[: self.config.passages]
        messages = build_messages(plan, shown, max_chars=self.config.max_chars)
        pieces: list[str] = []
        usage: dict = {}
        try:
            for chunk in self.chat_model.stream(messages):
                if chunk.usage_metadata:
                    usage = dict(chunk.usage_metadata)
                if isinstance(chunk.content, str) and chunk.content:
                    pieces.append(chunk.content)
                    yield chunk.content
        except Exception as exc:  # openai's connection, timeout and status errors, whatever the transport
            error = _describe(exc, self.config)
            if self.fallback is None:
                raise LLMError(error) from exc
            answer = self.fallback(plan, passages)
            answer.answerer = f"{answer.answerer} (fallback: {error})"
            return answer
        self.last_usage = usage
        answer = answer_from_text(plan, shown, passages, "".join(pieces), self.name)
        if answer.abstained and self.fallback is not None:
            # A small model declines many answerable questions; its refusal is not the abstention rule.
            # The fallback (with its own abstention) answers instead, and the verifier checks it too.
            fallback = self.fallback(plan, passages)
            fallback.answerer = f"{fallback.answerer} (fallback: {self.name} declined)"
            return fallback
        return answer


def _describe(exc: Exception, config: LLMConfig) -> str:
    name = type(exc).__name__
    if "Timeout" in name:
        return f"the model at {config.url} did not answer within {config.timeout:.0f} s"
    if "Connection" in name:
        return f"cannot reach the model at {config.url}; start it (pressroom llm serve) or unset PRESSROOM_LLM_URL"
    return f"the model at {config.url} failed: {name}: {str(exc)[:200]}"
