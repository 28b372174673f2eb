"""How well a scorer matches the gold: accuracy, macro-F1, Spearman, a cross-validated neutral band, confusion counts,
KWIC precision and accuracy by sentence length. Pure functions over arrays and DataFrames; no I/O.

Weighting: every figure over the whole sample weights each unit by its `weight` (1 / probability of selection), so
over-sampled strata do not bias it. A weighted proportion is p = Σ w·hit / Σ w; its Wilson interval is computed with
the Kish effective sample size n_eff = (Σ w)² / Σ w² in place of n (equal weights give the ordinary Wilson interval).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import BOOTSTRAP_RESAMPLES, CI_LEVEL
from ..stats.agreement import spearman
from ..stats.bootstrap import derive_seed, resampled_interval

NEUTRAL = 0.5
LABELS = ("negative", "neutral", "positive")
BINARY = ("negative", "positive")
UNDECIDED = "undecided"
CV_FOLDS = 5
#: Sentence-length bands in characters of the sentence as written: (lowest, highest or None, label).
LENGTH_BANDS = ((0, 20, "≤ 20"), (21, 40, "21–40"), (41, 80, "41–80"), (81, None, "> 80"))
PRECISION_FLOOR, MIN_CODED = 0.8, 5

Tuner = Callable[[pd.Series, pd.Series, pd.Series], tuple[float, float]]


def kish_n(weights: np.ndarray) -> float:
    """Kish effective sample size (Σ w)² / Σ w²; 0 for no units."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w**2).sum()) if w.size else 0.0


def wilson(successes: float, n: float, level: float = CI_LEVEL) -> tuple[float, float]:
    """Wilson score interval (statsmodels) for successes out of n (both may be fractional); NaN when n is 0."""
    if n <= 0:
        return math.nan, math.nan
    from statsmodels.stats.proportion import proportion_confint  # (loads in 0.3 s: only when needed)

    low, high = proportion_confint(successes, n, alpha=1 - level, method="wilson")
    return float(low), float(high)


def weighted_proportion(hits: np.ndarray, weights: np.ndarray, level: float = CI_LEVEL) -> dict:
    """Weighted share of hits, Wilson interval at the Kish effective n: value, ci_low, ci_high, n, n_effective."""
    hits, w = np.asarray(hits, dtype=bool), np.asarray(weights, dtype=float)
    if hits.size == 0:
        return {"value": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n": 0, "n_effective": 0.0}
    p = float((w * hits).sum() / w.sum())
    n_eff = kish_n(w)
    low, high = wilson(p * n_eff, n_eff, level)
    return {"value": p, "ci_low": low, "ci_high": high, "n": int(hits.size), "n_effective": n_eff}


def binary_prediction(scores: np.ndarray, neutral: float = NEUTRAL) -> np.ndarray:
    """'positive' above the neutral point, 'negative' below, 'undecided' exactly at it or without a score."""
    s = np.asarray(scores, dtype=float)
    return np.select([s > neutral, s < neutral], ["positive", "negative"], UNDECIDED).astype(object)


def band_prediction(scores: np.ndarray, low: float, high: float) -> np.ndarray:
    """Three classes from a neutral band: 'negative' below low, 'positive' above high, 'neutral' within [low, high]."""
    s = np.asarray(scores, dtype=float)
    return np.select([s < low, s > high], ["negative", "positive"], "neutral").astype(object)


def class_f1(gold: np.ndarray, pred: np.ndarray, weights: np.ndarray, label: str) -> float:
    """Weighted F1 of one class, 2TP / (2TP + FP + FN); NaN when the class is neither in the gold nor predicted."""
    g, p, w = np.asarray(gold), np.asarray(pred), np.asarray(weights, dtype=float)
    tp = w[(g == label) & (p == label)].sum()
    wrong = w[(g == label) != (p == label)].sum()  # false positives and false negatives
    return float(2 * tp / (2 * tp + wrong)) if 2 * tp + wrong > 0 else math.nan


def macro_f1(gold: np.ndarray, pred: np.ndarray, weights: np.ndarray, labels: tuple[str, ...] = BINARY) -> float:
    """Unweighted mean over classes of the (unit-weighted) per-class F1."""
    return float(np.mean([class_f1(gold, pred, weights, c) for c in labels]))


def _weight_below(s_sorted: np.ndarray, cum: np.ndarray, cut: np.ndarray, inclusive: bool) -> np.ndarray:
    return cum[np.searchsorted(s_sorted, cut, side="right" if inclusive else "left")]


def tune_band(scores: pd.Series, gold: pd.Series, weights: pd.Series) -> tuple[float, float]:
    """The neutral band [low, high] with the highest weighted three-class accuracy on these units.

    Candidate cut points are 0.5 and the midpoints between consecutive distinct scores, so the band never depends on
    where exactly between two scores a cut falls. Ties: the narrowest band, then the one centred nearest 0.5, then the
    lowest.
    """
    s, g, w = scores.to_numpy(float), gold.to_numpy(object), weights.to_numpy(float)
    order = np.argsort(s, kind="stable")
    s_sorted = s[order]
    uniq = np.unique(s)
    cut = np.unique(np.concatenate([[NEUTRAL], (uniq[1:] + uniq[:-1]) / 2]))
    cum = {c: np.concatenate([[0.0], np.cumsum(np.where(g[order] == c, w[order], 0.0))]) for c in LABELS}
    neg_below = _weight_below(s_sorted, cum["negative"], cut, inclusive=False)
    neu_below = _weight_below(s_sorted, cum["neutral"], cut, inclusive=False)
    neu_upto = _weight_below(s_sorted, cum["neutral"], cut, inclusive=True)
    pos_above = cum["positive"][-1] - _weight_below(s_sorted, cum["positive"], cut, inclusive=True)
    i, j = np.triu_indices(cut.size)  # low = cut[i] <= high = cut[j]
    correct = neg_below[i] - neu_below[i] + neu_upto[j] + pos_above[j]
    best = correct >= correct.max() - 1e-9 * max(w.sum(), 1.0)
    low, high = cut[i][best], cut[j][best]
    k = np.lexsort((low, np.abs((low + high) / 2 - NEUTRAL), high - low))[0]
    return float(low[k]), float(high[k])


def cv_folds(gold: pd.Series, folds: int = CV_FOLDS) -> int:
    """The number of folds used: `folds`, fewer when the largest class or the sample is smaller; 0 if below 2."""
    k = min(folds, len(gold), int(gold.value_counts().max()) if len(gold) else 0)
    return k if k >= 2 else 0


def cross_validate_band(scores: pd.Series, gold: pd.Series, weights: pd.Series, seed: int, folds: int = CV_FOLDS,
                        tune: Tuner = tune_band) -> pd.Series | None:
    """Out-of-fold three-class predictions: stratified k-fold (seeded); the band is tuned on the other folds only.

    `tune` receives the training units' scores, gold codes and weights (indexed by unit) and returns (low, high);
    the test fold is never passed to it. None when there are too few units for two folds.
    """
    k = cv_folds(gold, folds)
    if k == 0:
        return None
    from sklearn.model_selection import StratifiedKFold  # (sklearn loads in 0.2 s: only when needed)

    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed % 2**32)
    pred = pd.Series(None, index=scores.index, dtype=object)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        splits = list(splitter.split(np.zeros(len(gold)), gold.to_numpy(object)))
    for train, test in splits:
        low, high = tune(scores.iloc[train], gold.iloc[train], weights.iloc[train])
        pred.iloc[test] = band_prediction(scores.iloc[test].to_numpy(float), low, high)
    return pred


PERFORMANCE_COLUMNS = ["scorer", "measure", "value", "ci_low", "ci_high", "n", "n_effective"]
CONFUSION_COLUMNS = ["scorer", "rule", "gold", "predicted", "n"]


def _estimate(value: float, interval: tuple[float, float], weights: np.ndarray) -> dict:
    return {"value": value, "ci_low": interval[0], "ci_high": interval[1], "n": int(len(weights)),
            "n_effective": kish_n(weights)}


def _decisions(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    # Gold positive/negative units: which got a decision, and gold, prediction, weight of those that did.
    polar = frame[frame["code"].isin(BINARY)]
    pred = binary_prediction(polar["score"].to_numpy(float))
    decided = pred != UNDECIDED
    w_polar = polar["weight"].to_numpy(float)
    return decided, w_polar, polar["code"].to_numpy(object)[decided], pred[decided], w_polar[decided]


def binary_accuracy(frame: pd.DataFrame) -> dict:
    """Weighted share of decided positive/negative gold units whose side of 0.5 matches the gold (Wilson)."""
    _decided, _w_polar, g, p, w = _decisions(frame)
    return weighted_proportion(g == p, w)


def binary_measures(frame: pd.DataFrame, seed: int, resamples: int = BOOTSTRAP_RESAMPLES) -> dict[str, dict]:
    """Positive/negative gold units, score > 0.5 = positive, < 0.5 = negative, 0.5 or no score = no decision:
    coverage, accuracy, macro-F1 and per-class precision and recall (weighted; Wilson intervals, bootstrap for F1).
    `frame`: columns code, score, weight."""
    decided, w_polar, g, p, w = _decisions(frame)
    out = {"coverage_binary": weighted_proportion(decided, w_polar), "accuracy_binary": weighted_proportion(g == p, w)}
    f1_ci = resampled_interval(lambda idx: macro_f1(g[idx], p[idx], w[idx]), len(g), seed, resamples)
    out["macro_f1_binary"] = _estimate(macro_f1(g, p, w) if len(g) else math.nan, f1_ci, w)
    for c in BINARY:
        out[f"precision_{c}"] = weighted_proportion(g[p == c] == c, w[p == c])
        out[f"recall_{c}"] = weighted_proportion(p[g == c] == c, w[g == c])
    return out


def rank_measures(frame: pd.DataFrame, seed: int, resamples: int = BOOTSTRAP_RESAMPLES) -> dict[str, dict]:
    """Spearman's ρ between the score and the ordinal code (negative < neutral < positive), all gold units with a
    score, unweighted (a rank correlation of the sampled units), bootstrap interval."""
    scored = frame[frame["score"].notna() & frame["code"].isin(LABELS)]
    x = scored["score"].to_numpy(float)
    y = scored["code"].map({c: i for i, c in enumerate(LABELS)}).to_numpy(float)
    ci = resampled_interval(lambda idx: spearman(x[idx], y[idx]), len(x), seed, resamples)
    return {"spearman": _estimate(spearman(x, y) if len(x) else math.nan, ci, np.ones(len(x)))}


def three_way_measures(frame: pd.DataFrame, oof: pd.Series | None) -> dict[str, dict]:
    """Cross-validated three-class accuracy and per-class precision/recall from out-of-fold predictions (NaN without
    them), and the weighted share of the commonest gold class (what always answering that class would score)."""
    scored = frame[frame["score"].notna() & frame["code"].isin(LABELS)]
    g, w = scored["code"].to_numpy(object), scored["weight"].to_numpy(float)
    shares = {c: w[g == c].sum() for c in LABELS}
    top = max(LABELS, key=lambda c: (shares[c], c))
    out = {"majority_class_share": weighted_proportion(g == top, w)}
    if oof is None:  # too few units to cross-validate
        g, w = g[:0], w[:0]
    p = oof.reindex(scored.index).to_numpy(object) if oof is not None else g
    out["accuracy_3way_cv"] = weighted_proportion(g == p, w)
    for c in LABELS:
        out[f"precision_{c}_3way_cv"] = weighted_proportion(g[p == c] == c, w[p == c])
        out[f"recall_{c}_3way_cv"] = weighted_proportion(p[g == c] == c, w[g == c])
    return out


def confusion(gold: np.ndarray, pred: np.ndarray, predicted: tuple[str, ...]) -> list[dict]:
    """Counts of units per gold code (rows: LABELS) × predicted class, every cell listed (zeros too)."""
    g, p = np.asarray(gold, dtype=object), np.asarray(pred, dtype=object)
    return [{"gold": a, "predicted": b, "n": int(((g == a) & (p == b)).sum())} for a in LABELS for b in predicted]


@dataclass
class ScorerResult:
    """Everything measured for one scorer."""

    performance: pd.DataFrame  # PERFORMANCE_COLUMNS
    confusion: pd.DataFrame  # CONFUSION_COLUMNS
    band: tuple[float, float]  # the neutral band tuned on all gold units (thresholds.csv)
    folds: int  # folds of the cross-validation (0: none possible)
    oof: pd.Series | None  # out-of-fold three-class prediction per unit


def scorer_performance(frame: pd.DataFrame, scorer: str, resamples: int = BOOTSTRAP_RESAMPLES,
                       tune: Tuner = tune_band) -> ScorerResult:
    """All measures of one scorer against the gold. `frame`: one row per gold unit (index: unit) with `code`,
    `score` (this scorer's) and `weight`. Seeds derive from the scorer's name and the measure."""
    scored = frame[frame["score"].notna() & frame["code"].isin(LABELS)]
    oof = cross_validate_band(scored["score"], scored["code"], scored["weight"],
                              derive_seed("validation-cv", scorer), tune=tune)
    measures = {**binary_measures(frame, derive_seed("validation-f1", scorer), resamples),
                **rank_measures(frame, derive_seed("validation-spearman", scorer), resamples),
                **three_way_measures(frame, oof)}
    perf = pd.DataFrame([{"scorer": scorer, "measure": m, **v} for m, v in measures.items()],
                        columns=PERFORMANCE_COLUMNS)
    cells = [{"rule": "binary", **c} for c in confusion(frame["code"], binary_prediction(frame["score"]),
                                                       (*BINARY, UNDECIDED))]
    if oof is not None:
        cells += [{"rule": "3way_cv", **c} for c in confusion(scored["code"], oof, LABELS)]
    conf = pd.DataFrame([{"scorer": scorer, **c} for c in cells], columns=CONFUSION_COLUMNS)
    band = tune(scored["score"], scored["code"], scored["weight"]) if len(scored) else (math.nan, math.nan)
    return ScorerResult(perf, conf, band, cv_folds(scored["code"]) if oof is not None else 0, oof)


LENGTH_COLUMNS = ["scorer", "band", "chars_min", "chars_max", "measure", "value", "ci_low", "ci_high", "n",
                  "n_effective"]


def length_band(chars: pd.Series) -> pd.Series:
    """The LENGTH_BANDS label of each sentence length (characters)."""
    labels = pd.Series(LENGTH_BANDS[-1][2], index=chars.index, dtype=object)
    for _low, high, label in reversed(LENGTH_BANDS[:-1]):
        labels[chars <= high] = label
    return labels


def length_table(frame: pd.DataFrame, scorer: str, oof: pd.Series | None) -> pd.DataFrame:
    """Binary and cross-validated three-class accuracy (weighted, Wilson) per sentence-length band.
    `frame`: index unit, columns code, score, weight, chars."""
    bands = length_band(frame["chars"])
    rows = []
    for low, high, label in LENGTH_BANDS:
        part = frame[bands == label]
        acc = {"accuracy_binary": binary_accuracy(part)}
        scored = part[part["score"].notna() & part["code"].isin(LABELS)]
        if oof is not None:
            acc["accuracy_3way_cv"] = weighted_proportion(scored["code"].to_numpy(object) == oof.reindex(
                scored.index).to_numpy(object), scored["weight"].to_numpy(float))
        rows += [{"scorer": scorer, "band": label, "chars_min": low, "chars_max": high, "measure": m, **v}
                 for m, v in acc.items()]
    return pd.DataFrame(rows, columns=LENGTH_COLUMNS).astype({"chars_max": "Int64"})


PRECISION_COLUMNS = ["level", "category", "term", "n_coded", "n_yes", "n_no", "n_unsure", "precision", "ci_low",
                     "ci_high", "n_effective", "flag"]


def precision_row(part: pd.DataFrame) -> dict:
    """Precision of a set of KWIC hits: weighted yes / (yes + no), Wilson interval; unsure counted apart; a flag when
    precision < 0.8 or fewer than 5 hits coded yes or no. `part`: columns code, weight."""
    decided = part[part["code"].isin(("yes", "no"))]
    est = weighted_proportion(decided["code"].to_numpy(object) == "yes", decided["weight"].to_numpy(float))
    flags = []
    if not est["value"] >= PRECISION_FLOOR:  # NaN (nothing coded) is flagged too
        flags.append(f"precision < {PRECISION_FLOOR}" if len(decided) else "no hit coded yes or no")
    if len(decided) < MIN_CODED:
        flags.append(f"n_coded < {MIN_CODED}")
    counts = {f"n_{c}": int((part["code"] == c).sum()) for c in ("yes", "no", "unsure")}
    return {"n_coded": len(decided), **counts, "precision": est["value"], "ci_low": est["ci_low"],
            "ci_high": est["ci_high"], "n_effective": est["n_effective"], "flag": "; ".join(flags) or None}


def kwic_precision(frame: pd.DataFrame) -> pd.DataFrame:
    """Precision per term, per category and over all hits (weighted by 1 / probability of selection).
    `frame`: one row per gold unit with category, term, code (yes/no/unsure), weight."""
    rows = [{"level": "term", "category": c, "term": t, **precision_row(g)}
            for (c, t), g in frame.groupby(["category", "term"], sort=True)]
    rows += [{"level": "category", "category": c, "term": None, **precision_row(g)}
             for c, g in frame.groupby("category", sort=True)]
    rows.append({"level": "all", "category": None, "term": None, **precision_row(frame)})
    return pd.DataFrame(rows, columns=PRECISION_COLUMNS)
