"""What the chat's source panel shows for a cited passage: the release, its links, the paragraph and its neighbours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ui.release_links import load_release_links

if TYPE_CHECKING:
    from qa.service import Pressroom

AROUND = 1  # neighbour passages shown on each side of the cited one


@dataclass(frozen=True)
class SourceParagraph:
    paragraph: int
    text: str
    cited: bool


@dataclass(frozen=True)
class SourceView:
    chunk_id: str
    source: str
    title: str
    date: str
    links: tuple[str, ...]  # public reports of the release (sources.tsv); empty when unknown
    paragraphs: tuple[SourceParagraph, ...]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["links"] = list(self.links)
        data["paragraphs"] = [asdict(p) for p in self.paragraphs]
        return data


class SourceDesk:
    """Looks up cited passages for the source panel (the Gradio page and GET /api/sources/{chunk_id})."""

    def __init__(self, pressroom: Pressroom | None, links: Mapping[str, Sequence[str]] | None = None) -> None:
        self.pressroom = pressroom
        self.links = {name: tuple(urls) for name, urls in (links or {}).items()}

    @classmethod
    def from_file(cls, pressroom: Pressroom | None, sources_tsv: Path | None) -> SourceDesk:
        """Links from sources.tsv (ui.release_links); a missing file means no links, not an error."""
        return cls(pressroom, load_release_links(sources_tsv))

    def view(self, chunk_id: str, around: int = AROUND) -> SourceView | None:
        """The cited passage and `around` neighbours each side; None for an unknown chunk id."""
        if self.pressroom is None:
            return None
        passages = self.pressroom.release_of(chunk_id)
        at = next((i for i, p in enumerate(passages) if p.chunk_id == chunk_id), None)
        if at is None:
            return None
        cited = passages[at]
        shown = passages[max(0, at - around) : at + around + 1]
        return SourceView(
            chunk_id=chunk_id,
            source=cited.source,
            title=cited.title,
            date=cited.date,
            links=self.links.get(cited.source, ()),
            paragraphs=tuple(SourceParagraph(p.paragraph, p.text, p.chunk_id == chunk_id) for p in shown),
        )
