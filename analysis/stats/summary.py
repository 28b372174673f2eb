"""Summary statistics of sentence scores: mean, median, share positive and the bootstrap CI of the mean."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .bootstrap import bootstrap_ci


def per_1k(hits: int, n_cjk: int) -> float:
    """Hits per 1,000 CJK characters; NaN without CJK characters."""
    return hits / n_cjk * 1000 if n_cjk else math.nan


def summarise(values: Sequence[float], seed: int, prefix: str = "sentiment", share: str = "share_positive") -> dict:
    """Statistics of the non-NaN scores: n, mean, median, CI, share above 0.5 (all NaN when none)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n < 2:  # one value (or none) is its own mean and median, and has no interval: no numpy call needed
        v = float(x[0]) if n else math.nan
        return {f"{prefix}_mean": v, f"{prefix}_median": v, f"{prefix}_ci_low": math.nan,
                f"{prefix}_ci_high": math.nan, share: float(v > 0.5) if n else math.nan}
    low, high = bootstrap_ci(x, seed)
    return {
        f"{prefix}_mean": float(x.mean()),
        f"{prefix}_median": median(x),
        f"{prefix}_ci_low": low,
        f"{prefix}_ci_high": high,
        share: int(np.count_nonzero(x > 0.5)) / n,
    }


def median(x: np.ndarray) -> float:
    """The median of non-NaN values, as `np.median` computes it (the middle value, or the mean of the two middle
    ones: their sum halved), from one sort."""
    s = np.sort(x)
    m = s.size // 2
    return float(s[m]) if s.size % 2 else float((s[m - 1] + s[m]) / 2)
