"""Which answerer answers and how answers are checked: the factories qa.service wires in.

With no language model configured, the extractive answerer answers. With one (PRESSROOM_LLM_URL),
the model answers and the extractive answerer stands behind it for when the model declines or its
server fails; or (PRESSROOM_LLM_MODE=check) the extractive answerer answers and the model checks its
sentences. Either way the citation verifier checks the result.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from qa.arithmetic import add_difference, add_total
from qa.chronology import add_interval
from qa.extractive import ExtractiveAnswerer, ExtractiveConfig
from qa.generative import LLMAnswerer, LLMConfig, make_chat_model
from qa.models import Answer, ScoredPassage, SearchPlan
from qa.sentence_check import SentenceCheck
from qa.verify import CitationVerifier, VerifyConfig


def make_answerer(
    embeddings, *, answerer_config: ExtractiveConfig | None = None, llm: LLMConfig | None = None, chat_model=None
) -> Callable[[SearchPlan, list[ScoredPassage]], Answer]:
    """`embeddings` score the extractive answerer's sentences; `chat_model` overrides the one `llm` names.

    With `llm.mode == "check"` the model does not write: it checks the extractive answerer's sentences.
    """
    if llm is not None and llm.mode == "check":
        check = SentenceCheck(chat_model or make_chat_model(llm), name=llm.model)
        return ExtractiveAnswerer(embeddings, answerer_config, check=check)
    extractive = ExtractiveAnswerer(embeddings, answerer_config)
    if llm is None:
        return extractive
    return LLMAnswerer(chat_model or make_chat_model(llm), llm, fallback=extractive)


def make_verifier(embeddings, config: VerifyConfig | None = None) -> Callable[[Answer], Answer]:
    """Citations checked, then totals, differences and the days between two events added by code from the
    figures and dates that survived.

    Meaning is judged with the multilingual part of a model pair when there is one: an answer in
    Korean may cite an English release.
    """
    from ingest.embeddings import USE_MULTILINGUAL

    parts = dict((part.model_id, part) for part, _ in getattr(embeddings, "parts", []))
    verifier = CitationVerifier(parts.get(USE_MULTILINGUAL, embeddings), config)

    def verify(answer: Answer) -> Answer:
        return add_interval(add_difference(add_total(verifier(answer))))

    return verify


def stream_answer(answerer, plan: SearchPlan, passages: list[ScoredPassage]) -> Generator[str, None, Answer]:
    """Text pieces while an answerer that can stream writes; returns its Answer. Others: no pieces."""
    streamer = getattr(answerer, "stream", None)
    if streamer is None:
        return answerer(plan, passages)
    return (yield from streamer(plan, passages))
