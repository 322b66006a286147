"""The service as the entry points open it from settings: `serve`, `ask`, `eval` and each worker of
`serve --workers N` build it here, the same way."""

from __future__ import annotations

import logging
import os

from pressroom.settings import Settings

log = logging.getLogger(__name__)


def query_embeddings(settings: Settings):
    """The embeddings that encode questions and answer sentences (settings.query_encoder for MiniLM).

    Without the ONNX packages (an install that left them out) it says so and uses torch: slower to
    start, same vectors."""
    from ingest.embeddings import load_embeddings

    # Two ONNX runs at once over an answer's sentences (one per core; 36 sentences in 88 ms instead of 117).
    parallel = min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
    try:
        return load_embeddings(
            settings.embedding_model, minilm_backend=settings.query_encoder, onnx_dir=settings.onnx_dir, parallel=parallel
        )
    except ImportError as exc:
        log.warning("query encoder %s unavailable (%s); using torch. Install onnx, onnxruntime and tokenizers "
                    "(pip install -e .) for a faster start", settings.query_encoder, exc)
        return load_embeddings(settings.embedding_model)


def prepare_query_encoder(settings: Settings) -> bool:
    """Export MiniLM for the query encoder if it is not yet; True when this call exported it.

    Ingest calls it (torch is loaded there anyway), so that a server's first start does not pay for it.
    """
    from ingest.embeddings import MINILM, parse_model_spec

    if settings.query_encoder == "torch" or MINILM not in {name for name, _ in parse_model_spec(settings.embedding_model)}:
        return False
    from ingest.onnx_encoder import INT8_FILE, export_folder, export_minilm

    folder = export_folder(settings.onnx_dir)
    if (folder / INT8_FILE).exists():
        return False
    try:
        export_minilm(folder)
    except ImportError as exc:  # the index is fine; questions will be encoded with torch instead
        log.warning("could not export the query encoder (%s); questions will use torch", exc)
        return False
    return True


def open_service(settings: Settings, embeddings=None):
    """The Pressroom over the existing index in settings (qa.service.open_pressroom)."""
    from qa.service import open_pressroom

    return open_pressroom(
        settings.index,
        embedding_model=settings.embedding_model,
        k=settings.k,
        embeddings=embeddings or query_embeddings(settings),
        answer_model=settings.answer_model,
        llm=settings.llm_config(),
        server=settings.chroma_server(),
        retrieval=settings.retrieval,
    )
