"""qa.citations: numbering inline [n] markers and checking that each one is backed by its passage."""

from __future__ import annotations

import dataclasses

from qa.citations import citation_problems, cite, markers
from qa.models import Answer, ScoredPassage


def passage(cid: str, text: str, source: str | None = None, paragraph: int = 1, score: float = 0.8) -> ScoredPassage:
    return ScoredPassage(
        chunk_id=cid,
        source=source or f"{cid.split(':')[0]}.txt",
        release_id=cid.split(":")[0],
        title=f"Title of {cid.split(':')[0]}",
        date="2023-06-20",
        paragraph=paragraph,
        language="en",
        text=text,
        score=score,
    )


A = passage("asean:p3.0:aaa", "Korea and ASEAN established dialogue relations in 1989. They are core partners.", paragraph=3)
B = passage("unsc:p1.0:bbb", "Korea received 180 votes. The term begins on January 1, 2024.", paragraph=1)
C = passage("asean:p6.0:ccc", "Park proposed a CSP.\n※ ASEAN established CSPs with China and Australia in 2021.", paragraph=6)


def test_markers():
    assert markers("One [1]. Two [2] and [1] again; [x] is not one, nor [ 3 ].") == [1, 2, 1]
    assert markers("no markers") == []


def test_cite_numbers_passages_in_order_of_first_use_and_shares_numbers():
    text, citations = cite(
        [
            ("Korea received 180 votes.", B),
            ("Korea and ASEAN established dialogue relations in 1989.", A),
            ("The term begins on January 1, 2024.", B),
        ]
    )
    assert text == (
        "Korea received 180 votes. [1] Korea and ASEAN established dialogue relations in 1989. [2] "
        "The term begins on January 1, 2024. [1]"
    )
    assert [(c.n, c.chunk_id) for c in citations] == [(1, B.chunk_id), (2, A.chunk_id)]
    first = citations[0]
    assert first.quote == "Korea received 180 votes. … The term begins on January 1, 2024."
    assert (first.source, first.title, first.date, first.paragraph) == (B.source, B.title, B.date, 1)
    assert citations[1].paragraph == 3
    assert markers(text) == [1, 2, 1]


def test_cite_of_nothing():
    assert cite([]) == ("", [])


def _answer(text: str, citations, retrieved) -> Answer:
    return Answer(question="q?", answer=text, abstained=False, citations=citations, retrieved=retrieved)


def test_a_well_cited_answer_has_no_problems():
    text, citations = cite(
        [("Korea and ASEAN established dialogue relations in 1989.", A), ("ASEAN established CSPs with China and Australia in 2021.", C)]
    )
    assert citation_problems(_answer(text, citations, [A, B, C])) == []
    # A quote of a whole note, with its ※, is backed too.
    text, citations = cite([("※ ASEAN established CSPs with China and Australia in 2021.", C)])
    assert citation_problems(_answer(text, citations, [C])) == []


def test_a_marker_without_a_citation_is_flagged():
    text, citations = cite([("Korea received 180 votes.", B)])
    problems = citation_problems(_answer(text + " It was elected easily. [2]", citations, [B]))
    assert problems == ["[2] has no citation"]


def test_a_quote_not_in_its_passage_is_flagged():
    text, citations = cite([("Korea received 190 votes.", B)])
    problems = citation_problems(_answer(text, citations, [B]))
    assert problems == [f"[1] quotes text that is not in {B.chunk_id}"]
    # One bad sentence among good ones sharing a number is still caught.
    text, citations = cite([("Korea received 180 votes.", B), ("The term begins in 2025.", B)])
    assert citation_problems(_answer(text, citations, [B])) == [f"[1] quotes text that is not in {B.chunk_id}"]


def test_a_citation_of_an_unretrieved_passage_is_flagged():
    text, citations = cite([("Korea received 180 votes.", B)])
    assert citation_problems(_answer(text, citations, [A])) == [f"[1] cites {B.chunk_id}, which was not retrieved"]


def test_a_citation_without_its_marker_is_flagged():
    text, citations = cite([("Korea received 180 votes.", B), ("They are core partners.", A)])
    problems = citation_problems(_answer(text.replace(" [2]", ""), citations, [A, B]))
    assert problems == ["citation 2 is not marked in the answer"]


def test_a_quote_copied_from_another_passage_is_flagged():
    text, citations = cite([("Korea received 180 votes.", B)])
    wrong = [dataclasses.replace(citations[0], chunk_id=A.chunk_id)]
    assert citation_problems(_answer(text, wrong, [A, B])) == [f"[1] quotes text that is not in {A.chunk_id}"]
