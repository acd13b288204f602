"""Pure statistics of the benchmark: percentiles, load-run summaries with every error counted, ratios.

No Rasa import here, so the unit tests of this module are fast."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0..100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Outcome:
    """One request of the load generator: its latency, and what went wrong if anything did."""

    latency_s: float
    error: Optional[str] = None
    """None when the request succeeded; otherwise a short kind such as 'http 500', 'timeout', 'ClientError'."""
    empty: bool = False
    """The server answered 200 with no message at all (counted apart from errors, never dropped)."""


@dataclass
class RunSummary:
    requests: int
    ok: int
    errors: int
    error_kinds: Dict[str, int]
    empty_replies: int
    elapsed_s: float
    throughput_rps: float
    """Successful requests per second of wall time."""
    latency_ms: Dict[str, float] = field(default_factory=dict)
    """p50/p95/p99/mean/max of the successful requests, in milliseconds."""

    def as_dict(self) -> Dict[str, Any]:
        return dict(self.__dict__)


def summarise(outcomes: Iterable[Outcome], elapsed_s: float) -> RunSummary:
    """Every outcome counts: errors are tallied by kind and excluded from latency, never dropped silently."""
    outcomes = list(outcomes)
    if elapsed_s <= 0:
        raise ValueError("elapsed time must be positive")
    good = [o.latency_s * 1000 for o in outcomes if o.error is None]
    kinds = Counter(o.error for o in outcomes if o.error is not None)
    latency = (
        {
            "p50": percentile(good, 50),
            "p95": percentile(good, 95),
            "p99": percentile(good, 99),
            "mean": sum(good) / len(good),
            "max": max(good),
        }
        if good
        else {}
    )
    return RunSummary(
        requests=len(outcomes),
        ok=len(good),
        errors=sum(kinds.values()),
        error_kinds=dict(kinds),
        empty_replies=sum(1 for o in outcomes if o.error is None and o.empty),
        elapsed_s=elapsed_s,
        throughput_rps=len(good) / elapsed_s,
        latency_ms=latency,
    )


def ratio(ours: Optional[float], peer: Optional[float]) -> Optional[float]:
    """ours / peer, or None when either is missing or the peer's is zero."""
    if ours is None or peer is None or peer == 0:
        return None
    return ours / peer


def saturation_throughput(runs: Dict[str, Dict[str, Any]]) -> Optional[float]:
    """The best throughput among load runs (summaries as dicts) that had zero errors; None if every run failed."""
    clean = [r["throughput_rps"] for r in runs.values() if r["errors"] == 0 and r["ok"] > 0]
    return max(clean) if clean else None


def mean_and_spread(values: Sequence[float]) -> Dict[str, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    if not values:
        raise ValueError("no values")
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1) if len(values) > 1 else 0.0
    return {"mean": mean, "std": math.sqrt(var), "n": len(values)}


def fmt(value: Optional[float], digits: int = 1, suffix: str = "") -> str:
    if value is None:
        return "n/a"
    return f"{value:.{digits}f}{suffix}"


def markdown_table(rows: List[List[str]], header: List[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def merge(runs: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """One summary of several load-generator runs (their raw outcomes pooled, their wall times added)."""
    if not runs:
        raise ValueError("no runs to merge")
    outcomes = [Outcome(ms / 1000) for r in runs for ms in r["latencies_ms"]]
    outcomes += [Outcome(e["latency_ms"] / 1000, e["error"]) for r in runs for e in r["errors"]]
    merged = summarise(outcomes, sum(r["summary"]["elapsed_s"] for r in runs)).as_dict()
    merged["empty_replies"] = sum(r["summary"]["empty_replies"] for r in runs)
    merged["rounds"] = len(runs)
    merged["round_throughput_rps"] = [r["summary"]["throughput_rps"] for r in runs]
    return merged
