"""Seeds and percentile-bootstrap intervals: one percentile rule for every interval the package reports.

`derive_seed` turns ids (document, section, measure, …) into a seed, so that no result depends on processing order.
`percentile_interval` is the one place a bootstrap distribution becomes an interval; the resampling itself differs
by design (sentences of a section; documents of a group; each of two groups on its own; coded units) and stays with
the statistic that needs it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence

import numpy as np

from ..config import BOOTSTRAP_BASE_SEED, BOOTSTRAP_RESAMPLES, CI_LEVEL


def derive_seed(*keys: object, base: int = BOOTSTRAP_BASE_SEED) -> int:
    """A seed from a base seed and ids (document, section), independent of processing order and hash seed."""
    digest = hashlib.sha256("\x1f".join([str(base), *map(str, keys)]).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def percentile_interval(draws: np.ndarray, level: float = CI_LEVEL) -> tuple[float, float]:
    """The central `level` share of bootstrap draws: their (1 - level) / 2 and (1 + level) / 2 percentiles."""
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return float(low), float(high)


def bootstrap_ci(
    values: Sequence[float], seed: int, resamples: int = BOOTSTRAP_RESAMPLES, level: float = CI_LEVEL
) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean; NaN for fewer than 2 values."""
    means = bootstrap_means(values, seed, resamples)
    return (math.nan, math.nan) if means is None else percentile_interval(means, level)


def bootstrap_means(values: Sequence[float], seed: int, resamples: int = BOOTSTRAP_RESAMPLES) -> np.ndarray | None:
    """The means of `resamples` resamples of the values (with replacement, seeded); None for fewer than 2 values."""
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        return None
    rng = np.random.default_rng(seed)
    # Resample in blocks of rows so memory stays bounded for long documents; drawing row blocks in sequence
    # gives the same stream as one (resamples × n) draw.
    rows = max(1, 2_000_000 // x.size)
    return np.concatenate([
        row_means(x[rng.integers(0, x.size, size=(min(rows, resamples - i), x.size))])
        for i in range(0, resamples, rows)
    ])


#: Rows shorter than this are summed column by column: numpy sums them left to right too (its pairwise summation
#: starts with blocks of 8), so the means are the same doubles, without numpy's per-row cost of a short reduction.
SHORT_ROW = 8


def row_means(values: np.ndarray) -> np.ndarray:
    """`values.mean(axis=1)` of a 2-D array, to the last bit."""
    n = values.shape[1]
    if n >= SHORT_ROW:
        return values.mean(axis=1)
    total = values[:, 0].copy()
    for j in range(1, n):
        total += values[:, j]
    return total / n


def resampled_interval(stat: Callable[[np.ndarray], float], n: int, seed: int,
                       resamples: int = BOOTSTRAP_RESAMPLES, level: float = CI_LEVEL) -> tuple[float, float]:
    """Percentile bootstrap interval of stat(indices) over n units resampled with replacement (seeded).

    Resamples where the statistic is undefined (NaN) are left out; NaN when fewer than two units or none is defined.
    """
    if n < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    draws = np.array([stat(rng.integers(0, n, n)) for _ in range(resamples)], dtype=float)
    draws = draws[~np.isnan(draws)]
    if draws.size == 0:
        return math.nan, math.nan
    return percentile_interval(draws, level)


def resampled_interval_rows(stat: Callable[[np.ndarray], np.ndarray], n: int, seed: int,
                            resamples: int = BOOTSTRAP_RESAMPLES, level: float = CI_LEVEL) -> tuple[float, float]:
    """`resampled_interval` for a statistic computed on many resamples at once: `stat` takes a (resamples × n)
    matrix of indices and returns one value per row. The draws are the same as `resampled_interval`'s (one row per
    resample, drawn in blocks of rows from the same stream), so a vectorised statistic gives the same interval."""
    if n < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    rows = max(1, 2_000_000 // n)
    draws = np.concatenate([np.asarray(stat(rng.integers(0, n, size=(min(rows, resamples - i), n))), dtype=float)
                            for i in range(0, resamples, rows)])
    draws = draws[~np.isnan(draws)]
    if draws.size == 0:
        return math.nan, math.nan
    return percentile_interval(draws, level)
