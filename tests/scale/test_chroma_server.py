"""The index and ingest behaviours against a real Chroma server (`chroma run`), plus what only a server
has: a restart with more than 1,000 vectors, a token checked by a proxy, a server that is not there.

The ingest and prune suites' own tests run here unchanged: this module gives them an index whose
vectors live on the server (the `open_fake_index` / `index` fixtures below override theirs).
"""

from __future__ import annotations

import shutil
import subprocess
import uuid

import numpy as np
import pytest

from ingest.chroma_client import ChromaServer
from ingest.chunking import CHUNKING_VERSION
from ingest.index import IndexMissingError, IndexUnavailableError, open_index
from ingest.pipeline import ingest_paths
from tests.ingest.test_pipeline import (  # noqa: F401 (collected here, against the server)
    FILES as PIPELINE_FILES,
    test_a_broken_file_is_reported_and_the_rest_go_in,
    test_a_corrupted_file_keeps_its_old_chunks,
    test_deleting_a_file_then_prune_removes_its_chunks,
    test_editing_a_file_replaces_only_its_changed_chunks,
    test_first_ingest_adds_every_file,
    test_rebuild_of_an_index_opened_in_this_process,
    test_second_ingest_embeds_nothing,
    test_touching_a_file_without_changing_its_chunks_embeds_nothing,
)
from tests.ingest.test_prune import (  # noqa: F401
    FILES as PRUNE_FILES,
    test_a_moved_file_is_not_pruned_from_its_new_folder,
    test_dry_run_reports_and_changes_nothing,
    test_prune_removes_only_what_vanished_under_the_folders_given,
    test_removing_more_than_half_needs_consent,
)

from tests.conftest import RELEASES


def _server(chroma, **kw) -> ChromaServer:
    return ChromaServer(chroma.url, collection=f"test-{uuid.uuid4().hex[:12]}", **kw)


@pytest.fixture
def server(chroma) -> ChromaServer:
    return _server(chroma)


@pytest.fixture
def corpus(request, tmp_path):
    """The files the imported test expects (the two suites use different ones)."""
    names = PRUNE_FILES if request.node.function.__module__.endswith("test_prune") else PIPELINE_FILES
    folder = tmp_path / "releases"
    folder.mkdir()
    for name in names:
        shutil.copy(RELEASES / name, folder / name)
    return folder


@pytest.fixture
def open_fake_index(tmp_path, fake_embeddings, server):
    def _open(**kwargs):
        kwargs.setdefault("embedding_model", fake_embeddings.model_id)
        kwargs.setdefault("chunking_version", CHUNKING_VERSION)
        kwargs.setdefault("create", True)
        return open_index(tmp_path / "index", server=server, **kwargs)

    return _open


@pytest.fixture
def index(open_fake_index, fake_embeddings, corpus):
    index = open_fake_index()
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    return index


def test_the_vectors_live_on_the_server_and_the_manifest_in_the_folder(tmp_path, open_fake_index, fake_embeddings, corpus):
    index = open_fake_index()
    report = ingest_paths([corpus], index, fake_embeddings, progress=False)
    assert len(report.added) == len(PIPELINE_FILES)
    folder = tmp_path / "index"
    assert (folder / "manifest.json").exists()
    assert not (folder / "chroma.sqlite3").exists()  # nothing embedded in the folder
    # A second process (here: a second client) opens the same index without create.
    again = open_fake_index(create=False)
    assert again.count() == index.count() > 0
    assert set(again.files) == set(PIPELINE_FILES)
    chunk = index.all_chunks()[0]
    vector = fake_embeddings.vector(chunk.text or f"{chunk.title}\n{chunk.body}")
    stored = again.vectors([chunk.chunk_id])[0]
    assert again.query(stored, 1)[0].chunk.chunk_id == chunk.chunk_id
    assert vector.shape == stored.shape


def test_the_hnsw_settings_are_recorded_in_the_collection(open_fake_index):
    info = open_fake_index().info
    assert {"hnsw:M", "hnsw:construction_ef", "hnsw:search_ef"} <= set(info)


def test_a_missing_collection_is_refused_with_the_command_to_build_it(tmp_path, server, fake_embeddings):
    with pytest.raises(IndexMissingError, match="pressroom ingest"):
        open_index(tmp_path / "index", embedding_model=fake_embeddings.model_id, chunking_version=CHUNKING_VERSION,
                   server=server)


def test_a_server_that_is_not_there_says_how_to_start_one(tmp_path, fake_embeddings):
    server = ChromaServer("http://127.0.0.1:8109")  # nothing listens there
    with pytest.raises(IndexUnavailableError, match="chroma run"):
        open_index(tmp_path / "index", embedding_model=fake_embeddings.model_id, chunking_version=CHUNKING_VERSION,
                   create=True, server=server)


def test_a_bad_url_or_collection_name_is_refused_up_front():
    with pytest.raises(ValueError, match="PRESSROOM_CHROMA_URL"):
        ChromaServer("127.0.0.1:8000")
    with pytest.raises(ValueError, match="PRESSROOM_CHROMA_COLLECTION"):
        ChromaServer("http://127.0.0.1:8000", collection="a b")


def _synthetic_corpus(folder, releases: int):
    from benchmarks.synth import write_synthetic_releases

    write_synthetic_releases(folder, releases)
    return folder


def _all_searchable(index) -> tuple[int, int]:
    """(vectors that come back as their own nearest neighbour, vectors stored)."""
    ids = sorted(index._collection.get(include=[])["ids"])
    found = 0
    for start in range(0, len(ids), 200):
        part = ids[start : start + 200]
        vectors = index.vectors(part)
        got = index._collection.query(query_embeddings=vectors, n_results=1, include=[])["ids"]
        found += sum(1 for wanted, hits in zip(part, got) if hits and hits[0] == wanted)
    return found, len(ids)


@pytest.mark.parametrize("stop", ["stop", "kill"])
def test_a_server_restart_keeps_every_vector_searchable(tmp_path, fresh_chroma, fake_embeddings, stop):
    """chroma-core/chroma #7090: a restart above ~1,000 vectors lost the HNSW segment on 1.5.9."""
    corpus = _synthetic_corpus(tmp_path / "releases", 600)
    server = _server(fresh_chroma)
    open_args = dict(embedding_model=fake_embeddings.model_id, chunking_version=CHUNKING_VERSION, server=server)
    index = open_index(tmp_path / "index", create=True, **open_args)
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    before = index.count()
    assert before > 1000
    assert _all_searchable(index) == (before, before)

    getattr(fresh_chroma, stop)()
    fresh_chroma.start()

    reopened = open_index(tmp_path / "index", **open_args)  # checks a sample is searchable on open
    assert reopened.count() == before
    assert _all_searchable(reopened) == (before, before)
    # and it still takes writes after the restart
    more = tmp_path / "more"
    more.mkdir()
    for name in PIPELINE_FILES:
        shutil.copy(RELEASES / name, more / name)
    ingest_paths([more], reopened, fake_embeddings, progress=False)
    assert reopened.count() > before


def test_a_damaged_vector_index_is_refused_on_open(tmp_path, chroma, fake_embeddings):
    """What opening does when search cannot find stored vectors (the #7090 symptom), simulated by
    overwriting stored vectors behind the index's back so that they no longer match themselves."""
    from ingest.chroma_client import ChromaProblem, check_searchable

    server = _server(chroma)
    index = open_index(tmp_path / "index", embedding_model=fake_embeddings.model_id,
                       chunking_version=CHUNKING_VERSION, create=True, server=server)
    corpus = _synthetic_corpus(tmp_path / "releases", 30)
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    check_searchable(index._collection)  # healthy: passes

    class Damaged:  # search answers, but never with the vector asked for
        def __init__(self, collection):
            self._c = collection

        def __getattr__(self, name):
            return getattr(self._c, name)

        def query(self, query_embeddings, n_results, include):
            return self._c.query(query_embeddings=-np.asarray(query_embeddings), n_results=n_results, include=include)

    with pytest.raises(ChromaProblem, match="not found by search.*pressroom ingest --rebuild"):
        check_searchable(Damaged(index._collection))


NGINX_CONF = """
worker_processes 1;
error_log {dir}/error.log;
pid {dir}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy; fastcgi_temp_path {dir}/fcgi;
    uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 64m;
        client_body_buffer_size 16m;
        location / {{
            if ($http_authorization != "Bearer {token}") {{ return 401; }}
            proxy_pass http://127.0.0.1:{upstream};
        }}
    }}
}}
"""


@pytest.fixture
def token_proxy(tmp_path, chroma, nginx_bin):
    """nginx on :8103 that passes requests to the Chroma server only with the right bearer token."""
    folder = tmp_path / "nginx"
    folder.mkdir()
    for temp in ("body", "proxy", "fcgi", "uwsgi", "scgi"):  # nginx's workers may run as another user
        (folder / temp).mkdir()
        (folder / temp).chmod(0o777)
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=folder, port=8103, token="s3cret-token", upstream=chroma.port))
    proc = subprocess.Popen([nginx_bin, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
                            stderr=subprocess.DEVNULL)
    import time
    import urllib.error
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen("http://127.0.0.1:8103/api/v2/heartbeat", timeout=1)
        except urllib.error.HTTPError:
            break  # 401: it is up
        except OSError:
            time.sleep(0.1)
    yield "http://127.0.0.1:8103", "s3cret-token"
    proc.terminate()
    proc.wait(timeout=10)


def test_a_token_checked_by_a_proxy(tmp_path, token_proxy, fake_embeddings, corpus):
    url, token = token_proxy
    name = f"test-{uuid.uuid4().hex[:12]}"
    args = dict(embedding_model=fake_embeddings.model_id, chunking_version=CHUNKING_VERSION, create=True)
    index = open_index(tmp_path / "index", server=ChromaServer(url, token, name), **args)
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    assert index.count() > 0
    for wrong in (None, "not-it"):
        with pytest.raises(IndexUnavailableError, match="PRESSROOM_CHROMA_TOKEN"):
            open_index(tmp_path / "index", server=ChromaServer(url, wrong, name), **args)
