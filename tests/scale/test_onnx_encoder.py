"""The ONNX MiniLM: exported offline from the packaged weights, same vector space as the torch model."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.embeddings import MINILM, LazyEmbeddings, load_embeddings, model_id_of
from tests.conftest import RELEASES


@pytest.fixture(scope="module")
def onnx_root(tmp_path_factory):
    return tmp_path_factory.mktemp("onnx")


@pytest.fixture(scope="module")
def texts() -> list[str]:
    from ingest.chunking import chunk_release
    from ingest.parse import load_release

    paths = sorted(RELEASES.glob("*.txt"))[:6]
    chunks = [c.text for p in paths for c in chunk_release(load_release(p))][:40]
    # Beyond MiniLM's 256 tokens (truncated the same way by both tokenizers), Korean, and one word.
    return [*chunks, " ".join(chunks[:6]), "한국과 아세안은 언제 대화 관계를 수립했나요?", "ASEAN"]


# The float export is the torch model itself (it serves questions by default); int8 trades a little.
@pytest.mark.parametrize("variant, worst", [("onnx", 0.9999), ("onnx-int8", 0.95)])
def test_onnx_vectors_match_the_torch_model(onnx_root, texts, minilm, variant, worst):
    from ingest.onnx_encoder import load_onnx_minilm

    onnx = load_onnx_minilm(onnx_root, variant)
    assert onnx.model_id == MINILM
    got, want = onnx.encode(texts), minilm.encode(texts)
    assert got.shape == want.shape
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    cosines = (got * want).sum(axis=1)
    assert cosines.min() >= worst
    # Order is kept although batches are sorted by length.
    assert np.allclose(onnx.encode(list(reversed(texts)))[::-1], got, atol=1e-5)


def test_parallel_runs_give_the_vectors_of_one_run_in_order(onnx_root, texts):
    from ingest.onnx_encoder import load_onnx_minilm

    one = load_onnx_minilm(onnx_root, "onnx")
    two = load_onnx_minilm(onnx_root, "onnx", parallel=2)
    assert two.parallel == 2 and one.batch_size == two.batch_size == 1
    assert np.allclose(two.encode(texts), one.encode(texts), atol=1e-5)
    assert np.allclose(two.encode(texts[:3]), one.encode(texts[:3]), atol=1e-5)  # too few to split


def test_ingest_runs_minilm_through_the_float_export_by_default():
    from pressroom.settings import Settings

    # The float export is the torch model's vectors (test above), so an index built before opens unchanged.
    assert Settings(_env_file=None).ingest_encoder == "onnx"


def test_an_export_is_reused_not_redone(onnx_root):
    from ingest.onnx_encoder import INT8_FILE, export_folder, export_minilm

    folder = export_minilm(export_folder(onnx_root))
    stamp = (folder / INT8_FILE).stat().st_mtime_ns
    assert export_minilm(export_folder(onnx_root)) == folder
    assert (folder / INT8_FILE).stat().st_mtime_ns == stamp


def test_the_index_records_the_same_model_id_with_either_backend(onnx_root):
    spec = f"{MINILM}:0.35+use-multilingual-v3:0.65"
    lazy = LazyEmbeddings(spec, minilm_backend="onnx-int8", onnx_dir=onnx_root)
    assert lazy.model_id == model_id_of(spec)  # an index built with torch opens with ONNX, and back


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="onnx-int8"):
        load_embeddings(MINILM, minilm_backend="tensorrt")


ASK_WITHOUT_TORCH = r"""
import json, sys
from pathlib import Path
from pressroom import cli
from pressroom.settings import Settings

settings = Settings(index=Path(sys.argv[1]), onnx_dir=Path(sys.argv[2]), query_encoder="onnx")
answer = cli._open(settings).ask("When did Korea and ASEAN establish dialogue relations?")
heavy = [name for name in ("torch", "transformers", "sentence_transformers", "sklearn") if name in sys.modules]
print(json.dumps({"answer": answer.answer, "heavy": heavy}))
"""


def test_answering_with_the_onnx_query_encoder_never_imports_torch(onnx_root, corpus_index):
    import json
    import os
    import subprocess
    import sys

    from ingest.onnx_encoder import export_folder, export_minilm

    export_minilm(export_folder(onnx_root))  # what `pressroom ingest` does once
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    out = subprocess.run([sys.executable, "-c", ASK_WITHOUT_TORCH, str(corpus_index.path), str(onnx_root)],
                         capture_output=True, text=True, env=env, timeout=300, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["heavy"] == []  # about 4 s of a server's start on a 2-core machine
    assert "1989" in got["answer"]
