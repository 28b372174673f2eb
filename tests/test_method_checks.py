"""Method checks (script conversion, saturation of long texts), checked against SnowNLP and OpenCC directly."""

from __future__ import annotations

import math

import numpy as np
import opencc
import pytest
from snownlp import SnowNLP

from analysis.sentiment import method_checks


@pytest.fixture(scope="session")
def script_cmp(article_tables):
    return method_checks.script_comparison(article_tables.sentences, "t2s")


def test_script_comparison_is_snownlp_on_the_text_as_written_and_after_t2s(script_cmp, article_tables):
    cc = opencc.OpenCC("t2s")
    assert len(script_cmp) == len(article_tables.sentences) == 104
    for r in script_cmp.itertuples():
        written, converted = SnowNLP(r.text).sentiments, SnowNLP(cc.convert(r.text)).sentiments
        assert r.text_converted == cc.convert(r.text)
        assert r.score_as_written == written and r.score_converted == converted
        assert r.crosses_half == ((written > 0.5) != (converted > 0.5))
        assert r.difference == pytest.approx(converted - written, abs=1e-15)


def test_script_summary_reproduces_the_documented_numbers(script_cmp):
    # README, Caveats (measured when the method was designed): Traditional mean 0.40, converted 0.81, and 48 of
    # 104 sentences on the other side of 0.5.
    s = method_checks.script_summary(script_cmp).iloc[0]
    assert s["n_sentences"] == 104 and s["n_crossing_half"] == 48
    assert round(s["mean_as_written"], 2) == 0.40 and round(s["mean_converted"], 2) == 0.81
    assert s["share_crossing_half"] == pytest.approx(48 / 104)


def test_sentences_without_chinese_are_nan_and_never_cross(article_tables):
    import pandas as pd

    df = pd.DataFrame({"document": "d", "section": 0, "sentence": [0, 1], "text": ["Only ASCII.", "好。"]})
    cmp = method_checks.script_comparison(df, "t2s")
    assert math.isnan(cmp.loc[0, "score_as_written"]) and not cmp.loc[0, "crosses_half"]
    assert cmp.loc[1, "score_converted"] == SnowNLP("好。").sentiments


def test_prefix_lengths_are_geometric_from_one_to_all():
    ks = method_checks.prefix_lengths(104, 12)
    assert ks[0] == 1 and ks[-1] == 104 and ks == sorted(set(ks)) and len(ks) <= 12
    assert method_checks.prefix_lengths(3, 12) == [1, 2, 3]
    assert method_checks.prefix_lengths(0) == []


def test_prefix_scores_are_snownlp_on_the_joined_prefix_and_saturate(article_tables):
    cc = opencc.OpenCC("t2s")
    pre = method_checks.prefix_scores(article_tables.sentences, "t2s", points=5)
    texts = article_tables.sentences.sort_values("sentence")["text"].tolist()
    ks = method_checks.prefix_lengths(len(texts), 5)
    assert pre["n_sentences"].tolist() == [k for k in ks for _ in range(2)]
    for r in pre.itertuples():
        prefix = "".join(texts[:r.n_sentences])
        expected = SnowNLP(prefix if r.version == "as written" else cc.convert(prefix)).sentiments
        assert r.score == expected and r.n_chars == len(prefix)
    # README: the whole article scores 0.000 as Traditional and 1.000 after t2s (exactly, in float64).
    whole = pre[pre["n_sentences"] == len(texts)].set_index("version")["score"]
    assert whole["t2s"] == 1.0 and whole["as written"] < 1e-3
    assert pre.loc[pre["n_sentences"] == len(texts), "saturated"].tolist() == [whole["as written"] == 0.0, True]


def test_every_section_and_the_article_saturate_as_units_while_sentence_means_do_not(article_tables):
    u = method_checks.unit_scores(article_tables.sentences, "t2s")
    assert u["unit"].tolist() == ["section 0", "section 1", "section 2", "section 3", "document"]
    # README: every t2s section of the demo article and the whole article score 1.0 in float64.
    assert (u["score_as_unit"] == 1.0).all() and u["saturated"].all()
    sec = article_tables.sections.set_index("section")
    for r in u.iloc[:4].itertuples():
        assert r.mean_of_sentences == pytest.approx(sec.loc[r.section, "sentiment_mean"], rel=1e-12)
        assert r.n_sentences == sec.loc[r.section, "n_sentences"]
    assert u.iloc[4]["mean_of_sentences"] == pytest.approx(np.mean(article_tables.sentences["sentiment"]))
    assert (u["mean_of_sentences"] < 0.95).all()
