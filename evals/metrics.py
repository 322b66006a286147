"""Metric definitions (see evals/README.md). Answer-level metrics are pure functions of one record."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import ir_measures
from ir_measures import RR, R, nDCG

from evals.questions import EvalQuestion
from qa.citations import citation_problems, markers
from qa.models import Answer
from qa.text import tokens, word_count

CONCISE_WORDS = 80  # an answer longer than this is a passage dump, not an answer
FACT_RECALL_CORRECT = 0.5
RETRIEVAL_METRICS = {
    "recall@1": R @ 1,
    "recall@3": R @ 3,
    "recall@5": R @ 5,
    "recall@10": R @ 10,
    "mrr": RR,
    "ndcg@10": nDCG @ 10,
}


def strip_markers(text: str) -> str:
    return re.sub(r"\s*\[\d+\]", "", text)


def key_facts(gold: str) -> set[str]:
    """The gold answer's content tokens: names, numbers and content words, stemmed."""
    return set(tokens(gold))


def key_fact_recall(gold: str, answer: str) -> float:
    facts = key_facts(gold)
    return len(facts & set(tokens(answer))) / len(facts) if facts else 0.0


def token_f1(gold: str, answer: str) -> float:
    g, a = Counter(tokens(gold)), Counter(tokens(answer))
    overlap = sum((g & a).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(g.values())
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class Graded:
    """One question's answer, graded."""

    id: str
    type: str
    answerable: bool
    abstained: bool
    fact_recall: float
    f1: float
    words: int
    correct: bool
    citations: int
    citations_gold_release: int
    citations_supported: int
    citations_valid: bool
    release_ranking: list[str]
    latency_ms: dict[str, float]


def release_ranking(answer: Answer) -> list[str]:
    return list(dict.fromkeys(p.source for p in answer.retrieved))


def grade(q: EvalQuestion, answer: Answer, total_ms: float) -> Graded:
    text = strip_markers(answer.answer)
    recall = 0.0 if answer.abstained else key_fact_recall(q.answer, text)
    words = word_count(text)
    if q.answerable:
        correct = not answer.abstained and recall >= FACT_RECALL_CORRECT and words <= CONCISE_WORDS
    else:
        correct = answer.abstained
    gold = set(q.sources)
    in_gold = sum(c.source in gold for c in answer.citations)
    supported = sum(
        c.source in gold or (bool(q.answer) and key_fact_recall(q.answer, c.quote) >= FACT_RECALL_CORRECT)
        for c in answer.citations
    )
    return Graded(
        id=q.id,
        type=q.type,
        answerable=q.answerable,
        abstained=answer.abstained,
        fact_recall=recall,
        f1=0.0 if answer.abstained else token_f1(q.answer, text),
        words=words,
        correct=correct,
        citations=len(answer.citations),
        citations_gold_release=in_gold,
        citations_supported=supported,
        citations_valid=not citation_problems(answer) and all(n >= 1 for n in markers(answer.answer)),
        release_ranking=release_ranking(answer),
        latency_ms={**answer.timings_ms, "total": total_ms},
    )


def _mean(values) -> float:
    values = list(values)
    return float(np.mean(values)) if values else float("nan")


def _ratio(num: int, den: int) -> float:
    return num / den if den else float("nan")


Qrels = dict[str, dict[str, int]]
RunScores = dict[str, dict[str, float]]


def release_run(questions: list[EvalQuestion], graded: list[Graded]) -> tuple[Qrels, RunScores]:
    """Release-level qrels and run; a release's score falls with the rank of its first passage."""
    qrels = {q.id: {s: 1 for s in q.sources} for q in questions if q.answerable}
    run = {
        g.id: {source: 1.0 / (rank + 1) for rank, source in enumerate(g.release_ranking)}
        for g in graded
        if g.id in qrels
    }
    return qrels, run


def retrieval_metrics(questions: list[EvalQuestion], graded: list[Graded]) -> dict[str, float]:
    qrels, run = release_run(questions, graded)
    if not qrels:
        return {}
    scores = ir_measures.calc_aggregate(RETRIEVAL_METRICS.values(), qrels, run)
    # A question with nothing retrieved is absent from `run`; count it as a miss, not skip it.
    answered = sum(1 for qid in qrels if run.get(qid))
    scale = answered / len(qrels)
    return {name: float(scores.get(measure, 0.0)) * scale for name, measure in RETRIEVAL_METRICS.items()}


def write_trec(qrels: Qrels, run: RunScores, run_path, qrels_path, beir_qrels_path, tag: str) -> None:
    """The run and qrels in TREC format, and the qrels again as a BEIR-style TSV."""
    with open(run_path, "w", encoding="utf-8") as out:
        for qid, docs in run.items():
            for rank, (doc, score) in enumerate(sorted(docs.items(), key=lambda d: -d[1]), start=1):
                out.write(f"{qid} Q0 {doc} {rank} {score:.6f} {tag}\n")
    with open(qrels_path, "w", encoding="utf-8") as out:
        for qid, docs in qrels.items():
            out.writelines(f"{qid} 0 {doc} {rel}\n" for doc, rel in docs.items())
    with open(beir_qrels_path, "w", encoding="utf-8") as out:
        out.write("query-id\tcorpus-id\tscore\n")
        for qid, docs in qrels.items():
            out.writelines(f"{qid}\t{doc}\t{rel}\n" for doc, rel in docs.items())


def answer_metrics(graded: list[Graded]) -> dict[str, float]:
    answerable = [g for g in graded if g.answerable]
    unanswerable = [g for g in graded if not g.answerable]
    answered = [g for g in answerable if not g.abstained]
    abstained = [g for g in graded if g.abstained]
    cited = sum(g.citations for g in answered)
    return {
        "answer_correctness": _mean(g.correct for g in answerable),
        "key_fact_recall": _mean(g.fact_recall for g in answerable),
        "token_f1": _mean(g.f1 for g in answerable),
        "answer_words_median": float(np.median([g.words for g in answered])) if answered else float("nan"),
        "abstention_recall": _ratio(sum(g.abstained for g in unanswerable), len(unanswerable)),
        "abstention_precision": _ratio(sum(not g.answerable for g in abstained), len(abstained)),
        "false_abstention": _ratio(sum(g.abstained for g in answerable), len(answerable)),
        "citation_accuracy": _ratio(sum(g.citations_gold_release for g in answered), cited),
        "citation_precision": _ratio(sum(g.citations_supported for g in answered), cited),
        "citation_validity": _mean(g.citations_valid for g in graded),
    }


def latency_metrics(graded: list[Graded]) -> dict[str, float]:
    out: dict[str, float] = {}
    for stage in ("retrieve", "answer", "total"):
        values = [g.latency_ms[stage] for g in graded if stage in g.latency_ms]
        if values:
            out[f"{stage}_ms_p50"] = float(np.percentile(values, 50))
            out[f"{stage}_ms_p95"] = float(np.percentile(values, 95))
    return out


def summarize(questions: list[EvalQuestion], graded: list[Graded]) -> dict:
    by_type: dict[str, dict[str, float]] = {}
    for kind in sorted({g.type for g in graded}):
        subset = [g for g in graded if g.type == kind]
        subset_q = [q for q in questions if q.type == kind]
        row = {"n": len(subset), "correct": _mean(g.correct for g in subset)}
        row.update({k: v for k, v in retrieval_metrics(subset_q, subset).items() if k in ("recall@5", "mrr")})
        by_type[kind] = row
    return {
        "n_questions": len(graded),
        "n_answerable": sum(g.answerable for g in graded),
        "retrieval": retrieval_metrics(questions, graded),
        "answers": answer_metrics(graded),
        "latency": latency_metrics(graded),
        "by_type": by_type,
    }
