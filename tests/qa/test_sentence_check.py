"""A language model as a yes/no check of the extractive answerer's best sentences (PRESSROOM_LLM_MODE=check).

The checks here are fakes: these tests are about how the answerer uses a check (re-ranking, declining,
answering without it when it fails) and how P(yes) is read from log-probabilities. The real client
against the real llama.cpp server: tests/llm/test_smol_server.py.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from langchain_core.messages import AIMessage

from qa.answering import make_answerer
from qa.extractive import ExtractiveAnswerer, ExtractiveConfig
from qa.generative import LLMConfig
from qa.models import Query, ScoredPassage, SearchPlan
from qa.sentence_check import CheckFailed, SentenceCheck, yes_probability

SCENE = "The KC-330 left Tel Aviv on October 14 with 163 Korean nationals on board."
ANSWER = "The KC-330 also carried 6 Singaporean nationals."
OTHERS = "The KC-330 had arrived in Tel Aviv on October 13. The KC-330 will fly to Tel Aviv again if needed."
QUESTION = "How many Singaporean nationals were on the KC-330 that left Tel Aviv on October 14?"
PASSAGES = [ScoredPassage("r:p1.0:x", "r.txt", "r", "Evacuation flight", "2023-10-14", 1, "en", f"{SCENE} {ANSWER} {OTHERS}", 0.5)]
CONFIG = replace(ExtractiveConfig(), abstain_below=-10.0, max_sentences=1)


class FakeCheck:
    name = "fake"

    def __init__(self, says: dict[str, float] | None, default: float = 0.1) -> None:
        self.says, self.default, self.asked = says, default, []

    def __call__(self, question, sentences):
        self.asked.append(list(sentences))
        if self.says is None:
            raise CheckFailed("ConnectionError: refused")
        return [self.says.get(s, self.default) for s in sentences]


def ask(check) -> object:
    answerer = ExtractiveAnswerer(None, CONFIG, check=check)
    return answerer(SearchPlan(Query(QUESTION), QUESTION), PASSAGES)


def test_without_a_check_the_scene_answers():
    answer = ExtractiveAnswerer(None, CONFIG)(SearchPlan(Query(QUESTION), QUESTION), PASSAGES)
    assert answer.citations[0].quote == SCENE and answer.answerer == "extractive"


def test_the_sentence_the_model_says_yes_to_moves_up():
    check = FakeCheck({ANSWER: 0.95, SCENE: 0.2})
    answer = ask(check)
    assert not answer.abstained
    assert answer.citations[0].quote == ANSWER
    assert answer.answerer == "extractive+check:fake"
    assert len(check.asked) == 1 and SCENE in check.asked[0] and len(check.asked[0]) <= CONFIG.check_top


def test_a_no_to_every_sentence_is_a_decline():
    answer = ask(FakeCheck({}, default=CONFIG.check_decline_below / 2))
    assert answer.abstained and answer.citations == []
    assert "don't say" in answer.answer


def test_a_failed_check_leaves_the_answerers_own_answer_and_says_so():
    answer = ask(FakeCheck(None))
    assert not answer.abstained and answer.citations[0].quote == SCENE
    assert answer.answerer == "extractive (check failed: ConnectionError: refused)"


def test_a_question_declined_whatever_the_check_says_asks_no_model():
    # The evidence's best score, less what the question names that no passage mentions, is already
    # under the decline line: the model's answer could not change that, so it is not asked.
    strict = replace(CONFIG, abstain_below=10.0)
    check = FakeCheck({ANSWER: 0.99})
    answer = ExtractiveAnswerer(None, strict, check=check)(SearchPlan(Query(QUESTION), QUESTION), PASSAGES)
    assert answer.abstained and check.asked == []


def test_yes_probability_reads_the_first_tokens_alternatives():
    tops = [{"token": "Yes", "logprob": math.log(0.6)}, {"token": " no", "logprob": math.log(0.2)}, {"token": "To", "logprob": -3}]
    assert abs(yes_probability(tops) - 0.75) < 1e-9
    assert yes_probability([{"token": "Maybe", "logprob": -0.1}]) is None


class FakeChat:
    """A chat model's interface as SentenceCheck uses it: bind() then invoke()."""

    def __init__(self, replies) -> None:
        self.replies, self.bound, self.prompts = list(replies), {}, []

    def bind(self, **kw):
        self.bound = kw
        return self

    def invoke(self, messages):
        self.prompts.append(messages[0][1])
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def _reply(yes: float) -> AIMessage:
    tops = [{"token": "Yes", "logprob": math.log(yes)}, {"token": "No", "logprob": math.log(1 - yes)}]
    return AIMessage(content="Yes", response_metadata={"logprobs": {"content": [{"token": "Yes", "top_logprobs": tops}]}})


def test_the_check_asks_one_token_with_log_probabilities_per_sentence():
    chat = FakeChat([_reply(0.9), _reply(0.25), AIMessage(content="No")])
    said = SentenceCheck(chat)("Who?", ["Kim won.", "It\nrained.", "Lee lost."])
    assert [round(p, 2) for p in said] == [0.9, 0.25, 0.0]  # the last endpoint gave no log-probabilities
    assert chat.bound["logprobs"] is True and chat.bound["max_tokens"] == 1
    assert "Sentence: It rained." in chat.prompts[1]  # a sentence cannot start a line of its own


def test_a_failing_endpoint_raises_with_the_reason():
    check = SentenceCheck(FakeChat([_reply(0.9), ConnectionError("refused")]))
    with pytest.raises(CheckFailed, match="^ConnectionError: refused"):
        check("Who?", ["Kim won.", "Lee lost."])


def test_check_mode_builds_the_extractive_answerer_with_the_check():
    answerer = make_answerer(None, llm=LLMConfig(url="http://127.0.0.1:9/v1", model="m", mode="check"), chat_model=FakeChat([]))
    assert isinstance(answerer, ExtractiveAnswerer) and answerer.name == "extractive+check:m"
