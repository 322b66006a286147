"""An LLM judge, used only when a model is configured; reported beside the rule-based grade, never instead.

It sees the question, the gold answer(s) and the answer (markers removed) and says CORRECT or
INCORRECT; anything else it says counts as not judged (None), not as a pass.
"""

from __future__ import annotations

import re

from langchain_core.prompts import ChatPromptTemplate

from evals.grader import strip_markers
from evals.questions import EvalQuestion

JUDGE_PROMPT = ChatPromptTemplate.from_messages(
    [
        (
            "system",
            "You grade answers to questions about government press releases. An answer is CORRECT only if it "
            "states every key fact of the gold answer (names, numbers, dates, amounts; other languages and "
            "formats are fine) and says nothing that contradicts it. If the gold answer is 'UNANSWERABLE', the "
            "answer is CORRECT only if it declines to answer. Reply with one word: CORRECT or INCORRECT.",
        ),
        ("human", "Question: {question}\nGold answer: {gold}\nAnswer to grade: {answer}\nVerdict:"),
    ]
)


def make_llm(url: str | None, model: str | None, api_key: str | None, *, temperature: float = 0.0):
    """A ChatOpenAI client for an OpenAI-compatible endpoint, or None when no model is configured."""
    if not url or not model:
        return None
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=url, model=model, api_key=api_key or "not-needed", temperature=temperature, timeout=120)


class LLMJudge:
    def __init__(self, llm) -> None:
        self.chain = JUDGE_PROMPT | llm

    def __call__(self, q: EvalQuestion, answer_text: str) -> bool | None:
        gold = " / ".join(q.gold_forms) if q.answerable else "UNANSWERABLE"
        reply = self.chain.invoke({"question": q.question, "gold": gold, "answer": strip_markers(answer_text)})
        return parse_verdict(reply.content if isinstance(reply.content, str) else str(reply.content))


def parse_verdict(text: str) -> bool | None:
    words = re.findall(r"[A-Za-z]+", text.upper())
    if "INCORRECT" in words:
        return False
    if "CORRECT" in words:
        return True
    return None
