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
    return percentile_interval(means, level)


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
