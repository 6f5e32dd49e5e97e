"""Statistics of the benchmark: percentiles, summaries and the ours / stock ratios."""

from __future__ import annotations

import math
from typing import Dict, Iterable, List, Optional, Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th quantile (0 <= q <= 1) with linear interpolation between the closest ranks
    (numpy's default method). Raises ValueError on no values."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile {q} is not between 0 and 1")
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_summary(values_ms: Sequence[float]) -> Dict[str, float]:
    """p50, p95, p99 and mean of latencies in milliseconds, rounded to 0.01 ms."""
    return {
        "p50": round(percentile(values_ms, 0.50), 2),
        "p95": round(percentile(values_ms, 0.95), 2),
        "p99": round(percentile(values_ms, 0.99), 2),
        "mean": round(sum(values_ms) / len(values_ms), 2),
        "n": len(values_ms),
    }


def ratio(ours: Optional[float], stock: Optional[float]) -> Optional[float]:
    """ours / stock, rounded to 0.01 (None when either is missing or stock is 0)."""
    if ours is None or stock is None or stock == 0:
        return None
    return round(ours / stock, 2)


def meets(value: Optional[float], op: str, limit: float) -> Optional[bool]:
    """Whether `value op limit` holds (op is "<=" or ">="); None when there is no value."""
    if value is None:
        return None
    if op == "<=":
        return value <= limit
    if op == ">=":
        return value >= limit
    raise ValueError(f"unknown comparison {op!r}")


def flatten(figures: Dict[str, object], prefix: str = "") -> Dict[str, float]:
    """{"turn": {"c10": {"p95": 3}}} -> {"turn.c10.p95": 3}: every number, by dotted path."""
    out: Dict[str, float] = {}
    for key, value in figures.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, path + "."))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[path] = value
    return out


def rate(messages: int, seconds: float) -> float:
    """Messages per second, rounded to 0.1."""
    return round(messages / seconds, 1) if seconds > 0 else 0.0


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values)


def merge(lists: Iterable[List[float]]) -> List[float]:
    return [value for values in lists for value in values]
