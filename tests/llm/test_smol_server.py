"""The real client against the real llama.cpp server (SmolLM2-135M): plumbing, streaming, errors, time-outs.

The tiny model's answers are not judged here (the verifier is: tests/qa/test_verify.py); what is
tested is that a question goes out, tokens come back in order, the final answer is the verified
one, and failures say what happened or fall back to the extractive answer.
"""

from __future__ import annotations

import socket

import pytest

from qa.answering import make_answerer
from qa.extractive import ExtractiveAnswerer
from qa.generative import LLMAnswerer, LLMConfig, LLMError, make_chat_model
from qa.models import Query, ScoredPassage, SearchPlan
from qa.service import Pressroom
from qa.verify import CitationVerifier

PASSAGES = [
    ScoredPassage(
        "r1#1", "r1.txt", "r1", "Korea-ASEAN Dialogue Relations", "2024-03-05", 1, "en",
        "Korea and ASEAN established dialogue relations in 1989. The two sides held their 25th summit in Vientiane.",
        0.9,
    ),
    ScoredPassage(
        "r2#1", "r2.txt", "r2", "Vaccine donation", "2023-06-01", 1, "en",
        "The Government of the Republic of Korea donated 1.5 million doses of vaccine to Viet Nam.", 0.5,
    ),
]
QUESTION = "In which year did Korea and ASEAN establish dialogue relations?"


def plan(question: str = QUESTION) -> SearchPlan:
    return SearchPlan(Query(question), question)


def config(url: str, **kw) -> LLMConfig:
    return LLMConfig(url=url, model="smollm2", max_tokens=kw.pop("max_tokens", 48), **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_model_answers_through_chat_openai(smol_url):
    answerer = LLMAnswerer(make_chat_model(config(smol_url)), config(smol_url))
    answer = answerer(plan(), PASSAGES)
    assert answer.answerer == "llm:smollm2"
    assert answer.retrieved == PASSAGES and answer.plan.question == QUESTION
    assert answer.answer.strip()
    assert answerer.last_usage["input_tokens"] > 50  # the passages went out with the question
    assert 0 < answerer.last_usage["output_tokens"] <= 48


def test_tokens_stream_in_order_and_end_with_the_verified_answer(smol_url):
    cfg = config(smol_url)
    answerer = LLMAnswerer(make_chat_model(cfg), cfg)
    pressroom = Pressroom(lambda p: PASSAGES, answerer, verify=CitationVerifier())
    events = list(pressroom.stream(QUESTION))
    tokens = [e for e in events if e["type"] == "token"]
    assert len(tokens) >= 2, "a streamed answer arrives in pieces"
    assert all(isinstance(e["text"], str) and e["text"] for e in tokens)
    assert [e["type"] for e in events[-1:]] == ["answer"] and sum(e["type"] == "answer" for e in events) == 1
    final = events[-1]["answer"]
    assert final["answerer"] in ("llm:smollm2",)
    assert final["question"] == QUESTION and final["query"]["searched"] == QUESTION
    timings = final["timings_ms"]
    assert timings["first_token"] <= timings["answer"]
    assert {"understand", "retrieve", "answer", "verify"} <= set(timings)
    # Whatever the tiny model wrote, what is left after verification is cited by a passage that backs it.
    if not final["abstained"]:
        for citation in final["citations"]:
            start, end = citation["span"]
            text = next(p.text for p in PASSAGES if p.chunk_id == citation["chunk_id"])
            assert text[start:end] in citation["quote"]


def test_the_extractive_answerer_streams_only_the_final_event(embeddings):
    pressroom = Pressroom(lambda p: PASSAGES, ExtractiveAnswerer(embeddings), verify=CitationVerifier(embeddings))
    events = list(pressroom.stream(QUESTION))
    assert [e["type"] for e in events] == ["answer"]
    final = events[0]["answer"]
    assert final["answerer"] == "extractive" and not final["abstained"]
    assert "1989" in final["answer"] and final["citations"][0]["chunk_id"] == "r1#1"


def test_an_unreachable_server_is_a_clear_error(tmp_path):
    cfg = LLMConfig(url=f"http://127.0.0.1:{free_port()}/v1", model="none", timeout=5)
    answerer = LLMAnswerer(make_chat_model(cfg), cfg)
    with pytest.raises(LLMError, match="cannot reach the model at .*pressroom llm serve"):
        answerer(plan(), PASSAGES)


def test_an_unreachable_server_falls_back_to_the_extractive_answer(embeddings):
    cfg = LLMConfig(url=f"http://127.0.0.1:{free_port()}/v1", model="none", timeout=5)
    answerer = make_answerer(embeddings, llm=cfg)
    pressroom = Pressroom(lambda p: PASSAGES, answerer, verify=CitationVerifier(embeddings))
    events = list(pressroom.stream(QUESTION))
    assert [e["type"] for e in events] == ["answer"]
    final = events[0]["answer"]
    assert final["answerer"].startswith("extractive (fallback: cannot reach the model")
    assert "1989" in final["answer"]


def test_a_server_slower_than_the_timeout_is_a_clear_error(smol_url):
    cfg = config(smol_url, timeout=0.01, max_tokens=200)
    answerer = LLMAnswerer(make_chat_model(cfg), cfg)
    with pytest.raises(LLMError, match="did not answer within"):
        answerer(plan(), PASSAGES)


def test_no_passages_means_no_model_call_and_a_decline(smol_url):
    cfg = LLMConfig(url=f"http://127.0.0.1:{free_port()}/v1", model="none")  # would fail if called
    answer = LLMAnswerer(make_chat_model(cfg), cfg)(plan(), [])
    assert answer.abstained and answer.citations == []


def test_the_sentence_check_reads_yes_and_no_from_the_real_server(smol_url):
    from qa.sentence_check import SentenceCheck

    check = SentenceCheck(make_chat_model(config(smol_url)), name="smollm2")
    sentences = ["Korea and ASEAN established dialogue relations in 1989.", "The vaccine was donated to Viet Nam."]
    said = check(QUESTION, sentences)  # a failed call raises CheckFailed with the reason
    assert len(said) == 2
    assert all(0.0 <= p <= 1.0 for p in said)


def test_check_mode_answers_with_a_release_sentence_through_the_real_server(smol_url, embeddings):
    cfg = LLMConfig(url=smol_url, model="smollm2", mode="check")
    pressroom = Pressroom(lambda p: PASSAGES, make_answerer(embeddings, llm=cfg), verify=CitationVerifier(embeddings))
    answer = pressroom.ask(QUESTION)
    # The tiny model's verdicts are not judged; what it returns is either a decline or the releases' own sentence.
    assert answer.answerer == "extractive+check:smollm2"
    if not answer.abstained:
        assert all(c.quote in PASSAGES[0].text or c.quote in PASSAGES[1].text for c in answer.citations)


def test_check_mode_with_an_unreachable_server_answers_without_the_check(embeddings):
    cfg = LLMConfig(url=f"http://127.0.0.1:{free_port()}/v1", model="none", timeout=5, mode="check")
    pressroom = Pressroom(lambda p: PASSAGES, make_answerer(embeddings, llm=cfg), verify=CitationVerifier(embeddings))
    answer = pressroom.ask(QUESTION)
    assert answer.answerer.startswith("extractive (check failed: ")
    assert "1989" in answer.answer
