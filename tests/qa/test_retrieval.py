"""Dense retrieval over the real corpus index (the tutorial baseline is tested in tests/evals)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

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
