"""Seeds and percentile-bootstrap intervals: one percentile rule for every interval the package reports.

`derive_seed` turns ids (document, section, measure, …) into a seed, so that no result depends on processing order.
`percentile_interval` is the one place a bootstrap distribution becomes an interval; the resampling itself differs
by design (sentences of a section; documents of a group; each of two groups on its own; coded units) and stays with
the statistic that needs it.

The bootstrap of a mean (`bootstrap_means`, `bootstrap_means_of`, for every section and document of a run) is
defined by numpy: `numpy_bootstrap_means` draws `np.random.default_rng(seed).integers(0, n, (resamples, n))` and
takes the row means. The compiled kernel (`bootstrap_kernel.py`) computes the same doubles without the Python and
numpy overhead per group; where it cannot be compiled, numpy computes them (a warning says so, the numbers are
the same).
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable, Sequence

import numpy as np

from ..compiled.kernel import Kernel, load_kernel
from ..config import BOOTSTRAP_BASE_SEED, BOOTSTRAP_RESAMPLES, CI_LEVEL
from ..errors import AnalysisError

log = logging.getLogger(__name__)

#: The compiled kernel's arrays, in order (`bootstrap_kernel.kernel`).
BOOTSTRAP_ARGS: tuple[tuple[str, type], ...] = (
    ("values", np.float64), ("offsets", np.int64), ("seeds", np.uint64), ("params", np.int64), ("gammas", np.float64),
    ("means", np.float64), ("stats", np.float64), ("clean", np.float64), ("words", np.uint64),
    ("stack", np.int64), ("partial", np.float64), ("buf", np.float64),
)
#: The kernel's interval (`bootstrap_kernel.interval`) cuts off each tail of the draws at an order statistic of every
#: STRIDE-th draw, keeps tails of fewer than CUT draws, and its scratch `buf` holds two tails and the sample (3 CUT).
STRIDE, CUT = 16, 512
#: What `compiled_summaries` gives per group, in order.
SUMMARY_STATS = ("n", "mean", "median", "share_positive", "ci_low", "ci_high")


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
    return None if x.size < 2 else bootstrap_means_of([x], [seed], resamples)[0]


def bootstrap_means_of(groups: Sequence[np.ndarray], seeds: Sequence[int],
                       resamples: int = BOOTSTRAP_RESAMPLES) -> np.ndarray:
    """`bootstrap_means` of many groups (float arrays of at least 2 values) at once: a (groups × resamples) array,
    row g the means of group g's resamples drawn from seeds[g] (compiled; numpy where the kernel is missing, or for
    values with NaN, whose means numpy makes NaN)."""
    if any(len(x) < 2 for x in groups):
        raise ValueError("every group needs at least 2 values")
    kernel = compiled_kernel()
    if kernel is None or not groups or any(np.isnan(x).any() for x in groups):
        return np.array([numpy_bootstrap_means(x, s, resamples) for x, s in zip(groups, seeds, strict=True)],
                        dtype=float).reshape(len(groups), resamples)
    return _call(kernel, groups, seeds, resamples, CI_LEVEL, keep_means=True)[1].reshape(len(groups), resamples)


def compiled_summaries(groups: Sequence[np.ndarray], seeds: Sequence[int], resamples: int = BOOTSTRAP_RESAMPLES,
                       level: float = CI_LEVEL) -> np.ndarray | None:
    """For each group of values (NaN left out) and its seed: n, mean, median, share above 0.5 and the percentile
    interval of `resamples` bootstrap means (`SUMMARY_STATS`; NaN where undefined), as a (groups × 6) array, in one
    call of the compiled kernel; None when the kernel is not available (numpy computes them: `summary.py`)."""
    kernel = compiled_kernel()
    if kernel is None:
        return None
    return _call(kernel, groups, seeds, resamples, level, keep_means=False)[0].reshape(len(groups), 6)


def percentile_ranks(resamples: int, level: float = CI_LEVEL) -> tuple[list[int], list[float]]:
    """What np.percentile (method "linear") reads of `resamples` sorted draws for `percentile_interval`'s two
    percentiles: [previous, next index] of each, and [gamma, 1 - gamma] of each, computed as numpy does."""
    tail = (1 - level) / 2 * 100
    virtual = (resamples - 1) * np.true_divide(np.array([tail, 100 - tail]), 100)
    previous = np.floor(virtual)
    ranks, gammas = [], []
    for v, p in zip(virtual.tolist(), previous.tolist(), strict=True):
        # numpy: below the first draw, the first; at or above the last, the last (the lerp of two equal values)
        k = 0 if v < 0 else resamples - 1 if v >= resamples - 1 else int(p)
        ranks += [k, k if v < 0 or v >= resamples - 1 else k + 1]
        gamma = np.float64(v) - np.float64(p)
        gammas += [float(gamma), float(1 - gamma)]
    return ranks, gammas


def _call(kernel: Kernel, groups: Sequence[np.ndarray], seeds: Sequence[int], resamples: int, level: float,
          keep_means: bool) -> tuple[np.ndarray, np.ndarray]:
    """Run the kernel on the groups: (statistics, means)."""
    sizes = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
    offsets = np.zeros(len(groups) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    ranks, gammas = percentile_ranks(resamples, level)
    longest = max(int(sizes.max()) if len(groups) else 1, 1)
    stats = np.empty(6 * len(groups), dtype=np.float64)
    means = np.empty(resamples * (len(groups) if keep_means else 1), dtype=np.float64)
    values = np.concatenate(groups).astype(np.float64, copy=False) if len(groups) else np.empty(0)
    kernel.call({"values": values, "offsets": offsets, "seeds": np.array(seeds, dtype=np.uint64),
                 "params": np.array([resamples, *ranks, int(keep_means)], dtype=np.int64),
                 "gammas": np.array(gammas, dtype=np.float64), "means": means, "stats": stats,
                 "clean": np.empty(longest), "words": np.zeros(12, dtype=np.uint64),
                 "stack": np.zeros(192, dtype=np.int64), "partial": np.zeros(64),
                 "buf": np.empty(3 * CUT)})
    return stats, means


_KERNEL: list[Kernel | None] = []  # loaded once per process


def compiled_kernel() -> Kernel | None:
    """The compiled bootstrap of this process (compiled into the cache once per machine); None, with a warning,
    when it cannot be compiled or loaded (numpy then draws the same numbers, more slowly)."""
    if not _KERNEL:
        try:
            _KERNEL.append(load_kernel("analysis.stats.bootstrap_kernel", BOOTSTRAP_ARGS, "bootstrap",
                                       "the compiled bootstrap", "numpy computes the same intervals, more slowly"))
        except (AnalysisError, OSError) as exc:
            log.warning("the compiled bootstrap is not available (%s); numpy computes the same intervals, more "
                        "slowly", exc)
            _KERNEL.append(None)
    return _KERNEL[0]


def numpy_bootstrap_means(values: np.ndarray, seed: int, resamples: int = BOOTSTRAP_RESAMPLES) -> np.ndarray:
    """The definition of `bootstrap_means` in numpy: the row means of default_rng(seed).integers(0, n, (resamples,
    n)) as indices into the values (at least 2 values)."""
    x = np.asarray(values, dtype=float)
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
