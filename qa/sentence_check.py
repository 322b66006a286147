"""A language model as a reader, not a writer: does this sentence state the answer to the question?

For each of the extractive answerer's best sentences the model is asked one yes/no question and
answers with one token; the probability it gives "yes" (from the token's log-probabilities) is the
sentence's check. The answerer ranks by its own score plus the check, and declines when the model
says no to every sentence it read. One token an answer keeps it fast on a laptop CPU (a 1.5B model
reads the ~90-token prompt in about a second, and the question's part is cached between sentences);
the sentences it returns are the releases' own, so a wrong answer is never written by the model.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from qa.prompt import as_data

log = logging.getLogger(__name__)

_ASK = (
    "Question: {question}\nSentence: {sentence}\n"
    "Does the sentence state the answer to the question? Answer yes or no."
)


def yes_probability(top_logprobs: Sequence[dict]) -> float | None:
    """P(yes) / (P(yes) + P(no)) from the first token's alternatives; None when neither is among them."""
    yes = sum(math.exp(t["logprob"]) for t in top_logprobs if t.get("token", "").strip().lower() == "yes")
    no = sum(math.exp(t["logprob"]) for t in top_logprobs if t.get("token", "").strip().lower() == "no")
    if yes + no == 0:
        return None
    return yes / (yes + no)


class CheckFailed(Exception):
    """The model did not answer (connection, time-out, status error); the message says why."""


class SentenceCheck:
    """(question, sentences) -> P(yes) per sentence, from a LangChain chat model that returns log-probabilities
    (ChatOpenAI against llama.cpp, vLLM or a hosted API). Raises CheckFailed when the model fails: the
    reason travels with the call, not on the object, which concurrent questions share."""

    def __init__(self, chat_model, *, name: str = "model") -> None:
        self.chat_model = chat_model.bind(logprobs=True, top_logprobs=10, max_tokens=1, temperature=0)
        self.name = name

    def __call__(self, question: str, sentences: Sequence[str]) -> list[float]:
        out: list[float] = []
        for sentence in sentences:
            try:
                reply = self.chat_model.invoke([("user", _ASK.format(question=as_data(question), sentence=as_data(sentence)))])
            except Exception as exc:  # the endpoint's connection, timeout and status errors, whatever the transport
                reason = f"{type(exc).__name__}: {str(exc)[:200]}"
                log.warning("sentence check failed (%s); answering without it", reason)
                raise CheckFailed(reason) from exc
            content = (reply.response_metadata.get("logprobs") or {}).get("content") or []
            p = yes_probability(content[0].get("top_logprobs", [])) if content else None
            if p is None:
                # No log-probabilities (an endpoint that ignores the option): the answer token itself.
                word = str(reply.content).strip().lower()
                p = 1.0 if word.startswith("yes") else 0.0 if word.startswith("no") else 0.5
            out.append(p)
        return out
