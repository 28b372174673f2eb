"""Summary statistics of sentence scores: mean, median, share positive and the bootstrap CI of the mean."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np

from ..config import BOOTSTRAP_RESAMPLES, CI_LEVEL
from .bootstrap import SUMMARY_STATS, compiled_summaries, numpy_bootstrap_means, percentile_interval


def per_1k(hits: int, n_cjk: int) -> float:
    """Hits per 1,000 CJK characters; NaN without CJK characters."""
    return hits / n_cjk * 1000 if n_cjk else math.nan


def summarise(values: Sequence[float], seed: int, prefix: str = "sentiment", share: str = "share_positive") -> dict:
    """Statistics of the non-NaN scores: n, mean, median, CI, share above 0.5 (all NaN when none)."""
    out: dict = {}
    summaries = Summaries()
    summaries.add(out, values, seed, prefix, share)
    summaries.finish()
    return out


#: At most this many groups wait for `finish` (their values are copies: memory stays bounded).
PENDING = 4096
#: Which statistics `Summaries.add` writes: all, or the mean and its interval only.
ALL, MEAN_AND_CI = ("mean", "median", "share_positive", "ci"), ("mean", "ci")


class Summaries:
    """`summarise` for many groups of scores (the sections of a document): each group's statistics and bootstrap
    draws are its own (seeded from its ids); `finish` computes those of all pending groups in one call of the
    compiled kernel (`bootstrap.compiled_summaries`), the same numbers as numpy computes them one group at a time
    (`numpy_summary`)."""

    def __init__(self, level: float = CI_LEVEL) -> None:
        self.level = level
        self._pending: list[tuple[dict, tuple[tuple[str, int], ...]]] = []
        self._values: list[np.ndarray] = []
        self._seeds: list[int] = []

    def add(self, out: dict, values: Sequence[float], seed: int, prefix: str = "sentiment",
            share: str = "share_positive", suffix: str = "", stats: tuple[str, ...] = ALL) -> None:
        """Write `summarise`'s statistics of the values (those named in `stats`) into `out`, with keys ending in
        `suffix`, when `finish` runs (the interval is NaN for fewer than 2 values)."""
        self._pending.append((out, _keys(prefix, share, suffix, stats)))
        self._values.append(np.array(values, dtype=float))
        self._seeds.append(seed)
        if len(self._pending) >= PENDING:
            self.finish()

    def finish(self) -> None:
        """Write every pending group's statistics."""
        if not self._pending:
            return
        rows = compiled_summaries(self._values, self._seeds, BOOTSTRAP_RESAMPLES, self.level)
        if rows is None:
            rows = [numpy_summary(x, s, self.level) for x, s in zip(self._values, self._seeds, strict=True)]
        for (out, names), row in zip(self._pending, np.asarray(rows).tolist(), strict=True):
            for key, at in names:
                out[key] = row[at]
        self._pending, self._values, self._seeds = [], [], []


@functools.cache
def _keys(prefix: str, share: str, suffix: str, stats: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """The output key of each statistic named in `stats` (the interval: two), with its place in SUMMARY_STATS."""
    names = {"mean": [f"{prefix}_mean{suffix}"], "median": [f"{prefix}_median{suffix}"],
             "share_positive": [share + suffix], "ci": [f"{prefix}_ci_low{suffix}", f"{prefix}_ci_high{suffix}"]}
    stat = {"mean": ["mean"], "median": ["median"], "share_positive": ["share_positive"], "ci": ["ci_low", "ci_high"]}
    return tuple((key, SUMMARY_STATS.index(s)) for k in stats for key, s in zip(names[k], stat[k], strict=True))


def numpy_summary(values: np.ndarray, seed: int, level: float = CI_LEVEL) -> list[float]:
    """n, mean, median, share above 0.5 and the bootstrap interval of the non-NaN values, in numpy (NaN where
    undefined): the definition the compiled kernel follows."""
    x = values[~np.isnan(values)]
    n = int(x.size)
    if n < 2:
        v = float(x[0]) if n else math.nan
        return [n, v, v, (float(v > 0.5) if n else math.nan), math.nan, math.nan]
    low, high = percentile_interval(numpy_bootstrap_means(x, seed), level)
    return [n, float(x.mean()), median(x), int(np.count_nonzero(x > 0.5)) / n, low, high]


def median(x: np.ndarray) -> float:
    """The median of non-NaN values, as `np.median` computes it (the middle value, or the mean of the two middle
    ones: their sum halved), from one sort."""
    s = np.sort(x)
    m = s.size // 2
    return float(s[m]) if s.size % 2 else float((s[m - 1] + s[m]) / 2)
