"""`python -m analysis validate score`: every table and figure, byte-identical reruns, adjudication, a single coder,
KWIC precision, and one-line errors for bad input with nothing written (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.io.tables import read_table
from analysis.validation.score import compute, read_inputs

from .conftest import run_cli
from .validation_fixtures import coder, kwic_sample, sentence_sample, write_codes

FAST = ("--resamples", "200")


@pytest.fixture(scope="module")
def sentences(tmp_path_factory) -> dict:
    """A sentence sample, three coders' files (CSV, XLSX, CSV with blanks) and one run of `validate score`."""
    root = tmp_path_factory.mktemp("validation")
    sample = sentence_sample(root / "sample")
    units = list(sample["unit"])
    codes = {
        "ann": write_codes(root / "codes" / "ann.csv", units, coder(sample["truth"], 0.1, 1)),
        "bo": write_codes(root / "codes" / "bo.xlsx", units, coder(sample["truth"], 0.15, 2)),
        "cy": write_codes(root / "codes" / "cy.csv", units, [None] * 10 + coder(sample["truth"], 0.2, 3)[10:]),
    }
    out = root / "val"
    r = run_cli("validate", "score", "--sample", str(root / "sample"), "--codes", *map(str, codes.values()),
                "--out", str(out), *FAST)
    assert r.returncode == 0, r.stderr
    return {"root": root, "sample": sample, "codes": codes, "out": out}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_table_and_figure_is_written(sentences):
    names = set(_files(sentences["out"]))
    assert {"agreement.csv", "gold.csv", "unresolved.csv", "coders.csv", "performance.csv", "confusion.csv",
            "thresholds.csv", "length.csv", "validation.md", "validation.json"} <= names
    for scorer in ("sentiment", "sentiment_lexicon"):
        for fig in ("confusion", "calibration", "score_by_code"):
            assert {f"figures/{fig}_{scorer}.png", f"figures/{fig}_{scorer}.svg"} <= names


def test_gold_is_the_majority_of_the_coders_codes(sentences):
    gold = read_table(sentences["out"] / "gold.csv")
    assert list(gold.columns[:6]) == ["unit", "document", "sentence", "text", "text_scored", "code"]
    wide = pd.DataFrame({name: read_table(path) .set_index("unit")["code"] if path.suffix == ".csv"
                         else pd.read_excel(path, dtype=str).set_index("unit")["code"]
                         for name, path in sentences["codes"].items()})
    for row in gold.itertuples():
        votes = wide.loc[row.unit].dropna()
        votes = votes[votes != ""]
        assert (votes == row.code).sum() > len(votes) / 2, row.unit
    unresolved = read_table(sentences["out"] / "unresolved.csv")
    assert len(gold) + len(unresolved) == len(sentences["sample"])
    assert {"code_ann", "code_bo", "code_cy", "code"} <= set(unresolved.columns)
    coders = read_table(sentences["out"] / "coders.csv").set_index("coder")
    assert coders.loc["cy", "n_blank"] == 10 and coders.loc["cy", "n_coded"] == len(sentences["sample"]) - 10


def test_agreement_and_performance_tables(sentences):
    agreement = read_table(sentences["out"] / "agreement.csv")
    assert set(agreement["coders"]) == {"ann + bo", "ann + cy", "bo + cy", "all: ann + bo + cy"}
    assert set(agreement["level"]) == {"nominal", "ordinal"}
    assert (agreement["ci_low"] <= agreement["alpha"]).all() and (agreement["alpha"] <= agreement["ci_high"]).all()
    assert agreement.loc[agreement["coders"] == "ann + cy", "n_units"].iloc[0] == len(sentences["sample"]) - 10
    perf = read_table(sentences["out"] / "performance.csv")
    assert list(perf.columns[:6]) == ["scorer", "measure", "value", "ci_low", "ci_high", "n"]
    acc = perf.set_index(["scorer", "measure"])["value"]
    assert acc[("sentiment", "accuracy_binary")] > acc[("sentiment_lexicon", "accuracy_binary")]  # lexicon: noise
    thresholds = read_table(sentences["out"] / "thresholds.csv").set_index("scorer")
    assert thresholds.loc["sentiment", "model"] == "snownlp" and thresholds.loc["sentiment_lexicon", "model"] == "lexicon"
    confusion = read_table(sentences["out"] / "confusion.csv")
    gold = read_table(sentences["out"] / "gold.csv")
    assert confusion.groupby(["scorer", "rule"])["n"].sum().eq(len(gold)).all()
    md = (sentences["out"] / "validation.md").read_text(encoding="utf-8")
    assert "SnowNLP agrees with the gold on" in md and "α between coders" in md
    assert "coded by the users of this package; state who they were" in md


def test_rerun_and_figures_command_are_byte_identical(sentences, tmp_path):
    again = sentences["root"] / "val_again"
    r = run_cli("validate", "score", "--sample", str(sentences["root"] / "sample"), "--codes",
                *map(str, sentences["codes"].values()), "--out", str(again), *FAST)
    assert r.returncode == 0, r.stderr
    assert _files(again) == _files(sentences["out"])
    r = run_cli("figures", "--validation", str(sentences["out"]), "--out", str(tmp_path / "figs"))
    assert r.returncode == 0, r.stderr
    assert _files(tmp_path / "figs") == {k.removeprefix("figures/"): v for k, v in _files(sentences["out"]).items()
                                         if k.startswith("figures/")}


def test_adjudication_settles_unresolved_units(sentences, tmp_path):
    unresolved = read_table(sentences["out"] / "unresolved.csv")
    assert len(unresolved) > 0
    filled = unresolved.assign(code="neutral")[["unit", "code"]]
    filled.to_csv(tmp_path / "adjudicated.csv", index=False)
    out = tmp_path / "val"
    assert main(["validate", "score", "--sample", str(sentences["root"] / "sample"), "--codes",
                 *map(str, sentences["codes"].values()), "--out", str(out), "--adjudicate",
                 str(tmp_path / "adjudicated.csv"), *FAST]) == 0
    gold = read_table(out / "gold.csv").set_index("unit")
    assert len(gold) == len(sentences["sample"])
    assert (gold.loc[unresolved["unit"], "resolution"] == "adjudicated").all()
    assert (gold.loc[unresolved["unit"], "code"] == "neutral").all()
    assert (read_table(out / "unresolved.csv")["code"] == "neutral").all()  # still listed, now with their code


def test_a_single_coder_is_a_warning_and_agreement_is_not_written(tmp_path, caplog):
    sample = sentence_sample(tmp_path / "sample", n=40)
    codes = write_codes(tmp_path / "only.csv", list(sample["unit"]), list(sample["truth"]))
    assert main(["validate", "score", "--sample", str(tmp_path / "sample"), "--codes", str(codes), "--out",
                 str(tmp_path / "val"), *FAST]) == 0
    assert "only one coder" in caplog.text
    assert not (tmp_path / "val" / "agreement.csv").exists()
    assert (read_table(tmp_path / "val" / "gold.csv")["resolution"] == "single").all()
    assert (tmp_path / "val" / "performance.csv").exists()
    assert "Only one coder: agreement between coders cannot be measured" in (
        tmp_path / "val" / "validation.md").read_text(encoding="utf-8")


def test_other_spellings_and_numeric_xlsx_cells_give_the_same_gold(tmp_path):
    sample = sentence_sample(tmp_path / "sample", n=30)
    truth = list(sample["truth"])
    words = [write_codes(tmp_path / "w" / f"{c}.csv", list(sample["unit"]), truth) for c in ("a", "b")]
    numbers = pd.DataFrame({"unit": sample["unit"], "code": [{"negative": -1, "neutral": 0, "positive": 1}[t]
                                                              for t in truth]})
    numbers.to_excel(tmp_path / "a.xlsx", index=False)
    short = pd.DataFrame({"unit": sample["unit"], "code": [f" {t[:3].upper()} " for t in truth]})
    short.to_csv(tmp_path / "b.csv", index=False)
    golds = []
    for files in (words, [tmp_path / "a.xlsx", tmp_path / "b.csv"]):
        v = read_inputs(tmp_path / "sample", files, resamples=100)
        compute(v, resamples=100)
        golds.append(v.tables["gold"])
    pd.testing.assert_frame_equal(golds[0], golds[1])
    assert golds[0]["code"].tolist() == [t for u, t in sorted(zip(sample["unit"], truth, strict=True))]


def test_kwic_sample_gives_term_precision(tmp_path):
    sample = kwic_sample(tmp_path / "sample")
    a = write_codes(tmp_path / "a.csv", list(sample["unit"]), list(sample["truth"]))
    b = write_codes(tmp_path / "b.csv", list(sample["unit"]), ["1" if t == "yes" else "0" for t in sample["truth"]])
    (tmp_path / "coders.yaml").write_text("coded_by: the package's authors (two coders, blind)\n", encoding="utf-8")
    assert main(["validate", "score", "--sample", str(tmp_path / "sample"), "--codes", str(a), str(b), "--out",
                 str(tmp_path / "val"), *FAST]) == 0
    precision = read_table(tmp_path / "val" / "precision.csv")
    terms = precision[precision["level"] == "term"].set_index("term")
    assert terms.loc["集團軍", "precision"] == pytest.approx(0.5) and "precision < 0.8" in terms.loc["集團軍", "flag"]
    assert pd.isna(terms.loc["戰區", "flag"])
    gold = read_table(tmp_path / "val" / "gold.csv")
    assert list(gold.columns[:8]) == ["unit", "document", "sentence", "text", "text_scored", "code", "term", "category"]
    assert not (tmp_path / "val" / "performance.csv").exists()
    assert (tmp_path / "val" / "figures" / "term_precision.png").exists()
    md = (tmp_path / "val" / "validation.md").read_text(encoding="utf-8")
    assert "the package's authors (two coders, blind)" in md and "集團軍 (precision < 0.8)" in md


def test_no_gold_at_all_still_writes_a_report_that_says_so(tmp_path):
    sample = sentence_sample(tmp_path / "sample", n=12)
    a = write_codes(tmp_path / "a.csv", list(sample["unit"]), ["positive"] * 12)
    b = write_codes(tmp_path / "b.csv", list(sample["unit"]), ["negative"] * 12)
    assert main(["validate", "score", "--sample", str(tmp_path / "sample"), "--codes", str(a), str(b), "--out",
                 str(tmp_path / "val"), *FAST]) == 0
    assert len(read_table(tmp_path / "val" / "unresolved.csv")) == 12
    md = (tmp_path / "val" / "validation.md").read_text(encoding="utf-8")
    assert "SnowNLP: no gold sentence with a score" in md and "below Krippendorff's minimum" in md


def test_a_sample_without_scores_writes_tables_with_headers(tmp_path):
    sample = sentence_sample(tmp_path / "sample", n=20)
    table = pd.read_csv(tmp_path / "sample" / "sample.csv").drop(columns=["sentiment", "sentiment_lexicon"])
    table.to_csv(tmp_path / "sample" / "sample.csv", index=False, lineterminator="\n")
    meta = json.loads((tmp_path / "sample" / "sample.json").read_text(encoding="utf-8"))
    (tmp_path / "sample" / "sample.json").write_text(json.dumps({**meta, "scorers": []}), encoding="utf-8")
    codes = [write_codes(tmp_path / f"{c}.csv", list(sample["unit"]), list(sample["truth"])) for c in "ab"]
    assert main(["validate", "score", "--sample", str(tmp_path / "sample"), "--codes", *map(str, codes), "--out",
                 str(tmp_path / "val"), *FAST]) == 0
    header = (tmp_path / "val" / "performance.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "scorer,measure,value,ci_low,ci_high,n,n_effective"
    assert "(no scorer)" in (tmp_path / "val" / "validation.md").read_text(encoding="utf-8")
