"""report.md with side-by-side tables, the worst failures, and PNG charts."""

from __future__ import annotations

import math
from pathlib import Path

from evals.runner import ConfigRun
from evals.stats import HEADLINE

ROWS = [
    ("retrieval", "recall@1"), ("retrieval", "recall@3"), ("retrieval", "recall@5"), ("retrieval", "recall@10"),
    ("retrieval", "mrr"), ("retrieval", "ndcg@10"), ("retrieval", "all_gold@5_multi_release"),
    ("answers", "answer_correctness"), ("answers", "llm_judge_correctness"), ("answers", "keyword_recall"),
    ("answers", "token_f1"), ("answers", "answer_size_median"), ("answers", "abstention_recall"),
    ("answers", "abstention_precision"), ("answers", "false_abstention"), ("answers", "abstention_flag_disagreement"),
    ("answers", "citation_precision"), ("answers", "citation_recall"), ("answers", "citation_release_accuracy"),
    ("answers", "citation_validity"), ("answers", "evidence_coverage"), ("answers", "in_question_language"),
    ("answers", "korean_correct_in_korean"),
    ("latency", "retrieve_ms_p50"), ("latency", "retrieve_ms_p95"), ("latency", "answer_ms_p50"),
    ("latency", "answer_ms_p95"), ("latency", "total_ms_p50"), ("latency", "total_ms_p95"),
]


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) and abs(value) < 10 else f"{value:.1f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _failures(run: ConfigRun, limit: int) -> list[str]:
    lines: list[str] = []
    worst = [
        (q, a, g) for q, a, g in zip(run.questions, run.answers, run.graded) if not g.correct
    ]
    worst.sort(key=lambda item: (item[2].answerable, item[2].keyword_recall))
    for q, a, g in worst[:limit]:
        retrieved = ", ".join(f"{s}" for s in g.release_ranking[:3]) or "nothing"
        lines += [
            f"### {q.id} ({q.type})",
            f"- question: {q.question}" + (f" (after: {' / '.join(q.history)})" if q.history else ""),
            f"- gold: {q.answer or '(unanswerable)'} — {', '.join(q.sources) or 'no source'}",
            f"- answer: {a.answer}",
            f"- grade: {g.reason}",
            f"- retrieved releases: {retrieved}",
            "",
        ]
    return lines


def charts(runs: list[ConfigRun], out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files: list[str] = []
    fig, ax = plt.subplots(figsize=(6, 4))
    ks = [1, 3, 5, 10]
    for run in runs:
        ax.plot(ks, [run.metrics["retrieval"].get(f"recall@{k}", 0) for k in ks], marker="o", label=run.name)
    ax.set(xlabel="k", ylabel="release recall@k", ylim=(0, 1.02), title="Recall@k by configuration")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "recall_at_k.png", dpi=100)
    files.append("recall_at_k.png")
    plt.close(fig)

    types = sorted({t for run in runs for t in run.metrics["by_type"]})
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(runs)
    for i, run in enumerate(runs):
        values = [run.metrics["by_type"].get(t, {}).get("correct") or 0 for t in types]
        ax.bar([x + i * width for x in range(len(types))], values, width, label=run.name)
    ax.set_xticks([x + width * (len(runs) - 1) / 2 for x in range(len(types))], types, rotation=20)
    ax.set(ylabel="share correct", ylim=(0, 1.02), title="Answer correctness by question type")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "correctness_by_type.png", dpi=100)
    files.append("correctness_by_type.png")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.boxplot([[g.latency_ms["total"] for g in run.graded] for run in runs], tick_labels=[r.name for r in runs])
    ax.set(ylabel="ms per question (end to end)", title="Latency distribution", yscale="log")
    fig.tight_layout()
    fig.savefig(out / "latency.png", dpi=100)
    files.append("latency.png")
    plt.close(fig)
    return files


def interval_cell(entry: dict | None) -> str:
    if not entry:
        return "n/a"
    return f"{entry['value']:.3f} [{entry['low']:.3f}, {entry['high']:.3f}]"


def comparison_lines(comparisons: dict[str, dict[str, dict]]) -> list[str]:
    """One line per (configuration vs configuration, metric): difference, interval, p, and whether it is noise."""
    lines: list[str] = []
    for pair, by_metric in comparisons.items():
        for metric, c in by_metric.items():
            lines.append(
                f"{pair}: {metric} {c['diff']:+.3f} [{c['low']:+.3f}, {c['high']:+.3f}] p={c['p']:.3f} — {c['verdict']}"
            )
    return lines


def write_report(
    runs: list[ConfigRun], out: Path, question_set: str, *, failures: int = 10,
    comparisons: dict | None = None, unavailable: dict[str, str] | None = None,
) -> Path:
    names = [run.name for run in runs]
    lines = [f"# Evaluation: {question_set}", "", f"{runs[0].metrics['n_questions']} questions "
             f"({runs[0].metrics['n_answerable']} answerable). Metric definitions: evals/README.md.", ""]
    for name, reason in (unavailable or {}).items():
        lines += [f"**{name} did not run: {reason}**", ""]
    lines += ["## Headline metrics with bootstrap 95% intervals", "",
              "Seeded bootstrap over questions (evals/stats.py). Strict grader: evals/grader.py.", ""]
    present = [m for m in HEADLINE if any(m in run.intervals for run in runs)]
    rows = [[m] + [interval_cell(run.intervals.get(m)) for run in runs] for m in present]
    lines += _table(["metric", *names], rows) + [""]
    if comparisons:
        lines += ["## Paired comparisons (each configuration against the baselines; the default against every other configuration)", "",
                  "Paired bootstrap on the same questions; \"within noise\": the 95% interval of the difference holds 0, or the paired permutation test gives p >= 0.05. "
                  "For false_abstention lower is better.", ""]
        lines += [f"- {line}" for line in comparison_lines(comparisons)] + [""]
    lines += ["## Configurations side by side", ""]
    rows = [[f"{group}.{name}"] + [_fmt(run.metrics[group].get(name)) for run in runs] for group, name in ROWS]
    lines += _table(["metric", *names], rows) + [""]
    lines += ["## Correctness by question type", ""]
    types = sorted({t for run in runs for t in run.metrics["by_type"]})
    rows = [
        [t, str(runs[0].metrics["by_type"].get(t, {}).get("n", 0))]
        + [_fmt(run.metrics["by_type"].get(t, {}).get("correct")) for run in runs]
        for t in types
    ]
    lines += _table(["type", "n", *names], rows) + [""]
    for image in charts(runs, out):
        lines += [f"![{image}]({image})", ""]
    lines += [f"## Worst failures of {runs[0].name}", ""] + _failures(runs[0], failures)
    path = out / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
