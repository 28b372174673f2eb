"""Agreement between coders (Krippendorff's α with a bootstrap over units) and the gold code per unit; no I/O."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import krippendorff
import numpy as np
import pandas as pd

from ..config import BOOTSTRAP_RESAMPLES, CI_LEVEL
from ..stats.bootstrap import derive_seed, resampled_interval

#: Levels of measurement at which α is reported, by kind of sample (sentiment codes are ordered).
LEVELS = {"sentences": ("nominal", "ordinal"), "kwic": ("nominal",)}
AGREEMENT_COLUMNS = ["coders", "scope", "level", "alpha", "ci_low", "ci_high", "percent_agreement", "n_units",
                     "n_codes", "resamples"]
#: How a unit's gold code was reached (see CODEBOOK.md).
RESOLUTIONS = ("unanimous", "majority", "single", "adjudicated", "unresolved", "uncoded")


def value_counts(matrix: pd.DataFrame, codes: tuple[str, ...]) -> np.ndarray:
    """Units × codes array: how many coders gave each code (in the order of `codes`) to each unit."""
    return np.stack([(matrix == c).sum(axis=1).to_numpy(dtype=float) for c in codes], axis=1).reshape(-1, len(codes))


def pairable(counts: np.ndarray) -> np.ndarray:
    """The rows (units) with at least two codes: only these enter α."""
    return counts[counts.sum(axis=1) >= 2]


def alpha(counts: np.ndarray, level: str) -> float:
    """Krippendorff's α from a units × codes count array; codes are ranked by column for `ordinal`; NaN if undefined.

    The value domain is passed explicitly, so an ordinal α uses all codes' ranks even when one code is never used.
    """
    counts = pairable(counts)
    if counts.shape[0] == 0 or np.count_nonzero(counts.sum(axis=0)) < 2:
        return math.nan  # no pairable unit, or every code the same: α is undefined
    with np.errstate(divide="ignore", invalid="ignore"):
        value = krippendorff.alpha(value_counts=counts, value_domain=list(range(counts.shape[1])),
                                   level_of_measurement=level)
    return float(value)


def alpha_interval(counts: np.ndarray, level: str, seed: int, resamples: int = BOOTSTRAP_RESAMPLES,
                   level_ci: float = CI_LEVEL) -> tuple[float, float]:
    """Percentile bootstrap interval of α, resampling pairable units with replacement (seeded).

    Resamples in which α is undefined (every code the same) are left out; NaN when fewer than two units.
    """
    counts = pairable(counts)
    return resampled_interval(lambda idx: alpha(counts[idx], level), counts.shape[0], seed, resamples, level_ci)


def percent_agreement(counts: np.ndarray) -> float:
    """Mean over pairable units of the share of coder pairs in the unit that gave the same code."""
    counts = pairable(counts)
    if counts.shape[0] == 0:
        return math.nan
    m = counts.sum(axis=1)
    return float(((counts * (counts - 1)).sum(axis=1) / (m * (m - 1))).mean())


def _groups(coders: list[str]) -> list[tuple[str, str, list[str]]]:
    groups = [(" + ".join(pair), "pair", list(pair)) for pair in itertools.combinations(coders, 2)]
    if len(coders) > 2:
        groups.append(("all: " + " + ".join(coders), "all", coders))
    return groups


def agreement_table(matrix: pd.DataFrame, codes: tuple[str, ...], levels: tuple[str, ...],
                    resamples: int = BOOTSTRAP_RESAMPLES) -> pd.DataFrame:
    """α with its bootstrap interval, percent agreement and n per pair of coders and for all (three or more)."""
    rows = []
    for label, scope, coders in _groups(list(matrix.columns)):
        counts = pairable(value_counts(matrix[coders], codes))
        for level in levels:
            low, high = alpha_interval(counts, level, derive_seed("validation-alpha", label, level), resamples)
            rows.append({"coders": label, "scope": scope, "level": level, "alpha": alpha(counts, level),
                         "ci_low": low, "ci_high": high, "percent_agreement": percent_agreement(counts),
                         "n_units": counts.shape[0], "n_codes": int(counts.sum()), "resamples": resamples})
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def _resolve(values: list[str]) -> tuple[str | None, str]:
    if not values:
        return None, "uncoded"
    (top, k), *rest = Counter(sorted(values)).most_common()
    if len(values) == 1:
        return top, "single"
    if k == len(values):
        return top, "unanimous"
    return (top, "majority") if k > len(values) / 2 else (None, "unresolved")


def gold_codes(matrix: pd.DataFrame, adjudicated: pd.Series | None = None) -> pd.DataFrame:
    """Per unit: the gold code (strict majority of the coders' codes, or the adjudicator's), how it was reached,
    and how many coders coded the unit. Units without a strict majority stay `unresolved` (code None) unless
    adjudicated; the adjudicator's code settles any unit it lists."""
    rows = []
    adjudicated = adjudicated if adjudicated is not None else pd.Series(dtype=object)
    for unit, row in matrix.iterrows():
        values = [v for v in row.tolist() if isinstance(v, str)]
        code, resolution = _resolve(values)
        if unit in adjudicated.index:
            code, resolution = adjudicated[unit], "adjudicated"
        rows.append({"unit": unit, "code": code, "resolution": resolution, "n_coders": len(values)})
    return pd.DataFrame(rows, columns=["unit", "code", "resolution", "n_coders"])
