"""Running question sets through configurations and writing the results."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from evals.configs import BASELINES
from evals.metrics import Graded, grade, release_run, summarize, write_trec
from evals.questions import EvalQuestion
from evals.stats import intervals, paired


@dataclass
class ConfigRun:
    name: str
    questions: list[EvalQuestion]
    answers: list
    graded: list[Graded]
    metrics: dict
    intervals: dict = field(default_factory=dict)


def ask(system, q: EvalQuestion):
    """The question as a user would put it: with its history, and the day it is asked when the item says."""
    kwargs = {"asked_on": q.asked_on} if q.asked_on else {}
    return system.ask(q.question, history=q.history, **kwargs)


def run_config(system, questions: list[EvalQuestion], *, judge=None, progress: bool = True) -> ConfigRun:
    answers: list = []
    graded: list[Graded] = []
    # disable=None shows the bar only on a terminal, so logs stay readable.
    for q in tqdm(questions, desc=system.name, unit="q", disable=None if progress else True):
        start = time.perf_counter()
        answer = ask(system, q)
        total_ms = (time.perf_counter() - start) * 1000
        verdict = judge(q, answer.answer) if judge is not None else None
        answers.append(answer)
        graded.append(grade(q, answer, total_ms, judge=verdict))
    return ConfigRun(system.name, questions, answers, graded, summarize(questions, graded), intervals(graded))


def comparisons(runs: list[ConfigRun]) -> dict[str, dict[str, dict]]:
    """Each configuration against each baseline, and the first (the default) against every other
    configuration too (a single embedding model, dense alone): paired on the same questions."""
    baselines = [r for r in runs if r.name in BASELINES]
    out: dict[str, dict[str, dict]] = {}
    for run in runs:
        if run.name in BASELINES:
            continue
        for base in baselines:
            out[f"{run.name} vs {base.name}"] = paired(run.graded, base.graded)
    primary = next((r for r in runs if r.name not in BASELINES), None)
    for other in runs:
        if primary is not None and other is not primary and other.name not in BASELINES:
            out[f"{primary.name} vs {other.name}"] = paired(primary.graded, other.graded)
    return out


def _answer_line(q: EvalQuestion, answer, g: Graded) -> str:
    record = {
        "id": q.id, **answer.to_dict(), "type": q.type, "correct": g.correct, "grade": g.reason,
        "keyword_recall": round(g.keyword_recall, 3), "llm_judge": g.judge,
        "citations_right": f"{g.citation_right}/{g.citation_pairs}", "citation_problems": list(g.citation_problems),
    }
    return json.dumps(record, ensure_ascii=False, default=str)


def write_results(out: Path, runs: list[ConfigRun], question_set: str, *, unavailable: dict[str, str] | None = None) -> dict:
    """metrics.json, answers.jsonl (first configuration) and answers-<config>.jsonl, TREC run files."""
    out.mkdir(parents=True, exist_ok=True)
    primary = runs[0]
    for i, run in enumerate(runs):
        lines = [_answer_line(q, a, g) for q, a, g in zip(run.questions, run.answers, run.graded)]
        text = "\n".join(lines) + "\n"
        (out / f"answers-{run.name}.jsonl").write_text(text, encoding="utf-8")
        if i == 0:
            (out / "answers.jsonl").write_text(text, encoding="utf-8")
        qrels, trec_run = release_run(run.questions, run.graded)
        write_trec(qrels, trec_run, out / f"run-{run.name}.trec", out / "qrels.trec", out / "qrels.tsv", run.name)
    metrics = {
        "question_set": question_set,
        "primary": primary.name,
        **{k: v for k, v in primary.metrics.items()},
        "configs": {run.name: {**run.metrics, "intervals": run.intervals} for run in runs},
        "comparisons": comparisons(runs),
        "unavailable": dict(unavailable or {}),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    return metrics
