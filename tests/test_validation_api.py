"""`api.validate` (the tables of `validate score` in memory, as notebook 06 uses them) and the notebook's views of
them (`analysis.validation.views`), checked against the command's files and against independent counts."""

from __future__ import annotations

import csv
import hashlib
import json
import math
from pathlib import Path

import pytest
import yaml

from analysis import api, validation_views
from analysis.errors import AnalysisError
from analysis.io.tables import read_table, write_csv

from .conftest import run_cli
from .validation_fixtures import coder, kwic_sample, sentence_sample, write_codes

RESAMPLES = 200


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def coded(tmp_path_factory) -> dict:
    """A sentence sample coded by two coders (some units blank for both, one coded by one only), an adjudication of
    some of their disagreements, a KWIC sample coded by two coders, and `validate score` run on both."""
    root = tmp_path_factory.mktemp("api_validate")
    sample = sentence_sample(root / "sample", n=90)
    units = list(sample["unit"])
    a, b = coder(sample["truth"], 0.2, 11), coder(sample["truth"], 0.25, 12)
    a[:3], b[:3] = [None] * 3, [None] * 3  # nobody coded the first three
    b[3] = None  # the fourth is coded by ann only
    files = [write_codes(root / "codes" / "ann.csv", units, a), write_codes(root / "codes" / "bo.csv", units, b)]
    disagreements = [u for u, x, y in zip(units, a, b, strict=True) if x and y and x != y]
    settled = disagreements[::2]  # half of them settled by a third coder
    adjudication = write_codes(root / "codes" / "cy.csv", settled, ["neutral"] * len(settled))
    out = root / "val"
    r = run_cli("validate", "score", "--sample", str(root / "sample"), "--codes", *map(str, files), "--adjudicate",
                str(adjudication), "--out", str(out), "--resamples", str(RESAMPLES))
    assert r.returncode == 0, r.stderr

    ksample = kwic_sample(root / "ksample")
    kunits = list(ksample["unit"])
    kfiles = [write_codes(root / "kcodes" / "k1.csv", kunits, coder(ksample["truth"], 0.1, 21, ("yes", "no"))),
              write_codes(root / "kcodes" / "k2.csv", kunits, coder(ksample["truth"], 0.1, 22, ("yes", "no")))]
    kout = root / "kval"
    r = run_cli("validate", "score", "--sample", str(root / "ksample"), "--codes", *map(str, kfiles), "--out",
                str(kout), "--resamples", str(RESAMPLES))
    assert r.returncode == 0, r.stderr
    return {"root": root, "files": files, "adjudication": adjudication, "out": out, "units": units, "a": a, "b": b,
            "settled": settled, "disagreements": disagreements, "kfiles": kfiles, "kout": kout}


@pytest.fixture(scope="module")
def validated(coded) -> tuple:
    v = api.validate(coded["root"] / "sample", coded["files"], coded["adjudication"], resamples=RESAMPLES)
    k = api.validate(coded["root"] / "ksample", coded["kfiles"], unit="kwic", resamples=RESAMPLES)
    return v, k


@pytest.mark.parametrize("which", ["sentences", "kwic"])
def test_api_validate_gives_exactly_the_tables_validate_score_writes(coded, validated, tmp_path, which):
    v, out = (validated[0], coded["out"]) if which == "sentences" else (validated[1], coded["kout"])
    written = {p.stem for p in out.glob("*.csv")}
    assert set(v.tables) == written
    for name, table in v.tables.items():
        write_csv(table, tmp_path / f"{name}.csv")
        assert (tmp_path / f"{name}.csv").read_bytes() == (out / f"{name}.csv").read_bytes(), name
    report = (out / "validation.md").read_text(encoding="utf-8")
    verdicts = report.split("## Verdict\n\n")[1].split("\n\n")[0].splitlines()
    assert verdicts == [f"- {line}" for line in
                        validation_views.agreement_verdicts(v) + validation_views.performance_verdicts(v)]
    assert v.notes == json.loads((out / "validation.json").read_text(encoding="utf-8"))["notes"]


def test_api_validate_writes_nothing(coded, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = _digest(coded["root"])
    api.validate(coded["root"] / "sample", coded["files"], resamples=100)
    assert _digest(coded["root"]) == before and list(tmp_path.iterdir()) == []


def test_api_validate_takes_relative_paths_from_the_working_folder_and_a_single_file(coded, monkeypatch):
    monkeypatch.chdir(coded["root"])
    v = api.validate("sample", "codes/ann.csv", resamples=100)
    assert v.coders == ["ann"] and any(n.startswith("only one coder") for n in v.notes)
    assert "agreement" not in v.tables and len(v.tables["gold"]) == sum(c is not None for c in coded["a"])


def test_api_validate_refuses_what_the_command_refuses(coded):
    root = coded["root"]
    with pytest.raises(AnalysisError, match="holds a sample of sentences, not of kwic"):
        api.validate(root / "sample", coded["files"], unit="kwic", resamples=100)
    with pytest.raises(AnalysisError, match="no codes files"):
        api.validate(root / "sample", None)
    with pytest.raises(AnalysisError, match="at least 100"):
        api.validate(root / "sample", coded["files"], resamples=99)
    with pytest.raises(AnalysisError, match="unit must be one of"):
        api.validate(unit="words")
    r = run_cli("validate", "score", "--sample", str(root / "sample"), "--codes", *map(str, coded["files"]),
                "--out", str(root / "refused"), "--resamples", "99")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "at least 100" in r.stderr
    assert not (root / "refused").exists()


@pytest.mark.parametrize("unit", ["sentences", "kwic"])
def test_the_shipped_codings_are_where_the_api_looks_and_say_who_coded(unit):
    sample, codes, adjudication = api.shipped_coding(unit)
    assert (sample / "sample.csv").is_file() and (sample / "coding.csv").is_file()
    assert all(p.is_file() for p in [*codes, adjudication])
    assert json.loads((sample / "sample.json").read_text(encoding="utf-8"))["unit"] == unit
    who = yaml.safe_load((codes[0].parent / "coders.yaml").read_text(encoding="utf-8"))["coded_by"]
    assert "the package's authors" in who and "not an independent human panel" in who
    assert "AI coding assistants" in who and "blind" in who


# ------------------------------------------------------------------------------------------------------ the views


def test_resolution_table_counts_what_the_coders_did(coded, validated):
    v = validated[0]
    a, b, settled = coded["a"], coded["b"], set(coded["settled"])
    expected = {"unanimous": 0, "single": 0, "adjudicated": 0, "unresolved": 0, "no code from any coder": 0}
    for unit, x, y in zip(coded["units"], a, b, strict=True):
        if unit in settled:
            expected["adjudicated"] += 1
        elif x is None and y is None:
            expected["no code from any coder"] += 1
        elif x is None or y is None:
            expected["single"] += 1
        elif x == y:
            expected["unanimous"] += 1
        else:
            expected["unresolved"] += 1
    table = validation_views.resolution_table(v).set_index("resolution")["units"].to_dict()
    assert table == {k: n for k, n in expected.items() if n or k in ("unresolved", "no code from any coder")}
    assert expected["adjudicated"] == len(settled) > 0 and expected["unresolved"] > 0


def test_describe_sample_and_design_table_come_from_sample_json(validated):
    v = validated[0]
    meta = json.loads((v.sample_dir / "sample.json").read_text(encoding="utf-8"))
    probs = [float(r["probability"]) for r in _rows(v.sample_dir / "sample.csv")]
    text = validation_views.describe_sample(v)
    assert text.startswith(f"{meta['n_drawn']} sentences drawn at random from the run")
    assert f"seed {meta['seed']}" in text and f"Stratified by {meta['stratify']}" in text
    assert f"from {min(probs):.3g} to {max(probs):.3g}" in text
    table = validation_views.design_table(v).set_index("item")["value"]
    assert table["units drawn"] == str(len(probs)) and table["seed"] == str(meta["seed"])
    assert table["scorers in the sample"] == ", ".join(meta["scorers"])
    k = validated[1]
    assert "Every unit had the same probability" not in validation_views.describe_sample(k)  # probabilities differ


def test_composition_counts_units_per_metadata_level(validated):
    v = validated[0]
    rows = _rows(v.sample_dir / "sample.csv")
    table = validation_views.composition(v, ("meta_outlet", "no_such_column"))
    counts = {r["level"]: r["units"] for r in table.to_dict("records")}
    assert counts == {level: sum(r["meta_outlet"] == level for r in rows) for level in {r["meta_outlet"] for r in rows}}
    assert table["share"].sum() == pytest.approx(1.0)


def test_headline_and_length_tables_are_the_rows_of_the_command_files(coded, validated):
    v = validated[0]
    perf = _rows(coded["out"] / "performance.csv")
    head = validation_views.headline(v)
    assert set(head["measure"]) == set(validation_views.HEADLINE_MEASURES)
    names = {"sentiment": "SnowNLP", "sentiment_lexicon": "The HowNet lexicon scorer"}
    for r in perf:
        if r["measure"] in validation_views.HEADLINE_MEASURES:
            got = head[(head["scorer"] == names[r["scorer"]]) & (head["measure"] == r["measure"])].iloc[0]
            assert got["value"] == pytest.approx(float(r["value"]), nan_ok=True)
            assert (got["ci_low"], got["ci_high"]) == pytest.approx((float(r["ci_low"]), float(r["ci_high"])),
                                                                    nan_ok=True)
    wide = validation_views.length_wide(v)
    for r in _rows(coded["out"] / "length.csv"):
        row = wide[(wide["scorer"] == names[r["scorer"]]) & (wide["band"] == r["band"])].iloc[0]
        value = float(r["value"]) if r["value"] else math.nan
        assert row[r["measure"]] == pytest.approx(value, nan_ok=True)
        assert row[f"{r['measure']}_n"] == int(r["n"])
    assert list(wide["band"][:4]) == ["≤ 20", "21–40", "41–80", "> 80"]


def test_flagged_terms_are_the_terms_below_the_floor_or_with_few_codes(coded, validated):
    k = validated[1]
    gold = _rows(coded["kout"] / "gold.csv")
    flagged = set()
    for term in {r["term"] for r in gold}:
        codes = [r["code"] for r in gold if r["term"] == term]
        decided = [c for c in codes if c in ("yes", "no")]
        weights = [float(r["weight"]) for r in gold if r["term"] == term and r["code"] in ("yes", "no")]
        share = (sum(w for w, c in zip(weights, decided, strict=True) if c == "yes") / sum(weights)
                 if decided else math.nan)
        if not share >= 0.8 or len(decided) < 5:
            flagged.add(term)
    table = validation_views.flagged_terms(k)
    assert set(table["term"]) == flagged and flagged
    assert list(table["precision"].dropna()) == sorted(table["precision"].dropna())


def test_conclusions_are_plain_text_and_say_who_coded(validated):
    v = validated[0]
    lines = validation_views.conclusion_lines(v)
    assert lines and not any("**" in line or line.startswith("- ") for line in lines)
    assert any(v.coded_by in line for line in lines)


def test_blind_sheet_is_the_first_rows_of_coding_csv_and_holds_no_score():
    v = api.validate(resamples=100)
    sheet = validation_views.blind_sheet(v, rows=7)
    rows = _rows(v.sample_dir / "coding.csv")[:7]
    assert list(sheet["unit"]) == [r["unit"] for r in rows] and list(sheet.columns) == list(rows[0])
    assert not {"sentiment", "sentiment_lexicon", "probability", "weight", "stratum"} & set(sheet.columns)
    key = read_table(v.sample_dir / "sample.csv").set_index("unit")
    scores = {str(x) for x in key.loc[list(sheet["unit"]), ["sentiment", "sentiment_lexicon"]].to_numpy().ravel()}
    assert not scores & {str(c) for c in sheet.to_numpy().ravel()}


def test_blind_sheet_without_coding_csv_says_where_it_comes_from(validated):
    with pytest.raises(AnalysisError, match="no coding.csv beside the sample"):
        validation_views.blind_sheet(validated[0])
