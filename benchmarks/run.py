"""Run the Pressroom benchmarks and write benchmarks/results/<UTC timestamp>.json and latest.json.

    .venv/bin/python -m benchmarks.run            # full run (~10–15 min on 2 cores)
    .venv/bin/python -m benchmarks.run --quick    # smoke run (small sizes, ~2–3 min)
    .venv/bin/python -m benchmarks.run --sizes 10000,100000 --questions 40

Benchmarks never fail for time: every figure is reported beside its target with a met/not-met mark,
and as a ratio against a baseline measured in the same run. The exit code is 0 unless a step crashed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from benchmarks.common import CORPUS, Row, loadavg, log, machine_info, print_table  # noqa: E402

SECTIONS = ("ingest", "reingest", "query", "serve", "load", "workers")
QUICK_CORPUS_FILES = 8
PROBE_SENTENCES = [
    "The two sides discussed supply chain resilience and agreed to hold the next round of consultations.",
    "When did the foreign ministers of Korea and Japan meet in Tokyo?",
] * 8


def contention_probe(embeddings) -> dict:
    """Encode 16 short sentences with torch's thread count and with one thread, best of 3 each.

    On an idle machine more threads are a little faster; when other processes hold the cores, torch's
    OpenMP threads wait on each other and the default can be many times slower than one thread.
    """
    import torch

    default = torch.get_num_threads()

    def best(threads: int) -> float:
        torch.set_num_threads(threads)
        times = []
        for _ in range(3):
            t = time.perf_counter()
            embeddings.encode(PROBE_SENTENCES)
            times.append((time.perf_counter() - t) * 1000)
        return min(times)

    try:
        result = {"threads": default, "ms_default_threads": best(default), "ms_one_thread": best(1)}
    finally:
        torch.set_num_threads(default)
    result["slowdown_default_vs_one"] = result["ms_default_threads"] / result["ms_one_thread"]
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small sizes for a smoke run: 8 corpus files, 2,000 chunks, 500 releases, 6 questions")
    p.add_argument("--sizes", help="index sizes in chunks for the query section, comma-separated (default 10000,100000; quick 2000)")
    p.add_argument("--questions", type=int, help="dev questions used for latency (default 30; quick 6)")
    p.add_argument("--synthetic-releases", type=int, help="releases for the re-ingest skip test (default 10000; quick 500)")
    p.add_argument("--ingest-replicas", type=int, default=0,
                   help="also measure ingest throughput on N renamed copies of the corpus (e.g. 5 ≈ 1,000 chunks; slow: those chunks are embedded 3 times, minutes on 2 cores)")
    p.add_argument("--corpus", type=Path, default=CORPUS, help="release folder (default corpus/releases)")
    p.add_argument("--sections", default=",".join(SECTIONS),
                   help=f"comma-separated subset of {','.join(SECTIONS)}; ingest always runs (the others need its index)")
    p.add_argument("--torch-threads", type=int,
                   help="torch threads for this process and OMP_NUM_THREADS for the subprocesses (default: torch's own choice, as the product runs)")
    p.add_argument("--scale", action="store_true",
                   help="also run the scale section (benchmarks/bench_scale.py): HNSW recall@30 vs exact per setting at "
                        "--scale-size chunks, ONNX vs torch ingest, peak RSS; ~25–40 min on the shared 2-core box")
    p.add_argument("--scale-size", type=int, default=100_000, help="chunks in the scale section's index (default 100000)")
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results", help="results folder")
    p.add_argument("--no-save", action="store_true", help="print the table only")
    p.add_argument("--load-clients", type=int, help="concurrent clients for the load section (default 50; quick 10)")
    p.add_argument("--load-duration", type=float, help="seconds of load (default 60; quick 15)")
    args = p.parse_args(argv)
    args.sizes = (
        [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
        if args.sizes
        else ([2000] if args.quick else [10_000, 100_000])
    )
    args.questions = args.questions or (6 if args.quick else 30)
    args.synthetic_releases = args.synthetic_releases if args.synthetic_releases is not None else (500 if args.quick else 10_000)
    args.load_clients = args.load_clients or (10 if args.quick else 50)
    args.load_duration = args.load_duration or (15.0 if args.quick else 60.0)
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    if args.scale:
        args.sections.append("scale")
    unknown = set(args.sections) - set(SECTIONS) - {"scale"}
    if unknown:
        p.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    return args


def _public(d: dict) -> dict:
    """Drop the in-memory artefacts (keys starting with _) before writing JSON."""
    return {k: v for k, v in d.items() if not k.startswith("_")}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(timezone.utc)
    t_start = time.perf_counter()
    results: dict = {
        "schema": 1,
        "started_utc": started.isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "load_average_before": loadavg(),
        "sections": {},
        "errors": {},
    }
    rows: list[Row] = []
    tmp = Path(tempfile.mkdtemp(prefix="pressroom-bench-"))
    log(f"mode {results['mode']}; temp dir {tmp}; load average {results['load_average_before']}")
    try:
        from benchmarks import bench_ingest, bench_load, bench_query, bench_serve
        from benchmarks.synth import copy_files, replicate_corpus
        from ingest.embeddings import load_embeddings
        from ingest.pipeline import find_release_files

        if args.torch_threads:
            import torch

            torch.set_num_threads(args.torch_threads)
            os.environ["OMP_NUM_THREADS"] = str(args.torch_threads)  # for the serve and ingest subprocesses
        results["machine"] = machine_info()
        t = time.perf_counter()
        embeddings = load_embeddings()
        results["model_load_s"] = time.perf_counter() - t
        log(f"loaded {embeddings.model_id} in {results['model_load_s']:.1f} s")
        probe = results["contention_probe"] = contention_probe(embeddings)
        log(f"contention probe: 16 sentences in {probe['ms_default_threads']:.0f} ms with {probe['threads']} torch "
            f"threads, {probe['ms_one_thread']:.0f} ms with 1")

        files, _ = find_release_files([args.corpus])
        if args.quick:
            files = files[:QUICK_CORPUS_FILES]
        corpus_dir = copy_files(files, tmp / "corpus")
        # Ingest as `pressroom ingest` encodes (PRESSROOM_INGEST_ENCODER: MiniLM through the float ONNX
        # export by default, the torch model's vectors), beside a bare encode with the same encoder.
        from pressroom.settings import Settings

        settings = Settings()
        ingest_embeddings = load_embeddings(
            settings.embedding_model, minilm_backend=settings.ingest_encoder, onnx_dir=settings.onnx_dir,
            parallel=min(2, len(os.sched_getaffinity(0))),
        )
        results["ingest_encoder"] = settings.ingest_encoder
        ingest_embeddings.encode([bench_ingest.chunks_of(files[:1])[0].text] * 8)  # warm the model up

        # 1. ingest throughput
        section: dict = {"runs": []}
        corpus = bench_ingest.ingest_throughput(
            ingest_embeddings, corpus_dir, tmp / "index-corpus", "corpus", baseline_runs=1 if args.quick else 2
        )
        section["runs"].append(_public(corpus))
        rows += bench_ingest.ingest_rows(corpus)
        if args.ingest_replicas:
            folder = replicate_corpus(files, tmp / "corpus-replicas", args.ingest_replicas)
            replicas = bench_ingest.ingest_throughput(
                ingest_embeddings, folder, tmp / "index-replicas", f"{args.ingest_replicas} renamed copies",
                baseline_runs=1 if args.quick else 2,
            )
            section["runs"].append(_public(replicas))
            rows += bench_ingest.ingest_rows(replicas)
            del replicas
        results["sections"]["ingest"] = section

        def guarded(name: str, fn) -> None:
            if name not in args.sections:
                return
            try:
                fn()
            except Exception as exc:  # one broken section must not lose the others' figures
                log(f"{name}: FAILED: {exc!r}")
                results["errors"][name] = traceback.format_exc()
                rows.append(Row(name, f"{name} section", "crashed", note=repr(exc)))

        def reingest() -> None:
            log("reingest: unchanged corpus")
            corpus_re = bench_ingest.reingest(ingest_embeddings, corpus_dir, tmp / "index-corpus", reps=3)
            synthetic = None
            if args.synthetic_releases:
                synthetic = bench_ingest.reingest_synthetic(
                    tmp / "synthetic-releases", tmp / "index-synthetic", args.synthetic_releases, reps=3
                )
                shutil.rmtree(tmp / "synthetic-releases", ignore_errors=True)
            results["sections"]["reingest"] = {"corpus": corpus_re, "synthetic": synthetic}
            rows.extend(bench_ingest.reingest_rows(corpus_re, len(files), synthetic))

        def query() -> None:
            # In a process of its own (questions encoded as the server does, PRESSROOM_QUERY_ENCODER),
            # so the largest size's probes open an index whose writer has ended and freed its memory.
            section = bench_query.run_apart(
                corpus["_chunks"], corpus["_vectors"], args.sizes, args.questions, tmp / "index-query",
            )
            results["sections"]["query"] = section
            rows.extend(bench_query.query_rows(section))

        def serve() -> None:
            questions = bench_query.load_questions(args.questions)
            section = bench_serve.run(tmp / "index-corpus", corpus_dir, tmp, questions)
            results["sections"]["serve"] = section
            rows.extend(bench_serve.serve_rows(section))

        def load() -> None:
            questions = bench_query.load_questions(30)
            section = bench_load.run(tmp / "index-corpus", tmp, questions, clients=args.load_clients, duration_s=args.load_duration)
            results["sections"]["load"] = section
            rows.extend(bench_load.load_rows(section))

        def workers() -> None:
            # Issue 11: the same load on `serve --workers 2` over a Chroma server (`chroma run`), the
            # corpus ingested into it first.
            questions = bench_query.load_questions(30)
            section = bench_load.run(None, tmp / "workers", questions, clients=args.load_clients, duration_s=args.load_duration,
                                     workers=2, corpus=corpus_dir)
            results["sections"]["workers"] = section
            rows.extend(bench_load.load_rows(section))

        def scale() -> None:
            from benchmarks import bench_scale

            questions = bench_query.load_questions(args.questions)
            section = bench_scale.run_all(
                embeddings, corpus["_chunks"], corpus["_vectors"], embeddings.encode(questions), args.scale_size,
                corpus_dir, tmp / "scale",
            )
            results["sections"]["scale"] = section
            rows.extend(bench_scale.scale_rows(section))

        guarded("reingest", reingest)
        guarded("query", query)
        guarded("serve", serve)
        guarded("scale", scale)
        guarded("load", load)
        guarded("workers", workers)
    except Exception as exc:
        log(f"FAILED: {exc!r}")
        results["errors"]["run"] = traceback.format_exc()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    finished = datetime.now(timezone.utc)
    results["finished_utc"] = finished.isoformat(timespec="seconds")
    results["duration_s"] = time.perf_counter() - t_start
    results["load_average_after"] = loadavg()
    results["rows"] = [r.to_dict() for r in rows]
    judged = [r for r in rows if r.met is not None and not r.indicative]
    results["targets"] = {
        "met": sum(r.met for r in judged),
        "not_met": [r.figure for r in judged if not r.met],
    }

    print()
    print(f"Pressroom benchmarks — {results['mode']} run, {results['started_utc']}, "
          f"{results['duration_s'] / 60:.1f} min, load average {results['load_average_before']} → {results['load_average_after']}")
    print("Ratio = measured ÷ baseline from the same run (for throughput: higher is better; for times: lower is better).")
    print("Latencies are p50 / p95. Marks in parentheses: the target is set for a larger size; shown for reference.")
    probe = results.get("contention_probe")
    if probe:
        print(f"CPU contention probe: encoding 16 sentences took {probe['ms_default_threads']:.0f} ms with torch's "
              f"{probe['threads']} thread(s) and {probe['ms_one_thread']:.0f} ms with 1 thread "
              f"({probe['slowdown_default_vs_one']:.1f}×; well above 1× means other processes hold the cores)")
    print()
    print_table(rows)
    print(f"\nTargets met: {results['targets']['met']} of {len(judged)}"
          + (f"; not met: {', '.join(results['targets']['not_met'])}" if results["targets"]["not_met"] else ""))
    if results["errors"]:
        print(f"Errors in: {', '.join(results['errors'])} (tracebacks in the JSON)")
    if not args.no_save:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
        text = json.dumps(results, ensure_ascii=False, indent=1, default=str)
        path.write_text(text, encoding="utf-8")
        (args.out / "latest.json").write_text(text, encoding="utf-8")
        print(f"Results: {path} (and latest.json)")
    return 1 if "run" in results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
