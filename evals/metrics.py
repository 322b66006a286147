"""Metric definitions (see evals/README.md). Answer-level grades come from evals.grader, citation
scores from evals.attribution; neither uses the system's own text functions."""

from __future__ import annotations

from dataclasses import dataclass, field

import ir_measures
import numpy as np
from ir_measures import RR, R, nDCG

from evals.attribution import score_citations
from evals.grader import grade_text, strip_markers
from evals.normalize import is_korean, keywords
from evals.questions import EvalQuestion

RETRIEVAL_METRICS = {
    "recall@1": R @ 1,
    "recall@3": R @ 3,
    "recall@5": R @ 5,
    "recall@10": R @ 10,
    "mrr": RR,
    "ndcg@10": nDCG @ 10,
}


def token_f1(gold: str, answer: str) -> float:
    """F1 between the key-word sets of gold and answer (the grader's tokeniser)."""
    g, a = keywords(gold), keywords(answer)
    overlap = len(g & a)
    if not overlap:
        return 0.0
    precision, recall = overlap / len(a), overlap / len(g)
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class Graded:
    """One question's answer, graded."""

    id: str
    type: str
    answerable: bool
    abstained: bool  # the grader's reading (flag or text)
    system_abstained: bool
    correct: bool
    reason: str
    keyword_recall: float
    f1: float
    size: int  # words, or characters for Korean
    citations: int
    citations_gold_release: int
    citation_pairs: int
    citation_right: int
    sentences: int
    sentences_supported: int
    citation_scored: bool  # False: no evidence gold (n/a)
    citations_valid: bool
    citation_problems: tuple[str, ...]
    release_ranking: list[str]
    gold_sources: tuple[str, ...]
    latency_ms: dict[str, float]
    tags: tuple[str, ...] = ()
    asked_in_korean: bool = False
    answered_in_korean: bool = False  # the answer text is mostly Hangul (False when it abstains)
    judge: bool | None = None  # the LLM judge's verdict, when one is configured
    extra: dict = field(default_factory=dict)

    def recall_at(self, k: int) -> float:
        if not self.gold_sources:
            return 0.0
        return len(set(self.release_ranking[:k]) & set(self.gold_sources)) / len(self.gold_sources)

    @property
    def reciprocal_rank(self) -> float:
        for rank, source in enumerate(self.release_ranking, start=1):
            if source in self.gold_sources:
                return 1.0 / rank
        return 0.0


def release_ranking(answer) -> list[str]:
    return list(dict.fromkeys(p.source for p in answer.retrieved))


def grade(q: EvalQuestion, answer, total_ms: float, judge: bool | None = None) -> Graded:
    cited_years = frozenset(int(c.date[:4]) for c in answer.citations if c.date[:4].isdigit())
    verdict = grade_text(
        q.question, q.gold_forms, answer.answer, answerable=q.answerable, system_abstained=answer.abstained,
        cited_years=cited_years,
    )
    cites = score_citations(q, answer, verdict.abstained)
    gold = set(q.sources)
    text = strip_markers(answer.answer)
    return Graded(
        id=q.id,
        type=q.type,
        answerable=q.answerable,
        abstained=verdict.abstained,
        system_abstained=answer.abstained,
        correct=verdict.correct,
        reason=verdict.reason,
        keyword_recall=verdict.keyword_recall,
        f1=0.0 if verdict.abstained or not q.answerable else max(token_f1(f, text) for f in q.gold_forms),
        size=verdict.size,
        citations=len(answer.citations),
        citations_gold_release=sum(c.source in gold for c in answer.citations),
        citation_pairs=cites.pairs,
        citation_right=cites.right_pairs,
        sentences=cites.sentences,
        sentences_supported=cites.supported_sentences,
        citation_scored=cites.scored,
        citations_valid=cites.valid,
        citation_problems=cites.problems,
        release_ranking=release_ranking(answer),
        gold_sources=tuple(q.sources),
        latency_ms={**answer.timings_ms, "total": total_ms},
        tags=q.tags,
        asked_in_korean=is_korean(q.question),
        answered_in_korean=not verdict.abstained and is_korean(text),
        judge=judge,
    )


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


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


def headline_parts(graded: list[Graded]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each headline metric as per-question (numerator, denominator): the metric is sum(num) / sum(den).

    The same parts feed the point estimate, the bootstrap intervals and the paired tests.
    """
    a = np.array([g.answerable for g in graded], dtype=float)
    u = 1.0 - a
    abst = np.array([g.abstained for g in graded], dtype=float)
    scored = np.array([g.citation_scored for g in graded], dtype=float)
    answered = a * (1 - abst) * scored
    parts = {
        "answer_correctness": (np.array([g.correct for g in graded], dtype=float) * a, a),
        "abstention_recall": (abst * u, u),
        "false_abstention": (abst * a, a),
        "citation_precision": (
            np.array([g.citation_right for g in graded], dtype=float) * scored,
            np.array([g.citation_pairs for g in graded], dtype=float) * scored,
        ),
        "citation_recall": (
            np.array([g.sentences_supported for g in graded], dtype=float) * answered,
            np.array([g.sentences for g in graded], dtype=float) * answered,
        ),
        "recall@5": (np.array([g.recall_at(5) for g in graded]) * a, a),
        "mrr": (np.array([g.reciprocal_rank for g in graded]) * a, a),
    }
    if any(g.judge is not None for g in graded):
        judged = np.array([g.judge is not None and g.answerable for g in graded], dtype=float)
        parts["llm_judge_correctness"] = (np.array([bool(g.judge) for g in graded], dtype=float) * judged, judged)
    return parts


def answer_metrics(graded: list[Graded]) -> dict[str, float | None]:
    answerable = [g for g in graded if g.answerable]
    answered = [g for g in answerable if not g.abstained]
    abstained = [g for g in graded if g.abstained]
    shown = [g for g in graded if not g.abstained]
    evidence = any(g.citation_scored and g.answerable for g in graded)
    parts = headline_parts(graded)
    out: dict[str, float | None] = {
        name: _ratio(num.sum(), den.sum()) for name, (num, den) in parts.items() if name not in ("recall@5", "mrr")
    }
    if not evidence:
        # No evidence gold in this set: citation precision and recall are "n/a", not a guess.
        out["citation_precision"] = out["citation_recall"] = None
    cited = sum(g.citations for g in answered)
    out.update(
        {
            "keyword_recall": _ratio(sum(g.keyword_recall for g in answerable), len(answerable)),
            "token_f1": _ratio(sum(g.f1 for g in answerable), len(answerable)),
            "answer_size_median": float(np.median([g.size for g in answered])) if answered else None,
            "abstention_precision": _ratio(sum(not g.answerable for g in abstained), len(abstained)),
            "citation_release_accuracy": _ratio(sum(g.citations_gold_release for g in answered), cited),
            "citation_validity": _ratio(sum(g.citations_valid for g in shown), len(shown)),
            "abstention_flag_disagreement": _ratio(
                sum(g.system_abstained != g.abstained for g in graded), len(graded)
            ),
            "evidence_coverage": _ratio(sum(g.citation_scored for g in answerable), len(answerable)),
            # The grader accepts an answer in the other language when its figures and names match; a
            # reader who asked in Korean wants Korean: these two say how often they get it.
            "in_question_language": _ratio(
                sum(g.answered_in_korean == g.asked_in_korean for g in answered), len(answered)
            ),
            "korean_correct_in_korean": _ratio(
                sum(g.correct and g.answered_in_korean for g in answerable if g.asked_in_korean),
                sum(g.asked_in_korean for g in answerable),
            ),
        }
    )
    return out


def latency_metrics(graded: list[Graded]) -> dict[str, float]:
    out: dict[str, float] = {}
    for stage in ("retrieve", "answer", "total"):
        values = [g.latency_ms[stage] for g in graded if stage in g.latency_ms]
        if values:
            out[f"{stage}_ms_p50"] = float(np.percentile(values, 50))
            out[f"{stage}_ms_p95"] = float(np.percentile(values, 95))
    return out


def all_gold_at(graded: list[Graded], k: int = 5) -> tuple[float | None, int]:
    """Of the answerable questions with two or more gold releases, the share with every one of them in
    the top `k` releases (recall@k counts a half-found pair as 0.5; a two-release answer needs both)."""
    multi = [g for g in graded if g.answerable and len(set(g.gold_sources)) >= 2]
    if not multi:
        return None, 0
    return sum(set(g.gold_sources) <= set(g.release_ranking[:k]) for g in multi) / len(multi), len(multi)


def summarize(questions: list[EvalQuestion], graded: list[Graded]) -> dict:
    by_type: dict[str, dict] = {}
    for kind in sorted({g.type for g in graded}):
        subset = [g for g in graded if g.type == kind]
        subset_q = [q for q in questions if q.type == kind]
        row = {"n": len(subset), "correct": _ratio(sum(g.correct for g in subset), len(subset))}
        row.update({k: v for k, v in retrieval_metrics(subset_q, subset).items() if k in ("recall@5", "mrr")})
        by_type[kind] = row
    all_gold, n_multi = all_gold_at(graded)
    retrieval = retrieval_metrics(questions, graded)
    if all_gold is not None:
        retrieval["all_gold@5_multi_release"] = all_gold
    return {
        "n_questions": len(graded),
        "n_answerable": sum(g.answerable for g in graded),
        "n_multi_release": n_multi,
        "retrieval": retrieval,
        "answers": answer_metrics(graded),
        "latency": latency_metrics(graded),
        "by_type": by_type,
    }
