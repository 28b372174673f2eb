"""The sampling design, pure: allocate a sample over strata and draw it, with each unit's probability of selection.

Allocation is proportional to stratum size with optional per-stratum minimums, rounded to whole units by the
largest-remainder method so that the total is exactly n:

1. Each stratum h of size N_h gets the real share x_h = lambda * N_h, where lambda is n / N at first. A stratum
   whose share falls below its minimum m_h (never more than N_h) is fixed at m_h, and lambda is recomputed over the
   remaining strata and units; this repeats until no share falls below its minimum. (Fixing a stratum only lowers
   lambda, so no share ever exceeds its stratum's size.) The shares are exact fractions, not floats.
2. Each stratum gets the whole part of its share; the units still missing go one each to the strata with the
   largest fractional parts, ties to the larger stratum, then to the level that sorts first.

When the minimums alone add up to more than n, every stratum gets its minimum (more units than asked; the caller
says so). When n is at least the population, every unit is taken. Within stratum h, n_h units are drawn by simple
random sampling without replacement, so each has probability of selection n_h / N_h, and weight N_h / n_h.
A stratum whose share rounds to 0 contributes no unit: its units had no chance of selection (the caller says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Allocation:
    """Units per stratum (`n`, in the order of `size`) and whether the minimums forced more units than asked."""

    size: dict[str, int]
    n: dict[str, int]
    minimums_exceed_n: bool
    took_all: bool


def allocate(size: dict[str, int], n: int, minimum: dict[str, int] | None = None) -> Allocation:
    """Proportional allocation of n units over strata of the given sizes, with per-stratum minimums (see module)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    total = sum(size.values())
    if n >= total:
        return Allocation(dict(size), dict(size), False, True)
    low = {h: min((minimum or {}).get(h, 0), size[h]) for h in size}
    if sum(low.values()) > n:
        return Allocation(dict(size), low, True, False)
    fixed: dict[str, int] = {}
    while True:
        free = [h for h in size if h not in fixed]
        rest, units = n - sum(fixed.values()), sum(size[h] for h in free)
        share = {h: Fraction(rest * size[h], units) for h in free}
        below = [h for h in free if share[h] < low[h]]
        if not below:
            break
        fixed.update({h: low[h] for h in below})
    out = dict(fixed)
    out.update({h: int(share[h]) for h in free})  # whole parts (Fraction -> int truncates toward 0)
    missing = n - sum(out.values())
    by_remainder = sorted(free, key=lambda h: (-(share[h] - int(share[h])), -size[h], h))
    for h in by_remainder[:missing]:
        out[h] += 1
    return Allocation(dict(size), {h: out[h] for h in size}, False, False)


def draw(strata: pd.Series, allocation: Allocation, rng: np.random.Generator) -> pd.DataFrame:
    """Draw allocation.n[h] positions of `strata` (a stratum level per unit) in each stratum, levels in sorted order.

    Returns one row per drawn unit: `position` (index into strata, ascending), `stratum`, `probability`, `weight`.
    """
    positions = pd.Series(np.arange(len(strata)), dtype="int64").groupby(strata.to_numpy(), sort=False).indices
    rows = []
    for h in sorted(allocation.size):
        members = np.sort(positions.get(h, np.empty(0, dtype="int64")))
        n_h, size_h = allocation.n[h], len(members)
        if size_h != allocation.size[h]:
            raise ValueError(f"stratum {h!r} has {size_h} units, the allocation says {allocation.size[h]}")
        if n_h == 0:
            continue
        chosen = members if n_h == size_h else members[rng.choice(size_h, size=n_h, replace=False)]
        p = n_h / size_h
        rows += [(int(i), h, p, size_h / n_h) for i in chosen]
    out = pd.DataFrame(rows, columns=["position", "stratum", "probability", "weight"])
    return out.sort_values("position", kind="stable").reset_index(drop=True)
