"""A serve-like process over an existing index: open it as `pressroom serve` does, answer questions,
print one JSON line with its peak RSS. The query section runs it at each index size (a separate
process, so the bench's own copies of the vectors are not counted):

    .venv/bin/python -m benchmarks.rss_probe --index DIR "question one" "question two"
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
    p.add_argument("questions", nargs="+")
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
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


if __name__ == "__main__":
    raise SystemExit(main())
