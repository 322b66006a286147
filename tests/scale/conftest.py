"""A real `chroma run` server (from the chromadb package) on 127.0.0.1, ports 8101-8109."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMA = Path(sys.executable).parent / "chroma"


class ChromaProcess:
    """One `chroma run --path DIR` that can be stopped, killed and started again on the same data."""

    def __init__(self, data: Path, port: int) -> None:
        self.data = data
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        self.log = data.parent / f"chroma-{port}.log"

    def start(self, timeout: float = 60) -> "ChromaProcess":
        if not CHROMA.exists():
            pytest.skip(f"no chroma executable at {CHROMA}")
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(CHROMA), "run", "--path", str(self.data), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self.proc.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2):
                    return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"chroma run did not answer on {self.url} within {timeout} s; see {self.log}")

    def stop(self) -> None:
        """A graceful stop (SIGTERM), as a service manager does."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self) -> None:
        """A crash (SIGKILL): nothing gets to flush."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    """A Chroma server shared by a module's tests (each test uses its own collection)."""
    folder = tmp_path_factory.mktemp("chroma")
    server = ChromaProcess(folder / "data", 8101).start()
    yield server
    server.stop()


@pytest.fixture
def fresh_chroma(tmp_path):
    """A Chroma server of the test's own, for restarts."""
    server = ChromaProcess(tmp_path / "chroma-data", 8102).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def nginx_bin() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not path:
        pytest.skip("nginx is not installed")
    return path
