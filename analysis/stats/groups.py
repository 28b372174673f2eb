"""Comparing documents and groups of documents (outlets, dates, …) from the tables of a run.

Sentences of one article are not independent (same author, topic and style), so intervals for a group resample
documents, not sentences: a cluster (document-level) percentile bootstrap. A group's value is a ratio over its
documents — ``sum(numerator) / sum(denominator)`` — so one function covers both weightings:

* ``weight="documents"`` (default): each document counts once. Sentiment is the mean of the documents' mean
  sentence scores; framing density is the mean of the documents' hits per 1,000 CJK characters.
* ``weight="pooled"``: every sentence (character) counts once. Sentiment is the mean of all the group's scored
  sentences; framing density is the group's hits per 1,000 of its CJK characters. Long articles weigh more.

Each bootstrap resample draws the group's documents with replacement (``rng.integers(0, k, size=(resamples, k))``,
k documents) and recomputes the ratio. Seeds come from `bootstrap.derive_seed("group", column, value, measure)`, so
results never depend on processing order.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..config import BOOTSTRAP_RESAMPLES, CI_LEVEL
from ..errors import AnalysisError
from ..schema import META_PREFIX
from .bootstrap import bootstrap_ci, derive_seed, percentile_interval
from .periods import document_periods, finest_period

WEIGHTS = ("documents", "pooled")
GROUP_COLUMNS = [
    "group", "n_documents", "n_scored", "sentiment_mean", "sentiment_ci_low", "sentiment_ci_high",
    "framing_hits", "n_cjk", "framing_per_1k_cjk", "framing_ci_low", "framing_ci_high",
]
#: Fewest documents for a group whose interval supports a comparison. With fewer, the cluster bootstrap has few
#: distinct resamples and its interval is too narrow (with two documents it spans little more than their two values):
#: `plot_corpus_groups` draws such groups hollow and labels them "too few" (README, "A corpus").
MIN_GROUP_DOCUMENTS = 10
#: Metadata columns tried, in order, when no grouping column is named.
DEFAULT_GROUPS = ("outlet", "source", "publisher")


def cluster_bootstrap_ci(
    numerators: np.ndarray, denominators: np.ndarray, seed: int, resamples: int = BOOTSTRAP_RESAMPLES,
    level: float = CI_LEVEL,
) -> tuple[float, float]:
    """Percentile bootstrap CI of sum(numerators) / sum(denominators), resampling whole documents (clusters).

    NaN for fewer than 2 documents; resamples whose denominator is 0 are left out.
    """
    num = np.asarray(numerators, dtype=float)
    if num.size < 2:
        return math.nan, math.nan
    draws = cluster_bootstrap_draws(num, denominators, np.random.default_rng(seed), resamples)
    draws = draws[~np.isnan(draws)]
    if draws.size == 0:
        return math.nan, math.nan
    return percentile_interval(draws, level)


def cluster_bootstrap_draws(numerators: np.ndarray, denominators: np.ndarray, rng: np.random.Generator,
                            resamples: int = BOOTSTRAP_RESAMPLES) -> np.ndarray:
    """The resampled ratios behind `cluster_bootstrap_ci`: `resamples` draws of k documents with replacement
    (``rng.integers(0, k, size=(resamples, k))``), each giving sum(numerators) / sum(denominators); NaN where the
    denominator is 0. Used alike for one group's interval and for a difference between groups (`differences`)."""
    num = np.asarray(numerators, dtype=float)
    den = np.asarray(denominators, dtype=float)
    idx = rng.integers(0, num.size, size=(resamples, num.size))
    n = den[idx].sum(axis=1)
    ok = n > 0
    out = np.full(resamples, math.nan)
    out[ok] = num[idx].sum(axis=1)[ok] / n[ok]
    return out


def group_column(documents: pd.DataFrame, by: str | None = None) -> str | None:
    """The documents.csv column to group by: `by` with or without the `meta_` prefix, else the first of
    outlet / source / publisher present, else None."""
    if by is None:
        return next((META_PREFIX + c for c in DEFAULT_GROUPS if META_PREFIX + c in documents.columns), None)
    for name in (by, META_PREFIX + by):
        if name in documents.columns:
            return name
    meta = [c.removeprefix(META_PREFIX) for c in documents.columns if c.startswith(META_PREFIX)]
    raise AnalysisError(f"no column {by!r} in documents.csv; metadata columns: {', '.join(meta) or 'none'} "
                        "(give metadata with a CSV/JSONL input or NAME.meta.yaml files)")


def document_units(documents: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Per document, the sums a group statistic needs: scored sentences and their score sum, hits and CJK characters."""
    scored = sentences.dropna(subset=["sentiment"])
    sums = scored.groupby("document")["sentiment"].agg(["sum", "count"])
    units = documents.set_index("document")
    out = pd.DataFrame({
        "sentiment_sum": sums["sum"].reindex(units.index, fill_value=0.0),
        "n_scored": sums["count"].reindex(units.index, fill_value=0).astype(int),
        "framing_hits": units["framing_hits"].astype(int),
        "n_cjk": units["n_cjk"].astype(int),
    })
    return out.reset_index()


def _ratio_inputs(units: pd.DataFrame, measure: str, weight: str) -> tuple[np.ndarray, np.ndarray]:
    num, den = (("sentiment_sum", "n_scored") if measure == "sentiment" else ("framing_hits", "n_cjk"))
    scale = 1.0 if measure == "sentiment" else 1000.0
    n = units[den].to_numpy(float)
    x = units[num].to_numpy(float) * scale
    if weight == "pooled":
        return x, n
    has = n > 0  # a document without scored sentences (CJK characters) has no value and does not count
    return np.where(has, x / np.where(has, n, 1), 0.0), has.astype(float)


def compare_groups(documents: pd.DataFrame, sentences: pd.DataFrame, by: str | None = None,
                   weight: str = "documents", resamples: int = BOOTSTRAP_RESAMPLES,
                   level: float = CI_LEVEL) -> pd.DataFrame:
    """One row per group of documents (a metadata column's values; one group "all" when `by` is None):
    sentiment and framing density with cluster-bootstrap CIs over documents."""
    if weight not in WEIGHTS:
        raise AnalysisError(f"weight must be one of {', '.join(WEIGHTS)}, not {weight!r}")
    units = document_units(documents, sentences)
    column = group_column(documents, by) if by is not None else None
    keys = (documents.set_index("document")[column].reindex(units["document"]).astype("string").fillna("(none)")
            if column else pd.Series("all", index=units.index))
    units["group"] = keys.to_numpy()
    rows = []
    for value, g in units.groupby("group", sort=True):
        row = {"group": value, "n_documents": len(g), "n_scored": int(g["n_scored"].sum()),
               "framing_hits": int(g["framing_hits"].sum()), "n_cjk": int(g["n_cjk"].sum())}
        for measure, prefix in (("sentiment", "sentiment"), ("framing", "framing")):
            num, den = _ratio_inputs(g, measure, weight)
            point = num.sum() / den.sum() if den.sum() > 0 else math.nan
            seed = derive_seed("group", column or "all", value, measure, weight)
            low, high = cluster_bootstrap_ci(num, den, seed, resamples, level)
            key = "sentiment_mean" if measure == "sentiment" else "framing_per_1k_cjk"
            row.update({key: float(point), f"{prefix}_ci_low": low, f"{prefix}_ci_high": high})
        rows.append(row)
    return pd.DataFrame(rows, columns=GROUP_COLUMNS)


# --- For the corpus notebook (04-corpus) and scripts. ---


def with_period(documents: pd.DataFrame, period: str | None = None, date: str = "meta_date") -> pd.DataFrame:
    """documents with a `meta_PERIOD` column (`meta_year`, `meta_quarter` or `meta_month`): the calendar period of
    each document's date (`periods.document_periods`: 2019, 2019-06, 2019-06-19, 2019年6月19日, …; empty for none).
    `period` None: month when every date gives one, else year (`periods.finest_period`); a bare year is never a
    month."""
    if date not in documents.columns:
        raise AnalysisError(f"no column {date!r} in documents.csv; give dates with the input (a date column)")
    period = period or finest_period(documents, date)
    labels = document_periods(documents, date, period)
    return documents.assign(**{f"{META_PREFIX}{period}": documents["document"].map(labels).to_numpy()})


def interval_widths(documents: pd.DataFrame, sentences: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per group, the pooled sentence mean and the width of two 95% intervals for it: resampling sentences (as if
    independent; `bootstrap.bootstrap_ci`) and resampling documents (`compare_groups(weight="pooled")`)."""
    column = group_column(documents, by)
    pooled = compare_groups(documents, sentences, column, weight="pooled").set_index("group")
    keys = documents.set_index("document")[column].astype("string").fillna("(none)")
    scored = sentences.dropna(subset=["sentiment"])
    groups = scored["document"].map(keys)
    rows = []
    for value, s in scored.groupby(groups.to_numpy(), sort=True):
        low, high = bootstrap_ci(s["sentiment"].to_numpy(), derive_seed("sentences", column, value))
        g = pooled.loc[value]
        rows.append({"group": value, "n_documents": int(g["n_documents"]), "n_sentences": len(s),
                     "sentence_mean": float(s["sentiment"].mean()),
                     "ci_width_sentences_resampled": high - low,
                     "ci_width_documents_resampled": g["sentiment_ci_high"] - g["sentiment_ci_low"]})
    return pd.DataFrame(rows, columns=["group", "n_documents", "n_sentences", "sentence_mean",
                                       "ci_width_sentences_resampled", "ci_width_documents_resampled"])
