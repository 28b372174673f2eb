"""`validate score` refuses bad input with a one-line error, exit status 2, and nothing written (issue 14)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.validation.score import compute, read_inputs

from .validation_fixtures import coder, sentence_sample, write_codes


@pytest.fixture()
def setup(tmp_path) -> dict:
    sample = sentence_sample(tmp_path / "sample", n=30)
    units = list(sample["unit"])
    good = [write_codes(tmp_path / "codes" / f"{c}.csv", units, coder(sample["truth"], 0.1, i))
            for i, c in enumerate(("a", "b"))]
    return {"root": tmp_path, "units": units, "good": good, "sample": sample}


def _score(setup: dict, *codes: Path, extra: tuple[str, ...] = ()) -> int:
    return main(["validate", "score", "--sample", str(setup["root"] / "sample"), "--codes", *map(str, codes),
                 "--out", str(setup["root"] / "val"), "--resamples", "100", *extra])


def _refused(setup: dict, capsys, *codes: Path, extra: tuple[str, ...] = ()) -> str:
    status = _score(setup, *codes, extra=extra)
    err = capsys.readouterr().err.strip()
    assert status == 2, err
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and "Traceback" not in err
    assert not (setup["root"] / "val").exists()
    assert not list(setup["root"].glob(".val*"))  # no temporary folder left behind
    return err


def test_codes_for_another_sample(setup, capsys):
    other = write_codes(setup["root"] / "other.csv", ["s0123456789", *setup["units"][1:]], ["neutral"] * 30)
    err = _refused(setup, capsys, setup["good"][0], other)
    assert "not in sample.csv" in err and "s0123456789" in err


def test_a_code_outside_the_allowed_set_names_unit_and_value(setup, capsys):
    codes = ["positive"] * 30
    codes[4] = "maybe"
    bad = write_codes(setup["root"] / "bad.csv", setup["units"], codes)
    err = _refused(setup, capsys, setup["good"][0], bad)
    assert setup["units"][4] in err and "'maybe'" in err


def test_two_codes_for_one_unit_by_the_same_coder(setup, capsys):
    df = pd.DataFrame({"unit": [*setup["units"], setup["units"][0]], "code": ["neutral"] * 31})
    df.to_csv(setup["root"] / "twice.csv", index=False)
    err = _refused(setup, capsys, setup["good"][0], setup["root"] / "twice.csv")
    assert setup["units"][0] in err and "twice" in err


def test_two_files_of_the_same_coder_name_overlapping(setup, capsys):
    again = write_codes(setup["root"] / "elsewhere" / "a.csv", setup["units"], ["neutral"] * 30)
    err = _refused(setup, capsys, setup["good"][0], again)
    assert "'a'" in err and "coder" in err


@pytest.mark.parametrize("missing", ["unit", "code"])
def test_a_missing_column(setup, capsys, missing):
    df = pd.DataFrame({"unit": setup["units"], "code": ["neutral"] * 30}).drop(columns=missing)
    df.to_csv(setup["root"] / "cols.csv", index=False)
    err = _refused(setup, capsys, setup["good"][0], setup["root"] / "cols.csv")
    assert f"'{missing}'" in err


def test_an_unreadable_xlsx(setup, capsys):
    (setup["root"] / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    err = _refused(setup, capsys, setup["good"][0], setup["root"] / "broken.xlsx")
    assert "broken.xlsx" in err


def test_a_run_whose_tables_differ_from_the_samples(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "documents.csv").write_text("document\nA\n", encoding="utf-8")
    (run / "sentences.csv").write_text("document,sentence\nA,0\n", encoding="utf-8")
    tables = {n: hashlib.sha256((run / n).read_bytes()).hexdigest() for n in ("documents.csv", "sentences.csv")}
    sample = sentence_sample(tmp_path / "sample", n=30, tables=tables)
    setup = {"root": tmp_path, "units": list(sample["unit"])}
    codes = [write_codes(tmp_path / f"{c}.csv", setup["units"], list(sample["truth"])) for c in ("a", "b")]
    assert _score(setup, *codes, extra=("--data", str(run))) == 0  # the same run: accepted
    capsys.readouterr()
    shutil.rmtree(tmp_path / "val")
    (run / "sentences.csv").write_text("document,sentence\nA,1\n", encoding="utf-8")
    err = _refused(setup, capsys, *codes, extra=("--data", str(run)))
    assert "sentences.csv" in err and "not the run the sample was drawn from" in err


def test_a_failed_score_leaves_previous_outputs_untouched(setup, capsys):
    assert _score(setup, *setup["good"]) == 0
    before = {p.name: p.read_bytes() for p in (setup["root"] / "val").iterdir() if p.is_file()}
    bad = write_codes(setup["root"] / "bad.csv", setup["units"], ["sometimes"] * 30)
    assert _score(setup, setup["good"][0], bad) == 2
    after = {p.name: p.read_bytes() for p in (setup["root"] / "val").iterdir() if p.is_file()}
    assert after == before


def test_blank_codes_are_allowed_and_counted(setup):
    codes = list(setup["sample"]["truth"])
    codes[:7] = [None] * 7
    partial = write_codes(setup["root"] / "codes" / "c.csv", setup["units"], codes)
    v = read_inputs(setup["root"] / "sample", [*setup["good"], partial], resamples=100)
    compute(v, resamples=100)
    coders = v.tables["coders"].set_index("coder")
    assert coders.loc["c", "n_blank"] == 7 and coders.loc["c", "n_coded"] == 23 and coders.loc["c", "n_missing"] == 7
    assert [c["file"] for c in v.provenance["codes"]] == ["a.csv", "b.csv", "c.csv"]
