"""Chunks as the LangChain RAG tutorial makes them: raw file text in 1000/200 character splits.

Only the evaluation baseline uses these, so that every report shows how far Pressroom is ahead.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.decode import decode_bytes
from ingest.models import Chunk
from ingest.pipeline import find_release_files

TUTORIAL_CHUNKING = "tutorial-1000-200"


def tutorial_chunks(paths: list[Path]) -> list[Chunk]:
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    files, _ = find_release_files(paths)
    chunks: list[Chunk] = []
    for path in files:
        text = decode_bytes(path.read_bytes(), path.name)
        for i, piece in enumerate(splitter.split_text(text)):
            digest = hashlib.sha1(piece.encode("utf-8")).hexdigest()[:12]
            chunks.append(
                Chunk(
                    chunk_id=f"{path.stem}:s{i}:{digest}",
                    text=piece,
                    body=piece,
                    source=path.name,
                    release_id=path.stem,
                    title=path.name,
                    date_iso="",
                    paragraph=0,
                    language="",
                    chunk_index=i,
                )
            )
    return chunks
