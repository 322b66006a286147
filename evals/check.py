"""`pressroom eval --check`: compare metrics with evals/expected.toml and name every regression."""

from __future__ import annotations

import tomllib
from pathlib import Path

# For these, lower is better: a regression is a rise.
LOWER_IS_BETTER = ("false_abstention", "_ms_")


def _lookup(metrics: dict, dotted: str):
    value = metrics
    for part in dotted.split("."):
        value = value[part]
    return value


def check_metrics(metrics: dict, expected_file: Path, question_set: str) -> list[str]:
    """Regressions as sentences; empty when every expected metric holds within its tolerance."""
    expected = tomllib.loads(Path(expected_file).read_text(encoding="utf-8"))
    section = expected.get(question_set)
    if section is None:
        return [f"{expected_file} has no [{question_set}] section; add one to check this question set"]
    problems: list[str] = []
    for config, entries in section.items():
        if config in metrics.get("unavailable", {}):
            problems.append(f"{config}: did not run ({metrics['unavailable'][config]})")
            continue
        if config not in metrics["configs"]:
            problems.append(f"{config}: expected in {expected_file} but not run; add it to --configs")
            continue
        entries = dict(entries)
        tolerance = float(entries.pop("tolerance", 0.0))
        for name, floor in entries.items():
            try:
                raw = _lookup(metrics["configs"][config], name)
            except (KeyError, TypeError):
                problems.append(f"{config}: metric {name} is missing from the results")
                continue
            if raw is None:
                problems.append(f"{config}: metric {name} is n/a on this set (no questions it applies to)")
                continue
            value = float(raw)
            lower_better = any(marker in name for marker in LOWER_IS_BETTER)
            if lower_better and value > floor + tolerance:
                problems.append(f"{config}: {name} rose to {value:.3f}, above {floor} (+{tolerance}) by {value - floor:.3f}")
            if not lower_better and value < floor - tolerance:
                problems.append(f"{config}: {name} fell to {value:.3f}, below {floor} (−{tolerance}) by {floor - value:.3f}")
    return problems
