"""Chunking releases along their structure: one numbered paragraph (with its notes) is one chunk."""

from __future__ import annotations

import hashlib

from ingest.models import Chunk, Paragraph, Release
from ingest.sentences import split_sentences

# Bump when chunk text or boundaries change: an index built with another version must be rebuilt.
CHUNKING_VERSION = "paragraph-v1"
DEFAULT_MAX_CHARS = 1200


def _pieces(paragraph: Paragraph, max_chars: int) -> list[str]:
    body = paragraph.body
    if len(body) <= max_chars:
        return [body]
    pieces: list[str] = []
    current = ""
    for sentence in split_sentences(body):
        joiner = "\n" if sentence.startswith("※") else " "
        if current and len(current) + len(sentence) + 1 > max_chars:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current}{joiner}{sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


def embedding_text(release: Release, body: str) -> str:
    # Title and date ride along so that a paragraph that only says "the two ministers" still
    # matches questions that name the meeting or its month.
    header = f"{release.title} ({release.date_iso})" if release.date_iso else release.title
    return f"{header}\n{body}"


def chunk_release(release: Release, max_chars: int = DEFAULT_MAX_CHARS) -> list[Chunk]:
    chunks: list[Chunk] = []
    for paragraph in release.paragraphs:
        for part, body in enumerate(_pieces(paragraph, max_chars)):
            text = embedding_text(release, body)
            digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
            chunks.append(
                Chunk(
                    chunk_id=f"{release.release_id}:p{paragraph.number}.{part}:{digest}",
                    text=text,
                    body=body,
                    source=release.source,
                    release_id=release.release_id,
                    title=release.title,
                    date_iso=release.date_iso,
                    paragraph=paragraph.number,
                    language=release.language,
                    chunk_index=len(chunks),
                )
            )
    return chunks
