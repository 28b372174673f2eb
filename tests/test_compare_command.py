"""`python -m analysis compare` on a generated corpus: its tables recomputed from the run's own tables, byte-identical
reruns, one-line errors (exit 2) that leave earlier outputs as they were, and the minimum group size flagged alike
in the table, the figure and the README."""

from __future__ import annotations

import hashlib
import json
import re

import pandas as pd
import pytest
from matplotlib.colors import to_hex

from analysis import config
from analysis.io.synthetic import synthetic_articles
from analysis.io.tables import read_table
from analysis.present import palette
from analysis.present.comparison import plot_differences
from analysis.stats.differences import DIFFERENCE_COLUMNS, DOCUMENT_CATEGORY_COLUMNS, LEVEL_COLUMNS
from analysis.stats.groups import MIN_GROUP_DOCUMENTS
from analysis.text.decode import read_text

from .conftest import ROOT, run_cli

#: One date per document, in every form a date may take (a bare year among them).
DATES = ["2019-02-01", "2019年5月3日", "2020-08-08", "2021/12/12", "2019", "2019-06", "2019-06-19", "2019年6月19日",
         "2020-03-02", "2020年11月", "2021-01-05", "2021.07.08"]


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    """24 generated articles from two outlets with dates, analysed by `run`; the folder holding articles.csv and run/."""
    root = tmp_path_factory.mktemp("compare")
    arts = list(synthetic_articles(read_text(config.DEMO_ARTICLE), 24, seed=3, sentences=(4, 10),
                                   outlets=("港報", "京報")))
    for i, a in enumerate(arts):
        a["date"] = DATES[i % len(DATES)]
    arts[5]["outlet"] = ""  # a document without an outlet: left out of the comparison by outlet
    pd.DataFrame(arts).to_csv(root / "articles.csv", index=False)
    r = run_cli("run", "articles.csv", "--out", "run", "--quiet", cwd=root)
    assert r.returncode == 0, r.stderr
    return root


@pytest.fixture(scope="module")
def by_outlet(corpus_run):
    r = run_cli("compare", "--data", "run", "--out", "cmp", "--group-by", "outlet", "--permutations", "2000",
                cwd=corpus_run)
    assert r.returncode == 0, r.stderr
    return corpus_run / "cmp"


def test_compare_writes_its_tables_and_figure_and_nothing_into_the_run(corpus_run, by_outlet):
    assert sorted(p.name for p in by_outlet.iterdir()) == sorted(
        ["differences.csv", "levels.csv", "document_categories.csv", "differences.png", "differences.svg",
         "compare.json"])
    record = json.loads((by_outlet / "compare.json").read_text(encoding="utf-8"))
    assert record["run"]["path"] == "run" and record["min_group_documents"] == MIN_GROUP_DOCUMENTS
    assert record["run"]["files"]["documents.csv"] == hashlib.sha256(
        (corpus_run / "run" / "documents.csv").read_bytes()).hexdigest()
    assert record["options"]["group_by"] == "outlet" and record["options"]["permutations"] == 2000
    assert not any(p.name.startswith(("differences", "levels", "document_categories"))
                   for p in (corpus_run / "run").iterdir())
    assert list(read_table(by_outlet / "differences.csv").columns) == DIFFERENCE_COLUMNS
    assert list(read_table(by_outlet / "levels.csv").columns) == LEVEL_COLUMNS


def test_differences_are_the_group_means_of_the_runs_documents(corpus_run, by_outlet):
    docs = read_table(corpus_run / "run" / "documents.csv")
    with_outlet = docs[docs["meta_outlet"].notna()]
    assert len(with_outlet) == len(docs) - 1
    diffs = read_table(by_outlet / "differences.csv").set_index("measure")
    assert (diffs["level_a"].iloc[0], diffs["level_b"].iloc[0]) == ("京報", "港報")  # two levels, sorted: A − B
    for measure, column in (("sentiment", "sentiment_mean"), ("framing", "framing_per_1k_cjk")):
        means = with_outlet.dropna(subset=[column]).groupby("meta_outlet")[column].agg(["mean", "size"])
        row = diffs.loc[measure]
        assert (row["n_a"], row["n_b"]) == (means.loc["京報", "size"], means.loc["港報", "size"])
        assert row["difference"] == pytest.approx(means.loc["京報", "mean"] - means.loc["港報", "mean"])
        assert row["ci_low"] < row["difference"] < row["ci_high"]
        assert 0 < row["permutation_p"] <= 1 and row["permutations"] == 2000
        assert row["too_few"] == (min(row["n_a"], row["n_b"]) < MIN_GROUP_DOCUMENTS)
    categories = [c["id"] for c in pd.read_json(corpus_run / "run" / "manifest.json", typ="series")["lexicon"][
        "categories"]]
    assert list(diffs.index) == ["sentiment", "framing", *categories]


def test_document_categories_add_up_to_each_documents_hits_in_either_voice(corpus_run, by_outlet, tmp_path):
    docs = read_table(corpus_run / "run" / "documents.csv").set_index("document")
    table = read_table(by_outlet / "document_categories.csv")
    assert list(table.columns) == [*DOCUMENT_CATEGORY_COLUMNS, *[c for c in docs.columns if c.startswith("meta_")]]
    totals = table.groupby("document")["hits"].sum()
    assert (totals == docs["framing_hits"].reindex(totals.index)).all()
    density = table.groupby("document")["framing_per_1k_cjk"].sum()
    assert density.to_numpy() == pytest.approx(docs["framing_per_1k_cjk"].reindex(density.index).to_numpy())
    r = run_cli("compare", "--data", str(corpus_run / "run"), "--out", str(tmp_path / "own"), "--group-by",
                "outlet", "--voice", "own", "--measure", "framing", "--permutations", "100")
    assert r.returncode == 0, r.stderr
    own = read_table(tmp_path / "own" / "document_categories.csv")
    assert set(own["voice"]) == {"own"}
    assert (own.groupby("document")["hits"].sum() == docs["framing_hits_own"].reindex(totals.index)).all()
    assert read_table(tmp_path / "own" / "differences.csv")["measure"].tolist() == ["framing"]


def test_the_same_run_gives_the_same_bytes(corpus_run, by_outlet):
    r = run_cli("compare", "--data", "run", "--out", "cmp_again", "--group-by", "outlet", "--permutations",
                "2000", cwd=corpus_run)
    assert r.returncode == 0, r.stderr
    for p in by_outlet.iterdir():
        assert (corpus_run / "cmp_again" / p.name).read_bytes() == p.read_bytes(), p.name
    r = run_cli("compare", "--data", "run", "--out", "cmp_meta", "--group-by", "meta_outlet", "--permutations",
                "2000", "--measure", "sentiment", cwd=corpus_run)  # the column named with its prefix: the same
    assert r.returncode == 0, r.stderr
    assert read_table(corpus_run / "cmp_meta" / "differences.csv").iloc[0].equals(
        read_table(by_outlet / "differences.csv").iloc[0])


def test_by_period_a_trend_figure_and_one_row_per_period(corpus_run, tmp_path):
    out = tmp_path / "years"
    r = run_cli("compare", "--data", str(corpus_run / "run"), "--out", str(out), "--group-by", "date",
                "--period", "year", "--measure", "sentiment", "pride", "--permutations", "100")
    assert r.returncode == 0, r.stderr
    assert {"trend.png", "trend.svg"} <= {p.name for p in out.iterdir()}
    levels = read_table(out / "levels.csv", )
    assert levels["level"].astype(str).tolist() == ["2019", "2020", "2021"] * 2
    years = pd.Series([d[:4] for d in DATES] * 2)
    assert levels["n_documents"].tolist()[:3] == years.value_counts().sort_index().tolist()
    diffs = read_table(out / "differences.csv")
    assert diffs["level_b"].unique().tolist() == ["(rest)"] and set(diffs["period"]) == {"year"}


def test_an_unreadable_date_is_one_line_naming_the_document_and_earlier_outputs_stay(corpus_run, by_outlet):
    before = {p.name: p.read_bytes() for p in by_outlet.iterdir()}
    r = run_cli("compare", "--data", "run", "--out", "cmp", "--group-by", "date", "--period", "month",
                cwd=corpus_run)
    assert r.returncode == 2
    docs = read_table(corpus_run / "run" / "documents.csv")
    first_bare = docs.loc[docs["meta_date"] == "2019", "document"].iloc[0]
    assert r.stderr == (f"error: document '{first_bare}': meta_date '2019' gives only a year, not the month a month "
                        "needs; use --period year, or give the month\n")
    assert {p.name: p.read_bytes() for p in by_outlet.iterdir()} == before


@pytest.mark.parametrize(("args", "message"), [
    (["--out", "run"], "would write into the run folder"),
    (["--out", "run/cmp"], "would write into the run folder"),
    (["--out", "cmp2", "--measure", "tone"], "unknown measure 'tone'"),
    (["--out", "cmp2", "--levels", "港報,火星報"], "no document has the level '火星報'"),
    (["--out", "cmp2", "--group-by", "weather"], "no column 'weather'"),
])
def test_bad_options_are_one_line_errors_and_write_nothing(corpus_run, args, message):
    before = sorted(p.name for p in (corpus_run / "run").iterdir())
    group = [] if "--group-by" in args else ["--group-by", "outlet"]
    r = run_cli("compare", "--data", "run", *group, *args, cwd=corpus_run)
    assert r.returncode == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert sorted(p.name for p in (corpus_run / "run").iterdir()) == before
    assert not (corpus_run / "cmp2").exists()


def test_small_groups_are_hollow_and_marked_too_few_on_the_figure():
    rows = [{"measure": m, "voice": "all", "group_by": "meta_outlet", "period": "", "level_a": "甲", "level_b": b,
             "n_a": n, "n_b": 20, "mean_a": 1.0, "mean_b": 0.5, "difference": 0.5, "ci_low": 0.1, "ci_high": 0.9,
             "permutation_p": 0.04, "permutations": 100, "exact": False, "too_few": n < MIN_GROUP_DOCUMENTS,
             "resamples": 2000, "ci_level": 0.95}
            for m in ("sentiment", "framing") for b, n in (("乙", MIN_GROUP_DOCUMENTS - 1), ("丙", MIN_GROUP_DOCUMENTS))]
    fig = plot_differences(pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS))
    for ax in fig.axes:
        faces = [to_hex(c.lines[0].get_markerfacecolor()) for c in ax.containers]
        assert faces == ["#ffffff", palette.BLUE.lower()]
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        assert ticks[0].endswith(f"n={MIN_GROUP_DOCUMENTS - 1} vs 20 documents, too few")
        assert ticks[1].endswith(f"n={MIN_GROUP_DOCUMENTS} vs 20 documents")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert f"a group of fewer than {MIN_GROUP_DOCUMENTS} documents: interval unreliable" in legend


def test_the_readme_states_the_one_minimum_group_size():
    words = {5: "five", 8: "eight", 10: "ten", 12: "twelve", 15: "fifteen", 20: "twenty"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"about {words[MIN_GROUP_DOCUMENTS]} documents per group" in readme
    notebook = (ROOT / "notebooks" / "04-corpus.ipynb").read_text(encoding="utf-8")
    said = re.findall(r"(?:about|fewer than|at least) (\w+) documents", readme + notebook)
    assert said and set(said) == {words[MIN_GROUP_DOCUMENTS]}, said
    stated = [int(n) for n in re.findall(r"MIN_GROUP_DOCUMENTS` = (\d+)", readme)]
    codebook = (ROOT / "CODEBOOK.md").read_text(encoding="utf-8")
    stated += [int(n) for n in re.findall(r"MIN_GROUP_DOCUMENTS` \((\d+)\)", codebook)]
    assert len(stated) >= 2 and set(stated) == {MIN_GROUP_DOCUMENTS}


def test_compare_is_listed_in_the_help():
    r = run_cli("--help")
    assert r.returncode == 0 and "compare" in r.stdout
    r = run_cli("compare", "--help")
    assert "--group-by" in r.stdout and "--period" in r.stdout and "--voice" in r.stdout
