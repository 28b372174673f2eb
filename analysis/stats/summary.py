"""Summary statistics of sentence scores: mean, median, share positive and the bootstrap CI of the mean."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..config import CI_LEVEL
from .bootstrap import bootstrap_means_of


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


#: At most this many groups' draws wait for their percentiles (memory stays bounded: 16 kB of draws per group).
PENDING = 256


class Summaries:
    """`summarise` for many groups of scores (the sections of a document): each group's statistics and bootstrap
    draws are its own (seeded from its ids); `finish` draws the resamples of all pending groups in one call of the
    compiled bootstrap and turns them into intervals with one percentile call, the same numbers as one call per
    group."""

    def __init__(self, level: float = CI_LEVEL) -> None:
        self.level = level
        self._pending: list[tuple[dict, str, str, np.ndarray, int]] = []

    def add(self, out: dict, values: Sequence[float], seed: int, prefix: str = "sentiment",
            share: str = "share_positive", suffix: str = "") -> None:
        """Write `summarise`'s statistics of the values into `out` (keys end in `suffix`); their interval (NaN for
        fewer than 2 values) is written by `finish`."""
        x = np.asarray(values, dtype=float)
        x = x[~np.isnan(x)]
        n = int(x.size)
        low, high = f"{prefix}_ci_low{suffix}", f"{prefix}_ci_high{suffix}"
        if n < 2:  # one value (or none) is its own mean and median, and has no interval: no numpy call needed
            v = float(x[0]) if n else math.nan
            out.update({f"{prefix}_mean{suffix}": v, f"{prefix}_median{suffix}": v, low: math.nan, high: math.nan,
                        share + suffix: float(v > 0.5) if n else math.nan})
            return
        out.update({f"{prefix}_mean{suffix}": float(x.mean()), f"{prefix}_median{suffix}": median(x),
                    share + suffix: int(np.count_nonzero(x > 0.5)) / n})
        self._pending.append((out, low, high, x, seed))
        if len(self._pending) >= PENDING:
            self.finish()

    def finish(self) -> None:
        """Write every pending interval (the percentiles of `percentile_interval`, for all groups at once)."""
        if not self._pending:
            return
        tail = (1 - self.level) / 2 * 100
        means = bootstrap_means_of([p[3] for p in self._pending], [p[4] for p in self._pending])
        lows, highs = np.percentile(means, [tail, 100 - tail], axis=1).tolist()
        for (out, low, high, _, _), lo, hi in zip(self._pending, lows, highs, strict=True):
            out[low], out[high] = lo, hi
        self._pending.clear()


def median(x: np.ndarray) -> float:
    """The median of non-NaN values, as `np.median` computes it (the middle value, or the mean of the two middle
    ones: their sum halved), from one sort."""
    s = np.sort(x)
    m = s.size // 2
    return float(s[m]) if s.size % 2 else float((s[m - 1] + s[m]) / 2)
