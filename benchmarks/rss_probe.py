"""Peak RSS of a product process over an existing index, printed as one JSON line. The query section
runs it at each index size (a separate process, so the bench's own copies of the vectors are not
counted):

    .venv/bin/python -m benchmarks.rss_probe --index DIR "question one" "question two"
    .venv/bin/python -m benchmarks.rss_probe --index DIR --ingest RELEASE_FILE

The first opens the index as `pressroom serve` does and answers the questions. The second ingests
one release as `pressroom ingest` does (encode, store, rewrite the BM25 side index of every chunk),
then takes it out again, so the bench's index stays the one it measures.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.rss_probe")
    p.add_argument("--index", type=Path, required=True)
    p.add_argument("--ingest", type=Path, help="a release file to ingest (and take out again) instead of asking")
    p.add_argument("questions", nargs="*")
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if args.ingest is not None:
        return ingest_probe(args.index, args.ingest)
    if not args.questions:
        p.error("give questions to ask, or --ingest FILE")
    from benchmarks.bench_serve import _proc_status
    from pressroom.service import open_service
    from pressroom.settings import Settings

    start = time.perf_counter()
    service = open_service(Settings(index=args.index))
    open_s = time.perf_counter() - start
    opened_mb = _proc_status(os.getpid()).get("VmHWM")
    seconds = []
    for question in args.questions:
        t = time.perf_counter()
        service.ask(question)
        seconds.append(time.perf_counter() - t)
    status = _proc_status(os.getpid())
    print(json.dumps({
        "open_s": open_s,
        # The first answer fetches the index's vectors for exact search (qa.retrieval `_table`).
        "answer_s": seconds,
        "opened_peak_mb": opened_mb,
        "peak_mb": status.get("VmHWM"),
        "rss_mb": status.get("VmRSS"),
    }))
    return 0


def ingest_probe(index_dir: Path, release: Path) -> int:
    from benchmarks.bench_serve import _proc_status
    from ingest.chunking import CHUNKING_VERSION
    from ingest.index import open_index
    from ingest.lock import ingest_lock
    from pressroom.cli import run_ingest
    from pressroom.settings import Settings

    settings = Settings(index=index_dir)
    # What Chroma's own search makes of the graph (the reader below does not depend on it below 2M chunks).
    unreachable = _graph_misses(index_dir, settings)
    before = _count(index_dir, settings)
    start = time.perf_counter()
    report, embeddings = run_ingest([release], settings, rebuild=False, prune=False, progress=False)
    ingest_s = time.perf_counter() - start
    status = _proc_status(os.getpid())
    if not report.added:
        raise SystemExit(f"the probe release was not added ({report.summary()}); give a release the index lacks")
    from qa.retrieval import RetrievalConfig

    with ingest_lock(index_dir):
        index = open_index(index_dir, embedding_model=embeddings.model_id, chunking_version=CHUNKING_VERSION,
                           server=settings.chroma_server(), graph_used_above=RetrievalConfig.projected_rows)
        stale = set().union(*(index.chunk_ids_for(source) for source in report.added))
        for source in report.added:
            index.files.pop(source, None)
        index.save_manifest(exclude=stale)
        index.delete(stale)
        index.save_manifest()
        after = index.count()
    if after != before:  # an ingest repairs what its manifest does not list: measured on the wrong index
        raise SystemExit(f"the index held {before} chunks before the probe and {after} after; "
                         "give it an index whose manifest lists every chunk")
    print(json.dumps({
        "ingest_s": ingest_s,
        "chunks": report.chunks_embedded,
        "peak_mb": status.get("VmHWM"),
        "rss_mb": status.get("VmRSS"),
        "graph_misses": unreachable,
    }))
    return 0


def _graph_misses(index_dir: Path, settings, samples: int = 32) -> dict:
    """How many of `samples` stored vectors, spread over the index, Chroma's HNSW search does not
    return for themselves among 30 results."""
    from ingest.chroma_client import connect, not_found_by_self, sample_stored
    from ingest.index import COLLECTION

    server = settings.chroma_server()
    name = server.collection if server else COLLECTION
    collection = connect(index_dir, server).get_collection(name, embedding_function=None)
    ids, vectors = sample_stored(collection, samples)
    return {"sampled": len(ids), "missed": len(not_found_by_self(collection, ids, vectors, 30))}


def _count(index_dir: Path, settings) -> int:
    """The index's chunk count, refusing an index whose manifest does not list every chunk: ingest
    would take the unlisted ones for a killed ingest's leftovers and drop them."""
    from ingest.chunking import CHUNKING_VERSION
    from ingest.index import open_index

    from qa.retrieval import RetrievalConfig

    # Opened as serve opens it (qa.service.open_pressroom).
    index = open_index(index_dir, embedding_model=settings.embedding_model, chunking_version=CHUNKING_VERSION,
                       server=settings.chroma_server(), graph_used_above=RetrievalConfig.projected_rows)
    listed, held = sum(len(record.chunks or ()) for record in index.files.values()), index.count()
    if listed != held:
        raise SystemExit(f"the manifest lists {listed} chunks and the index holds {held}; "
                         "an ingest would drop the unlisted ones, so the probe measures nothing here")
    return held


if __name__ == "__main__":
    raise SystemExit(main())
