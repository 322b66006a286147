"""Dense retrieval of passages from the chunk index."""

from __future__ import annotations

from ingest.index import ChunkIndex, IndexHit
from qa.models import Query, ScoredPassage


def passage_from_hit(hit: IndexHit) -> ScoredPassage:
    c = hit.chunk
    return ScoredPassage(
        chunk_id=c.chunk_id,
        source=c.source,
        release_id=c.release_id,
        title=c.title,
        date=c.date_iso,
        paragraph=c.paragraph,
        language=c.language,
        text=c.body,
        score=hit.score,
    )


class DenseRetriever:
    """Top-k passages by cosine similarity, at most `per_release` from any one release.

    The cap keeps one long release from filling the list, so that questions spanning two
    releases still see both.
    """

    def __init__(self, index: ChunkIndex, embeddings, *, k: int = 10, per_release: int = 3) -> None:
        self.index = index
        self.embeddings = embeddings
        self.k = k
        self.per_release = per_release

    def __call__(self, query: Query, k: int | None = None, where: dict | None = None) -> list[ScoredPassage]:
        """`where` is a Chroma metadata filter (e.g. on `date_int`): the seam for date-aware retrieval."""
        k = k or self.k
        vector = self.embeddings.embed_query(query.text)
        hits = self.index.query(vector, k * 3, where=where)
        kept: list[ScoredPassage] = []
        per_source: dict[str, int] = {}
        for hit in hits:
            count = per_source.get(hit.chunk.source, 0)
            if count >= self.per_release:
                continue
            per_source[hit.chunk.source] = count + 1
            kept.append(passage_from_hit(hit))
            if len(kept) == k:
                break
        return kept
