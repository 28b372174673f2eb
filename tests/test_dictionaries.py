"""Dictionaries of other tools read as lexicons (each format on a small file written here as its documentation
describes it), multi-category entries, wildcards, and `lexicon import` / `export`."""

from __future__ import annotations

import csv
import json
import logging

import pytest

from analysis.analyse import analyse_text
from analysis.errors import AnalysisError
from analysis.framing.lexicon import parse_lexicon
from analysis.io.dictionaries import read_lexicon
from analysis.io.dictionary_export import export_csv, export_liwc, export_quanteda, lexicon_yaml
from analysis.io.tables import read_table

from .conftest import run_cli

#: What every small dictionary below holds: term → (categories, boundary).
EXPECTED = {"崛起": (("pride",), "word"), "主權": (("sovereignty", "pride"), "word"), "攻堅": (("war",), "prefix"),
            "chip": (("war",), "prefix")}

# LIWC 2015 .dic: categories numbered between two % lines, then TERM<TAB>NUMBER… (a term in several categories lists
# several numbers; * is a wildcard at the end).
LIWC = "%\n1\tpride\n2\tsovereignty\n3\twar\n%\n崛起\t1\n主權\t2\t1\n攻堅*\t3\nchip*\t3\n"
# Lexicoder .lc3: +category lines, then one term per line.
LC3 = "+pride\n崛起\n主權\n+sovereignty\n主權\n+war\n攻堅*\nchip*\n"
# WordStat .cat: category lines, term lines ending in a weight "(1)", indented by tabs under their category.
CAT = "PRIDE\n\t崛起 (1)\n\t主權 (1)\nSOVEREIGNTY\n\t主權 (1)\nWAR\n\t攻堅* (1)\n\tCHIP* (1)\n"
# quanteda YAML: category: [terms], nested keys allowed.
QUANTEDA = "pride:\n  - 崛起\n  - 主權\nsovereignty:\n  - 主權\nwar:\n  - 攻堅*\n  - chip*\n"
# cntext YAML: Name, Desc, Refer, Category, Dictionary.
CNTEXT = ("Name: 测试词典\nDesc: a test\nRefer: Someone (2020)\nCategory:\n  - pride\n  - sovereignty\n  - war\n"
          "Dictionary:\n  pride:\n    - 崛起\n    - 主權\n  sovereignty:\n    - 主權\n  war:\n    - 攻堅*\n    - chip*\n")
CSV = "term,category\n崛起,pride\n主權,sovereignty\n主權,pride\n攻堅*,war\nchip*,war\n"


def _entries(lexicon):
    return {e.term: (tuple(sorted(e.categories)), e.boundary) for e in lexicon.entries}


def _sorted(expected):
    return {t: (tuple(sorted(c)), b) for t, (c, b) in expected.items()}


@pytest.mark.parametrize("name,text", [("d.dic", LIWC), ("d.lc3", LC3), ("d.yml", QUANTEDA), ("d.yaml", CNTEXT),
                                       ("d.csv", CSV)])
def test_each_format_reads_as_the_same_lexicon(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    lexicon = read_lexicon(path)
    assert _entries(lexicon) == _sorted(EXPECTED)
    assert {c.id for c in lexicon.categories} == {"pride", "sovereignty", "war"}
    assert all(e.gloss == "" and e.rationale == "" for e in lexicon.entries)


def test_wordstat_categories_are_its_category_names_and_nested_ones_join_with_a_dot(tmp_path):
    path = tmp_path / "d.cat"
    path.write_text(CAT + "POLITICS\n\tLEFT\n\t\tsocialis* (1)\n", encoding="utf-8")
    entries = {e.term: (e.categories, e.boundary) for e in read_lexicon(path).entries}
    assert entries["主權"] == (("PRIDE", "SOVEREIGNTY"), "word") and entries["CHIP"] == (("WAR",), "prefix")
    assert entries["socialis"] == (("POLITICS.LEFT",), "prefix")


def test_cntext_name_and_references_are_kept(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text(CNTEXT, encoding="utf-8")
    lexicon = read_lexicon(path)
    assert lexicon.name == "测试词典" and lexicon.references == ("Someone (2020)",)


def test_quanteda_nested_keys_are_categories_named_by_their_path(tmp_path):
    path = tmp_path / "d.yml"
    path.write_text("economy:\n  taxes:\n    - 稅*\n  jobs:\n    - 就業\n", encoding="utf-8")
    assert {e.term: e.categories for e in read_lexicon(path).entries} == {"稅": ("economy.taxes",),
                                                                          "就業": ("economy.jobs",)}


@pytest.mark.parametrize("name,text,message", [
    ("d.dic", "%\n1\tpride\n%\n崛起\t2\n", "unknown 2"),
    ("d.dic", "1\tpride\n崛起\t1\n", "between two lines holding only %"),
    ("d.dic", "%\n1\tpride\n%\n崛起 <of> 國家\t1\n", "not supported"),
    ("d.lc3", "崛起\n+pride\n", "before any [+]category"),
    ("d.csv", "word,cat\n崛起,pride\n", "term and category"),
    ("d.csv", "term,category\n崛*起,pride\n", "wildcard other than one trailing"),
    ("d.yml", "pride:\n  - 崛起\n  - 崛起*\n", "with and without a wildcard"),
    ("d.txt", "崛起\n", "unknown format .txt"),
])
def test_bad_dictionaries_are_one_line_errors_naming_the_file(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AnalysisError, match=message) as err:
        read_lexicon(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_an_imported_dictionary_warns_about_the_missing_glosses(tmp_path, caplog):
    path = tmp_path / "d.dic"
    path.write_text(LIWC, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        read_lexicon(path)
    assert "4 entries without a gloss or rationale" in caplog.text and "崛起" in caplog.text


TEXT = "國家正在崛起。維護主權。我們攻堅克難。那家公司的chips很好，microchip不算，chip算。"


def test_a_span_in_two_categories_counts_once_in_framing_hits_and_once_per_category(tmp_path):
    path = tmp_path / "d.dic"
    path.write_text(LIWC, encoding="utf-8")
    tables = analyse_text("doc", TEXT, read_lexicon(path), headings="none", title="none")
    counted = tables.kwic[tables.kwic["status"] == "counted"]
    # by hand: 崛起, 主權, 攻堅 (prefix of 攻堅克難), chips (prefix), chip; not microchip (runs on before)
    assert sorted(counted["match"]) == sorted(["崛起", "主權", "攻堅", "chip", "chip"])
    assert tables.documents.loc[0, "framing_hits"] == 5 == len(counted)
    assert counted.set_index("match").loc["主權", "category"] == "sovereignty|pride"
    per_category = tables.framing.groupby("category")["count"].sum().to_dict()
    assert per_category == {"pride": 2, "sovereignty": 1, "war": 3}


def test_a_latin_whole_word_term_needs_word_edges(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("term,category\nchip,war\n", encoding="utf-8")
    tables = analyse_text("doc", TEXT, read_lexicon(path), headings="none", title="none")
    kwic = tables.kwic.sort_values("start")
    assert list(kwic["status"]) == ["not_word", "not_word", "counted"]  # chips, microchip, chip


def test_our_schema_takes_a_list_of_categories_and_refuses_candidates():
    base = ("name: t\nversion: '1'\nreferences: []\ncategories:\n"
            "  a: {label_zh: 甲, label_en: A, description: d}\n  b: {label_zh: 乙, label_en: B, description: d}\n"
            "entries:\n")
    lexicon = parse_lexicon((base + "  - {term: 主權, category: [a, b], gloss: g, rationale: r}\n").encode(), "t.yaml")
    assert lexicon.entries[0].categories == ("a", "b") and lexicon.entries[0].category == "a"
    with pytest.raises(AnalysisError, match="line 8: .* lists category 'a' twice"):
        parse_lexicon((base + "  - {term: 主權, category: [a, a], gloss: g, rationale: r}\n").encode(), "t.yaml")
    with pytest.raises(AnalysisError, match="marked status: candidate; review it"):
        parse_lexicon((base + "  - {term: 主權, category: a, gloss: '', rationale: '', status: candidate}\n"
                       ).encode(), "t.yaml")


@pytest.mark.parametrize("export,name", [(export_liwc, "x.dic"), (export_quanteda, "x.yml"), (export_csv, "x.csv")])
def test_import_then_export_keeps_terms_categories_and_wildcards(tmp_path, export, name):
    source = tmp_path / "d.dic"
    source.write_text(LIWC, encoding="utf-8")
    ours = lexicon_yaml(read_lexicon(source), source.name)
    reread = parse_lexicon(ours.encode(), "ours.yaml")
    assert _entries(reread) == _sorted(EXPECTED)
    out = tmp_path / name
    out.write_text(export(reread), encoding="utf-8")
    assert _entries(read_lexicon(out)) == _sorted(EXPECTED)


def test_the_liwc_export_is_liwc_dic_as_documented():
    path_free = parse_lexicon(lexicon_yaml(_lexicon_of(LIWC), "d.dic").encode(), "x.yaml")
    lines = export_liwc(path_free).splitlines()
    assert lines[:5] == ["%", "1\tpride", "2\tsovereignty", "3\twar", "%"]
    assert "主權\t2\t1" in lines and "攻堅*\t3" in lines


def _lexicon_of(text, name="d.dic"):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        return read_lexicon(path)


def test_the_commands_import_and_export(tmp_path):
    source = tmp_path / "d.lc3"
    source.write_text(LC3, encoding="utf-8")
    r = run_cli("lexicon", "import", str(source), "--out", str(tmp_path / "L.yaml"))
    assert r.returncode == 0, r.stderr
    assert "without a gloss or rationale" in r.stderr
    r = run_cli("lexicon", "export", str(tmp_path / "L.yaml"), "--format", "csv")
    assert r.returncode == 0, r.stderr
    with open(tmp_path / "L.csv", encoding="utf-8") as f:
        rows = {(row["term"], row["category"]) for row in csv.DictReader(f)}
    assert rows == {("崛起", "pride"), ("主權", "pride"), ("主權", "sovereignty"), ("攻堅*", "war"), ("chip*", "war")}
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    r = run_cli("run", "--lexicon", str(source), str(tmp_path / "a.txt"), "--out", str(tmp_path / "run"), "--quiet")
    assert r.returncode == 0, r.stderr
    framing = read_table(tmp_path / "run" / "framing.csv")
    assert framing.groupby("category")["count"].sum().to_dict() == {"pride": 2, "sovereignty": 1, "war": 3}
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["lexicon"]["path"] == str(source) and manifest["lexicon"]["shipped"] is False


def test_a_broken_lexicon_of_this_package_is_not_read_as_a_quanteda_dictionary(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nversion: 1\n", encoding="utf-8")
    with pytest.raises(AnalysisError, match="lacks"):
        read_lexicon(path)
    path.write_text("pride: 崛起\n", encoding="utf-8")  # quanteda maps categories to lists
    with pytest.raises(AnalysisError, match="lists of terms"):
        read_lexicon(path)


def test_a_kwic_coding_sheet_names_every_category_of_a_multi_category_hit():
    from types import SimpleNamespace

    import pandas as pd

    from analysis.validation.sheets import category_labels

    lexicon = _lexicon_of(LIWC)
    run = SimpleNamespace(manifest={"lexicon": {"categories": lexicon.category_records()}},
                          kwic=pd.DataFrame({"category": ["sovereignty|pride"], "term": ["主權"]}))
    label = category_labels(run, lexicon)[("sovereignty|pride", "主權")]
    assert label.startswith("sovereignty · sovereignty: imported from") and " + pride · pride: imported" in label
