"""`kwic` (any string, either script) against the run's own kwic.csv; `lexicon suggest` against a hand count."""

from __future__ import annotations

import math

import pytest
import yaml
from scipy import stats as sps

from analysis.errors import AnalysisError
from analysis.framing.lexicon import parse_lexicon
from analysis.io.tables import read_table
from analysis.stats.association import associated_words, examples

from .conftest import run_cli

SAME = ["document", "section", "sentence", "start", "end", "left", "match", "right", "voice"]


def test_kwic_finds_every_hit_the_run_found_with_the_same_offsets_context_and_voice(article_run, tmp_path):
    run_kwic = read_table(article_run / "kwic.csv")
    terms = sorted(set(run_kwic["term"]))
    out = tmp_path / "q.csv"
    r = run_cli("kwic", "--data", str(article_run), "--out", str(out), *terms)
    assert r.returncode == 0, r.stderr
    found = read_table(out)
    assert list(found.columns) == list(run_kwic.columns)
    assert set(found["status"]) == {"query"} and found["category"].isna().all()
    merged = run_kwic.merge(found, on=["document", "start", "end", "term"], how="left", suffixes=("", "_q"),
                            indicator=True)
    assert (merged["_merge"] == "both").all()  # every hit of the run, whatever its status
    for col in ("section", "sentence", "left", "match", "right", "voice"):
        assert merged[col].equals(merged[f"{col}_q"].astype(merged[col].dtype)), col


def test_kwic_reads_either_script_and_any_string(article_run, tmp_path):
    out = tmp_path / "q.csv"
    r = run_cli("kwic", "--data", str(article_run), "--out", str(out), "两弹一星", "智譜", "模型")
    assert r.returncode == 0, r.stderr
    found = read_table(out)
    sentences = read_table(article_run / "sentences.csv")
    sections = read_table(article_run / "sections.csv")
    # independent count: occurrences in the sentences and headings as written
    for query, written in (("两弹一星", "兩彈一星"), ("智譜", "智譜"), ("模型", "模型")):
        expected = sum(t.count(written) for t in sentences["text"]) + sum(
            h.count(written) for h in sections["heading"].dropna())
        assert (found["term"] == query).sum() == expected, query
        assert set(found.loc[found["term"] == query, "match"]) == {written}


def test_kwic_errors(article_run, tmp_path):
    r = run_cli("kwic", "--data", str(article_run), "--out", str(tmp_path / "q.csv"), " ")
    assert r.returncode == 2 and "empty" in r.stderr
    r = run_cli("kwic", "--data", str(article_run), "--out", str(article_run / "q.csv"), "中國")
    assert r.returncode == 2 and "inside the run folder" in r.stderr and not (article_run / "q.csv").exists()


def test_association_is_g2_over_sentences_by_hand():
    # 10 sentences, 4 of the category; "甲" in 3 of them and 1 other; "乙" in 2 category sentences and 5 others
    sets = [{"甲", "乙"}, {"甲", "乙"}, {"甲"}, set(), {"甲"}, {"乙"}, {"乙"}, {"乙"}, {"乙"}, {"乙"}]
    flags = [True] * 4 + [False] * 6
    df = associated_words([frozenset(s) for s in sets], flags, exclude=set(), top=10).set_index("term")
    table = [[3, 1], [1, 5]]  # rows: category / rest; columns: with 甲 / without
    g2 = sps.chi2_contingency(table, correction=False, lambda_="log-likelihood").statistic
    assert df.loc["甲", "statistic"] == pytest.approx(g2) and df.loc["甲", "n_category"] == 3
    assert df.loc["甲", "n_rest"] == 1 and df.loc["甲", "log_ratio"] == pytest.approx(math.log2((3 / 4) / (1 / 6)))
    assert "乙" not in df.index  # 2/4 < 5/6: not associated with the category
    assert associated_words([frozenset(s) for s in sets], flags, exclude={"甲"}, top=10).empty


def test_examples_show_the_first_three_occurrences_in_context():
    assert examples(["一二三甲四", "没有", "甲在前", "再甲", "又甲"], "甲", window=2) == ["二三【甲】四", "【甲】在前",
                                                                                     "再【甲】"]
    assert examples(["没有"], "甲") == ["", "", ""]
    assert examples(["中国AI芯片"], "ai", window=2) == ["中国【AI】芯片", "", ""]


def test_lexicon_suggest_writes_candidates_that_a_lexicon_refuses_until_accepted(article_run, tmp_path):
    out = tmp_path / "sug"
    r = run_cli("lexicon", "suggest", "--data", str(article_run), "--out", str(out), "--category", "rivalry",
                "--top", "5")
    assert r.returncode == 0, r.stderr
    table = read_table(out / "candidates.csv")
    assert 0 < len(table) <= 5 and set(table["category"]) == {"rivalry"}
    assert list(table["statistic"]) == sorted(table["statistic"], reverse=True)
    snippet = yaml.safe_load((out / "candidates.yaml").read_text(encoding="utf-8"))
    assert [e["term"] for e in snippet["entries"]] == list(table["term"])
    assert all(e["status"] == "candidate" for e in snippet["entries"])
    # the n_category of each candidate, recounted: body sentences with a counted rivalry hit holding the word
    kwic = read_table(article_run / "kwic.csv")
    hits = kwic[(kwic["status"] == "counted") & (kwic["category"] == "rivalry") & kwic["sentence"].notna()]
    sentences = read_table(article_run / "sentences.csv")
    inside = sentences[sentences["sentence"].isin(hits["sentence"].astype(int))]
    for row in table.itertuples():
        assert row.n_category <= inside["text_scored"].str.lower().str.contains(row.term, regex=False).sum()
        assert row.example_1 and f"【{row.term}】" in row.example_1.lower()
    base = ("name: t\nversion: '1'\nreferences: []\ncategories:\n"
            "  rivalry: {label_zh: 甲, label_en: A, description: d}\n")
    pasted = base + (out / "candidates.yaml").read_text(encoding="utf-8")
    with pytest.raises(AnalysisError, match="status: candidate"):
        parse_lexicon(pasted.encode(), "pasted.yaml")
    accepted = pasted.replace("    status: candidate\n", "").replace('gloss: ""', "gloss: g").replace(
        'rationale: ""', "rationale: r")
    assert [e.term for e in parse_lexicon(accepted.encode(), "accepted.yaml").entries] == list(table["term"])
    run_files = sorted(p.name for p in article_run.iterdir())
    assert "candidates.csv" not in run_files


def test_lexicon_suggest_refuses_an_unknown_category(article_run, tmp_path):
    r = run_cli("lexicon", "suggest", "--data", str(article_run), "--out", str(tmp_path / "s"), "--category", "x")
    assert r.returncode == 2 and "no category 'x'" in r.stderr
