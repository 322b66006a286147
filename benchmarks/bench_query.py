"""Section 3: query latency at the corpus size and at synthetic sizes, against numpy brute force."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from benchmarks.common import CORPUS, QUESTIONS, Row, fmt_pair_ms, fmt_ratio, log, percentiles, ratio
from benchmarks.synth import batches, synthetic_chunks
from ingest.chunking import CHUNKING_VERSION
from ingest.embeddings import USE_MULTILINGUAL, find_part
from ingest.lock import ingest_lock
from ingest.index import FileRecord, open_index
from ingest.models import Chunk
from ingest.term_vectors import update_term_vectors
from ingest.sentences import split_sentences
from qa.models import Query, SearchPlan
from qa.retrieval import HybridRetriever
from qa.service import build_pressroom

CHROMA_MAX_BATCH = 5000
DATE_LO, DATE_HI = 20230101, 20231231
DATE_WHERE = {"$and": [{"date_int": {"$gte": DATE_LO}}, {"date_int": {"$lte": DATE_HI}}]}
HYBRID_P50_MS = 60.0
TARGET_SIZE = 100_000
RETRIEVE_P50_MS, RETRIEVE_P95_MS, ANSWER_P95_MS = 50.0, 150.0, 300.0
WARMUP = 3
# Sizes from which the RSS probes run: below it the models, not the index, fill a process.
PROBE_MIN_CHUNKS = 10_000


def load_questions(n: int, path: Path = QUESTIONS) -> list[str]:
    """`n` questions spread evenly over the dev set (all types but follow-ups, which need a history)."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [q for q in items if not q.get("history")]
    if n >= len(items):
        return [q["question"] for q in items]
    picks = np.unique(np.linspace(0, len(items) - 1, n).round().astype(int))
    return [items[i]["question"] for i in picks]


def numpy_topk(matrix: np.ndarray, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Exact top-k by dot product (vectors are unit length, so this is cosine), best first."""
    scores = matrix @ query
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
        k = min(k, int(mask.sum()))
    if k <= 0:
        return np.empty(0, dtype=int)
    k = min(k, scores.shape[0])
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top])]


def answer_sentences(answerer, passages) -> list[str]:
    """The sentences the default answerer embeds for these passages (its own selection rule)."""
    out = []
    for passage in passages[: answerer.config.passages]:
        for sentence in split_sentences(passage.text):
            sentence = sentence.removeprefix("※").strip()
            if len(sentence) >= 20:
                out.append(sentence)
    return out


class _OneBlasThread:
    """numpy's OpenBLAS to one thread while measuring: torch's OpenMP threads keep spinning after an
    encode, and a 2-thread BLAS call fighting them on 2 cores takes 100× longer than it should."""

    def __enter__(self):
        try:
            from threadpoolctl import threadpool_limits

            self._limits = threadpool_limits(limits=1, user_api="blas")
        except Exception:  # threadpoolctl missing: the baseline stays multi-threaded
            self._limits = None
        return self

    def __exit__(self, *exc):
        if self._limits is not None:
            self._limits.restore_original_limits()


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


class QueryBench:
    def __init__(self, embeddings, real_chunks: list[Chunk], real_vectors: np.ndarray, index_path: Path, max_size: int, seed: int = 7):
        self.embeddings = embeddings
        self.real_chunks = real_chunks
        self.real_vectors = real_vectors
        self.rng = np.random.default_rng(seed)
        self.index = open_index(
            index_path, embedding_model=embeddings.model_id, chunking_version=CHUNKING_VERSION, create=True, rebuild=True
        )
        size = max(max_size, len(real_chunks))
        self.matrix = np.empty((size, real_vectors.shape[1]), dtype=np.float32)
        self.dates = np.zeros(size, dtype=np.int64)
        self.ids: list[str] = []
        self.n = 0
        self._by_source: dict[str, list[str]] = {}
        self._add(real_chunks, real_vectors)
        self._commit()
        self.pressroom = build_pressroom(self.index, embeddings)
        self.k = self.pressroom.retriever.k * 3  # what DenseRetriever asks the index for

    def _add(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        for start in range(0, len(chunks), CHROMA_MAX_BATCH):
            part = chunks[start : start + CHROMA_MAX_BATCH]
            self.index.upsert(part, vectors[start : start + len(part)])
        m = len(chunks)
        self.matrix[self.n : self.n + m] = vectors
        self.dates[self.n : self.n + m] = [c.date_int for c in chunks]
        self.ids.extend(c.chunk_id for c in chunks)
        for c in chunks:
            self._by_source.setdefault(c.source, []).append(c.chunk_id)
        self.n += m

    def _commit(self) -> None:
        """What ingest does at its end: every release in the manifest with its chunk ids, the BM25 side
        index rewritten. Without the manifest a real ingest into this index (the ingest probe) would
        take every chunk for a killed ingest's leftovers and drop it."""
        for source, ids in self._by_source.items():
            self.index.files[source] = FileRecord(sha256="synthetic", path=source, chunks=tuple(ids))
        self.index.save_manifest()
        # And the Korean bridge's English term vectors: without them the retriever encodes the whole
        # vocabulary at its first Korean question (a quarter of a second, measured as that question's).
        model = find_part(self.embeddings, USE_MULTILINGUAL)
        if model is not None:
            update_term_vectors(self.index.path, self.index.lexical.vocabulary(), model)

    def release(self) -> None:
        """Drop this process's copies (the vectors, the service, embedded Chroma's cached client)."""
        from chromadb.api.shared_system_client import SharedSystemClient

        self.matrix = self.dates = None
        self.pressroom = self.index = None
        SharedSystemClient.clear_system_cache()
        import gc

        gc.collect()

    def grow_to(self, size: int) -> dict:
        need = size - self.n
        start = time.perf_counter()
        while need > 0:
            step = min(need, CHROMA_MAX_BATCH)
            chunks, vectors = synthetic_chunks(self.n - len(self.real_chunks), step, self.real_chunks, self.real_vectors, self.rng)
            self._add(chunks, vectors)
            need -= step
            if self.n % 20_000 < CHROMA_MAX_BATCH:
                log(f"query: index at {self.n:,} chunks")
        seconds = time.perf_counter() - start
        # What ingest does once at its end: analysed terms written and the BM25 matrix rebuilt.
        start = time.perf_counter()
        self._commit()
        lexical_seconds = time.perf_counter() - start
        return {"seconds": seconds, "lexical_seconds": lexical_seconds, "chunks": self.n, "index_count": self.index.count()}

    def measure(self, questions: list[str], question_vectors: np.ndarray) -> dict:
        n, k = self.n, self.k
        matrix = self.matrix[:n]
        dates = self.dates[:n]
        retriever = self.pressroom.retriever
        retriever._reload_if_changed()  # the side index was rewritten as the index grew
        lexical = retriever.lexical
        # The same retriever over vectors computed beforehand: the retrieval work without the encode.
        precomputed = HybridRetriever(self.index, _Precomputed(questions, question_vectors), lexical, k=retriever.k)
        date_mask = lexical.date_mask(DATE_LO, DATE_HI)
        dated_query = {q: Query(q, date_from=_day(DATE_LO), date_to=_day(DATE_HI)) for q in questions}
        dated_plan = {q: SearchPlan(query=dq, text=q, date_from=dq.date_from, date_to=dq.date_to) for q, dq in dated_query.items()}
        # The copy of the vectors exact search keeps (qa.retrieval, `exact_rows`): fetched once per
        # process, then only new chunks after an ingest; None above the limit (HNSW answers).
        t = time.perf_counter()
        exact_matrix = precomputed._table()
        matrix_load_s = _ms(t) / 1000
        # Both retrievers search the same lexical index: one table serves both (at 1M chunks a second
        # copy would be another 2.2 GiB in this process).
        if precomputed._exact is not None and retriever.lexical is lexical:
            retriever._exact = precomputed._exact
        for q, v in list(zip(questions, question_vectors))[:WARMUP]:
            self.index.query(v, k)
            self.index.query(v, k, where=DATE_WHERE)
            precomputed(dated_plan[q])
            self.pressroom.ask(q)
        s: dict[str, list[float]] = {
            name: []
            for name in (
                "numpy", "index", "numpy_dated", "index_dated", "table_dated", "encode", "retrieve_baseline",
                "retrieve_dated_baseline", "retrieve", "retrieve_dated", "hybrid_no_encode", "hybrid_dated_no_encode",
                "answer_stage", "answer_baseline", "ask", "recall", "recall_dated", "recall_table_dated",
            )
        }
        abstained = 0
        for q, v in zip(questions, question_vectors):
            t = time.perf_counter()
            exact = numpy_topk(matrix, v, k)
            s["numpy"].append(_ms(t))
            t = time.perf_counter()
            hits = self.index.query(v, k)
            s["index"].append(_ms(t))
            t = time.perf_counter()
            mask = (dates >= DATE_LO) & (dates <= DATE_HI)
            exact_dated = numpy_topk(matrix, v, k, mask)
            s["numpy_dated"].append(_ms(t))
            t = time.perf_counter()
            hits_dated = self.index.query(v, k, where=DATE_WHERE)
            s["index_dated"].append(_ms(t))
            t = time.perf_counter()
            # The product's date-restricted dense search: a mask on the exact scores, or the HNSW route.
            scores = exact_matrix.scores(v) if exact_matrix is not None else None
            table_dated = precomputed._dense(v, k, date_mask, scores)
            s["table_dated"].append(_ms(t))
            product = precomputed._dense(v, k, None, scores)  # …and its plain dense search
            t = time.perf_counter()
            self.embeddings.encode([q])
            s["encode"].append(_ms(t))
            s["retrieve_baseline"].append(s["encode"][-1] + s["numpy"][-1])
            s["retrieve_dated_baseline"].append(s["encode"][-1] + s["numpy_dated"][-1])
            t = time.perf_counter()
            retriever(dated_plan[q])
            s["retrieve_dated"].append(_ms(t))
            t = time.perf_counter()
            precomputed(SearchPlan(query=Query(q), text=q))
            s["hybrid_no_encode"].append(_ms(t))
            t = time.perf_counter()
            precomputed(dated_plan[q])
            s["hybrid_dated_no_encode"].append(_ms(t))
            # Nothing cached: the same questions were asked at the smaller size (and in the warm-up), and
            # the answerer keeps sentence vectors between answers; this is the cost of a new question.
            getattr(self.pressroom.answerer, "forget_vectors", lambda: None)()
            t = time.perf_counter()
            answer = self.pressroom.ask(q)
            s["ask"].append(_ms(t))
            s["retrieve"].append(answer.timings_ms["retrieve"])
            s["answer_stage"].append(answer.timings_ms["answer"])
            abstained += answer.abstained
            sentences = answer_sentences(self.pressroom.answerer, answer.retrieved)
            t = time.perf_counter()
            self.embeddings.encode([q] + sentences)
            s["answer_baseline"].append(_ms(t))
            s.setdefault("sentences", []).append(len(sentences))
            exact_ids = {self.ids[i] for i in exact}
            s["recall"].append(len(exact_ids & {h.chunk.chunk_id for h in hits}) / max(1, len(exact_ids)))
            exact_dated_ids = {self.ids[i] for i in exact_dated}
            s["recall_dated"].append(
                len(exact_dated_ids & {h.chunk.chunk_id for h in hits_dated}) / max(1, len(exact_dated_ids))
            )
            s.setdefault("recall_product", []).append(len(exact_ids & {lexical.ids[row] for row, _ in product}) / max(1, len(exact_ids)))
            table_ids = {lexical.ids[row] for row, _ in table_dated}
            s["recall_table_dated"].append(len(exact_dated_ids & table_ids) / max(1, len(exact_dated_ids)))
        stats = {
            name: percentiles(values)
            for name, values in s.items()
            if name not in ("recall", "recall_dated", "recall_table_dated", "recall_product", "sentences")
        }
        return {
            "chunks": n,
            "chunks_in_2023": int(((dates >= DATE_LO) & (dates <= DATE_HI)).sum()),
            "k": k,
            "questions": len(questions),
            "abstained": abstained,
            "answer_sentences_mean": float(np.mean(s["sentences"])),
            "recall_at_k_vs_exact": float(np.mean(s["recall"])),
            "recall_at_k_vs_exact_dated": float(np.mean(s["recall_dated"])),
            "recall_at_k_vs_exact_table_dated": float(np.mean(s["recall_table_dated"])),
            "recall_at_k_vs_exact_product": float(np.mean(s["recall_product"])),
            "exact_search": exact_matrix is not None,
            "exact_matrix_load_s": matrix_load_s,
            "exact_matrix_mb": (exact_matrix.nbytes / 2**20) if exact_matrix is not None else 0.0,
            "exact_table": type(exact_matrix).__name__ if exact_matrix is not None else None,
            "exact_dims": int(exact_matrix.basis.shape[1]) if hasattr(exact_matrix, "basis") else None,
            "dim": int(matrix.shape[1]),
            "ms": stats,
        }


def run(embeddings, real_chunks, real_vectors, sizes: list[int], n_questions: int, index_path: Path,
        *, probe_last: bool = True) -> dict:
    questions = load_questions(n_questions)
    question_vectors = embeddings.encode(questions)
    steps = [len(real_chunks)] + sorted(s for s in set(sizes) if s > len(real_chunks))
    log(f"query: {len(questions)} questions at sizes {steps}")
    return _run(embeddings, real_chunks, real_vectors, steps, questions, question_vectors, index_path, probe_last)


def run_apart(real_chunks, real_vectors, sizes: list[int], n_questions: int, index_path: Path) -> dict:
    """`run` in a process of its own; the largest size's RSS probes run after that process has ended.

    At 1M chunks the bench's process holds ~15 GB; beside it the probes once drove the machine out of
    memory, and an index whose writer is still alive is not the one a user's ingest would open. So the
    writer ends first, and both probes open the index it left."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        section = pool.submit(_run_child, real_chunks, real_vectors, sizes, n_questions, index_path).result()
    # Leaving the `with` joined the writer: nothing holds the index now.
    last = section["sizes"][-1]
    if last["chunks"] >= PROBE_MIN_CHUNKS:
        _probes(last, index_path, section["questions"][:3], last["chunks"])
    return section


def _run_child(real_chunks, real_vectors, sizes, n_questions, index_path) -> dict:
    from pressroom.service import query_embeddings
    from pressroom.settings import Settings

    # Questions as the server encodes them (PRESSROOM_QUERY_ENCODER).
    return run(query_embeddings(Settings()), real_chunks, real_vectors, sizes, n_questions, index_path, probe_last=False)


def _run(embeddings, real_chunks, real_vectors, steps, questions, question_vectors, index_path: Path,
         probe_last: bool = True) -> dict:
    # The bench writes the index as an ingest does, so it holds the ingest lock like one: the serve-like
    # RSS probe then opens the index as serve would open it during an ingest (ingest/index.py).
    with ingest_lock(index_path):
        bench = QueryBench(embeddings, real_chunks, real_vectors, index_path, max(steps))
    results = []
    for n, size in enumerate(steps):
        with ingest_lock(index_path):
            build = bench.grow_to(size)
            log(f"query: measuring at {bench.n:,} chunks")
            with _OneBlasThread():
                result = bench.measure(questions, question_vectors)
            result["build"] = build
        results.append(result)
        if bench.n < PROBE_MIN_CHUNKS:
            continue
        last = n == len(steps) - 1
        if last:
            # At 1M chunks this process holds ~15 GB (its copy of the vectors, embedded Chroma's graph,
            # the retriever's table): nothing is measured here after the last size.
            bench.release()
            if not probe_last:  # run_apart probes it once this process has ended
                break
        _probes(result, index_path, questions[:3], result["chunks"])
    return {
        "questions": questions,
        "date_filter": DATE_WHERE,
        "synthetic": "vectors = real corpus vectors + Gaussian noise (cosine ≈ 0.7), renormalised; "
        "bodies copied from the parent chunk; dates uniform 2014–2024",
        "sizes": results,
    }


def query_rows(section: dict) -> list[Row]:
    rows: list[Row] = []
    sizes = section["sizes"]
    corpus_ask = sizes[0]["ms"]["ask"]
    prev_n = sizes[0]["chunks"]
    for result in sizes:
        n, ms = result["chunks"], result["ms"]
        at = f"@{n:,}"
        applies = n >= TARGET_SIZE

        def pair_ratio(a: str, b: str | dict) -> str:
            base = ms[b] if isinstance(b, str) else b
            return f"{fmt_ratio(ratio(ms[a]['p50'], base['p50']))} / {fmt_ratio(ratio(ms[a]['p95'], base['p95']))}"

        build = result.get("build", {})
        if n > sizes[0]["chunks"] and build.get("seconds"):
            added = n - prev_n
            rows.append(Row("3 query", f"upsert synthetic chunks → {n:,}", f"{build['seconds']:.1f} s for {added:,}",
                            "", "", note=f"{added / build['seconds']:.0f} chunks/s through ChunkIndex.upsert, "
                            f"batches of {CHROMA_MAX_BATCH}; vectors made up, not embedded"))
            if build.get("lexical_seconds") is not None:
                rows.append(Row("3 query", f"BM25 side index rebuild @{n:,}", f"{build['lexical_seconds']:.1f} s", "", "",
                                note="terms written and the bm25s matrix rebuilt from them, once per ingest that changed anything"))
        prev_n = n
        rows.append(Row("3 query", f"index query k={result['k']} {at}", fmt_pair_ms(ms["index"]),
                        "numpy " + fmt_pair_ms(ms["numpy"]), pair_ratio("index", "numpy"),
                        note=f"HNSW recall@{result['k']} vs exact {result['recall_at_k_vs_exact']:.2f}, "
                        f"date-filtered {result['recall_at_k_vs_exact_dated']:.2f}; "
                        f"{result['chunks_in_2023']:,} chunks dated 2023"))
        rows.append(Row("3 query", f"index query, 2023 only {at}", fmt_pair_ms(ms["index_dated"]),
                        "numpy " + fmt_pair_ms(ms["numpy_dated"]), pair_ratio("index_dated", "numpy_dated"),
                        note="Chroma's own `where` on date_int"))
        rows.append(Row("3 query", f"dense, 2023 only, date table {at}", fmt_pair_ms(ms["table_dated"]),
                        "where " + fmt_pair_ms(ms["index_dated"]), pair_ratio("table_dated", "index_dated"),
                        f"p50 ≤ {RETRIEVE_P50_MS:g}, p95 ≤ {RETRIEVE_P95_MS:g} ms" + ("" if applies else " @100k"),
                        ms["table_dated"]["p50"] <= RETRIEVE_P50_MS and ms["table_dated"]["p95"] <= RETRIEVE_P95_MS,
                        indicative=not applies,
                        note=_dense_note(result)))
        rows.append(Row("3 query", f"hybrid retrieval, no encode {at}", fmt_pair_ms(ms["hybrid_no_encode"]),
                        "index " + fmt_pair_ms(ms["index"]), pair_ratio("hybrid_no_encode", "index"),
                        f"p50 ≤ {HYBRID_P50_MS:g} ms" + ("" if applies else " @100k"),
                        ms["hybrid_no_encode"]["p50"] <= HYBRID_P50_MS, indicative=not applies,
                        note="dense + BM25 + fusion + passages, vectors computed beforehand"))
        rows.append(Row("3 query", f"hybrid retrieval, 2023 only, no encode {at}", fmt_pair_ms(ms["hybrid_dated_no_encode"]),
                        "index " + fmt_pair_ms(ms["index"]), pair_ratio("hybrid_dated_no_encode", "index"),
                        f"p50 ≤ {RETRIEVE_P50_MS:g}, p95 ≤ {RETRIEVE_P95_MS:g} ms" + ("" if applies else " @100k"),
                        ms["hybrid_dated_no_encode"]["p50"] <= RETRIEVE_P50_MS and ms["hybrid_dated_no_encode"]["p95"] <= RETRIEVE_P95_MS,
                        indicative=not applies, note="the user's date filter on every route"))
        target = f"p50 ≤ {RETRIEVE_P50_MS:g}, p95 ≤ {RETRIEVE_P95_MS:g} ms" + ("" if applies else " @100k")
        rows.append(Row("3 query", f"retrieval stage {at}", fmt_pair_ms(ms["retrieve"]),
                        "enc+np " + fmt_pair_ms(ms["retrieve_baseline"]), pair_ratio("retrieve", "retrieve_baseline"),
                        target, ms["retrieve"]["p50"] <= RETRIEVE_P50_MS and ms["retrieve"]["p95"] <= RETRIEVE_P95_MS,
                        indicative=not applies))
        rows.append(Row("3 query", f"retrieval, 2023 only* {at}", fmt_pair_ms(ms["retrieve_dated"]),
                        "enc+np " + fmt_pair_ms(ms["retrieve_dated_baseline"]),
                        pair_ratio("retrieve_dated", "retrieve_dated_baseline"), target,
                        ms["retrieve_dated"]["p50"] <= RETRIEVE_P50_MS and ms["retrieve_dated"]["p95"] <= RETRIEVE_P95_MS,
                        indicative=not applies))
        rows.append(Row("3 query", f"answer stage {at}", fmt_pair_ms(ms["answer_stage"]),
                        "enc " + fmt_pair_ms(ms["answer_baseline"]), pair_ratio("answer_stage", "answer_baseline"),
                        note=f"nothing cached (the answerer's sentence vectors are forgotten before each question); "
                        f"baseline: bare encode of the question + the {result['answer_sentences_mean']:.0f} "
                        "candidate sentences (mean) the answerer embeds"))
        rows.append(Row("3 query", f"whole answer {at}", fmt_pair_ms(ms["ask"]),
                        f"@{sizes[0]['chunks']} " + fmt_pair_ms(corpus_ask), pair_ratio("ask", corpus_ask),
                        f"p95 ≤ {ANSWER_P95_MS:g} ms" + ("" if applies else " @100k"),
                        ms["ask"]["p95"] <= ANSWER_P95_MS, indicative=not applies))
        rss = result.get("serve_rss")
        if rss:
            chroma_mb = n * result.get("dim", 896) * 4 / 2**20
            rows.append(Row("3 query", f"serve-like process peak RSS {at}", f"{rss['peak_mb']:.0f} MiB",
                            f"Chroma's rule (vectors × dim × 4 B) {chroma_mb:.0f} MiB", f"{rss['peak_mb'] / chroma_mb:.2f}×",
                            note=f"benchmarks/rss_probe.py: opened in {rss['open_s']:.1f} s ({rss['opened_peak_mb']:.0f} MiB), "
                            f"first answer {rss['answer_s'][0]:.1f} s (fetches the vectors for exact search), "
                            f"then {', '.join(f'{x:.2f}' for x in rss['answer_s'][1:])} s; RSS after {rss['rss_mb']:.0f} MiB; "
                            "embedded Chroma, so its HNSW index is inside this process"))
        ingest = result.get("ingest_rss")
        if ingest:
            rows.append(Row("3 query", f"ingest one release, peak RSS {at}", f"{ingest['peak_mb']:.0f} MiB",
                            f"Chroma's rule {chroma_mb:.0f} MiB", f"{ingest['peak_mb'] / chroma_mb:.2f}×",
                            note=f"benchmarks/rss_probe.py --ingest: `pressroom ingest` of one {ingest['chunks']}-chunk release "
                            f"into the index ({ingest['ingest_s']:.0f} s: encode, store, BM25 side index of every chunk "
                            "rewritten), then taken out again" + _graph_note(ingest)))
    rows[1].note = f"date filter: {DATE_LO}–{DATE_HI} on date_int; numpy baseline = mask + brute force, one BLAS thread"
    for row in rows:
        if row.figure.startswith("retrieval, 2023 only*"):
            row.note = "* the whole retrieve stage with the user's date filter (encode included)"
            break
    return rows


def _probes(result: dict, index_path: Path, questions: list[str], chunks: int) -> None:
    # The bench writes the index as an ingest does; holding the lock, the serve-like probe opens it as
    # serve would during an ingest. The ingest probe takes the lock itself, as `pressroom ingest` does.
    with ingest_lock(index_path):
        result["serve_rss"] = serve_rss(index_path, questions)
    if result["serve_rss"]:
        log(f"query: a serve-like process at {chunks:,} chunks: peak RSS {result['serve_rss']['peak_mb']:.0f} MiB")
    result["ingest_rss"] = ingest_rss(index_path)
    if result["ingest_rss"]:
        log(f"query: ingesting one release at {chunks:,} chunks: peak RSS {result['ingest_rss']['peak_mb']:.0f} MiB")


def serve_rss(index_path: Path, questions: list[str]) -> dict | None:
    """Peak RSS of a separate serve-like process over the index (benchmarks/rss_probe.py)."""
    return _probe(["--index", str(index_path), *questions])


def ingest_rss(index_path: Path) -> dict | None:
    """Peak RSS of a separate process ingesting one release into the index (benchmarks/rss_probe.py):
    a copy of the corpus's first release under a name the index lacks, taken out again after."""
    import shutil

    first = sorted(CORPUS.glob("*.txt"))[0]
    folder = index_path.parent / "rss-probe-release"
    folder.mkdir(parents=True, exist_ok=True)
    release = folder / f"rss-probe-{first.name}"
    shutil.copyfile(first, release)
    return _probe(["--index", str(index_path), "--ingest", str(release)])


def _probe(args: list[str]) -> dict | None:
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "benchmarks.rss_probe", *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])
    except subprocess.CalledProcessError as exc:
        log(f"query: RSS probe failed (exit {exc.returncode}): {(exc.stderr or '').strip()[-3000:]}")
        return None
    except (subprocess.SubprocessError, ValueError, IndexError) as exc:
        log(f"query: RSS probe failed: {exc}")
        return None


def _graph_note(ingest: dict) -> str:
    misses = ingest.get("graph_misses")
    if not misses:
        return ""
    return (f"; Chroma's HNSW search missed {misses['missed']} of {misses['sampled']} sampled vectors among their own 30 "
            "nearest (these synthetic clusters leave graph nodes unreachable); below 2M chunks the product's "
            "reader opens such an index with a warning (its dense search does not use the graph)")


def _dense_note(result: dict) -> str:
    k = result["k"]
    dated = result.get("recall_at_k_vs_exact_table_dated", float("nan"))
    if result.get("exact_search"):
        how = (f"float16 vectors + a {result.get('exact_dims')}-d projection ranking every row, its best rows rescored exactly"
               if result.get("exact_table") == "ProjectedTable" else "exact search over the in-memory vectors")
        return (f"{how} ({result['exact_matrix_mb']:.0f} MB, fetched from Chroma in "
                f"{result['exact_matrix_load_s']:.1f} s once per process), the date range a mask on its scores; "
                f"recall@{k} vs exact {dated:.2f}, plain dense {result.get('recall_at_k_vs_exact_product', float('nan')):.2f}")
    return f"in-memory date table + exact search (few in range) or HNSW over-fetch; recall@{k} vs exact {dated:.2f}"


def _day(n: int):
    from datetime import date

    return date(n // 10000, n // 100 % 100, n % 100)


class _Precomputed:
    """Embeddings that return the vectors computed beforehand for the bench's questions."""

    def __init__(self, questions: list[str], vectors: np.ndarray) -> None:
        self._vectors = dict(zip(questions, vectors))

    def embed_query(self, text: str):
        return self._vectors[text]
