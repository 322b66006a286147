"""The source panel's data: the cited passage with its neighbours and the release's links."""

from __future__ import annotations

from dataclasses import replace

from tests.ui.fakes import PASSAGE
from ui.sources import SourceDesk

RELEASE = [
    replace(PASSAGE, chunk_id=f"kr-asean:p{n}.0:x", paragraph=n, text=f"Paragraph {n} text.", score=0.0) for n in range(1, 6)
]


class Library:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def release_of(self, chunk_id: str):
        self.asked.append(chunk_id)
        return RELEASE if any(p.chunk_id == chunk_id for p in RELEASE) else []


def test_the_cited_passage_comes_with_one_neighbour_each_side_and_its_links() -> None:
    desk = SourceDesk(Library(), {PASSAGE.source: ["https://example.org/a", "https://example.org/b"]})
    view = desk.view("kr-asean:p3.0:x")
    assert view.title == PASSAGE.title and view.date == PASSAGE.date and view.source == PASSAGE.source
    assert [(p.paragraph, p.cited) for p in view.paragraphs] == [(2, False), (3, True), (4, False)]
    data = view.to_dict()
    assert data["links"] == ["https://example.org/a", "https://example.org/b"]
    assert data["paragraphs"][1] == {"paragraph": 3, "text": "Paragraph 3 text.", "cited": True}


def test_the_first_and_last_passages_have_one_neighbour() -> None:
    desk = SourceDesk(Library())
    assert [p.paragraph for p in desk.view("kr-asean:p1.0:x").paragraphs] == [1, 2]
    assert [p.paragraph for p in desk.view("kr-asean:p5.0:x", around=2).paragraphs] == [3, 4, 5]
    assert desk.view("kr-asean:p1.0:x").links == ()


def test_an_unknown_chunk_or_no_service_gives_none() -> None:
    assert SourceDesk(Library()).view("gone:p1.0:x") is None
    assert SourceDesk(None).view("kr-asean:p1.0:x") is None


def test_links_come_from_sources_tsv(tmp_path) -> None:
    tsv = tmp_path / "sources.tsv"
    tsv.write_text(
        "file\tdate\ttitle\tsource_urls\n"
        f"{PASSAGE.source}\t2022-08-04\tT\thttps://a.example/1 | javascript:alert(1) | http://b.example/2\n",
        encoding="utf-8",
    )
    view = SourceDesk.from_file(Library(), tsv).view("kr-asean:p2.0:x")
    assert view.links == ("https://a.example/1", "http://b.example/2")
    assert SourceDesk.from_file(Library(), tmp_path / "missing.tsv").view("kr-asean:p2.0:x").links == ()


def test_a_real_index_gives_the_whole_release_in_reading_order(tmp_path, fake_embeddings) -> None:
    from qa.service import build_pressroom_from
    from tests.conftest import RELEASES, SAMPLE

    pressroom = build_pressroom_from([SAMPLE, RELEASES / "001_economic-security-center.txt"], fake_embeddings, tmp_path)
    some = pressroom.ask("Center for Economic Security and Foreign Affairs").retrieved[0]
    release = pressroom.release_of(some.chunk_id)
    assert release and {p.source for p in release} == {some.source}
    assert [p.paragraph for p in release] == sorted(p.paragraph for p in release)
    assert some.chunk_id in {p.chunk_id for p in release}
    assert pressroom.release_of("no-such-chunk") == []
    view = SourceDesk(pressroom).view(some.chunk_id)
    assert [p.cited for p in view.paragraphs].count(True) == 1
