"""Every text function is total: arbitrary Unicode, huge words and empty input give a result or the one
documented error, never a crash or a recursion. Hypothesis; example counts kept modest for CI."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingest.chunking import chunk_release
from ingest.decode import UnreadableFileError, decode_bytes
from ingest.parse import parse_release, parse_release_html, parse_release_text
from qa.citations import citation_problems, cite, markers
from qa.models import Answer, ScoredPassage

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HUGE_WORDS = ["y" * 1103, "y" * 5000 + "s", "sy" * 2000, "ing" * 1500, "가" * 3000, "a" * 1103 + "ies", "é" * 2000]

# Text shaped like releases (titles, numbered paragraphs, dates, Korean, notes) mixed with anything at all.
piece = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["Press Releases", "Date", "2023-03-14", "hit", "12", "1. ", "2) ", "※ ", "\n\n", "\n", "외교부", "<p>", "</p>", "<h1>"]),
    st.sampled_from(HUGE_WORDS),
)
release_text = st.lists(piece, max_size=30).map("".join)


def _release_or_refused(parse, *args):
    try:
        return parse(*args)
    except UnreadableFileError:
        return None


@SETTINGS
@given(st.binary(max_size=3000))
@example(b"")
@example(b"\xff\xfe")
@example(b"\xef\xbb\xbf")
def test_decode_reads_or_refuses_any_bytes(data):
    try:
        assert isinstance(decode_bytes(data, "x.txt"), str)
    except UnreadableFileError as exc:
        assert str(exc).startswith("x.txt: ")


@SETTINGS
@given(release_text)
@example("")
@example("Press Releases\n\n" + "y" * 1103 + "\n\nDate\n2023-03-14\n\n1. " + "y" * 1103 + " ends.")
def test_parse_and_chunk_any_text(text):
    release = _release_or_refused(parse_release_text, text, "x.txt")
    if release is None:
        return
    assert release.paragraphs
    chunks = chunk_release(release, 300)
    assert chunks and len({c.chunk_id for c in chunks}) == len(chunks)
    assert all(c.body.strip() for c in chunks)
    # Nothing of a paragraph is dropped by splitting it.
    for paragraph in release.paragraphs:
        joined = " ".join(c.body for c in chunks if c.paragraph == paragraph.number)
        assert set(paragraph.body.split()) <= set(joined.split())


@SETTINGS
@given(release_text)
@example("<html><body><h1>" + "y" * 1103 + "</h1><p>" + "y" * 5000 + "</p></body></html>")
def test_parse_any_html(text):
    release = _release_or_refused(parse_release_html, text, "x.html")
    if release is not None:
        assert chunk_release(release)


@SETTINGS
@given(st.binary(max_size=2000))
def test_parse_any_bytes(data):
    _release_or_refused(parse_release, data, "x.txt")


@SETTINGS
@given(release_text)
@example("")
@example("y" * 1103)
@example(" ".join(HUGE_WORDS))
def test_the_question_tokeniser_is_total(text):
    from qa.text import tokens

    assert all(isinstance(t, str) for t in tokens(text))
    assert all(isinstance(t, str) for t in tokens(text, drop_stopwords=False))


@SETTINGS
@given(release_text, st.sampled_from([None, "en", "ko"]))
@example("y" * 1103, None)
@example(" ".join(HUGE_WORDS), "ko")
def test_the_index_analyser_is_total(text, language):
    analysis = pytest.importorskip("ingest.analysis")
    assert all(isinstance(t, str) for t in analysis.analyze(text, language))


def _passage(n: int, text: str) -> ScoredPassage:
    return ScoredPassage(f"r:p{n}.0:x", "r.txt", "r", "Title", "2023-03-14", n, "en", text, 1.0)


@SETTINGS
@given(st.lists(st.tuples(st.text(min_size=1, max_size=200), st.integers(0, 4)), max_size=8))
@example([("y" * 1103, 0), ("[3] looks like a marker", 1)])
def test_citations_built_from_passages_are_backed_by_them(pieces):
    # Each sentence sits in its passage; a sentence that itself contains "[n]" must not confuse the check.
    passages = {n: _passage(n, " ".join(s for s, m in pieces if m == n)) for _, n in pieces}
    text, citations = cite([(sentence, passages[n]) for sentence, n in pieces])
    assert sorted({c.n for c in citations}) == list(range(1, len(citations) + 1))
    assert set(range(1, len(citations) + 1)) <= set(markers(text)) or not pieces
    answer = Answer("q", text, False, citations, list(passages.values()))
    problems = citation_problems(answer)
    assert all("has no citation" in p for p in problems)  # only from markers typed inside the sentences
