"""Sentence vectors are encoded once while cached, and the cache gives what the model gives."""

from __future__ import annotations

import threading

import numpy as np

from qa.vector_cache import VectorCache


class CountingModel:
    model_id = "counting"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen.extend(texts)
        return np.array([[len(t), sum(map(ord, t)) % 97, 1.0] for t in texts], dtype=np.float32)


def test_each_text_is_encoded_once_and_rows_keep_the_order_asked():
    model = CountingModel()
    cache = VectorCache(model, size=10)
    first = cache.encode(["a b", "c", "a b"])
    assert model.seen == ["a b", "c"]  # a repeat within one call is encoded once too
    again = cache.encode(["c", "d", "a b"])
    assert model.seen == ["a b", "c", "d"]
    assert np.array_equal(again, model.encode(["c", "d", "a b"]))
    assert np.array_equal(first, model.encode(["a b", "c", "a b"]))
    assert (cache.hits, cache.misses) == (3, 3)


def test_the_least_recently_used_text_goes_first():
    model = CountingModel()
    cache = VectorCache(model, size=2)
    cache.encode(["x", "y"])
    cache.encode(["x"])  # x is now the most recent
    cache.encode(["z"])  # evicts y
    model.seen.clear()
    cache.encode(["x", "y", "z"])
    assert model.seen == ["y"] and len(cache) == 2


def test_a_size_of_zero_caches_nothing():
    model = CountingModel()
    cache = VectorCache(model, size=0)
    cache.encode(["x"]), cache.encode(["x"])
    assert model.seen == ["x", "x"] and len(cache) == 0


def test_threads_sharing_a_cache_get_their_own_rows():
    model = CountingModel()
    cache = VectorCache(model, size=50)
    texts = [f"sentence {i}" for i in range(200)]
    want = model.encode(texts)
    errors = []

    def worker(offset: int) -> None:
        for start in range(offset, 200, 7):
            chunk = texts[start : start + 5]
            if not np.array_equal(cache.encode(chunk), want[start : start + 5]):
                errors.append(start)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(cache) <= 50


def test_the_answerer_encodes_a_passage_sentence_once_across_questions(pressroom):
    answerer = pressroom.answerer
    cache = answerer._caches[0]  # the pair's first model (MiniLM); each model of a pair has its own cache
    pressroom.ask("When did Korea and ASEAN establish dialogue relations?")
    misses = cache.misses
    answer = pressroom.ask("When did Korea and ASEAN establish dialogue relations?")
    assert "1989" in answer.answer
    assert cache.misses <= misses + 1  # at most the question itself, if it had been dropped


def test_a_korean_question_encodes_each_sentence_once_with_the_multilingual_model(pressroom):
    from ingest.embeddings import USE_MULTILINGUAL, ConcatenatedEmbeddings
    from qa.extractive import ExtractiveAnswerer
    from qa.models import Query

    seen: list[str] = []

    class Counting:  # the pair's multilingual model, noting every text it is asked to encode
        def __init__(self, model) -> None:
            self.model, self.model_id = model, model.model_id

        def encode(self, texts):
            seen.extend(texts)
            return self.model.encode(texts)

    pair = pressroom.answerer.embeddings
    counted = ConcatenatedEmbeddings([(Counting(m) if m.model_id == USE_MULTILINGUAL else m, w) for m, w in pair.parts])
    answerer = ExtractiveAnswerer(counted, pressroom.answerer.config)
    plan = pressroom.understand(Query("한국과 아세안은 언제 대화 관계를 수립했나요?"))
    answer = answerer(plan, pressroom.retriever(plan))
    assert not answer.abstained
    # The pair's vectors and the Korean scoring's multilingual vectors come from one encode per text.
    assert seen and len(seen) == len(set(seen))
