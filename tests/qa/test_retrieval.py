"""Dense retrieval over the real corpus index, and the LangChain-tutorial baseline."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ingest.index import open_index
from ingest.tutorial import TUTORIAL_CHUNKING
from qa.baseline import build_tutorial_baseline
from qa.citations import citation_problems
from qa.models import Query
from qa.retrieval import DenseRetriever

ROOT = Path(__file__).resolve().parents[2]
RELEASES = ROOT / "corpus" / "releases"
SAMPLE = "000_3a0123e4a4b49311.txt"
# Eight of the sample's nine chunks are about this meeting, so uncapped it fills the list.
KASI = Query("Park Jin and ASEAN Secretary-General Kao Kim Hourn on KASI and the ASEAN-Korea partnership")


@pytest.fixture(scope="module")
def uncapped(corpus_index, embeddings):
    return DenseRetriever(corpus_index, embeddings, k=10, per_release=10)(KASI)


def test_without_a_cap_one_release_fills_the_list(uncapped):
    assert len(uncapped) == 10
    assert Counter(p.source for p in uncapped)[SAMPLE] > 3


@pytest.mark.parametrize("per_release", [1, 2, 3])
def test_per_release_cap(corpus_index, embeddings, uncapped, per_release):
    passages = DenseRetriever(corpus_index, embeddings, k=10, per_release=per_release)(KASI)
    counts = Counter(p.source for p in passages)
    assert max(counts.values()) <= per_release
    assert counts[SAMPLE] == per_release
    assert len(passages) == 10  # the cap makes room for other releases instead of shortening the list
    # The passages kept from the sample are its best ones, in the order the uncapped search ranked them.
    assert [p.chunk_id for p in passages if p.source == SAMPLE] == [
        p.chunk_id for p in uncapped if p.source == SAMPLE
    ][:per_release]


def test_default_retriever_caps_at_three_and_keeps_rank_order(corpus_index, embeddings):
    retriever = DenseRetriever(corpus_index, embeddings)
    assert (retriever.k, retriever.per_release) == (10, 3)
    passages = retriever(KASI)
    assert len(passages) == 10
    assert max(Counter(p.source for p in passages).values()) <= 3
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)
    assert all(-1.0 <= s <= 1.0 for s in scores)
    assert len({p.chunk_id for p in passages}) == len(passages)
    assert passages[0].source == SAMPLE


def test_retrieved_passages_carry_chunk_fields(corpus_index, embeddings):
    passages = DenseRetriever(corpus_index, embeddings)(Query("How many votes did Korea receive in the UN Security Council election?"))
    top = passages[0]
    assert top.source == "024_unsc-election.txt"
    stored = {c.chunk_id: c for c in corpus_index.all_chunks()}[top.chunk_id]
    assert (top.text, top.title, top.date, top.paragraph, top.language, top.release_id) == (
        stored.body,
        stored.title,
        stored.date_iso,
        stored.paragraph,
        stored.language,
        stored.release_id,
    )
    assert top.date == "2023-06-07"


def test_k_can_be_given_per_call(corpus_index, embeddings):
    retriever = DenseRetriever(corpus_index, embeddings, k=10)
    four = retriever(KASI, k=4)
    assert len(four) == 4
    assert [p.chunk_id for p in four] == [p.chunk_id for p in retriever(KASI)][:4]


def test_korean_question_finds_the_korean_release(corpus_index, embeddings):
    passages = DenseRetriever(corpus_index, embeddings)(Query("튀르키예 지진 긴급구호대 파견 규모"))
    assert "015_turkiye-kdrt-ko.txt" in {p.source for p in passages[:3]}


# -- the tutorial baseline ---------------------------------------------------------------------
# What it answers does not depend on the model, so the fast fake model keeps this cheap.


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, make_fake_embeddings):
    workdir = tmp_path_factory.mktemp("baseline") / "index"
    return build_tutorial_baseline([RELEASES], make_fake_embeddings(), workdir, k=5), workdir


@pytest.mark.parametrize(
    "question",
    [
        "When did Korea and ASEAN establish dialogue relations?",
        "What did Cho Tae-yul discuss with Radosław Sikorski in Warsaw?",  # unanswerable: it answers anyway
        "튀르키예에 파견된 긴급구호대는 몇 명이었나요?",
    ],
)
def test_baseline_answers_with_the_whole_top_passage_and_never_abstains(baseline, question):
    pressroom, _ = baseline
    assert pressroom.name == "langchain-tutorial"
    answer = pressroom.ask(question)
    assert not answer.abstained
    assert len(answer.retrieved) == 5
    top = answer.retrieved[0]
    assert answer.answer == f"{top.text} [1]"
    assert len(answer.citations) == 1
    citation = answer.citations[0]
    assert (citation.n, citation.chunk_id, citation.quote, citation.source) == (1, top.chunk_id, top.text, top.source)
    assert citation_problems(answer) == []
    assert answer.confidence == top.score
    assert set(answer.timings_ms) >= {"retrieve", "answer"}


def test_baseline_index_holds_raw_character_splits(baseline, fake_embeddings):
    _, workdir = baseline
    index = open_index(workdir, embedding_model=fake_embeddings.model_id, chunking_version=TUTORIAL_CHUNKING)
    chunks = index.all_chunks()
    assert {c.source for c in chunks} == {p.name for p in RELEASES.glob("*.txt")}
    assert all(len(c.body) <= 1000 for c in chunks)
    assert all(":s" in c.chunk_id and c.paragraph == 0 and c.date_iso == "" for c in chunks)
    # Raw text: the saved site navigation is in the tutorial's chunks, unlike Pressroom's.
    assert any("바로가기 메뉴" in c.body for c in chunks if c.source == SAMPLE)
