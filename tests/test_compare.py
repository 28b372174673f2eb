"""Framing vs other sentences: checked against scipy, brute force, exact enumeration and a numpy recomputation."""

from __future__ import annotations

import hashlib
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from analysis.stats import framing_effect as compare


def _sentences(framed, other, document="doc"):
    scores = list(framed) + list(other)
    return pd.DataFrame({"document": document, "section": 0, "sentence": range(len(scores)), "text": "x",
                         "sentiment": scores, "framing_hits": [1] * len(framed) + [0] * len(other)})


def _seed(document, *keys):
    """The documented seed recipe, written out: first 8 bytes of sha256("20260211␟document␟keys...")."""
    raw = "\x1f".join(["20260211", document, *keys]).encode()
    return int.from_bytes(hashlib.sha256(raw).digest()[:8], "big")


FRAMED = [0.99, 0.97, 0.31, 0.999, 0.88, 0.95, 0.62]
OTHER = [0.12, 0.97, 0.55, 0.81, 0.43, 0.99, 0.64, 0.25, 0.71]


def test_mann_whitney_matches_scipy_and_a_brute_force_count():
    row = compare.compare_framing(_sentences(FRAMED, OTHER)).iloc[0]
    u, p = sps.mannwhitneyu(FRAMED, OTHER, alternative="two-sided")
    brute = sum(1.0 if x > y else 0.5 if x == y else 0.0 for x in FRAMED for y in OTHER)
    assert row["mannwhitney_u"] == u == brute
    assert row["mannwhitney_p"] == pytest.approx(p, rel=1e-12)
    n1n2 = len(FRAMED) * len(OTHER)
    assert row["prob_superiority"] == pytest.approx(brute / n1n2)
    assert row["rank_biserial"] == pytest.approx((brute - (n1n2 - brute)) / n1n2)
    assert (row["n_framing"], row["n_other"]) == (7, 9)
    assert row["difference"] == pytest.approx(np.mean(FRAMED) - np.mean(OTHER))


def test_permutation_p_and_bootstrap_interval_recomputed_with_numpy():
    row = compare.compare_framing(_sentences(FRAMED, OTHER, "doc-1"), permutations=3000, resamples=500).iloc[0]
    x, y = np.array(FRAMED), np.array(OTHER)
    rng = np.random.default_rng(_seed("doc-1", "framing-vs-other", "permutation"))
    pooled, obs = np.concatenate([x, y]), abs(x.mean() - y.mean())
    count = 0
    for _ in range(3000):
        p = rng.permutation(pooled)
        count += abs(p[:7].mean() - p[7:].mean()) >= obs - 1e-12
    assert row["permutation_p"] == (count + 1) / 3001
    rng = np.random.default_rng(_seed("doc-1", "framing-vs-other", "bootstrap"))
    bx = x[rng.integers(0, 7, size=(500, 7))].mean(axis=1)
    by = y[rng.integers(0, 9, size=(500, 9))].mean(axis=1)
    low, high = np.percentile(bx - by, [2.5, 97.5])
    assert (row["difference_ci_low"], row["difference_ci_high"]) == pytest.approx((low, high), rel=1e-12)
    assert row["difference_ci_low"] < row["difference"] < row["difference_ci_high"]


def test_permutation_p_approaches_the_exact_p_of_all_relabellings():
    x, y = [0.9, 0.8, 0.75], [0.1, 0.2, 0.7, 0.3]
    pooled = np.array(x + y)
    obs = abs(np.mean(x) - np.mean(y))
    diffs = []
    for idx in itertools.combinations(range(7), 3):
        mask = np.zeros(7, bool)
        mask[list(idx)] = True
        diffs.append(abs(pooled[mask].mean() - pooled[~mask].mean()))
    exact = np.mean(np.array(diffs) >= obs - 1e-12)  # 2 of the 35 relabellings
    got = compare.permutation_p(np.array(x), np.array(y), 20000, seed=7)
    assert exact == pytest.approx(2 / 35)
    assert got == pytest.approx(exact, abs=0.006)


def test_an_empty_group_gives_nan_statistics_and_says_so():
    row = compare.compare_framing(_sentences([], [0.2, 0.9, 0.5])).iloc[0]
    assert row["n_framing"] == 0 and row["n_other"] == 3
    for col in ("mean_framing", "difference", "difference_ci_low", "permutation_p", "mannwhitney_p",
                "rank_biserial"):
        assert math.isnan(row[col]), col
    assert "nothing to compare" in row["reason"]
    assert "nothing to compare" in compare.describe_comparison(row)


INFERENTIAL = ("difference_ci_low", "difference_ci_high", "permutation_p", "mannwhitney_u", "mannwhitney_p",
               "rank_biserial", "prob_superiority")


def test_one_framing_sentence_gets_no_test_no_interval_and_no_effect_size():
    # 1 vs 20: the permutation test and Mann–Whitney would happily return p < 0.05 for one extreme sentence
    other = [0.2 + 0.01 * i for i in range(20)]
    assert sps.mannwhitneyu([0.99], other, alternative="two-sided").pvalue < 0.1  # what used to be reported
    row = compare.compare_framing(_sentences([0.99], other)).iloc[0]
    assert (row["n_framing"], row["n_other"]) == (1, 20)
    for col in INFERENTIAL:
        assert math.isnan(row[col]), col
    assert row["mean_framing"] == 0.99 and row["mean_other"] == pytest.approx(np.mean(other))
    assert "too few" in row["reason"] and f"at least {compare.MIN_GROUP_SENTENCES}" in row["reason"]
    text = compare.describe_comparison(row)
    assert "No interval, test or effect size" in text and "too few" in text and "p =" not in text


@pytest.mark.parametrize(("n_framing", "n_other"), [(compare.MIN_GROUP_SENTENCES - 1, 30),
                                                    (30, compare.MIN_GROUP_SENTENCES - 1)])
def test_the_minimum_applies_to_each_group(n_framing, n_other):
    rng = np.random.default_rng(1)
    row = compare.compare_framing(_sentences(rng.random(n_framing), rng.random(n_other)), permutations=200).iloc[0]
    assert all(math.isnan(row[c]) for c in INFERENTIAL)
    assert "too few" in row["reason"]


def test_at_the_minimum_everything_is_computed_and_the_reason_is_empty():
    m = compare.MIN_GROUP_SENTENCES
    assert m == 5  # the README and the notebook say five
    x, y = [0.9, 0.8, 0.75, 0.6, 0.95], [0.1, 0.2, 0.7, 0.3, 0.5, 0.4]
    row = compare.compare_framing(_sentences(x, y), permutations=500, resamples=300).iloc[0]
    assert row["reason"] is None
    assert not any(math.isnan(row[c]) for c in INFERENTIAL)
    assert row["mannwhitney_p"] == pytest.approx(sps.mannwhitneyu(x, y, alternative="two-sided").pvalue)


def test_unscored_sentences_are_left_out_and_documents_kept_apart():
    df = pd.concat([_sentences([0.9, math.nan], [0.1, 0.2], "a"), _sentences([0.3, 0.4], [0.8], "b")])
    out = compare.compare_framing(df, permutations=200)
    assert out["document"].tolist() == ["a", "b"]
    assert out[["n_framing", "n_other"]].values.tolist() == [[1, 2], [2, 1]]
    assert out["mean_framing"].tolist() == [0.9, pytest.approx(0.35)]


def test_on_the_article_the_groups_are_the_sentences_holding_kwic_hits(article_tables):
    row = compare.compare_framing(article_tables.sentences, permutations=500).iloc[0]
    kwic = article_tables.kwic
    with_hits = kwic.loc[kwic["status"] == "counted", "sentence"].dropna().nunique()
    assert row["n_framing"] == with_hits and row["n_framing"] + row["n_other"] == 104
    text = compare.describe_comparison(row)
    assert f"{with_hits} sentences with framing terms" in text and "Mann–Whitney" in text
