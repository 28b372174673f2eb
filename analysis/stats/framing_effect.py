"""Are sentences with framing terms scored differently from the others? Small-sample comparisons of two groups.

For each document the scored sentences are split into those with at least one framing hit (`framing_hits > 0`)
and the others, and compared with

* the difference in means, with a percentile bootstrap interval (each group resampled on its own);
* a two-sided permutation test of the difference in means;
* the Mann–Whitney U test (scipy, two-sided; exact for small samples without ties), with the rank-biserial
  correlation and the probability of superiority as effect sizes.

Below `MIN_GROUP_SENTENCES` scored sentences in either group the interval, the tests and the effect sizes are not
computed (NaN) and the row's `reason` says why; the counts, means, medians and their difference are still given.
With one or a few sentences a "group" is those sentences: a permutation p-value only says how extreme their scores
are among the article's, the rank-biserial correlation of one sentence is just its rank among the others, a
percentile bootstrap of a mean of two to four values takes a handful of distinct values and is far too narrow, and
the exact Mann–Whitney test cannot reach p < 0.1 with three sentences in each group. Five in each group is a floor
that rules these out, not a guarantee of power: with five and five only large differences can be detected.

Seeds come from `bootstrap.derive_seed(document, "framing-vs-other", "permutation" | "bootstrap")`, so results do not
depend on processing order. The permutation recipe, for reproduction: ``rng = numpy.random.default_rng(seed)``;
``pooled = concatenate([framing, other])``; repeated `permutations` times, ``p = rng.permutation(pooled)`` and
``d = p[:n_framing].mean() - p[n_framing:].mean()``; the p-value is ``(1 + #{|d| >= |observed| - 1e-12}) /
(permutations + 1)``. The bootstrap draws ``rng.integers(0, n, size=(resamples, n))`` for the framing group, then
for the other group, from one generator.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..config import BOOTSTRAP_RESAMPLES, CI_LEVEL
from .bootstrap import derive_seed, percentile_interval

PERMUTATIONS = 10_000
#: Fewest scored sentences in each group (with / without framing terms) for the interval, the tests and the effect
#: sizes; below it they are NaN and `reason` says why (module docstring; README, "Sentences with and without
#: framing terms").
MIN_GROUP_SENTENCES = 5
#: Observed and permuted differences closer than this count as equal (float rounding of equal sums).
TIE_TOLERANCE = 1e-12

COMPARISON_COLUMNS = [
    "document", "n_framing", "n_other", "mean_framing", "mean_other", "median_framing", "median_other",
    "difference", "difference_ci_low", "difference_ci_high", "permutation_p", "mannwhitney_u", "mannwhitney_p",
    "rank_biserial", "prob_superiority", "permutations", "resamples", "ci_level", "reason",
]
#: The columns `compare_framing` leaves NaN below `MIN_GROUP_SENTENCES`.
INFERENTIAL_COLUMNS = ["difference_ci_low", "difference_ci_high", "permutation_p", "mannwhitney_u", "mannwhitney_p",
                       "rank_biserial", "prob_superiority"]


def framing_groups(sentences: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Scores of scored sentences with framing hits, and of those without (one document's rows)."""
    scored = sentences[sentences["sentiment"].notna()]
    framed = scored["framing_hits"] > 0
    return scored.loc[framed, "sentiment"].to_numpy(float), scored.loc[~framed, "sentiment"].to_numpy(float)


def too_few_reason(n_framing: int, n_other: int, minimum: int = MIN_GROUP_SENTENCES) -> str | None:
    """Why two groups of this size get no interval, test or effect size; None when both have at least `minimum`."""
    if n_framing == 0 or n_other == 0:
        return (f"one group is empty ({n_framing} scored sentences with framing terms, {n_other} without): "
                "nothing to compare")
    if n_framing < minimum or n_other < minimum:
        return (f"too few scored sentences to compare ({n_framing} with framing terms, {n_other} without; "
                f"at least {minimum} in each group are needed)")
    return None


def permutation_p(x: np.ndarray, y: np.ndarray, permutations: int, seed: int) -> float:
    """Two-sided permutation p-value of the difference in means (recipe in the module docstring)."""
    if x.size == 0 or y.size == 0:
        return math.nan
    observed = abs(x.mean() - y.mean())
    pooled = np.concatenate([x, y])
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(permutations):
        p = rng.permutation(pooled)
        if abs(p[:x.size].mean() - p[x.size:].mean()) >= observed - TIE_TOLERANCE:
            hits += 1
    return (hits + 1) / (permutations + 1)


def difference_ci(
    x: np.ndarray, y: np.ndarray, seed: int, resamples: int = BOOTSTRAP_RESAMPLES, level: float = CI_LEVEL
) -> tuple[float, float]:
    """Percentile bootstrap interval of mean(x) - mean(y), each group resampled on its own; NaN if a group has < 2."""
    if x.size < 2 or y.size < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    bx = x[rng.integers(0, x.size, size=(resamples, x.size))].mean(axis=1)
    by = y[rng.integers(0, y.size, size=(resamples, y.size))].mean(axis=1)
    return percentile_interval(bx - by, level)


def compare_framing(
    sentences: pd.DataFrame,
    permutations: int = PERMUTATIONS,
    resamples: int = BOOTSTRAP_RESAMPLES,
    level: float = CI_LEVEL,
) -> pd.DataFrame:
    """One row per document: n, means, medians, difference with CI, permutation and Mann–Whitney p, effect sizes.

    A document with fewer than `MIN_GROUP_SENTENCES` scored sentences in either group gets NaN for the interval, the
    tests and the effect sizes (never 0 or 0.5), and `reason` says why; otherwise `reason` is empty.
    """
    rows = []
    for doc, g in sentences.groupby("document", sort=True):
        x, y = framing_groups(g)
        row = {"document": doc, "n_framing": int(x.size), "n_other": int(y.size),
               "mean_framing": x.mean() if x.size else math.nan, "mean_other": y.mean() if y.size else math.nan,
               "median_framing": float(np.median(x)) if x.size else math.nan,
               "median_other": float(np.median(y)) if y.size else math.nan,
               "permutations": permutations, "resamples": resamples, "ci_level": level}
        row["difference"] = row["mean_framing"] - row["mean_other"]
        row["reason"] = too_few_reason(x.size, y.size)
        if row["reason"] is not None:
            row.update(dict.fromkeys(INFERENTIAL_COLUMNS, math.nan))
            rows.append(row)
            continue
        low, high = difference_ci(x, y, derive_seed(doc, "framing-vs-other", "bootstrap"), resamples, level)
        row["difference_ci_low"], row["difference_ci_high"] = low, high
        row["permutation_p"] = permutation_p(x, y, permutations, derive_seed(doc, "framing-vs-other", "permutation"))
        from scipy import stats as sps  # (scipy loads in 0.5 s: only when needed)

        u, p = sps.mannwhitneyu(x, y, alternative="two-sided")
        row["mannwhitney_u"], row["mannwhitney_p"] = float(u), float(p)
        row["prob_superiority"] = float(u) / (x.size * y.size)
        row["rank_biserial"] = 2 * row["prob_superiority"] - 1
        rows.append(row)
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def describe_comparison(row: pd.Series) -> str:
    """One plain-language paragraph reporting a row of `compare_framing`, with n, effect size and interval."""
    reason = too_few_reason(int(row["n_framing"]), int(row["n_other"]))
    if reason is not None:
        means = "".join(f"; {name}: mean {row[f'mean_{key}']:.3f}, median {row[f'median_{key}']:.3f}"
                        for key, name in (("framing", "with framing terms"), ("other", "without"))
                        if int(row[f"n_{key}"]))
        return (f"{row['document']}: {row['n_framing']} scored sentences with framing terms and {row['n_other']} "
                f"without{means}. No interval, test or effect size: {reason}.")
    ci = (f"{row['ci_level']:.0%} bootstrap CI {row['difference_ci_low']:+.3f} to {row['difference_ci_high']:+.3f}"
          if not math.isnan(row["difference_ci_low"]) else "no interval")
    return (
        f"{row['document']}: {row['n_framing']} sentences with framing terms (mean {row['mean_framing']:.3f}, "
        f"median {row['median_framing']:.3f}) and {row['n_other']} without (mean {row['mean_other']:.3f}, "
        f"median {row['median_other']:.3f}). Difference in means {row['difference']:+.3f} ({ci}); permutation "
        f"p = {row['permutation_p']:.3f} ({row['permutations']:,} permutations); Mann–Whitney U = "
        f"{row['mannwhitney_u']:.1f}, p = {row['mannwhitney_p']:.3f}; rank-biserial r = {row['rank_biserial']:+.3f} "
        f"(a sentence with framing terms outscores one without with probability {row['prob_superiority']:.2f}, "
        "ties counted half)."
    )
