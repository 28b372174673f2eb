"""analysis.api (one article in memory, saving), analysis.explore views, and sections.md / sections.tex."""

from __future__ import annotations

import json
import math
import random
import re

import pandas as pd
import pytest

from analysis import api, config, schema
from analysis.errors import AnalysisError
from analysis.io.tables import read_table
from analysis.present import explore, report

from .conftest import ARTICLE


@pytest.fixture(scope="session")
def file_tables():
    return api.analyse_file()


def test_analyse_file_defaults_to_the_demo_article_and_equals_the_pipeline(file_tables, article_tables):
    assert file_tables.documents.loc[0, "document"] == ARTICLE.stem
    for name in ("sections", "sentences", "framing", "kwic"):
        a, b = getattr(file_tables, name).drop(columns="document"), getattr(article_tables, name).drop(
            columns="document")
        if name == "sections":  # bootstrap seeds depend on the document id; the rest must be equal
            seeded = ["sentiment_ci_low", "sentiment_ci_high", "sentiment_ci_low_own", "sentiment_ci_high_own"]
            a, b = a.drop(columns=seeded), b.drop(columns=seeded)
        pd.testing.assert_frame_equal(a, b)


def test_analyse_file_equals_the_command_line_run(file_tables, article_run):
    for name in ("sections", "sentences"):
        pd.testing.assert_frame_equal(getattr(file_tables, name), read_table(article_run / f"{name}.csv"),
                                      check_dtype=False)


def test_relative_paths_resolve_against_the_working_folder(tmp_path, monkeypatch, lexicon):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("国产芯片。\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert api.article_path("sub/a.txt") == tmp_path / "sub" / "a.txt"
    assert api.article_path(None) == config.DEMO_ARTICLE
    t = api.analyse_file("sub/a.txt", lexicon, "none", "none", scorer=_Fixed())
    assert t.documents.loc[0, "document"] == "a" and t.documents.loc[0, "framing_hits"] == 1
    with pytest.raises(AnalysisError, match="not found"):
        api.article_path("sub/missing.txt")
    with pytest.raises(AnalysisError, match="converter"):
        api.analyse_file("sub/a.txt", converter="nope")


def test_analyse_file_takes_a_second_scorer_like_the_command_line(lexicon_run):
    from analysis.sentiment.hownet import HowNetScorer

    t = api.analyse_file(second_scorer="lexicon")
    assert list(t.sentences.columns) == schema.columns("sentences", "lexicon")
    assert list(t.sections.columns) == schema.columns("sections", "lexicon")
    fresh = HowNetScorer()  # its own instance, scoring each sentence on its own
    expected = [fresh.score_one(s) for s in t.sentences["text_scored"]]
    assert t.sentences["sentiment_lexicon"].tolist() == pytest.approx(expected, nan_ok=True, rel=0, abs=0)
    pd.testing.assert_frame_equal(t.sentences, read_table(lexicon_run / "sentences.csv"), check_dtype=False)


def test_load_run_reads_a_run_folder_relative_to_the_working_folder(article_run, monkeypatch):
    monkeypatch.chdir(article_run.parent)
    run = api.load_run(article_run.name)
    assert run.folder == article_run
    for name, file in schema.TABLE_FILES.items():
        pd.testing.assert_frame_equal(getattr(run, name), read_table(article_run / file))
    assert run.manifest == json.loads((article_run / "manifest.json").read_text(encoding="utf-8"))
    assert list(run.failures.columns) == schema.FAILURE_COLUMNS and run.failures.empty
    assert run.categories == api.categories(api.get_lexicon())


class _Fixed:
    name = "fixed"

    def score(self, texts):
        return [0.25] * len(texts)


@pytest.mark.parametrize("folder", [config.PROCESSED_DATA_DIR, config.RAW_DATA_DIR / "x", config.FIGURES_DIR])
def test_save_outputs_never_writes_into_the_committed_folders(folder):
    def listing():
        return sorted(folder.parent.iterdir()), sorted(folder.iterdir()) if folder.exists() else None

    before = listing()
    with pytest.raises(AnalysisError, match="only `make figures` writes"):
        api.save_outputs(folder, {"t": pd.DataFrame({"a": [1]})})
    assert listing() == before


def test_save_outputs_writes_csv_and_figures_relative_to_the_working_folder(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    (tmp_path / "res").mkdir()
    (tmp_path / "res" / "keep.txt").write_text("mine", encoding="utf-8")
    fig, _ax = plt.subplots()
    written = api.save_outputs("res", {"t": pd.DataFrame({"a": [1.5, math.nan], "b": ["x", "中"]})}, {"f": fig})
    assert [p.name for p in written] == ["f.png", "f.svg", "t.csv"]
    assert (tmp_path / "res" / "t.csv").read_text(encoding="utf-8") == "a,b\n1.5,x\n,中\n"
    assert sorted(p.name for p in (tmp_path / "res").iterdir()) == ["f.png", "f.svg", "keep.txt", "t.csv"]


def test_extreme_sentences_top_and_bottom_without_repeats():
    s = pd.DataFrame({"document": "d", "section": [0] * 5 + [1] * 2, "sentence": range(7),
                      "sentiment": [0.5, 0.9, 0.1, 0.9, math.nan, 0.3, 0.7], "framing_hits": 0,
                      "text": list("abcdefg")})
    e = explore.extreme_sentences(s, k=2)
    sec0 = e[e["section"] == 0]
    assert sec0[sec0["which"] == "most positive"]["sentence"].tolist() == [1, 3]  # tie: reading order
    assert sec0[sec0["which"] == "most negative"]["sentence"].tolist() == [2, 0]
    sec1 = e[e["section"] == 1]
    assert sec1["sentence"].tolist() == [6, 5] and sec1["which"].tolist() == ["most positive", "most negative"]
    assert not e.duplicated(["section", "sentence"]).any() and 4 not in e["sentence"].tolist()


def test_framing_by_category_adds_up_to_section_hits(article_tables, lexicon):
    fc = explore.framing_by_category(article_tables.sections, article_tables.framing, lexicon)
    assert len(fc) == len(article_tables.sections) * len(lexicon.categories)
    per_section = fc.groupby("section")["hits"].sum()
    for r in article_tables.sections.itertuples():
        assert per_section[r.section] == r.framing_hits
        rows = fc[fc["section"] == r.section]
        assert rows["per_1k_cjk"].sum() == pytest.approx(r.framing_per_1k_cjk)


def test_lexicon_table_lists_every_entry_with_its_hits(article_tables, lexicon):
    lt = explore.lexicon_table(lexicon, article_tables.framing)
    counted = article_tables.kwic[article_tables.kwic["status"] == "counted"]
    # 42 with lexicon 1.0.0, less 戰略部署 (2), 差距 and 撼動 (dropped) and 中美 (no conflict after it): CHANGELOG.md
    assert len(lt) == len(lexicon.entries) and lt["hits"].sum() == len(counted) == 37
    assert lt.set_index("term").loc["國產", "hits"] == 6  # plain substring count (test_framing)
    ct = explore.category_table(lexicon)
    assert ct["n_terms"].sum() == len(lexicon.entries) and list(ct["category"]) == [c.id for c in lexicon.categories]


def _md_rows(text):
    lines = [line for line in text.splitlines() if line.startswith("|")]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]


def test_sections_md_and_tex_are_written_by_run_and_round_the_csv(article_run):
    sections = read_table(article_run / "sections.csv")
    rows = _md_rows((article_run / "sections.md").read_text(encoding="utf-8"))
    header, body = rows[0], rows[2:]
    assert header[:3] == ["section", "heading", "n"] and len(body) == len(sections) == 4
    assert all(len(r) == len(header) for r in rows)
    for r, s in zip(body, sections.itertuples(), strict=True):
        cell = dict(zip(header, r, strict=True))
        assert cell["heading"] == s.heading and int(cell["n"]) == s.n_scored
        assert abs(float(cell["mean"]) - s.sentiment_mean) <= 0.005
        low, high = map(float, cell["95% CI"].strip("[]").split(","))
        assert abs(low - s.sentiment_ci_low) <= 0.005 and abs(high - s.sentiment_ci_high) <= 0.005
        assert int(cell["framing hits"]) == s.framing_hits
    tex = (article_run / "sections.tex").read_text(encoding="utf-8")
    assert "\\begin{tabular}" in tex and "\\toprule" in tex and "95\\% CI" in tex
    assert "中國AI正在重寫全球規則" in tex and tex.count("\\\\\n") == 5  # header + 4 sections
    manifest = json.loads((article_run / "manifest.json").read_text(encoding="utf-8"))
    assert {"sections.md", "sections.tex"} <= set(manifest["tables"])


def test_report_escapes_and_shows_missing_values_as_a_dash():
    s = pd.DataFrame([{"document": "d", "section": 0, "heading": "A|B & 50% _x_", "n_scored": 1,
                       "sentiment_mean": 0.123, "sentiment_median": 0.123, "sentiment_ci_low": math.nan,
                       "sentiment_ci_high": math.nan, "share_positive": 0.0, "framing_hits": 0,
                       "framing_per_1k_cjk": math.nan}])
    r = report.section_report(s)
    md = report.to_markdown(r)
    row = _md_rows(md)[2]
    assert row[1] == "A\\|B & 50% _x_" and row[3] == "0.12" and row[4] == "–" and row[-1] == "–"
    tex = report.to_latex(r)
    assert "A|B \\& 50\\% \\_x\\_" in tex


def test_latex_escaping_equals_pandas_to_latex_on_hostile_cells():
    """Independent computation: pandas' own LaTeX writer, on seeded random cells made of every special character."""
    rng = random.Random(20260211)
    alphabet = [*"\\&%$#_{}~^|ab中文", " ", "  ", "\n"]
    for _ in range(200):
        cells = pd.DataFrame({"section": ["0", "1", "2"], "heading": [
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(3)], "n": ["1"] * 3})
        caption = "".join(rng.choice(alphabet) for _ in range(20)).replace("\n", " ")
        expected = cells.to_latex(index=False, escape=True, caption=report.escape_latex(caption),
                                  label=report.LABEL, column_format="rlr")
        assert report.to_latex(cells, caption=caption) == expected


@pytest.mark.parametrize("documents", [1, 3])
def test_the_report_files_written_from_sections_csv_equal_the_report_tables(tmp_path, documents):
    """sections.md and sections.tex, written from sections.csv row by row (only the text cells escaped), equal
    to_markdown and to_latex of section_report on the whole table: hostile document ids and headings (every special
    character, pipes, line breaks), missing values, negative, tiny, huge and infinite numbers."""
    from analysis.io.tables import write_csv

    rng = random.Random(17)
    alphabet = [*"\\&%$#_{}~^|ab中文", " ", "  ", "\n"]
    numbers = [0.0, -0.0, 0.125, 0.135, -1.5, 1e-9, 1e20, math.inf, -math.inf, math.nan, 2 / 3]
    rows = []
    for k in range(60):
        doc = f"d{k % documents}" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4))).replace("\n", "")
        rows.append({"document": doc, "section": k, "heading": "".join(rng.choice(alphabet) for _ in range(
            rng.randint(0, 10))).strip() or math.nan, "n_scored": rng.randint(0, 9),
            **{c: rng.choice(numbers) for c in ("sentiment_mean", "sentiment_median", "sentiment_ci_low",
                                                 "sentiment_ci_high", "share_positive", "framing_per_1k_cjk")},
            "framing_hits": rng.randint(0, 5)})
    table = pd.DataFrame(rows).sort_values(["document", "section"], kind="stable")
    write_csv(table, tmp_path / "sections.csv")
    report.write_section_reports(tmp_path / "sections.csv", tmp_path, documents)
    whole = report.section_report(read_table(tmp_path / "sections.csv"), document=documents > 1)
    assert (tmp_path / "sections.md").read_text(encoding="utf-8") == report.to_markdown(whole)
    assert (tmp_path / "sections.tex").read_text(encoding="utf-8") == report.to_latex(whole)


def test_the_caption_is_escaped_too():
    """A bare % would start a LaTeX comment and swallow the caption's closing brace."""
    tex = report.to_latex(pd.DataFrame({"n": ["1"]}))
    assert "95\\% CI" in tex and not re.search(r"(?<!\\)%", tex)


def test_citation_cff_names_the_package_version():
    import tomllib

    import yaml

    from .conftest import ROOT

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert str(cff["version"]) == project["version"] and cff["license"] == project["license"]
    assert {"cff-version", "message", "title", "authors", "abstract"} <= set(cff)
    assert {r["title"] for r in cff["references"]} >= {"SnowNLP", "OpenCC"}

