"""`run --metadata FILE.csv`: metadata for a folder in one table, checked against sidecar files."""

from __future__ import annotations

import json

from analysis.io.tables import read_table

from .conftest import run_cli

TEXT = "國產晶片發展迅速，業界表示樂觀。\n"


def _folder(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a", "b", "c"):
        (corpus / f"{name}.txt").write_text(TEXT, encoding="utf-8")
    (corpus / "b.meta.yaml").write_text("outlet: 乙報\n", encoding="utf-8")
    return corpus


def test_a_metadata_table_fills_documents_csv_and_agrees_with_a_sidecar(tmp_path):
    corpus = _folder(tmp_path)
    meta = tmp_path / "meta.csv"
    meta.write_text("document,outlet,date\na,甲報,2019-06\nb,乙報,\nzz,丙報,2020\n", encoding="utf-8")
    r = run_cli("run", str(corpus), "--metadata", str(meta), "--out", str(tmp_path / "run"), "--quiet")
    assert r.returncode == 0, r.stderr
    assert "1 row(s) name no document of this run (zz)" in r.stderr
    docs = read_table(tmp_path / "run" / "documents.csv").set_index("document")
    assert docs.loc["a", "meta_outlet"] == "甲報" and docs.loc["a", "meta_date"] == "2019-06"
    assert docs.loc["b", "meta_outlet"] == "乙報"  # from both, equal
    assert docs["meta_date"].isna()[["b", "c"]].all() and docs["meta_outlet"].isna()["c"]
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["metadata"]["file"] == str(meta)


def test_the_file_column_names_documents_by_their_file(tmp_path):
    corpus = _folder(tmp_path)
    meta = tmp_path / "meta.csv"
    meta.write_text("file,outlet\nc.txt,丙報\n", encoding="utf-8")
    r = run_cli("run", str(corpus), "--metadata", str(meta), "--out", str(tmp_path / "run"), "--quiet")
    assert r.returncode == 0, r.stderr
    docs = read_table(tmp_path / "run" / "documents.csv").set_index("document")
    assert docs.loc["c", "meta_outlet"] == "丙報" and docs.loc["b", "meta_outlet"] == "乙報"


def test_a_conflict_with_a_sidecar_is_an_error_naming_both_files(tmp_path):
    corpus = _folder(tmp_path)
    meta = tmp_path / "meta.csv"
    meta.write_text("document,outlet\nb,丁報\n", encoding="utf-8")
    r = run_cli("run", str(corpus), "--metadata", str(meta), "--out", str(tmp_path / "run"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert str(meta) in r.stderr and str(corpus / "b.meta.yaml") in r.stderr and "丁報" in r.stderr
    assert not (tmp_path / "run").exists()


def test_a_metadata_table_without_a_key_column_or_with_a_repeated_key_is_refused(tmp_path):
    corpus = _folder(tmp_path)
    for text, message in (("id,outlet\na,甲\n", "needs a column 'document'"),
                          ("document,outlet\na,甲\na,乙\n", "line 3: the same document 'a' as line 2")):
        meta = tmp_path / "meta.csv"
        meta.write_text(text, encoding="utf-8")
        r = run_cli("run", str(corpus), "--metadata", str(meta), "--out", str(tmp_path / "run"))
        assert r.returncode == 2 and message in r.stderr, r.stderr
