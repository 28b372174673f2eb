"""Keyness: the statistics against scipy's 2×2 computations and hand counts; the words counted; the command."""

from __future__ import annotations

import csv
import json
import math
from collections import Counter

import numpy as np
import pytest
from scipy import stats as sps

from analysis import config
from analysis.io.tables import read_table
from analysis.stats import keyness as kn
from analysis.text.tokens import load_stopwords, words
from analysis.text.words import WordSegmenter

from .conftest import run_cli

#: (a, b, A, B): a of A words in the target, b of B in the reference; includes cells below 5, a zero count and a
#: table whose |O - E| is below 0.5 (Yates's correction must then stop at zero, as scipy's does).
TABLES = [(48, 0, 5000, 9000), (61, 20, 5000, 9000), (7, 215, 5000, 9000), (3, 2, 40, 60), (1, 1, 100, 100),
          (10, 30, 1000, 3000), (5, 16, 1000, 3000), (0, 9, 800, 700)]


def _scipy(a, b, big_a, big_b, **kw):
    table = np.array([[a, big_a - a], [b, big_b - b]])
    return sps.chi2_contingency(table, **kw)


@pytest.mark.parametrize("a,b,big_a,big_b", TABLES)
def test_chi2_equals_scipys_yates_corrected_chi2_contingency_with_the_sign_of_the_difference(a, b, big_a, big_b):
    stat = kn.statistic_2x2(np.array([a]), np.array([b]), big_a, big_b, "chi2")[0]
    expected = _scipy(a, b, big_a, big_b, correction=True)
    assert abs(stat) == pytest.approx(expected.statistic, rel=1e-10, abs=1e-12)
    over = a / big_a > b / big_b
    assert (stat >= 0) if over or a / big_a == b / big_b else (stat <= 0)


@pytest.mark.parametrize("a,b,big_a,big_b", TABLES)
def test_lr_equals_scipys_log_likelihood_g2_and_p_is_its_chi2_tail(a, b, big_a, big_b):
    stat = kn.statistic_2x2(np.array([a]), np.array([b]), big_a, big_b, "lr")[0]
    expected = _scipy(a, b, big_a, big_b, correction=False, lambda_="log-likelihood")
    assert abs(stat) == pytest.approx(expected.statistic, rel=1e-10, abs=1e-12)
    # by hand: G2 = 2 Σ O ln(O/E)
    obs = np.array([a, big_a - a, b, big_b - b], dtype=float)
    n = big_a + big_b
    exp = np.array([big_a * (a + b), big_a * (n - a - b), big_b * (a + b), big_b * (n - a - b)]) / n
    assert abs(stat) == pytest.approx(2 * sum(o * math.log(o / e) for o, e in zip(obs, exp, strict=True) if o > 0), rel=1e-10,
                                      abs=1e-12)


def test_keyness_table_columns_filter_order_p_and_log_ratio():
    target = Counter({"晶片": 48, "美国": 61, "创新": 7, "罕见": 2, "平": 30})
    reference = Counter({"美国": 20, "创新": 215, "罕见": 1, "平": 90, "其他": 8000})
    df = kn.keyness(target, reference, "chi2", min_count=5)
    assert list(df.columns) == kn.KEYNESS_COLUMNS
    assert "罕见" not in set(df["term"])  # 3 < 5
    assert list(df["statistic"]) == sorted(df["statistic"], reverse=True)
    big_a, big_b = sum(target.values()), sum(reference.values())
    row = df.set_index("term").loc["创新"]
    assert row["n_target"] == 7 and row["n_reference"] == 215
    assert row["p"] == pytest.approx(_scipy(7, 215, big_a, big_b, correction=True).pvalue, rel=1e-9)
    assert row["log_ratio"] == pytest.approx(math.log2((7 / big_a) / (215 / big_b)))
    zero = df.set_index("term").loc["晶片"]  # absent from the reference: 0 replaced by 0.5
    assert zero["log_ratio"] == pytest.approx(math.log2((48 / big_a) / (0.5 / big_b)))


def test_an_unknown_measure_and_an_empty_group_are_one_line_errors():
    from analysis.errors import AnalysisError

    with pytest.raises(AnalysisError, match="unknown measure"):
        kn.statistic_2x2(np.array([1]), np.array([1]), 10, 10, "pmi")
    with pytest.raises(AnalysisError, match="target documents have no words"):
        kn.keyness(Counter(), Counter({"x": 3}))


def test_words_drop_punctuation_numbers_and_stop_words_and_keep_lexicon_terms_whole():
    stop = load_stopwords(config.STOPWORDS)
    assert {"的", "了", "是", "我们"} <= stop and "#" not in "".join(stop)
    plain = list(words("我们的算力主权精神，2026年AI芯片！", WordSegmenter(), stop))
    with_term = list(words("我们的算力主权精神，2026年AI芯片！", WordSegmenter(["算力主权"]), stop))
    assert "算力主权" in with_term and "算力主权" not in plain
    for w in with_term:
        assert w not in stop and w not in {"，", "！", "2026"}
    assert "ai" in with_term  # Latin letters lower-cased


def _corpus(tmp_path):
    """A table of ten articles from two outlets with words counted by hand below."""
    rows = []
    for i in range(5):
        rows.append({"id": f"a{i}", "outlet": "甲", "text": "晶片产业发展迅速。美国限制晶片出口。" * (i + 1)})
        rows.append({"id": f"b{i}", "outlet": "乙", "text": "人工智能推动创新。创新带来增长。"})
    path = tmp_path / "articles.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["id", "outlet", "text"])
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("keyness")
    out = tmp / "run"
    r = run_cli("run", str(_corpus(tmp)), "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr
    return out


def test_the_command_writes_keyness_with_counts_that_match_the_texts(small_run, tmp_path):
    out = tmp_path / "key"
    r = run_cli("keyness", "--data", str(small_run), "--out", str(out), "--group-by", "outlet", "--target", "甲",
                "--min-count", "1")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["keyness.csv", "keyness.json", "keyness.png", "keyness.svg"]
    df = read_table(out / "keyness.csv").set_index("term")
    sentences = read_table(small_run / "sentences.csv")
    docs = read_table(small_run / "documents.csv")
    target_docs = set(docs.loc[docs["meta_outlet"] == "甲", "document"])
    text = sentences.groupby(sentences["document"].isin(target_docs))["text_scored"].apply("".join)
    for term in ("晶片", "创新"):  # independent count: occurrences in the concatenated texts
        assert df.loc[term, "n_target"] == text[True].count(term)
        assert df.loc[term, "n_reference"] == text[False].count(term)
    assert df.loc["晶片", "statistic"] > 0 > df.loc["创新", "statistic"]
    info = json.loads((out / "keyness.json").read_text(encoding="utf-8"))
    assert info["n_documents"] == {"target": 5, "reference": 5} and info["measure"] == "chi2"
    assert not (set(df.index) & load_stopwords(config.STOPWORDS))


@pytest.mark.parametrize("args,message", [
    (("--target", "丙"), "no document has meta_outlet = '丙'"),
    (("--target", "甲", "--group-by", "nope"), "no column 'nope'"),
])
def test_bad_keyness_input_is_a_one_line_error(small_run, tmp_path, args, message):
    base = ["keyness", "--data", str(small_run), "--out", str(tmp_path / "k"), "--group-by", "outlet"]
    r = run_cli(*base, *args)
    assert r.returncode == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not (tmp_path / "k").exists()


def test_keyness_never_writes_into_the_run(small_run):
    before = sorted(p.name for p in small_run.iterdir())
    r = run_cli("keyness", "--data", str(small_run), "--out", str(small_run / "key"), "--group-by", "outlet",
                "--target", "甲")
    assert r.returncode == 2 and "inside the run folder" in r.stderr
    assert sorted(p.name for p in small_run.iterdir()) == before
