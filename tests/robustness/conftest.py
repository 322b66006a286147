"""Helpers for the robustness suite: the real CLI with fake embeddings (fake_cli.py), run as a separate
process, and a reader of what an index holds that never shares a Chroma client with the process under test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RELEASES = ROOT / "corpus" / "releases"
FAKE_CLI = [sys.executable, str(Path(__file__).with_name("fake_cli.py"))]
BASE_ENV = {
    **os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
    "PYTHONDONTWRITEBYTECODE": "1",
}
for _name in [k for k in BASE_ENV if k.startswith(("PRESSROOM_", "FAKE_CLI_"))]:
    del BASE_ENV[_name]

_SNAPSHOT = r"""
import hashlib, json, sys
import chromadb
import numpy as np
client = chromadb.PersistentClient(sys.argv[1])
try:
    got = client.get_collection("pressroom").get(include=["embeddings", "metadatas"])
except Exception:
    got = {"ids": [], "embeddings": [], "metadatas": []}
chunks = {
    i: [m["source"], hashlib.sha256(np.asarray(e, dtype=np.float32).tobytes()).hexdigest()]
    for i, e, m in zip(got["ids"], got["embeddings"], got["metadatas"])
}
print(json.dumps(chunks))
"""


def fake_cli(*args: str, env: dict | None = None, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """Run `pressroom ARGS...` (fake embeddings) to completion."""
    return subprocess.run(
        [*FAKE_CLI, *args], capture_output=True, text=True, env={**BASE_ENV, **(env or {})}, cwd=ROOT,
        timeout=timeout, **kwargs,
    )


def start_fake_cli(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [*FAKE_CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**BASE_ENV, **(env or {})}, cwd=ROOT,
    )


def snapshot(index: Path) -> dict[str, list[str]]:
    """chunk id -> [release file, sha256 of its stored vector], read by a separate process."""
    out = subprocess.run(
        [sys.executable, "-c", _SNAPSHOT, str(index)], capture_output=True, text=True, env=BASE_ENV, check=True
    )
    return json.loads(out.stdout)


def manifest(index: Path) -> dict:
    return json.loads((index / "manifest.json").read_text(encoding="utf-8"))["files"]


def copy_releases(folder: Path, names: list[str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(RELEASES.glob("*.txt")):
        if names is None or path.name in names:
            shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def releases(tmp_path) -> Path:
    """Six real releases (English and Korean) in a fresh folder."""
    names = sorted(p.name for p in RELEASES.glob("*.txt"))[:6]
    return copy_releases(tmp_path / "releases", names)
