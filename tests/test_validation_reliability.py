"""Krippendorff's α and its bootstrap interval, percent agreement, and the gold from coders' codes (issue 14)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.validation.reliability import (
    agreement_table,
    alpha,
    alpha_interval,
    gold_codes,
    percent_agreement,
    value_counts,
)

from .validation_fixtures import SENTIMENT, coder

# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), section C: 4 observers × 12 units, missing data.
WORKED = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}
VALUES = ("1", "2", "3", "4", "5")


def _worked_matrix() -> pd.DataFrame:
    return pd.DataFrame({c: [None if v is None else str(v) for v in vals] for c, vals in WORKED.items()},
                        dtype=object)


def test_alpha_reproduces_krippendorffs_worked_example():
    counts = value_counts(_worked_matrix(), VALUES)
    assert alpha(counts, "nominal") == pytest.approx(0.743, abs=5e-4)  # published value
    assert alpha(counts, "ordinal") == pytest.approx(0.815, abs=5e-4)  # published value


def test_ordinal_alpha_follows_the_order_of_the_codes_nominal_does_not():
    m = _worked_matrix()
    shuffled = ("3", "1", "5", "2", "4")
    assert alpha(value_counts(m, shuffled), "nominal") == pytest.approx(alpha(value_counts(m, VALUES), "nominal"))
    assert not math.isclose(alpha(value_counts(m, shuffled), "ordinal"), alpha(value_counts(m, VALUES), "ordinal"))


def test_percent_agreement_of_two_coders_is_the_share_of_units_they_code_alike():
    m = pd.DataFrame({"A": ["positive", "neutral", "negative", "positive", None],
                      "B": ["positive", "negative", "negative", "neutral", "positive"]}, dtype=object)
    assert percent_agreement(value_counts(m, SENTIMENT)) == pytest.approx(2 / 4)


def _simulated(n: int, errors: tuple[float, ...], seed: int) -> pd.DataFrame:
    truth = pd.Series(np.random.default_rng(seed).choice(SENTIMENT, n))
    return pd.DataFrame({f"c{i}": coder(truth, e, seed * 10 + i) for i, e in enumerate(errors)}, dtype=object)


def _expected_alpha(error: float, k: int = 3) -> float:
    # Two coders each right with probability q, wrong codes uniform over the other k-1; uniform true codes, so the
    # marginals are uniform and chance agreement is 1/k. Observed agreement: q² + (1-q)²/(k-1).
    q = 1 - error
    observed = q * q + (1 - q) ** 2 / (k - 1)
    return (observed - 1 / k) / (1 - 1 / k)


def test_alpha_of_independent_random_coders_is_about_zero():
    rng = np.random.default_rng(1)
    m = pd.DataFrame({"A": rng.choice(SENTIMENT, 3000), "B": rng.choice(SENTIMENT, 3000)}, dtype=object)
    assert abs(alpha(value_counts(m, SENTIMENT), "nominal")) < 0.04


def test_alpha_of_identical_coders_is_one_with_a_degenerate_interval():
    m = _simulated(200, (0.0, 0.0), seed=2)
    counts = value_counts(m, SENTIMENT)
    assert alpha(counts, "nominal") == 1.0 and alpha(counts, "ordinal") == 1.0
    assert alpha_interval(counts, "nominal", seed=1, resamples=200) == (1.0, 1.0)


def test_alpha_of_coders_with_known_error_rates_is_near_its_expected_value():
    m = _simulated(6000, (0.2, 0.2), seed=3)
    assert alpha(value_counts(m, SENTIMENT), "nominal") == pytest.approx(_expected_alpha(0.2), abs=0.03)


def test_bootstrap_interval_covers_the_known_alpha():
    expected = _expected_alpha(0.2)  # 0.49
    covered = 0
    for rep in range(20):
        counts = value_counts(_simulated(300, (0.2, 0.2), seed=100 + rep), SENTIMENT)
        low, high = alpha_interval(counts, "nominal", seed=rep, resamples=500)
        assert low < alpha(counts, "nominal") < high
        covered += low <= expected <= high
    assert covered >= 16  # nominal 95%: 19 of 20 expected; 16 or fewer has probability < 2%


def test_bootstrap_interval_is_seeded():
    counts = value_counts(_simulated(100, (0.3, 0.1), seed=5), SENTIMENT)
    assert alpha_interval(counts, "ordinal", 9, 300) == alpha_interval(counts, "ordinal", 9, 300)
    assert alpha_interval(counts, "ordinal", 9, 300) != alpha_interval(counts, "ordinal", 10, 300)


def test_agreement_table_has_every_pair_and_all_coders_with_independent_pair_values():
    m = _simulated(150, (0.1, 0.2, 0.3), seed=6)
    table = agreement_table(m, SENTIMENT, ("nominal", "ordinal"), resamples=100)
    assert list(table["coders"].unique()) == ["c0 + c1", "c0 + c2", "c1 + c2", "all: c0 + c1 + c2"]
    assert set(table["level"]) == {"nominal", "ordinal"}
    row = table[(table["coders"] == "c0 + c2") & (table["level"] == "nominal")].iloc[0]
    assert row["alpha"] == pytest.approx(alpha(value_counts(m[["c0", "c2"]], SENTIMENT), "nominal"))
    assert row["percent_agreement"] == pytest.approx((m["c0"] == m["c2"]).mean())
    assert row["n_units"] == 150 and row["ci_low"] < row["alpha"] < row["ci_high"]


def test_gold_is_the_strict_majority_and_ties_stay_unresolved_until_adjudicated():
    m = pd.DataFrame({"A": ["positive", "positive", "positive", "negative", None, None],
                      "B": ["positive", "positive", "neutral", "neutral", "neutral", None],
                      "C": ["positive", "negative", "negative", None, None, None]},
                     index=["u1", "u2", "u3", "u4", "u5", "u6"], dtype=object)
    gold = gold_codes(m).set_index("unit")
    assert gold.loc["u1", ["code", "resolution"]].tolist() == ["positive", "unanimous"]
    assert gold.loc["u2", ["code", "resolution"]].tolist() == ["positive", "majority"]
    assert gold.loc["u3", "resolution"] == "unresolved" and pd.isna(gold.loc["u3", "code"])
    assert gold.loc["u4", "resolution"] == "unresolved"  # 1 against 1 of 2 codes: no strict majority
    assert gold.loc["u5", ["code", "resolution"]].tolist() == ["neutral", "single"]
    assert gold.loc["u6", "resolution"] == "uncoded"
    settled = gold_codes(m, pd.Series({"u3": "negative"})).set_index("unit")
    assert settled.loc["u3", ["code", "resolution"]].tolist() == ["negative", "adjudicated"]
    assert settled.loc["u4", "resolution"] == "unresolved"
