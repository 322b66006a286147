"""pressroom.service: how the entry points build the question encoder."""

from __future__ import annotations

import logging

import ingest.embeddings
from pressroom.service import prepare_query_encoder, query_embeddings
from pressroom.settings import Settings


def test_without_the_onnx_packages_questions_fall_back_to_torch_and_say_so(monkeypatch, caplog):
    calls = []

    def load(spec, **backend):
        calls.append(backend)
        if backend.get("minilm_backend", "torch") != "torch":
            raise ImportError("No module named 'onnxruntime'")
        return "torch model"

    monkeypatch.setattr(ingest.embeddings, "load_embeddings", load)
    with caplog.at_level(logging.WARNING):
        assert query_embeddings(Settings(query_encoder="onnx")) == "torch model"
    assert calls[0]["minilm_backend"] == "onnx" and "using torch" in caplog.text


def test_the_torch_encoder_needs_no_export(tmp_path):
    assert prepare_query_encoder(Settings(query_encoder="torch", onnx_dir=tmp_path)) is False
    assert list(tmp_path.iterdir()) == []
