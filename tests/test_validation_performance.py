"""Accuracy, macro-F1, Wilson intervals, Spearman, the cross-validated neutral band, KWIC precision and length
bands against independent computations (scikit-learn, statsmodels, scipy, brute force) — issue 14."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score
from statsmodels.stats.proportion import proportion_confint

from analysis.validation import performance as perf

LABELS = ("negative", "neutral", "positive")


def _frame(n: int = 200, seed: int = 0, weights: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    code = rng.choice(LABELS, n)
    centre = pd.Series(code).map({"negative": 0.3, "neutral": 0.5, "positive": 0.7}).to_numpy()
    score = np.clip(centre + rng.normal(0, 0.2, n), 0, 1).round(3)
    score[:5] = 0.5  # some undecided
    w = rng.choice([1.0, 2.5, 4.0], n) if weights else np.ones(n)
    return pd.DataFrame({"code": code, "score": score, "weight": w, "chars": rng.integers(1, 150, n)},
                        index=[f"u{i:03d}" for i in range(n)])


def test_wilson_matches_statsmodels_and_a_hand_computation():
    low, high = perf.wilson(37, 50)
    assert (low, high) == pytest.approx(proportion_confint(37, 50, alpha=0.05, method="wilson"))
    z, p, n = 1.959963984540054, 37 / 50, 50  # Wilson (1927) by hand
    centre, half = (p + z * z / (2 * n)) / (1 + z * z / n), z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / 4 / n / n)
    assert (low, high) == pytest.approx((centre - half, centre + half))


def test_weighted_proportion_uses_the_kish_effective_sample_size():
    hits = np.array([1, 0, 1, 1, 0, 1], bool)
    w = np.array([1.0, 1.0, 2.0, 2.0, 4.0, 4.0])
    out = perf.weighted_proportion(hits, w)
    p = (1 + 2 + 2 + 4) / 14
    n_eff = 14**2 / (1 + 1 + 4 + 4 + 16 + 16)
    assert out["value"] == pytest.approx(p) and out["n_effective"] == pytest.approx(n_eff) and out["n"] == 6
    assert (out["ci_low"], out["ci_high"]) == pytest.approx(proportion_confint(p * n_eff, n_eff, method="wilson"))
    equal = perf.weighted_proportion(hits, np.full(6, 3.0))  # equal weights: the ordinary Wilson interval
    assert (equal["ci_low"], equal["ci_high"]) == pytest.approx(proportion_confint(4, 6, method="wilson"))


def test_binary_measures_match_scikit_learn():
    f = _frame()
    m = perf.binary_measures(f, seed=1, resamples=200)
    polar = f[f["code"].isin(["negative", "positive"])]
    decided = polar[polar["score"] != 0.5]
    pred = np.where(decided["score"] > 0.5, "positive", "negative")
    w = decided["weight"]
    assert m["accuracy_binary"]["value"] == pytest.approx(accuracy_score(decided["code"], pred, sample_weight=w))
    assert m["macro_f1_binary"]["value"] == pytest.approx(
        f1_score(decided["code"], pred, average="macro", labels=["negative", "positive"], sample_weight=w))
    for c in ("negative", "positive"):
        assert m[f"precision_{c}"]["value"] == pytest.approx(
            precision_score(decided["code"], pred, pos_label=c, sample_weight=w))
        assert m[f"recall_{c}"]["value"] == pytest.approx(
            recall_score(decided["code"], pred, pos_label=c, sample_weight=w))
    exactly_half = int((polar["score"] == 0.5).sum())
    assert exactly_half > 0 and m["accuracy_binary"]["n"] == len(polar) - exactly_half
    assert m["coverage_binary"]["value"] == pytest.approx(w.sum() / polar["weight"].sum())
    assert m["macro_f1_binary"]["ci_low"] < m["macro_f1_binary"]["value"] < m["macro_f1_binary"]["ci_high"]


def test_unweighted_accuracy_interval_is_statsmodels_wilson():
    f = _frame(weights=False)
    acc = perf.binary_measures(f, seed=1, resamples=10)["accuracy_binary"]
    k = round(acc["value"] * acc["n"])
    assert (acc["ci_low"], acc["ci_high"]) == pytest.approx(proportion_confint(k, acc["n"], method="wilson"))


def test_spearman_matches_scipy_with_ties():
    f = _frame()
    rho = perf.rank_measures(f, seed=2, resamples=200)["spearman"]
    y = f["code"].map({"negative": 0, "neutral": 1, "positive": 2})
    assert rho["value"] == pytest.approx(spearmanr(f["score"], y).statistic)
    assert rho["n"] == len(f) and rho["ci_low"] < rho["value"] < rho["ci_high"]


def _brute_force_best(scores: pd.Series, gold: pd.Series, weights: pd.Series) -> float:
    grid = np.round(np.arange(0, 1.0001, 0.005), 3)
    best = 0.0
    for i, low in enumerate(grid):
        for high in grid[i:]:
            pred = perf.band_prediction(scores.to_numpy(), low, high)
            best = max(best, float((weights * (pred == gold.to_numpy())).sum()))
    return best


def test_tuned_band_is_at_least_as_good_as_any_band_on_a_fine_grid():
    f = _frame(120, seed=3)
    low, high = perf.tune_band(f["score"], f["code"], f["weight"])
    got = float((f["weight"] * (perf.band_prediction(f["score"].to_numpy(), low, high) == f["code"])).sum())
    assert low <= high
    assert got >= _brute_force_best(f["score"], f["code"], f["weight"]) - 1e-9


def test_tuned_band_on_separable_scores_puts_the_cuts_between_the_classes():
    scores = pd.Series([0.1, 0.2, 0.45, 0.5, 0.55, 0.8, 0.9])
    gold = pd.Series(["negative", "negative", "neutral", "neutral", "neutral", "positive", "positive"])
    low, high = perf.tune_band(scores, gold, pd.Series(np.ones(7)))
    assert 0.2 < low < 0.45 and 0.55 < high < 0.8


def test_cross_validation_never_tunes_on_the_test_fold():
    f = _frame(100, seed=4)
    seen: list[set[str]] = []

    def recording_tuner(scores: pd.Series, gold: pd.Series, weights: pd.Series) -> tuple[float, float]:
        seen.append(set(scores.index))
        assert set(gold.index) == set(scores.index) == set(weights.index)
        return perf.tune_band(scores, gold, weights)

    oof = perf.cross_validate_band(f["score"], f["code"], f["weight"], seed=5, tune=recording_tuner)
    assert len(seen) == perf.CV_FOLDS
    tested = [set(f.index) - train for train in seen]  # each fold's test units: those its tuner never saw
    assert all(len(t) > 0 for t in tested)
    assert set().union(*tested) == set(f.index) and sum(len(t) for t in tested) == len(f)  # a partition
    # Each unit's prediction comes from the band tuned without it.
    for train in seen:
        low, high = perf.tune_band(f.loc[sorted(train), "score"], f.loc[sorted(train), "code"],
                                   f.loc[sorted(train), "weight"])
        test = sorted(set(f.index) - train)
        assert list(oof[test]) == list(perf.band_prediction(f.loc[test, "score"].to_numpy(), low, high))


def test_cross_validated_accuracy_does_not_reward_fitting_noise():
    # Scores unrelated to the gold: tuning on all data finds a band that looks better than chance; the
    # cross-validated accuracy must not (it stays near the commonest class's share or below).
    rng = np.random.default_rng(6)
    f = pd.DataFrame({"code": rng.choice(LABELS, 150), "score": rng.uniform(0, 1, 150), "weight": 1.0},
                     index=[f"u{i}" for i in range(150)])
    low, high = perf.tune_band(f["score"], f["code"], f["weight"])
    in_sample = (perf.band_prediction(f["score"].to_numpy(), low, high) == f["code"]).mean()
    oof = perf.cross_validate_band(f["score"], f["code"], f["weight"], seed=1)
    assert (oof == f["code"]).mean() < in_sample - 0.05


def test_scorer_performance_reports_every_measure_and_counts_every_gold_unit_in_the_confusion():
    f = _frame(90, seed=7)
    r = perf.scorer_performance(f, "sentiment", resamples=50)
    assert {"accuracy_binary", "macro_f1_binary", "coverage_binary", "spearman", "accuracy_3way_cv",
            "precision_negative", "recall_positive", "precision_neutral_3way_cv"} <= set(r.performance["measure"])
    assert "accuracy_3way" not in set(r.performance["measure"])  # never the in-sample accuracy
    binary = r.confusion[r.confusion["rule"] == "binary"]
    assert binary["n"].sum() == len(f)
    assert binary.loc[binary["predicted"] == "undecided", "n"].sum() == (f["score"] == 0.5).sum()
    three = r.confusion[r.confusion["rule"] == "3way_cv"]
    acc = r.performance.set_index("measure").loc["accuracy_3way_cv"]
    w_correct = sum(f.loc[u, "weight"] for u in f.index if r.oof[u] == f.loc[u, "code"])
    assert acc["value"] == pytest.approx(w_correct / f["weight"].sum()) and three["n"].sum() == len(f)
    assert r.folds == 5 and r.band[0] <= r.band[1]


def test_kwic_precision_per_term_category_and_overall():
    f = pd.DataFrame({"category": ["a"] * 7 + ["b"] * 3, "term": ["x"] * 4 + ["y"] * 3 + ["z"] * 3,
                      "code": ["yes", "yes", "no", "unsure", "yes", "yes", "yes", "yes", "yes", "no"],
                      "weight": [1.0] * 7 + [2.0] * 3})
    t = perf.kwic_precision(f).set_index(["level", "category", "term"], drop=False)
    x = t[(t["level"] == "term") & (t["term"] == "x")].iloc[0]
    assert (x["n_coded"], x["n_yes"], x["n_no"], x["n_unsure"]) == (3, 2, 1, 1)
    assert x["precision"] == pytest.approx(2 / 3)
    assert (x["ci_low"], x["ci_high"]) == pytest.approx(proportion_confint(2, 3, method="wilson"))
    assert "precision < 0.8" in x["flag"] and "n_coded < 5" in x["flag"]
    overall = t[t["level"] == "all"].iloc[0]
    assert overall["precision"] == pytest.approx((2 + 3 + 2 * 2) / (3 + 3 + 2 * 3))
    assert overall["n_coded"] == 9 and overall["n_unsure"] == 1
    assert set(t.loc[t["level"] == "category", "category"]) == {"a", "b"}


def test_length_bands_are_the_documented_ones():
    chars = pd.Series([1, 20, 21, 40, 41, 80, 81, 500])
    assert perf.length_band(chars).tolist() == ["≤ 20", "≤ 20", "21–40", "21–40", "41–80", "41–80", "> 80", "> 80"]
    f = _frame(120, seed=8)
    r = perf.scorer_performance(f, "s", resamples=10)
    table = perf.length_table(f, "s", r.oof)
    short = f[f["chars"] <= 20]
    row = table[(table["band"] == "≤ 20") & (table["measure"] == "accuracy_binary")].iloc[0]
    assert row["value"] == pytest.approx(perf.binary_accuracy(short)["value"])
    assert table.loc[table["measure"] == "accuracy_3way_cv", "n"].sum() == len(f)
