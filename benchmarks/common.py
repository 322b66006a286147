"""Shared helpers: timing, percentiles, logging, machine facts and the rows of the printed table."""

from __future__ import annotations

import os
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = REPO / ".venv" / "bin"
CORPUS = REPO / "corpus" / "releases"
QUESTIONS = REPO / "evals" / "questions" / "dev.jsonl"

_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f}s] {message}", file=sys.stderr, flush=True)


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    a = np.asarray(samples_ms, dtype=float)
    if a.size == 0:
        return {"n": 0}
    return {
        "n": int(a.size),
        "p50": float(np.percentile(a, 50)),
        "p95": float(np.percentile(a, 95)),
        "mean": float(a.mean()),
        "min": float(a.min()),
        "max": float(a.max()),
    }


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def machine_info() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        import chromadb
        import sentence_transformers
        import torch

        info.update(
            torch=torch.__version__,
            torch_threads=torch.get_num_threads(),
            chromadb=chromadb.__version__,
            sentence_transformers=sentence_transformers.__version__,
            numpy=np.__version__,
        )
    except ImportError:
        pass
    return info


@dataclass
class Row:
    """One line of the printed table; `met` is None where no target applies."""

    section: str
    figure: str
    measured: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    indicative: bool = False  # the target is set for another size: the mark is shown for reference only

    @property
    def mark(self) -> str:
        if self.met is None:
            return ""
        if self.indicative:
            return "(met)" if self.met else "(not met)"
        return "met" if self.met else "NOT MET"

    def to_dict(self) -> dict:
        return {**asdict(self), "mark": self.mark}


def fmt_ms(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 1 else f"{x:.2f}"


def fmt_s(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{fmt_ms(x * 1000)} ms" if x < 1 else f"{x:.2f} s" if x < 10 else f"{x:.1f} s"


def fmt_pair_ms(stats: dict | None) -> str:
    if not stats or not stats.get("n"):
        return "—"
    return f"{fmt_ms(stats['p50'])} / {fmt_ms(stats['p95'])} ms"


def fmt_ratio(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}×"


def print_table(rows: list[Row], file=sys.stdout) -> None:
    headers = ("Section", "Figure", "Measured", "Baseline", "Ratio", "Target", "Result")
    cells = [(r.section, r.figure, r.measured, r.baseline, r.ratio, r.target, r.mark) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    print(line, file=file)
    print("  ".join("-" * w for w in widths), file=file)
    previous = None
    for c in cells:
        if previous is not None and c[0] != previous:
            print("", file=file)
        previous = c[0]
        print("  ".join(v.ljust(w) for v, w in zip(c, widths)).rstrip(), file=file)
    notes = [f"  - {r.figure}: {r.note}" for r in rows if r.note]
    if notes:
        print("\nNotes:", file=file)
        for n in notes:
            print(n, file=file)
