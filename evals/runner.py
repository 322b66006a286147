"""Running question sets through configurations and writing the results."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from evals.metrics import Graded, grade, release_run, summarize, write_trec
from evals.questions import EvalQuestion
from qa.models import Answer
from qa.service import Pressroom


@dataclass
class ConfigRun:
    name: str
    questions: list[EvalQuestion]
    answers: list[Answer]
    graded: list[Graded]
    metrics: dict


def run_config(system: Pressroom, questions: list[EvalQuestion], *, progress: bool = True) -> ConfigRun:
    answers: list[Answer] = []
    graded: list[Graded] = []
    # disable=None shows the bar only on a terminal, so logs stay readable.
    for q in tqdm(questions, desc=system.name, unit="q", disable=None if progress else True):
        start = time.perf_counter()
        answer = system.ask(q.question, history=q.history)
        total_ms = (time.perf_counter() - start) * 1000
        answers.append(answer)
        graded.append(grade(q, answer, total_ms))
    return ConfigRun(system.name, questions, answers, graded, summarize(questions, graded))


def _answer_line(q: EvalQuestion, answer: Answer, g: Graded) -> str:
    record = {"id": q.id, **answer.to_dict(), "type": q.type, "correct": g.correct, "fact_recall": round(g.fact_recall, 3)}
    return json.dumps(record, ensure_ascii=False)


def write_results(out: Path, runs: list[ConfigRun], question_set: str) -> dict:
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
        "configs": {run.name: run.metrics for run in runs},
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    return metrics
