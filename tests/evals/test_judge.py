"""The LLM judge: what it is sent, how its reply is read; never a pass on an unclear reply."""

from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableLambda

from evals.judge import LLMJudge, make_llm, parse_verdict
from evals.questions import EvalQuestion

Q = EvalQuestion("q1", "How many were designated?", "15 individuals and 16 institutions", ("a.txt",), "fact")
U = EvalQuestion("q2", "Who won?", "", (), "unanswerable")


def judge_replying(text: str, seen: list):
    def model(prompt_value):
        seen.append(prompt_value.to_string())
        return AIMessage(content=text)

    return LLMJudge(RunnableLambda(model))


def test_reply_words_are_read_strictly():
    assert parse_verdict("CORRECT") is True
    assert parse_verdict("Incorrect.") is False
    assert parse_verdict("The answer is correct") is True
    assert parse_verdict("I am not sure") is None


def test_the_judge_sees_question_gold_and_answer_without_markers():
    seen: list[str] = []
    assert judge_replying("CORRECT", seen)(Q, "15 individuals and 16 institutions [1]") is True
    (prompt,) = seen
    assert "How many were designated?" in prompt and "15 individuals and 16 institutions" in prompt
    assert "[1]" not in prompt
    seen.clear()
    assert judge_replying("maybe", seen)(U, "Nobody.") is None
    assert "UNANSWERABLE" in seen[0]


def test_no_model_configured_means_no_judge():
    assert make_llm(None, None, None) is None
    assert make_llm("http://127.0.0.1:1/v1", None, None) is None
