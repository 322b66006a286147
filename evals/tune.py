"""`make tune`: choose the extractive answerer's weights and threshold on the dev set, under the strict grader.

Reads dev only: it refuses evals/questions/test.jsonl, and any file sharing a question id with it.
Each question is understood and retrieved once; only the answer and verify stages run per grid point,
with sentence embeddings cached, so the grid costs little more than one pass over dev.
Objective: answer_correctness + abstention_recall / 2, subject to false_abstention <= 0.10.
It writes its choice, with the dev scores of every grid point and of the current defaults, to
evals/tuning/extractive.json. It does not change the product's defaults: a person reads the file
and decides.

    python -m evals.tune [--questions evals/questions/dev.jsonl] [--index .pressroom/index] [--out FILE]
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import subprocess
import sys
import time
from dataclasses import asdict, fields, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from evals.metrics import grade, summarize
from evals.questions import EvalQuestion, QuestionFileError, load_questions

ROOT = Path(__file__).resolve().parent
TEST_SET = ROOT / "questions" / "test.jsonl"
DEFAULT_OUT = ROOT / "tuning" / "extractive.json"
MAX_FALSE_ABSTENTION = 0.10
# Small on purpose: the machine is shared. Each axis is one the answerer's docstring says matters.
GRID = {
    "w_dense": (1.0, 2.0, 3.0),
    "abstain_below": (0.05, 0.075, 0.1, 0.125),
}


class FrozenSetRefused(ValueError):
    pass


def refuse_test(path: Path, test_set: Path = TEST_SET) -> list[EvalQuestion]:
    """Load a tuning set, refusing the frozen test set by name or by shared question ids."""
    if Path(path).resolve() == Path(test_set).resolve() or "test" in Path(path).stem:
        raise FrozenSetRefused(f"{path} is the frozen test set; tuning reads dev only (evals/questions/dev.jsonl)")
    if "held-out" in Path(path).stem:
        # The held-out checks (held-out-korean, held-out-fresh, held-out-releases) are run only to report, like test.
        raise FrozenSetRefused(f"{path} is a held-out set, run only to report; tuning reads dev only (evals/questions/dev.jsonl)")
    questions = load_questions(path)
    if Path(test_set).exists():
        shared = {q.id for q in questions} & {q.id for q in load_questions(test_set)}
        if shared:
            raise FrozenSetRefused(
                f"{path} shares {len(shared)} question id(s) with {test_set} (e.g. {sorted(shared)[0]}); tuning reads dev only"
            )
    return questions


class CachedEncoder:
    """The answer embeddings with a memo: every grid point re-reads the same sentences."""

    def __init__(self, embeddings) -> None:
        self.inner = embeddings
        self.model_id = getattr(embeddings, "model_id", "")
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, texts):
        texts = list(texts)
        todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if todo:
            for text, vector in zip(todo, self.inner.encode(todo)):
                self.cache[text] = vector
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, 1))

    def __getattr__(self, name):
        return getattr(self.inner, name)


def objective(answers: dict) -> float:
    return answers["answer_correctness"] + (answers["abstention_recall"] or 0.0) / 2


def _prepare(system, questions: list[EvalQuestion]):
    """Each question understood and retrieved once."""
    from qa.models import Query

    prepared = []
    for q in questions:
        query = Query(q.question, tuple(q.history), q.asked_on)
        plan = system.understand(query)
        prepared.append((q, plan, system.retriever(plan)))
    return prepared


def _score(answerer, verify, prepared) -> dict:
    graded = []
    for q, plan, passages in prepared:
        start = time.perf_counter()
        answer = answerer(plan, passages)
        if verify is not None:
            answer = verify(answer)
        graded.append(grade(q, answer, (time.perf_counter() - start) * 1000))
    return summarize([q for q, _, _ in prepared], graded)["answers"]


def tune(system, questions: list[EvalQuestion], grid: dict = GRID) -> dict:
    from qa.extractive import ExtractiveAnswerer, ExtractiveConfig

    if not isinstance(system.answerer, ExtractiveAnswerer):
        raise ValueError("tuning is for the extractive answerer; unset PRESSROOM_LLM_URL")
    encoder = CachedEncoder(system.answerer.embeddings) if getattr(system.answerer, "embeddings", None) else None
    base = getattr(system.answerer, "config", None) or ExtractiveConfig()
    verify = system.verify
    if verify is not None and getattr(verify, "embeddings", None) is not None:
        # The verifier re-reads the same cited sentences at every grid point: the same memo serves it.
        verify = copy.copy(verify)
        verify.embeddings = CachedEncoder(verify.embeddings)
    prepared = _prepare(system, questions)
    keys = [k for k in grid if k in {f.name for f in fields(ExtractiveConfig)}]
    rows = []
    for values in itertools.product(*(grid[k] for k in keys)):
        config = replace(base, **dict(zip(keys, values)))
        answers = _score(ExtractiveAnswerer(encoder, config), verify, prepared)
        rows.append({"params": dict(zip(keys, values)), "dev": answers, "objective": objective(answers)})
    allowed = [r for r in rows if (r["dev"]["false_abstention"] or 0.0) <= MAX_FALSE_ABSTENTION]
    # When no point meets the limit, the best objective is still reported, flagged: the limit is not met.
    best = max(allowed or rows, key=lambda r: (r["objective"], r["dev"]["answer_correctness"]))
    current = _score(ExtractiveAnswerer(encoder, base), verify, prepared)
    return {
        "chosen": {**asdict(replace(base, **best["params"]))},
        "chosen_params": best["params"],
        "chosen_dev": best["dev"],
        "current_defaults": asdict(base),
        "current_defaults_dev": current,
        "objective": f"answer_correctness + abstention_recall / 2, with false_abstention <= {MAX_FALSE_ABSTENTION}",
        "constraint_met": bool(allowed),
        "grader": "evals.grader (strict)",
        "grid": rows,
    }


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "questions" / "dev.jsonl")
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    from pressroom.settings import Settings
    from qa.service import open_pressroom

    settings = Settings()
    try:
        questions = refuse_test(args.questions)
    except (FrozenSetRefused, QuestionFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    system = open_pressroom(
        args.index or settings.index, embedding_model=settings.embedding_model, k=settings.k,
        answer_model=settings.answer_model,
    )
    start = time.perf_counter()
    result = tune(system, questions)
    result.update(
        {
            "questions": str(args.questions),
            "n_questions": len(questions),
            "commit": _commit(),
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "seconds": round(time.perf_counter() - start, 1),
        }
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    chosen, current = result["chosen_dev"], result["current_defaults_dev"]
    print(f"chosen {result['chosen_params']}: correct {chosen['answer_correctness']:.3f}, "
          f"abstention {chosen['abstention_recall']:.3f}, false abstention {chosen['false_abstention']:.3f}")
    print(f"current defaults: correct {current['answer_correctness']:.3f}, abstention {current['abstention_recall']:.3f}, "
          f"false abstention {current['false_abstention']:.3f}")
    if not result["constraint_met"]:
        print(f"warning: no grid point keeps false abstention <= {MAX_FALSE_ABSTENTION}; the choice above does not either")
    print(f"written to {args.out}; the product defaults are unchanged (qa/extractive.py)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
