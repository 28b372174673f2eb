"""Differences between groups of documents (stats/differences.py) and dates by period (stats/periods.py): checked
against exact enumeration, a direct numpy resampling, pandas group means and a table of dates."""

from __future__ import annotations

import hashlib
import itertools
import math

import numpy as np
import pandas as pd
import pytest

from analysis.errors import AnalysisError
from analysis.stats import differences as diff
from analysis.stats.groups import MIN_GROUP_DOCUMENTS, compare_groups
from analysis.stats.periods import document_periods, parse_date, period_label


def _seed(*keys):
    """The documented seed recipe, written out: first 8 bytes of sha256("20260211␟keys...")."""
    raw = "\x1f".join(["20260211", *map(str, keys)]).encode()
    return int.from_bytes(hashlib.sha256(raw).digest()[:8], "big")


def _enumerated_p(a, b):
    """Two-sided permutation p by brute force: every way of labelling len(a) of the pooled values 'a'."""
    pooled = list(a) + list(b)
    observed = abs(np.mean(a) - np.mean(b))
    hits = total = 0
    for labels in itertools.product([0, 1], repeat=len(pooled)):
        if sum(labels) != len(a):
            continue
        x = [v for v, lab in zip(pooled, labels, strict=True) if lab]
        y = [v for v, lab in zip(pooled, labels, strict=True) if not lab]
        total += 1
        hits += abs(np.mean(x) - np.mean(y)) >= observed - 1e-12
    return hits / total, total


A = np.array([0.71, 0.64, 0.80, 0.77])
B = np.array([0.55, 0.62, 0.49, 0.70, 0.58])


def test_the_permutation_p_is_exact_on_a_small_case_and_equals_a_brute_force_enumeration():
    p, n, exact = diff.permutation_test(A, B, permutations=10_000, seed=1)
    want, total = _enumerated_p(A, B)
    assert exact and n == total == math.comb(9, 4) == 126
    assert p == pytest.approx(want, abs=1e-15)
    # ties: equal values on both sides count as at least as extreme
    p_tie, _n, _e = diff.permutation_test(np.array([1.0, 1.0]), np.array([1.0, 1.0, 1.0]), 10_000, 1)
    assert p_tie == 1.0


def test_the_random_permutation_p_approaches_the_exact_one():
    rng = np.random.default_rng(5)
    a, b = rng.normal(0.6, 0.1, 6), rng.normal(0.5, 0.1, 6)
    exact, total = _enumerated_p(a, b)
    p, n, is_exact = diff.permutation_test(a, b, permutations=500, seed=_seed("x"))
    assert total == 924 and n == 500 and not is_exact  # more relabellings than permutations: drawn at random
    assert abs(p - exact) < 4 * math.sqrt(exact * (1 - exact) / 500) + 2 / 500


def test_the_interval_equals_a_direct_resampling_of_each_groups_documents():
    keys = pd.Series(["港"] * 4 + ["京"] * 5, index=[f"d{i}" for i in range(9)], dtype="string")
    values = pd.DataFrame({"sentiment": np.concatenate([A, B])}, index=keys.index)
    row = diff.compare_levels(values, keys, "meta_outlet", levels=["港", "京"], resamples=3000).iloc[0]
    rng = np.random.default_rng(_seed("difference", "meta_outlet", "港", "京", "sentiment", "all", "bootstrap"))
    means_a = A[rng.integers(0, A.size, size=(3000, A.size))].mean(axis=1)
    means_b = B[rng.integers(0, B.size, size=(3000, B.size))].mean(axis=1)
    low, high = np.percentile(means_a - means_b, [2.5, 97.5])
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))
    assert row["difference"] == pytest.approx(A.mean() - B.mean())
    assert (row["level_a"], row["level_b"], row["n_a"], row["n_b"]) == ("港", "京", 4, 5)
    assert row["too_few"] and row["exact"] and row["permutation_p"] == pytest.approx(_enumerated_p(A, B)[0])


def _docs(n_per_group: dict[str, int]) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(11)
    index, keys = [], []
    for g, n in n_per_group.items():
        index += [f"{g}{i:02d}" for i in range(n)]
        keys += [g] * n
    values = pd.DataFrame({"sentiment": rng.uniform(0.3, 0.9, len(index)),
                           "framing": rng.uniform(0, 30, len(index))}, index=index)
    return values, pd.Series(keys, index=index, dtype="string")


def test_groups_below_the_minimum_are_flagged_and_documents_without_a_value_are_left_out():
    values, keys = _docs({"甲": MIN_GROUP_DOCUMENTS, "乙": MIN_GROUP_DOCUMENTS + 1})
    values.loc["甲00", "sentiment"] = math.nan  # no scored sentence: out of the sentiment comparison only
    keys["乙00"] = pd.NA  # no value of the grouping column: out of every comparison
    out = diff.compare_levels(values, keys, "meta_outlet", permutations=200).set_index("measure")
    assert (out.loc["sentiment", "level_a"], out.loc["sentiment", "level_b"]) == ("乙", "甲")  # sorted
    assert (out.loc["sentiment", "n_a"], out.loc["sentiment", "n_b"]) == (MIN_GROUP_DOCUMENTS, MIN_GROUP_DOCUMENTS - 1)
    assert (out.loc["framing", "n_a"], out.loc["framing", "n_b"]) == (MIN_GROUP_DOCUMENTS, MIN_GROUP_DOCUMENTS)
    assert out.loc["sentiment", "too_few"] and not out.loc["framing", "too_few"]
    means = values.assign(k=keys).dropna(subset=["k"]).groupby("k")["sentiment"].mean()
    assert out.loc["sentiment", "difference"] == pytest.approx(means["乙"] - means["甲"])


def test_more_than_two_levels_compare_each_with_the_rest_and_levels_restrict_the_documents():
    values, keys = _docs({"a": 4, "b": 5, "c": 6})
    out = diff.compare_levels(values[["framing"]], keys, "g", permutations=100)
    assert list(zip(out["level_a"], out["level_b"], out["n_a"], out["n_b"], strict=True)) == [
        ("a", "(rest)", 4, 11), ("b", "(rest)", 5, 10), ("c", "(rest)", 6, 9)]
    rest = values.loc[keys != "a", "framing"].mean()
    assert out.loc[0, "difference"] == pytest.approx(values.loc[keys == "a", "framing"].mean() - rest)
    two = diff.compare_levels(values[["framing"]], keys, "g", levels=["c", "a"], permutations=100)
    assert list(two[["level_a", "level_b", "n_a", "n_b"]].iloc[0]) == ["c", "a", 6, 4]
    three = diff.compare_levels(values[["framing"]], keys, "g", levels=["a", "b", "c"], permutations=100)
    assert list(three["n_b"]) == [11, 10, 9]
    with pytest.raises(AnalysisError, match="no document has the level 'z'; the levels are a, b, c"):
        diff.compare_levels(values, keys, "g", levels=["a", "z"])
    with pytest.raises(AnalysisError, match="at least two groups"):
        diff.compare_levels(values, keys, "g", levels=["a"])


def test_results_do_not_depend_on_document_order():
    values, keys = _docs({"a": 7, "b": 8})
    one = diff.compare_levels(values, keys, "g", permutations=300)
    two = diff.compare_levels(values.iloc[::-1], keys.iloc[::-1], "g", permutations=300)
    pd.testing.assert_frame_equal(one, two)


def test_level_values_agree_with_the_group_comparison_of_the_corpus_figure():
    """levels.csv's sentiment and framing means are compare_groups' document-weighted values, computed another way."""
    documents = pd.DataFrame({"document": ["a", "b", "c", "d"], "meta_outlet": ["甲", "甲", "乙", "乙"],
                              "framing_hits": [2, 0, 5, 1], "n_cjk": [400, 300, 500, 250]})
    sentences = pd.DataFrame({"document": ["a", "a", "b", "c", "c", "c", "d"],
                              "sentiment": [0.2, 0.8, 0.6, 0.9, 0.7, math.nan, 0.4]})
    values = pd.DataFrame({"sentiment": sentences.groupby("document")["sentiment"].mean(),
                           "framing": documents.set_index("document").eval("framing_hits / n_cjk * 1000")})
    keys = documents.set_index("document")["meta_outlet"].astype("string")
    levels = diff.level_summaries(values, keys, "meta_outlet").set_index(["measure", "level"])
    groups = compare_groups(documents, sentences, "outlet").set_index("group")
    for g in ("甲", "乙"):
        assert levels.loc[("sentiment", g), "mean"] == pytest.approx(groups.loc[g, "sentiment_mean"])
        assert levels.loc[("framing", g), "mean"] == pytest.approx(groups.loc[g, "framing_per_1k_cjk"])
        assert levels.loc[("framing", g), "n_documents"] == 2 and levels.loc[("framing", g), "too_few"]


@pytest.fixture()
def run_tables():
    documents = pd.DataFrame({"document": ["x", "y"], "n_cjk": [500, 0], "n_cjk_own": [400, 0],
                              "meta_outlet": ["甲", "乙"]})
    kwic = pd.DataFrame({"document": ["x"] * 5, "category": ["pride", "pride", "rivalry", "pride", "rivalry"],
                         "status": ["counted", "counted", "counted", "excluded", "counted"],
                         "voice": ["own", "quoted", "own", "own", "own"]})
    counted = kwic[kwic["status"] == "counted"]
    framing = counted.groupby(["document", "category"]).size().rename("count").reset_index().assign(section=0)
    return documents, framing, kwic


def test_document_categories_has_every_document_and_category_with_hits_counted_per_voice(run_tables):
    documents, framing, kwic = run_tables
    cats = ["militarized", "pride", "rivalry"]
    allv = diff.document_categories(documents, framing, kwic, cats)
    assert list(allv.columns) == [*diff.DOCUMENT_CATEGORY_COLUMNS, "meta_outlet"]
    assert list(zip(allv["document"], allv["category"], allv["hits"], strict=True)) == [
        ("x", "militarized", 0), ("x", "pride", 2), ("x", "rivalry", 2),
        ("y", "militarized", 0), ("y", "pride", 0), ("y", "rivalry", 0)]
    assert allv.loc[1, "framing_per_1k_cjk"] == pytest.approx(2 / 500 * 1000)
    assert allv.loc[allv["document"] == "y", "framing_per_1k_cjk"].isna().all()  # no CJK characters: NaN, not 0
    own = diff.document_categories(documents, framing, kwic, cats, voice="own")
    assert list(own["hits"]) == [0, 1, 2, 0, 0, 0] and set(own["voice"]) == {"own"}
    assert own.loc[2, "framing_per_1k_cjk"] == pytest.approx(2 / 400 * 1000)
    with pytest.raises(AnalysisError, match="--voice must be one of all, own"):
        diff.document_categories(documents, framing, kwic, cats, voice="quoted")


def test_measures_are_checked_against_the_runs_categories():
    assert diff.check_measures(None, ["pride"]) == ["sentiment", "framing", "pride"]
    assert diff.check_measures(["pride", "sentiment", "pride"], ["pride"]) == ["pride", "sentiment"]
    with pytest.raises(AnalysisError, match="unknown measure 'tone'; the measures of this run are sentiment, framing"):
        diff.check_measures(["tone"], ["pride"])


DATES = [
    ("2019", (2019, None, None)),
    ("2019-06", (2019, 6, None)),
    ("2019-06-19", (2019, 6, 19)),
    ("2019年6月19日", (2019, 6, 19)),
    ("2019年6月", (2019, 6, None)),
    ("2019年", (2019, None, None)),
    ("２０１９年６月１９日", (2019, 6, 19)),
    ("2019/6/9", (2019, 6, 9)),
    ("2019.06.19", (2019, 6, 19)),
    (" 2019-06-19T08:30:00+08:00 ", (2019, 6, 19)),
    ("2019-06-19 08:30", (2019, 6, 19)),
]


@pytest.mark.parametrize(("text", "want"), DATES)
def test_dates_are_read_tolerantly(text, want):
    assert parse_date(text) == want


@pytest.mark.parametrize("text", ["19-06-19", "2019-13", "2019-02-30", "June 2019", "2019-06/19", "", "二〇一九年"])
def test_what_is_not_a_date_is_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(("date", "period", "label"), [
    ((2019, None), "year", "2019"), ((2019, 6), "year", "2019"), ((2019, 6), "quarter", "2019-Q2"),
    ((2019, 1), "quarter", "2019-Q1"), ((2019, 12), "quarter", "2019-Q4"), ((2019, 6), "month", "2019-06")])
def test_period_labels_sort_in_time_order(date, period, label):
    assert period_label(*date, period) == label


def test_periods_of_documents_and_one_line_errors_naming_the_document():
    docs = pd.DataFrame({"document": ["a", "b", "c", "d"],
                         "meta_date": ["2019-06-19", "2019年11月3日", None, "2020-01"]})
    assert document_periods(docs, "meta_date", "quarter").tolist() == ["2019-Q2", "2019-Q4", pd.NA, "2020-Q1"]
    bare = pd.concat([docs, pd.DataFrame({"document": ["e"], "meta_date": ["2019"]})])
    assert document_periods(bare, "meta_date", "year").tolist() == ["2019", "2019", pd.NA, "2020", "2019"]
    with pytest.raises(AnalysisError, match=r"document 'e': meta_date '2019' gives only a year, not the month a "
                                            r"month needs; use --period year"):
        document_periods(bare, "meta_date", "month")
    bad = pd.concat([docs, pd.DataFrame({"document": ["f"], "meta_date": ["last spring"]})])
    with pytest.raises(AnalysisError, match=r"^document 'f': meta_date 'last spring' is not a date; write it as "
                                            r"2019, 2019-06, 2019-06-19 or 2019年6月19日$"):
        document_periods(bad, "meta_date", "year")


def test_the_corpus_notebooks_periods_never_take_a_bare_year_for_a_month():
    from analysis.stats.groups import with_period

    docs = pd.DataFrame({"document": ["a", "b", "c"], "meta_date": ["2019", "2019-06-19", None]})
    assert with_period(docs)["meta_year"].tolist()[:2] == ["2019", "2019"]  # not "2019" as a month
    assert with_period(docs.iloc[1:])["meta_month"].tolist()[0] == "2019-06"
    assert with_period(docs, "year")["meta_year"].isna().tolist() == [False, False, True]
    with pytest.raises(AnalysisError, match="document 'a': meta_date '2019' gives only a year"):
        with_period(docs, "month")


def test_the_figures_never_print_a_permutation_p_of_zero():
    from analysis.present.comparison import p_label

    assert p_label(1 / 10001) == "p < 0.001"
    assert p_label(0.0449) == "p = 0.045"
    assert p_label(float("nan")) == ""
