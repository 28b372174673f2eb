"""`export`: the run's tables read back from Parquet, Stata .dta (with the codebook's labels) and .xlsx."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.io.export import EXPORTED, codebook_labels, stata_names, xlsx_bytes
from analysis.io.tables import load_run

from .conftest import ROOT, run_cli


def _export(run, fmt, out):
    r = run_cli("export", "--data", str(run), "--format", fmt, "--out", str(out))
    assert r.returncode == 0, r.stderr
    return out


def _same(a: pd.Series, b: pd.Series, text_missing: object = "<missing>") -> None:
    if pd.api.types.is_numeric_dtype(a):
        np.testing.assert_allclose(a.astype(float).to_numpy(), b.astype(float).to_numpy(), equal_nan=True)
    else:
        assert list(a.astype(object).where(a.notna(), text_missing)) == list(
            b.astype(object).where(b.notna(), text_missing)), a.name


def test_parquet_holds_every_table_as_the_csv_does(article_run, tmp_path):
    out = _export(article_run, "parquet", tmp_path / "pq")
    run = load_run(article_run)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.parquet" for n in EXPORTED)
    for name in EXPORTED:
        back = pd.read_parquet(out / f"{name}.parquet")
        csv = getattr(run, name)
        assert list(back.columns) == list(csv.columns) and len(back) == len(csv)
        for col in csv.columns:
            _same(csv[col], back[col])
    assert _export(article_run, "parquet", tmp_path / "pq2")
    for name in EXPORTED:  # deterministic
        assert (tmp_path / "pq" / f"{name}.parquet").read_bytes() == (tmp_path / "pq2" / f"{name}.parquet").read_bytes()


def _codebook_meaning(table: str, column: str) -> str:
    """The meaning of a column as CODEBOOK.md writes it, found by its own row (independent of the parser)."""
    text = (ROOT / "CODEBOOK.md").read_text(encoding="utf-8")
    section = text.split(f"## {table}.csv", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in section.splitlines() if line.startswith("| ") and f"`{column}`" in line.split(" | ")[0])
    return re.sub(r"\s+", " ", row.split(" | ", 1)[1].rstrip(" |").replace("`", ""))


def test_dta_has_the_values_and_the_codebooks_labels(article_run, tmp_path):
    out = _export(article_run, "dta", tmp_path / "dta")
    run = load_run(article_run)
    for name in EXPORTED:
        reader = pd.io.stata.StataReader(out / f"{name}.dta")
        with reader:
            back = reader.read()
            labels = reader.variable_labels()
        csv = getattr(run, name)
        names = stata_names(list(csv.columns))
        assert list(back.columns) == [names[c] for c in csv.columns]
        for col in csv.columns:
            _same(csv[col] if pd.api.types.is_numeric_dtype(csv[col]) else csv[col].fillna(""), back[names[col]])
    with pd.io.stata.StataReader(out / "documents.dta") as reader:
        reader.read()
        labels = reader.variable_labels()
    for col in ("sentiment_mean", "framing_per_1k_cjk", "n_cjk_own"):
        meaning = _codebook_meaning("documents", col)
        assert labels[col] == (meaning if len(meaning) <= 80 else meaning[:79] + "…")
    assert labels["meta_outlet"].startswith("metadata given with the input")
    with pd.io.stata.StataReader(out / "kwic.dta") as reader:
        reader.read()
        assert reader.variable_labels()["_end"].startswith("end: ")  # `end` is reserved in Stata
    again = _export(article_run, "dta", tmp_path / "dta2")
    assert (out / "kwic.dta").read_bytes() == (again / "kwic.dta").read_bytes()


def test_stata_names_are_valid_and_unique():
    names = stata_names(["end", "meta_來源", "meta_来源", "1x", "a" * 40])
    assert names["end"] == "_end" and names["1x"] == "_1x" and len(names["a" * 40]) == 32
    assert len(set(names.values())) == 5 and all(re.fullmatch(r"[A-Za-z_]\w{0,31}", n) for n in names.values())


def test_xlsx_has_a_sheet_per_table_and_a_codebook(article_run, tmp_path):
    out = _export(article_run, "xlsx", tmp_path / "run.xlsx")
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == [*EXPORTED, "codebook"]
    run = load_run(article_run)
    for name in EXPORTED:
        rows = list(wb[name].iter_rows(values_only=True))
        assert list(rows[0]) == list(getattr(run, name).columns) and len(rows) - 1 == len(getattr(run, name))
    codebook = list(wb["codebook"].iter_rows(values_only=True))[1:]
    assert len(codebook) == sum(len(getattr(run, n).columns) for n in EXPORTED)
    meanings = {(t, c): m for t, c, m in codebook}
    assert meanings[("sentences", "text_scored")] == _codebook_meaning("sentences", "text_scored")
    assert _export(article_run, "xlsx", tmp_path / "again.xlsx").read_bytes() == out.read_bytes()


def test_xlsx_text_that_looks_like_a_formula_stays_text():
    data = xlsx_bytes({"t": pd.DataFrame({"text": ["=1+1", "普通"], "n": [1, np.nan]})}, codebook_labels())
    ws = load_workbook(io.BytesIO(data))["t"]
    assert ws["A2"].value == "=1+1" and ws["A2"].data_type == "s" and ws["B3"].value is None


@pytest.mark.parametrize("fmt", ["dta", "xlsx"])
def test_export_never_writes_into_the_run(article_run, fmt):
    r = run_cli("export", "--data", str(article_run), "--format", fmt, "--out", str(article_run / "x"))
    assert r.returncode == 2 and "inside the run folder" in r.stderr and not (article_run / "x").exists()
