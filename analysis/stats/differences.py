"""Differences between groups of documents (outlets, periods, …): per measure, the difference in the mean of the
documents' values, with a cluster-bootstrap interval and a permutation p-value over documents.

A **measure** is one value per document: ``sentiment`` (the document's mean sentence score, `sentiment_mean`),
``framing`` (its counted framing hits per 1,000 CJK characters, `framing_per_1k_cjk`) or a lexicon category's id
(that category's hits per 1,000 CJK characters, from `document_categories`). With ``voice="own"`` each is computed
over the outlet's own voice only (`sentiment_mean_own`, `framing_per_1k_cjk_own`, counted own-voice hits of
kwic.csv per 1,000 `n_cjk_own`). A document without a value (no scored sentence, no CJK character) is left out of
that measure, and the `n_a`, `n_b` of its rows count the documents that have one. Each document counts once
(the `weight="documents"` of `groups.compare_groups`).

**Which groups are compared.** The documents with a value of the grouping column (documents without one are left
out), restricted to the given levels if any. Two levels: A − B (in the order given, else sorted). More than two:
each level against all the others together (``level_b`` is ``(rest)``), one row per level — a description of how
each group stands out, with no correction for multiple comparisons.

**Interval.** Each group's documents are resampled with replacement on their own, by
`groups.cluster_bootstrap_draws` (group A's draws first, then B's, from one generator seeded
``derive_seed("difference", group_by, level_a, level_b, measure, voice, "bootstrap")``), and the percentile
interval of the resampled differences is taken (`bootstrap.percentile_interval`). NaN when a group has fewer than
two documents.

**Permutation p.** Two-sided, of the difference in means, relabelling documents: exact (every one of the
C(n_a + n_b, n_a) relabellings, the observed one included) when there are at most `permutations` of them, else
`permutations` random relabellings by `framing_effect.permutation_p` (seed
``derive_seed("difference", group_by, level_a, level_b, measure, voice, "permutation")``, p = (1 + #{|d| ≥ |observed|})
/ (permutations + 1)). Differences within 1e-12 of the observed one count as equal.

A group with fewer than `groups.MIN_GROUP_DOCUMENTS` documents is flagged (`too_few`): its interval is too narrow and
the comparison supports a description, not a conclusion (README, "Comparing groups").
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from ..config import BOOTSTRAP_RESAMPLES, CI_LEVEL
from ..errors import AnalysisError
from ..schema import META_PREFIX
from .bootstrap import derive_seed, percentile_interval
from .framing_effect import PERMUTATIONS, TIE_TOLERANCE
from .framing_effect import permutation_p as random_permutation_p
from .groups import MIN_GROUP_DOCUMENTS, cluster_bootstrap_ci, cluster_bootstrap_draws

#: The measures every run has; the lexicon's category ids are the others.
MEASURES = ("sentiment", "framing")
VOICES = ("all", "own")
#: `level_b` when a level is compared with all the other levels together.
REST = "(rest)"

#: document_categories.csv: one row per document × lexicon category (then the documents' `meta_` columns).
DOCUMENT_CATEGORY_COLUMNS = ["document", "voice", "category", "hits", "n_cjk", "framing_per_1k_cjk"]
#: differences.csv: one row per measure × comparison.
DIFFERENCE_COLUMNS = [
    "measure", "voice", "group_by", "period", "level_a", "level_b", "n_a", "n_b", "mean_a", "mean_b", "difference",
    "ci_low", "ci_high", "permutation_p", "permutations", "exact", "too_few", "resamples", "ci_level",
]
#: levels.csv: one row per measure × level (group or period).
LEVEL_COLUMNS = ["measure", "voice", "group_by", "period", "level", "n_documents", "mean", "ci_low", "ci_high",
                 "too_few"]

_DOCUMENT_VALUES = {"all": {"sentiment": "sentiment_mean", "framing": "framing_per_1k_cjk", "n_cjk": "n_cjk"},
                    "own": {"sentiment": "sentiment_mean_own", "framing": "framing_per_1k_cjk_own",
                            "n_cjk": "n_cjk_own"}}


def _check_voice(voice: str) -> None:
    if voice not in VOICES:
        raise AnalysisError(f"--voice must be one of {', '.join(VOICES)}, not {voice!r}")


def category_hits(framing: pd.DataFrame, kwic: pd.DataFrame, voice: str = "all") -> pd.DataFrame:
    """Counted hits per document and category: framing.csv's counts (all voices), or kwic.csv's counted hits in the
    outlet's own voice (`voice="own"`). Columns document, category, hits; categories without hits absent."""
    _check_voice(voice)
    if voice == "all":
        rows = framing[["document", "category", "count"]].rename(columns={"count": "hits"})
    else:
        own = kwic[(kwic["status"] == "counted") & (kwic["voice"] == "own")]
        rows = own.assign(hits=1)[["document", "category", "hits"]]
    return rows.groupby(["document", "category"], as_index=False)["hits"].sum()


def document_categories(documents: pd.DataFrame, framing: pd.DataFrame, kwic: pd.DataFrame,
                        categories: list[str], voice: str = "all") -> pd.DataFrame:
    """The tidy document × category table: every document with every lexicon category (zero hits included), its
    counted hits, CJK characters and hits per 1,000 CJK characters (NaN without CJK characters), then the
    documents' metadata columns; sorted by document and the lexicon's category order."""
    _check_voice(voice)
    n_cjk = _DOCUMENT_VALUES[voice]["n_cjk"]
    grid = pd.MultiIndex.from_product([documents["document"], categories], names=["document", "category"])
    hits = category_hits(framing, kwic, voice).set_index(["document", "category"])["hits"]
    table = hits.reindex(grid, fill_value=0).astype(int).reset_index()
    cjk = documents.set_index("document")[n_cjk].astype(int)
    table["n_cjk"] = table["document"].map(cjk).to_numpy()
    has = table["n_cjk"] > 0
    table["framing_per_1k_cjk"] = np.where(has, table["hits"] * 1000 / table["n_cjk"].where(has, 1), np.nan)
    table["voice"] = voice
    meta = [c for c in documents.columns if c.startswith(META_PREFIX)]
    table = table[DOCUMENT_CATEGORY_COLUMNS].merge(documents[["document", *meta]], on="document", how="left")
    order = {c: i for i, c in enumerate(categories)}
    return table.sort_values(["document", "category"], key=lambda s: s.map(order) if s.name == "category" else s,
                             kind="stable").reset_index(drop=True)


def check_measures(measures: list[str] | None, categories: list[str]) -> list[str]:
    """The measures asked for (default: sentiment, framing and every category), checked; one-line error naming the
    measures there are."""
    known = [*MEASURES, *categories]
    clash = sorted(set(MEASURES) & set(categories))
    if clash:
        raise AnalysisError(f"the lexicon has a category named {clash[0]!r}, which is also a measure; rename it")
    if not measures:
        return known
    unknown = [m for m in measures if m not in known]
    if unknown:
        raise AnalysisError(f"unknown measure {unknown[0]!r}; the measures of this run are {', '.join(known)}")
    return list(dict.fromkeys(measures))


def document_measures(documents: pd.DataFrame, doc_categories: pd.DataFrame, measures: list[str],
                      voice: str = "all") -> pd.DataFrame:
    """One row per document (index `document`), one column per measure: the document's value, NaN when it has none."""
    _check_voice(voice)
    docs = documents.set_index("document")
    wide = doc_categories.pivot(index="document", columns="category", values="framing_per_1k_cjk")
    out = {}
    for m in measures:
        column = _DOCUMENT_VALUES[voice].get(m)
        out[m] = docs[column].astype(float) if column else wide[m].reindex(docs.index).astype(float)
    return pd.DataFrame(out, index=docs.index)


def comparisons(levels: list[str]) -> list[tuple[str, str]]:
    """The (level_a, level_b) pairs compared: the two levels, or each level against `REST` when there are more."""
    if len(levels) < 2:
        raise AnalysisError(f"a comparison needs at least two groups; found {len(levels)} "
                            f"({', '.join(levels) or 'none'})")
    return [(levels[0], levels[1])] if len(levels) == 2 else [(level, REST) for level in levels]


def exact_permutation_p(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    """Two-sided p of the difference in means over every relabelling of the pooled values (the observed one
    included), and the number of relabellings."""
    pooled = np.concatenate([a, b])
    observed = abs(a.mean() - b.mean())
    small = min(a.size, b.size)  # enumerate the smaller side's members: the same relabellings, smaller arrays
    chosen = np.fromiter(itertools.chain.from_iterable(itertools.combinations(range(pooled.size), small)),
                         dtype=int).reshape(-1, small)
    sums = pooled[chosen].sum(axis=1)
    sums_a = sums if small == a.size else pooled.sum() - sums
    diffs = sums_a / a.size - (pooled.sum() - sums_a) / b.size
    return float(np.mean(np.abs(diffs) >= observed - TIE_TOLERANCE)), len(chosen)


def permutation_test(a: np.ndarray, b: np.ndarray, permutations: int, seed: int) -> tuple[float, int, bool]:
    """(p, relabellings used, exact?): exact when there are at most `permutations` relabellings, else random."""
    if a.size == 0 or b.size == 0:
        return math.nan, 0, False
    if math.comb(a.size + b.size, a.size) <= permutations:
        p, n = exact_permutation_p(a, b)
        return p, n, True
    return random_permutation_p(a, b, permutations, seed), permutations, False


def difference_ci(a: np.ndarray, b: np.ndarray, seed: int, resamples: int = BOOTSTRAP_RESAMPLES,
                  level: float = CI_LEVEL) -> tuple[float, float]:
    """Percentile interval of mean(a) − mean(b), each group's documents resampled on its own; NaN when a group has
    fewer than two documents."""
    if a.size < 2 or b.size < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    draws_a = cluster_bootstrap_draws(a, np.ones(a.size), rng, resamples)
    draws_b = cluster_bootstrap_draws(b, np.ones(b.size), rng, resamples)
    return percentile_interval(draws_a - draws_b, level)


def compare_levels(values: pd.DataFrame, keys: pd.Series, group_by: str, levels: list[str] | None = None,
                   voice: str = "all", period: str | None = None, permutations: int = PERMUTATIONS,
                   resamples: int = BOOTSTRAP_RESAMPLES, level: float = CI_LEVEL) -> pd.DataFrame:
    """differences.csv: one row per measure (a column of `values`, indexed by document) and comparison of the groups
    `keys` (a level per document, <NA> for none) defines (module docstring)."""
    values = values.sort_index()  # by document id: results never depend on the order of the rows
    keys = keys.reindex(values.index)
    chosen = group_levels(keys, levels)
    rows = []
    for measure in values.columns:
        v = values[measure]
        for level_a, level_b in comparisons(chosen):
            a = v[keys == level_a].dropna().to_numpy(float)
            b = v[keys.isin(chosen) & (keys != level_a) if level_b == REST else keys == level_b].dropna()
            b = b.to_numpy(float)
            seed = ("difference", group_by, level_a, level_b, measure, voice)
            low, high = difference_ci(a, b, derive_seed(*seed, "bootstrap"), resamples, level)
            p, n_perm, exact = permutation_test(a, b, permutations, derive_seed(*seed, "permutation"))
            mean_a, mean_b = (x.mean() if x.size else math.nan for x in (a, b))
            rows.append({"measure": measure, "voice": voice, "group_by": group_by, "period": period or "",
                         "level_a": level_a, "level_b": level_b, "n_a": a.size, "n_b": b.size,
                         "mean_a": mean_a, "mean_b": mean_b, "difference": mean_a - mean_b, "ci_low": low,
                         "ci_high": high, "permutation_p": p, "permutations": n_perm, "exact": exact,
                         "too_few": bool(min(a.size, b.size) < MIN_GROUP_DOCUMENTS), "resamples": resamples,
                         "ci_level": level})
    return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)


def group_levels(keys: pd.Series, levels: list[str] | None = None) -> list[str]:
    """The levels compared: those given (each must occur), else every level that occurs, sorted."""
    present = sorted(keys.dropna().astype(str).unique())
    if not levels:
        return present
    missing = [v for v in levels if v not in present]
    if missing:
        raise AnalysisError(f"no document has the level {missing[0]!r}; the levels are {', '.join(present)}")
    if len(set(levels)) != len(levels):
        raise AnalysisError(f"--levels names a level twice: {', '.join(levels)}")
    return list(levels)


def level_summaries(values: pd.DataFrame, keys: pd.Series, group_by: str, levels: list[str] | None = None,
                    voice: str = "all", period: str | None = None, resamples: int = BOOTSTRAP_RESAMPLES,
                    level: float = CI_LEVEL) -> pd.DataFrame:
    """levels.csv: per measure and level, the documents with a value, their mean and its cluster-bootstrap interval
    (`groups.cluster_bootstrap_ci`, seed ``derive_seed("level", group_by, level, measure, voice)``)."""
    values = values.sort_index()
    keys = keys.reindex(values.index)
    rows = []
    for measure in values.columns:
        for value in group_levels(keys, levels):
            x = values.loc[keys == value, measure].dropna().to_numpy(float)
            low, high = cluster_bootstrap_ci(x, np.ones(x.size), derive_seed("level", group_by, value, measure, voice),
                                             resamples, level)
            rows.append({"measure": measure, "voice": voice, "group_by": group_by, "period": period or "",
                         "level": value, "n_documents": x.size, "mean": x.mean() if x.size else math.nan,
                         "ci_low": low, "ci_high": high, "too_few": bool(x.size < MIN_GROUP_DOCUMENTS)})
    return pd.DataFrame(rows, columns=LEVEL_COLUMNS)
