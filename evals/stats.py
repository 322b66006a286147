"""Bootstrap 95% intervals for the headline metrics, and paired tests between configurations.

Every headline metric is a ratio of per-question sums (evals.metrics.headline_parts), so one
resampling of the questions serves them all. Resampling is seeded: the same run gives the same
intervals. Two configurations are compared on the same questions: a paired bootstrap interval of
the difference, and a p-value from a paired sign-flip permutation test (where both share the
denominator, e.g. correctness) or from the bootstrap (citation metrics). A difference is reported
as within noise when its 95% interval holds 0 or p >= 0.05.
"""

from __future__ import annotations

import numpy as np

from evals.metrics import Graded, headline_parts

SEED = 20231129
RESAMPLES = 2000
HEADLINE = (
    "answer_correctness", "abstention_recall", "false_abstention", "citation_precision", "citation_recall",
    "recall@5", "mrr", "llm_judge_correctness",
)


def _indices(n: int, resamples: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def _ratios(num: np.ndarray, den: np.ndarray, idx: np.ndarray) -> np.ndarray:
    nums, dens = num[idx].sum(axis=1), den[idx].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(dens > 0, nums / np.where(dens > 0, dens, 1), np.nan)


def intervals(graded: list[Graded], *, resamples: int = RESAMPLES, seed: int = SEED) -> dict[str, dict]:
    """{metric: {"value", "low", "high"}} for each headline metric with a denominator."""
    parts = headline_parts(graded)
    idx = _indices(len(graded), resamples, seed)
    out: dict[str, dict] = {}
    for name in HEADLINE:
        if name not in parts or parts[name][1].sum() == 0:
            continue
        num, den = parts[name]
        samples = _ratios(num, den, idx)
        samples = samples[~np.isnan(samples)]
        low, high = np.percentile(samples, [2.5, 97.5]) if samples.size else (np.nan, np.nan)
        out[name] = {"value": float(num.sum() / den.sum()), "low": float(low), "high": float(high)}
    return out


def _sign_flip_p(differences: np.ndarray, resamples: int, seed: int) -> float:
    """Two-sided paired permutation test: each question's difference keeps its size, its sign is random."""
    observed = abs(differences.sum())
    if observed == 0:
        return 1.0
    signs = np.random.default_rng(seed).choice((-1.0, 1.0), size=(resamples, differences.size))
    flipped = np.abs((signs * differences).sum(axis=1))
    return float((np.sum(flipped >= observed - 1e-12) + 1) / (resamples + 1))


def paired(
    a: list[Graded], b: list[Graded], *, resamples: int = RESAMPLES, seed: int = SEED
) -> dict[str, dict]:
    """A minus B on each headline metric, over the same questions: difference, 95% interval, p, verdict."""
    if [g.id for g in a] != [g.id for g in b]:
        raise ValueError("paired comparison needs both configurations graded on the same questions in the same order")
    pa, pb = headline_parts(a), headline_parts(b)
    idx = _indices(len(a), resamples, seed + 1)
    out: dict[str, dict] = {}
    for name in HEADLINE:
        if name not in pa or name not in pb or pa[name][1].sum() == 0 or pb[name][1].sum() == 0:
            continue
        diff = _ratios(*pa[name], idx) - _ratios(*pb[name], idx)
        diff = diff[~np.isnan(diff)]
        point = pa[name][0].sum() / pa[name][1].sum() - pb[name][0].sum() / pb[name][1].sum()
        low, high = np.percentile(diff, [2.5, 97.5])
        if np.array_equal(pa[name][1], pb[name][1]):
            p = _sign_flip_p(pa[name][0] - pb[name][0], resamples, seed + 2)
        else:
            # Different denominators (citation metrics): how often the resampled difference crosses 0.
            p = min(1.0, 2 * min(float(np.mean(diff <= 0)), float(np.mean(diff >= 0))))
        noise = bool(low <= 0 <= high) or p >= 0.05
        out[name] = {
            "diff": float(point), "low": float(low), "high": float(high), "p": p,
            "verdict": "within noise" if noise else ("higher" if point > 0 else "lower"),
        }
    return out
