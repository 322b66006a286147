"""Chunking along the release structure, and the sentence splitter it relies on."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import pytest

from ingest.chunking import CHUNKING_VERSION, DEFAULT_MAX_CHARS, chunk_release, embedding_text
from ingest.index import _chunk_metadata
from ingest.models import Paragraph, Release
from ingest.parse import load_release
from ingest.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpus" / "releases" / "000_3a0123e4a4b49311.txt"


@pytest.fixture(scope="module")
def sample() -> Release:
    return load_release(SAMPLE)


@pytest.fixture(scope="module")
def chunks(sample):
    return chunk_release(sample)


def test_one_chunk_per_paragraph(sample):
    chunks = chunk_release(sample, max_chars=1500)  # every paragraph of 000 with its notes fits
    assert len(chunks) == len(sample.paragraphs) == 8
    assert [c.paragraph for c in chunks] == list(range(1, 9))
    assert [c.chunk_index for c in chunks] == list(range(8))
    for chunk, paragraph in zip(chunks, sample.paragraphs):
        assert chunk.body == paragraph.body
        assert chunk.chunk_id.split(":")[1] == f"p{paragraph.number}.0"


def test_default_size_keeps_paragraphs_whole_except_the_one_over_the_limit(sample, chunks):
    # Paragraph 4 of 000 with its two notes is 1482 characters, over DEFAULT_MAX_CHARS (1200):
    # it is the only one split, and the split falls between its text and its notes.
    assert len(sample.paragraphs[3].body) > DEFAULT_MAX_CHARS
    assert [c.paragraph for c in chunks] == [1, 2, 3, 4, 4, 5, 6, 7, 8]
    assert [c.chunk_index for c in chunks] == list(range(9))
    assert all(len(c.body) <= DEFAULT_MAX_CHARS for c in chunks)
    p4 = [c for c in chunks if c.paragraph == 4]
    assert p4[0].body == sample.paragraphs[3].text
    assert p4[1].body == "\n".join(sample.paragraphs[3].notes)
    for chunk in chunks:
        if chunk.paragraph != 4:
            assert chunk.body == sample.paragraphs[chunk.paragraph - 1].body


def test_chunk_text_is_title_date_then_body(sample, chunks):
    for chunk in chunks:
        assert chunk.text.startswith(sample.title)
        assert "2023-06-20" in chunk.text.splitlines()[0]
        assert chunk.text == f"{sample.title} (2023-06-20)\n{chunk.body}"
        assert chunk.text == embedding_text(sample, chunk.body)


def test_chunk_body_carries_the_paragraph_notes(sample):
    by_paragraph = {c.paragraph: c for c in chunk_release(sample, max_chars=1500)}
    assert "※ Dr. Kao Kim Hourn was inaugurated" in by_paragraph[1].body
    assert "dialogue relations in 1989" in by_paragraph[3].body
    assert "second-largest trading partner" in by_paragraph[3].body
    assert by_paragraph[4].body.count("※") == 2
    assert "①" in by_paragraph[4].body and "⑧" in by_paragraph[4].body
    assert "※" not in by_paragraph[2].body


def test_chunk_metadata(chunks):
    chunk = chunks[2]
    assert chunk.source == "000_3a0123e4a4b49311.txt"
    assert chunk.release_id == "000_3a0123e4a4b49311"
    assert chunk.title.startswith("Minister of Foreign Affairs Park Jin")
    assert chunk.date_iso == "2023-06-20"
    assert chunk.date_int == 20230620
    assert chunk.language == "en"
    assert chunk.paragraph == 3
    stored = _chunk_metadata(chunk)  # what the index keeps next to the vector
    assert stored == {
        "source": "000_3a0123e4a4b49311.txt",
        "release_id": "000_3a0123e4a4b49311",
        "title": chunk.title,
        "date": "2023-06-20",
        "date_int": 20230620,
        "paragraph": 3,
        "language": "en",
        "chunk_index": 2,
    }
    assert all(isinstance(v, (str, int)) for v in stored.values())


def test_chunk_without_date_has_date_int_zero():
    release = Release("a.txt", "a", "Untitled", None, "en", (Paragraph(1, "Some text here."),))
    (chunk,) = chunk_release(release)
    assert chunk.date_iso == "" and chunk.date_int == 0
    assert chunk.text == "Untitled\nSome text here."


def _long_release(n_sentences: int = 40) -> Release:
    sentences = [
        f"In meeting number {i} the delegations from Korea and the U.S. reviewed item {i} of the agenda."
        for i in range(1, n_sentences + 1)
    ]
    long_paragraph = Paragraph(2, " ".join(sentences), ("※ The meetings were held in Seoul.",))
    return Release(
        source="long.txt",
        release_id="long",
        title="A Very Long Release",
        date=date(2024, 2, 1),
        language="en",
        paragraphs=(Paragraph(1, "A short first paragraph."), long_paragraph, Paragraph(3, "A short last one.")),
    ), sentences


@pytest.mark.parametrize("max_chars", [300, 500, DEFAULT_MAX_CHARS])
def test_long_paragraph_splits_at_sentence_boundaries(max_chars):
    release, sentences = _long_release()
    chunks = chunk_release(release, max_chars=max_chars)
    pieces = [c for c in chunks if c.paragraph == 2]
    assert len(pieces) > 1
    assert len(pieces) >= len(release.paragraphs[1].body) // max_chars
    for piece in pieces:
        assert len(piece.body) <= max_chars
        assert piece.body.endswith(".")
        assert piece.text.startswith("A Very Long Release (2024-02-01)\n")
    # Nothing lost, nothing repeated, no sentence cut in half: re-split pieces give the sentences back.
    resplit = [s for piece in pieces for s in split_sentences(piece.body)]
    assert resplit == [*sentences, "※ The meetings were held in Seoul."]
    # Ids say paragraph 2, pieces 0, 1, 2...; chunk_index runs over the whole release.
    assert [c.chunk_id.split(":")[1] for c in pieces] == [f"p2.{i}" for i in range(len(pieces))]
    assert [c.chunk_index for c in chunks] == list(range(len(chunks)))
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_chunk_ids_are_stable_and_follow_the_text(sample):
    first = [c.chunk_id for c in chunk_release(sample)]
    second = [c.chunk_id for c in chunk_release(load_release(SAMPLE))]
    assert first == second
    assert all(re.fullmatch(r"000_3a0123e4a4b49311:p\d+\.\d+:[0-9a-f]{12}", cid) for cid in first)
    assert len(set(first)) == len(first)

    edited_paragraph = dataclasses.replace(sample.paragraphs[4], text=sample.paragraphs[4].text + " Edited.")
    edited = dataclasses.replace(
        sample, paragraphs=(*sample.paragraphs[:4], edited_paragraph, *sample.paragraphs[5:])
    )
    before = {c.chunk_id.split(":")[1]: c.chunk_id for c in chunk_release(sample)}
    after = {c.chunk_id.split(":")[1]: c.chunk_id for c in chunk_release(edited)}
    assert before.keys() == after.keys()
    assert {key for key in before if before[key] != after[key]} == {"p5.0"}

    retitled = [c.chunk_id for c in chunk_release(dataclasses.replace(sample, title="Another title"))]
    assert not set(retitled) & set(first)  # the title is embedded, so every chunk changes


def test_chunking_version_is_a_nonempty_string():
    assert isinstance(CHUNKING_VERSION, str) and CHUNKING_VERSION


# -- sentences ---------------------------------------------------------------------------------


def test_abbreviations_do_not_end_sentences():
    text = (
        "The talks took place at the U.S. State Department in Washington, D.C. on Monday. "
        "Dr. Kao Kim Hourn and Mr. Park attended. Gen. Lee joined later."
    )
    assert split_sentences(text) == [
        "The talks took place at the U.S. State Department in Washington, D.C. on Monday.",
        "Dr. Kao Kim Hourn and Mr. Park attended.",
        "Gen. Lee joined later.",
    ]


def test_sentence_ending_in_an_abbreviation_then_a_new_sentence():
    assert split_sentences("Korea and the U.S. agreed. Japan welcomed it.") == [
        "Korea and the U.S. agreed.",
        "Japan welcomed it.",
    ]


def test_english_sentences_split():
    assert split_sentences('He said "we agree." They left! Why? Then 2024 came.') == [
        'He said "we agree."',
        "They left!",
        "Why?",
        "Then 2024 came.",
    ]


def test_korean_sentences_split():
    text = "정부는 긴급구호대를 파견하였다. 구호대는 2월 7일 출발하였다. 현지에서 구조 활동을 펼칠 예정이다."
    assert split_sentences(text) == [
        "정부는 긴급구호대를 파견하였다.",
        "구호대는 2월 7일 출발하였다.",
        "현지에서 구조 활동을 펼칠 예정이다.",
    ]


def test_newlines_split_notes_from_text():
    assert split_sentences("Main text here.\n※ A note without a full stop") == [
        "Main text here.",
        "※ A note without a full stop",
    ]


def test_decimal_numbers_and_lowercase_continuations_do_not_split():
    assert split_sentences("Trade reached USD 2.5 billion. It grew by 3.1 percent, i.e. fast.") == [
        "Trade reached USD 2.5 billion.",
        "It grew by 3.1 percent, i.e. fast.",
    ]


# -- chunks against the real model's input window -----------------------------------------------


def _chunks_over_window(embeddings, language: str | None) -> list[tuple[str, int]]:
    model = embeddings._model
    over = []
    for path in sorted((ROOT / "corpus" / "releases").glob("*.txt")):
        for chunk in chunk_release(load_release(path)):
            if language and chunk.language != language:
                continue
            n = len(model.tokenizer(chunk.text)["input_ids"])
            if n > model.max_seq_length:
                over.append((chunk.chunk_id, n))
    return over


def test_english_chunks_fit_the_embedding_model_window(minilm):
    # all-MiniLM-L6-v2 reads 256 word pieces and silently drops the rest.
    assert _chunks_over_window(minilm, "en") == []


@pytest.mark.xfail(
    strict=True,
    reason="LIMITATION ingest/chunking.py: DEFAULT_MAX_CHARS counts characters, but MiniLM's window is 256 "
    "word pieces; Korean chunks of ~300-430 characters tokenize to 365-552 pieces and their tails "
    "(often the ※ notes) are never embedded by MiniLM; the default embeddings pair MiniLM with USE, "
    "which reads them, and splitting Korean paragraphs to ~190 characters would cut them mid-thought",
)
def test_every_corpus_chunk_fits_the_embedding_model_window(minilm):
    assert _chunks_over_window(minilm, None) == []
