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
    low, high = bootstrap_ci(x, seed)
    return {
        f"{prefix}_mean": float(x.mean()) if n else math.nan,
        f"{prefix}_median": float(np.median(x)) if n else math.nan,
        f"{prefix}_ci_low": low,
        f"{prefix}_ci_high": high,
        share: float((x > 0.5).mean()) if n else math.nan,
    }
