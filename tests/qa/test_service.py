"""Wiring: the answer model can differ from the retrieval embeddings without loading a model twice."""

from ingest.embeddings import USE_MULTILINGUAL, part_of
from qa.service import open_pressroom


def test_answer_model_is_taken_from_the_loaded_pair(corpus_index, embeddings):
    use = part_of(embeddings, USE_MULTILINGUAL)
    assert use.model_id == USE_MULTILINGUAL
    assert any(part is use for part, _ in embeddings.parts)  # the loaded part, not a second copy
    system = open_pressroom(
        corpus_index.path, embedding_model=embeddings.model_id, embeddings=embeddings, answer_model=USE_MULTILINGUAL
    )
    assert system.answerer.embeddings is use
    assert system.retriever.embeddings is embeddings
    answer = system.ask("When did Korea and ASEAN establish dialogue relations?")
    assert "1989" in answer.answer
    assert answer.citations[0].source == "000_3a0123e4a4b49311.txt"


def test_without_answer_model_the_retrieval_embeddings_score_sentences(corpus_index, embeddings):
    system = open_pressroom(corpus_index.path, embedding_model=embeddings.model_id, embeddings=embeddings)
    assert system.answerer.embeddings is embeddings
