"""The command line: tables, manifest, ids, and one-line errors with exit status 2."""

from __future__ import annotations

import json
import shutil

import pandas as pd

from analysis.io.tables import read_table

from .conftest import ARTICLE, ROOT, run_cli


def test_run_writes_every_table_with_its_columns(article_run):
    from analysis.schema import DOCUMENT_COLUMNS, FRAMING_COLUMNS, KWIC_COLUMNS, SECTION_COLUMNS, SENTENCE_COLUMNS
    for name, cols in {"documents": DOCUMENT_COLUMNS, "sections": SECTION_COLUMNS, "sentences": SENTENCE_COLUMNS,
                       "framing": FRAMING_COLUMNS, "kwic": KWIC_COLUMNS}.items():
        df = read_table(article_run / f"{name}.csv")
        assert list(df.columns)[:len(cols)] == cols
        assert all(c.startswith("meta_") for c in df.columns[len(cols):])  # documents: the .meta.yaml fields
    doc = read_table(article_run / "documents.csv")
    assert doc.loc[0, "document"] == ARTICLE.stem
    assert doc.loc[0, "metadata"] == "(觀察者網)"


def test_manifest_has_versions_hashes_parameters_and_no_absolute_paths(article_run):
    text = (article_run / "manifest.json").read_text(encoding="utf-8")
    m = json.loads(text)
    assert m["parameters"]["converter"] == "t2s"
    assert m["inputs"][0]["sha256"] == "e3fe33df1fa540d7dc65dacc3243b61e6904b0f7a46968cd146e3ebbe9cd9020"
    assert len(m["lexicon"]["sha256"]) == 64 and m["versions"]["snownlp"] == "0.12.3"
    assert str(ROOT) not in text and "/tmp" not in text and "/home" not in text


def test_floats_are_written_at_full_precision(article_run):
    raw = (article_run / "sentences.csv").read_text(encoding="utf-8").splitlines()[1]
    df = pd.read_csv(article_run / "sentences.csv")
    assert repr(float(df.loc[0, "sentiment"])) in raw


def test_folder_input_ids_are_relative_posix_paths(tmp_path):
    (tmp_path / "in" / "outlet_a").mkdir(parents=True)
    shutil.copy(ARTICLE, tmp_path / "in" / "outlet_a" / "one.txt")
    (tmp_path / "in" / "two.md").write_text("# 標題\n\n國產晶片。\n", encoding="utf-8")
    r = run_cli("run", "in", "--out", "out", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    docs = read_table(tmp_path / "out" / "documents.csv")
    assert docs["document"].tolist() == ["outlet_a/one", "two"]


def test_duplicate_ids_are_an_error(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "same.txt").write_text("標題\n\n正文。", encoding="utf-8")
    r = run_cli("run", str(tmp_path / "a" / "same.txt"), str(tmp_path / "b" / "same.txt"), "--out",
                str(tmp_path / "o"))
    assert r.returncode == 2 and "same" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_bad_lexicon_converter_and_paths_exit_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nversion: 1\n", encoding="utf-8")
    cases = [
        (["run", str(ARTICLE), "--lexicon", str(bad), "--out", str(tmp_path / "o")], "lacks"),
        (["run", str(ARTICLE), "--converter", "nope", "--out", str(tmp_path / "o")], "converter"),
        (["run", str(tmp_path / "missing.txt"), "--out", str(tmp_path / "o")], "no such file"),
        (["figures", "--data", str(tmp_path / "nothing"), "--out", str(tmp_path / "f")], "not found"),
    ]
    for args, word in cases:
        r = run_cli(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert word in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_rerun_replaces_outputs_and_keeps_nothing_stale(article_run, tmp_path):
    out = tmp_path / "o"
    shutil.copytree(article_run, out)
    r = run_cli("run", str(ARTICLE), "--out", str(out))
    assert r.returncode == 0, r.stderr
    for f in article_run.iterdir():
        assert (out / f.name).read_bytes() == f.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
