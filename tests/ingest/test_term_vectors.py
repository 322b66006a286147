"""The bridge's English term vectors, stored by ingest beside the index (ingest.term_vectors)."""

from __future__ import annotations

from ingest.embeddings import USE_MULTILINGUAL, part_of
from ingest.lexical import LEXICAL_DIR, LexicalIndex
from ingest.term_vectors import TERM_VECTORS, bridge_vocabulary, load_term_vectors, update_term_vectors
from tests.counting import CountingModel


def test_ingest_stores_a_vector_for_every_bridge_term(corpus_index, embeddings):
    stored = load_term_vectors(corpus_index.path)
    vocabulary = LexicalIndex.load(corpus_index.path / LEXICAL_DIR).vocabulary
    assert set(stored) == set(bridge_vocabulary(vocabulary)) and len(stored) > 500
    use = part_of(embeddings, USE_MULTILINGUAL)
    for term in ("elect", "budget"):
        assert float(stored[term] @ use.encode([term])[0]) > 0.999


def test_only_new_terms_are_encoded_and_gone_terms_are_dropped(tmp_path, embeddings):
    model = CountingModel(part_of(embeddings, USE_MULTILINGUAL))
    assert update_term_vectors(tmp_path, ["election", "budget", "the", "un", "선거"], model) == 2  # no stopwords, short or Korean terms
    assert model.encoded == 2
    assert update_term_vectors(tmp_path, ["election", "budget", "aircraft"], model) == 1
    assert model.encoded == 3
    assert update_term_vectors(tmp_path, ["aircraft"], model) == 0 and model.encoded == 3
    assert set(load_term_vectors(tmp_path)) == {"aircraft"}


def test_a_damaged_file_reads_as_none(tmp_path):
    (tmp_path / TERM_VECTORS).write_bytes(b"not a numpy file")
    assert load_term_vectors(tmp_path) == {}
    assert load_term_vectors(tmp_path / "missing") == {}


def test_the_cli_ingest_writes_the_term_vectors(tmp_path):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    corpus = tmp_path / "releases"
    corpus.mkdir()
    for name in ("000_3a0123e4a4b49311.txt", "024_unsc-election.txt"):
        shutil.copy(Path("corpus/releases") / name, corpus / name)
    index = tmp_path / "index"
    done = subprocess.run(
        [sys.executable, "-m", "pressroom.cli", "ingest", str(corpus), "--index", str(index)],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    stored = load_term_vectors(index)
    assert "elect" in stored and len(stored) > 50
