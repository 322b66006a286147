"""The real `pressroom` command with the fast fake embeddings (tests/conftest.py), for the robustness suite.

Everything but the embedding model is the product's own code: the CLI, the pipeline, Chroma, the lock,
the web app. Knobs (environment):
  FAKE_CLI_BATCH=n        embed n chunks per batch instead of 256 (more points at which to kill or stop)
  FAKE_CLI_DELAY=s        sleep s seconds per embedded batch (an ingest slow enough to interrupt)
  FAKE_CLI_AS_NOBODY=1    drop root to uid/gid 65534 after importing (root ignores file permissions)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.conftest import FakeEmbeddings  # noqa: E402


class SlowFakeEmbeddings(FakeEmbeddings):
    def __init__(self, *args, delay: float = 0.0, **kwargs) -> None:
        super().__init__()
        self.delay = delay

    def encode(self, texts):
        time.sleep(self.delay)
        return super().encode(texts)


def _install() -> None:
    import ingest.embeddings
    import ingest.pipeline

    delay = float(os.environ.get("FAKE_CLI_DELAY", "0"))
    ingest.embeddings.LazyEmbeddings = lambda *a, **k: SlowFakeEmbeddings(delay=delay)
    import pressroom.service

    # No query-encoder export after a fake ingest, and the question side asks with the fake model too.
    pressroom.service.prepare_query_encoder = lambda settings: False
    pressroom.service.query_embeddings = lambda settings: FakeEmbeddings()
    if os.environ.get("FAKE_CLI_BATCH"):
        ingest.pipeline.EMBED_BATCH = int(os.environ["FAKE_CLI_BATCH"])


def _drop_root() -> None:
    """Import what the commands import lazily, open one throwaway Chroma, then become nobody."""
    import chromadb  # noqa: F401

    import ingest.chunking  # noqa: F401
    import ingest.lock  # noqa: F401
    from ingest.index import open_index

    from ingest.decode import CANDIDATES, decode_bytes

    with tempfile.TemporaryDirectory() as warm:
        open_index(Path(warm) / "i", embedding_model="warm", chunking_version="warm", create=True)
    # Codecs load on first use from the standard library, which nobody may not be able to read.
    for codec in (*CANDIDATES, "utf_16", "utf_32", "utf_8_sig", "latin_1", "euc_kr"):
        "x".encode(codec)
    decode_bytes("Ärzte ohne Grenzen".encode("cp1252"))
    decode_bytes("외교부 보도자료".encode("cp949"))
    os.setgid(65534)
    os.setuid(65534)


def main() -> None:
    _install()
    from pressroom import cli

    if os.environ.get("FAKE_CLI_AS_NOBODY") == "1" and os.geteuid() == 0:
        _drop_root()
    sys.argv[0] = "pressroom"
    cli.main()


if __name__ == "__main__":
    main()
