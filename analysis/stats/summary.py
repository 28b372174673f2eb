"""Aggregation of sentence scores: mean, median, share positive, n, and a seeded percentile-bootstrap CI."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import numpy as np

from ..config import BOOTSTRAP_BASE_SEED, BOOTSTRAP_RESAMPLES, CI_LEVEL


def derive_seed(*keys: object, base: int = BOOTSTRAP_BASE_SEED) -> int:
    """A seed from a base seed and ids (document, section), independent of processing order and hash seed."""
    digest = hashlib.sha256("\x1f".join([str(base), *map(str, keys)]).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def bootstrap_ci(
    values: Sequence[float], seed: int, resamples: int = BOOTSTRAP_RESAMPLES, level: float = CI_LEVEL
) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean; NaN for fewer than 2 values."""
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    # Resample in blocks of rows so memory stays bounded for long documents; drawing row blocks in sequence
    # gives the same stream as one (resamples × n) draw.
    rows = max(1, 2_000_000 // x.size)
    means = np.concatenate([
        x[rng.integers(0, x.size, size=(min(rows, resamples - i), x.size))].mean(axis=1)
        for i in range(0, resamples, rows)
    ])
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


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
