"""The baselines: the LangChain tutorial (with and without a model), BM25 alone, the naive picker."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableLambda

from evals.attribution import citation_problems
from evals.baselines.naive import build_naive_baseline
from evals.baselines.tutorial import TUTORIAL_CHUNKING, TutorialLLMAnswer, build_tutorial_baseline, trim_to_budget
from evals.configs import BM25, CONFIGS, ConfigUnavailable, CorpusError, EvalContext, check_corpus, resolve
from ingest.index import open_index
from qa import service

ROOT = Path(__file__).resolve().parents[2]
RELEASES = ROOT / "corpus" / "releases"
SAMPLE = "000_3a0123e4a4b49311.txt"


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory, make_fake_embeddings):
    # What it answers does not depend on the model, so the fast fake model keeps this cheap.
    workdir = tmp_path_factory.mktemp("tutorial") / "index"
    return build_tutorial_baseline([RELEASES], make_fake_embeddings(), workdir), workdir


def test_tutorial_answers_with_the_top_chunk_trimmed_to_the_budget(tutorial):
    system, _ = tutorial
    answer = system.ask("When did Korea and ASEAN establish dialogue relations?")
    assert system.name == "langchain-tutorial" and not answer.abstained
    assert len(answer.retrieved) == 4  # the tutorial's k
    top = answer.retrieved[0]
    text = answer.answer.removesuffix(" [1]")
    assert top.text.startswith(text) and len(text.split()) <= 80
    assert answer.citations[0].chunk_id == top.chunk_id
    assert citation_problems(answer) == []


def test_trim_keeps_korean_within_400_characters():
    korean = "가나다라마바사아자차 " * 60
    trimmed = trim_to_budget(korean)
    assert korean.startswith(trimmed) and len(trimmed.replace(" ", "")) == 400
    assert trim_to_budget("short answer") == "short answer"


def test_tutorial_index_holds_raw_character_splits(tutorial, fake_embeddings):
    _, workdir = tutorial
    index = open_index(workdir, embedding_model=fake_embeddings.model_id, chunking_version=TUTORIAL_CHUNKING)
    chunks = index.all_chunks()
    assert {c.source for c in chunks} == {p.name for p in RELEASES.glob("*.txt")}
    assert all(len(c.body) <= 1000 for c in chunks)
    # Raw text: the saved site navigation is in the tutorial's chunks, unlike Pressroom's.
    assert any("바로가기 메뉴" in c.body for c in chunks if c.source == SAMPLE)


def test_tutorial_with_a_model_sends_its_prompt_and_returns_the_reply(tmp_path, fake_embeddings):
    seen = []

    def model(prompt_value):
        seen.append(prompt_value.to_string())
        return AIMessage(content="Korea and ASEAN established dialogue relations in 1989.")

    system = build_tutorial_baseline([RELEASES], fake_embeddings, tmp_path / "index", llm=RunnableLambda(model))
    answer = system.ask("When did Korea and ASEAN establish dialogue relations?")
    assert answer.answer == "Korea and ASEAN established dialogue relations in 1989."
    assert answer.citations == [] and answer.answerer == "tutorial-llm"
    (prompt,) = seen
    assert "Use three sentences maximum" in prompt and "When did Korea and ASEAN" in prompt
    assert answer.retrieved[0].text in prompt


def test_naive_picker_takes_the_sentence_with_most_shared_words():
    system = build_naive_baseline([RELEASES])
    answer = system.ask("How many North Korean individuals and institutions did the government designate on October 14?")
    assert "15" in answer.answer and "16 institutions" in answer.answer
    assert answer.citations[0].source.startswith("009_")
    assert citation_problems(answer) == []
    assert system.ask("zzzz qqqq").abstained


def test_bm25_only_retrieves_with_bm25_alone_or_says_what_it_needs(corpus_index, embeddings):
    ctx = EvalContext(corpus_index.path, [RELEASES], embeddings.model_id, 10, embeddings)
    if "retrieval" not in inspect.signature(service.open_pressroom).parameters:
        with pytest.raises(ConfigUnavailable, match="retrieval='bm25'"):
            CONFIGS[BM25](ctx)
        return
    system = CONFIGS[BM25](ctx)
    answer = system.ask("How many North Korean individuals were designated on October 14, 2022?")
    assert system.name == BM25 and answer.retrieved
    assert all("dense" not in p.routes for p in answer.retrieved)
    assert any("bm25" in p.routes for p in answer.retrieved)


def test_the_llm_configuration_needs_a_model(embeddings):
    ctx = EvalContext(Path("unused"), [RELEASES], embeddings.model_id, 10, embeddings)
    with pytest.raises(ConfigUnavailable, match="PRESSROOM_LLM_URL"):
        CONFIGS["pressroom-llm"](ctx)


def test_baselines_are_always_added():
    assert resolve(["pressroom"]) == ["pressroom", "langchain-tutorial", "bm25-only", "naive-overlap"]


def test_a_run_may_leave_out_a_baseline_but_not_all_or_name_another():
    assert resolve(["pressroom"], ["bm25-only"]) == ["pressroom", "bm25-only"]
    for wrong in ([], ["pressroom-dense"]):
        with pytest.raises(ValueError, match="baselines must be"):
            resolve(["pressroom"], wrong)


def test_a_failed_model_call_is_an_empty_answer_that_says_why_not_the_end_of_the_run():
    from qa.models import Query, ScoredPassage, SearchPlan

    def times_out(_):
        raise TimeoutError("Request timed out.")

    passage = ScoredPassage("a:p1", "a.txt", "a", "T", "2024-01-01", 1, "en", "Korea sent aid.", 0.5)
    answer = TutorialLLMAnswer(RunnableLambda(times_out))(SearchPlan(Query("What?"), "What?"), [passage])
    assert answer.answer == "" and answer.answerer == "tutorial-llm (failed: TimeoutError)"


def test_missing_or_empty_corpus_is_an_error(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        check_corpus([tmp_path / "nowhere"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no release files"):
        check_corpus([tmp_path / "empty"])
    check_corpus([RELEASES])
