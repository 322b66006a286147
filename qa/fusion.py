"""Merging ranked lists: reciprocal-rank fusion, normalised-score fusion, round-robin for parts."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

Ranked = Sequence[tuple[Hashable, float]]  # (item, route score), best first


def rrf(routes: dict[str, Ranked], weights: dict[str, float] | None = None, k: int = 60) -> dict[Hashable, float]:
    """Reciprocal-rank fusion (Cormack et al. 2009): sum of weight / (k + rank) over the routes."""
    fused: dict[Hashable, float] = {}
    for name, ranked in routes.items():
        w = (weights or {}).get(name, 1.0)
        for rank, (item, _) in enumerate(ranked, start=1):
            fused[item] = fused.get(item, 0.0) + w / (k + rank)
    return fused


def score_fusion(routes: dict[str, Ranked], weights: dict[str, float] | None = None) -> dict[Hashable, float]:
    """Weighted sum of each route's scores min-max normalised over that route's own list.

    An item a route did not return gets 0 from it, as if it were that route's worst."""
    fused: dict[Hashable, float] = {}
    for name, ranked in routes.items():
        if not ranked:
            continue
        w = (weights or {}).get(name, 1.0)
        scores = [s for _, s in ranked]
        lo, hi = min(scores), max(scores)
        span = hi - lo
        for item, s in ranked:
            fused[item] = fused.get(item, 0.0) + w * ((s - lo) / span if span > 0 else 1.0)
    return fused


def ranked(fused: dict[Hashable, float]) -> list[Hashable]:
    # Ties keep first-seen order (dicts are ordered), so the result is deterministic.
    return [item for item, _ in sorted(fused.items(), key=lambda kv: -kv[1])]


def round_robin(lists: Sequence[Sequence[Hashable]]) -> list[Hashable]:
    """First of each list, then second of each, …, without repeats: every list's best comes early."""
    out: dict[Hashable, None] = {}
    for depth in range(max((len(x) for x in lists), default=0)):
        for items in lists:
            if depth < len(items):
                out.setdefault(items[depth], None)
    return list(out)
