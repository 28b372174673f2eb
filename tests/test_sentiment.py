"""Sentence sentiment and its aggregation, checked against SnowNLP and an independent recomputation."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import opencc
import pytest
from snownlp import SnowNLP

from analysis.analyse import analyse_text
from analysis.sentiment.scorers import score_texts


def test_every_sentence_score_is_snownlp_on_t2s_text(article_tables):
    cc = opencc.OpenCC("t2s")
    s = article_tables.sentences
    assert len(s) == 104 and s["sentiment"].notna().all()
    for r in s.itertuples():
        assert r.text_scored == cc.convert(r.text)
        assert r.sentiment == SnowNLP(cc.convert(r.text)).sentiments


def _independent_summary(values, document, section):
    """The documented recipe, written out independently: seed = first 8 bytes of sha256("base␟doc␟section")."""
    x = np.array([v for v in values if not math.isnan(v)])
    seed = int.from_bytes(hashlib.sha256(f"20260211\x1f{document}\x1f{section}".encode()).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    means = np.array([x[rng.integers(0, len(x), len(x))].mean() for _ in range(2000)]) if len(x) >= 2 else None
    return {
        "n": len(x), "mean": x.mean(), "median": float(np.median(x)), "share": float(np.mean(x > 0.5)),
        "ci": tuple(np.percentile(means, [2.5, 97.5])) if means is not None else (math.nan, math.nan),
    }


def test_section_and_document_statistics_recomputed_from_sentences(article_run):
    import pandas as pd

    sen = pd.read_csv(article_run / "sentences.csv", dtype={"document": str})
    sec = pd.read_csv(article_run / "sections.csv", dtype={"document": str})
    doc = pd.read_csv(article_run / "documents.csv", dtype={"document": str})
    assert sec["n_sentences"].sum() == len(sen) == doc.loc[0, "n_sentences"] == 104
    for r in sec.itertuples():
        got = _independent_summary(sen.loc[sen["section"] == r.section, "sentiment"].tolist(), r.document, r.section)
        assert r.n_scored == got["n"]
        assert r.sentiment_mean == pytest.approx(got["mean"], rel=1e-12)
        assert r.sentiment_median == pytest.approx(got["median"], rel=1e-12)
        assert r.share_positive == pytest.approx(got["share"], rel=1e-12)
        assert (r.sentiment_ci_low, r.sentiment_ci_high) == pytest.approx(got["ci"], rel=1e-9)
        assert r.sentiment_ci_low <= r.sentiment_mean <= r.sentiment_ci_high
    got = _independent_summary(sen["sentiment"].tolist(), doc.loc[0, "document"], "document")
    assert doc.loc[0, "sentiment_mean"] == pytest.approx(got["mean"], rel=1e-12)
    assert (doc.loc[0, "sentiment_ci_low"], doc.loc[0, "sentiment_ci_high"]) == pytest.approx(got["ci"], rel=1e-9)


class Recorder:
    """A stand-in scorer that records what it is asked to score."""

    name = "recorder"

    def __init__(self):
        self.seen = []

    def score(self, texts):
        self.seen += list(texts)
        return [0.75] * len(texts)


def test_text_without_chinese_is_nan_and_never_reaches_the_scorer(lexicon):
    rec = Recorder()
    t = analyse_text("d", "Title\n\nOnly English here. 2026!\n\n中文句子。", lexicon, scorer=rec)
    assert rec.seen == ["中文句子。"]
    assert t.sentences["sentiment"].isna().tolist() == [True, False]  # ASCII "." does not end a sentence
    assert math.isnan(score_texts(["   ", "abc"], rec)[0])


def test_statistics_with_zero_or_one_scored_sentence(lexicon):
    t = analyse_text("d", "標題\n\n只有一句。\n\n小節\n\nNo Chinese at all.", lexicon, scorer=Recorder())
    one, none = t.sections.iloc[0], t.sections.iloc[1]
    assert one["n_scored"] == 1 and one["sentiment_mean"] == 0.75 and math.isnan(one["sentiment_ci_low"])
    assert none["n_scored"] == 0
    assert all(math.isnan(none[c]) for c in ("sentiment_mean", "sentiment_median", "share_positive",
                                             "sentiment_ci_low", "sentiment_ci_high"))


def test_converter_none_scores_the_text_as_is(lexicon):
    t = analyse_text("d", "標題\n\n這是繁體中文。", lexicon, converter="none")
    assert t.sentences.loc[0, "text_scored"] == "這是繁體中文。"
    assert t.sentences.loc[0, "sentiment"] == SnowNLP("這是繁體中文。").sentiments
