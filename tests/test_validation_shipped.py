"""The shipped codes' validation/ folders are what `validate score` (`make validation`) writes now, when the
installed versions are those recorded in them."""

from __future__ import annotations

import csv
import json

import pytest

from .conftest import ROOT

SHIPPED = {"sentences": ROOT / "data/dev/coding/sentiment-2400/validation",
           "sentences_revise": ROOT / "data/dev/coding/sentiment-revise/validation",
           "kwic": ROOT / "data/lexicons/audit/revise/validation",
           "kwic_evaluate": ROOT / "data/lexicons/audit/evaluate/validation"}


@pytest.mark.parametrize("unit", list(SHIPPED))
def test_the_committed_validation_folders_are_current(shipped_validation, unit):
    committed, fresh = SHIPPED[unit], shipped_validation[unit]
    recorded = json.loads((committed / "validation.json").read_text(encoding="utf-8"))["versions"]
    now = json.loads((fresh / "validation.json").read_text(encoding="utf-8"))["versions"]
    diffs = [f"{k}: committed {v}, installed {now.get(k)}" for k, v in recorded.items() if now.get(k) != v]
    if diffs:
        pytest.skip("installed versions differ from those of the committed validation, so bytes may differ: "
                    + "; ".join(diffs))
    files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    for f in files:
        assert (committed / f).read_bytes() == (fresh / f).read_bytes(), f"{committed / f} is stale: make validation"


def _rows(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _ci(row: dict, value: str = "value", digits: int = 2) -> str:
    return f"{float(row[value]):.{digits}f} [{float(row['ci_low']):.{digits}f}, {float(row['ci_high']):.{digits}f}]"


def test_the_readme_quotes_the_committed_validation():
    """Every number the README gives for the shipped codes is the committed tables' (formatted here from the CSVs)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The shipped codes: how the scorers do on the development corpus")[1]
    section = section.split("\n## ")[0]
    flat = " ".join(section.split())  # the prose wraps anywhere
    sent, kwic = SHIPPED["sentences"], SHIPPED["kwic"]
    meta = json.loads((sent.parent / "sample" / "sample.json").read_text(encoding="utf-8"))
    assert f"{meta['n_drawn']:,} body sentences drawn from the {meta['design']['population']:,} scored" in flat
    assert f"seed {meta['seed']}" in flat
    alpha = {r["level"]: r for r in _rows(sent / "agreement.csv")}
    assert f"nominal α {_ci(alpha['nominal'], 'alpha')}, ordinal α {_ci(alpha['ordinal'], 'alpha')}" in flat
    gold = _rows(sent / "gold.csv")
    counts = {r: sum(g["resolution"] == r for g in gold) for r in ("unanimous", "adjudicated")}
    blank = {r["n_blank"] for r in _rows(sent / "coders.csv")}
    assert (f"({len(gold):,} units coded by both; {counts['unanimous']:,} unanimous, {counts['adjudicated']} settled "
            f"by the third session; {blank.pop()} left blank by both") in flat and not blank
    kalpha, kgold = _rows(kwic / "agreement.csv")[0], _rows(kwic / "gold.csv")
    kadj = sum(g["resolution"] == "adjudicated" for g in kgold)
    assert f"nominal α {_ci(kalpha, 'alpha')} ({len(kgold)} units; {kadj} settled" in flat
    assert f"every framing hit of lexicon 1.0.0 in the `revise` part ({len(kgold)} hits)" in flat
    perf = {(r["scorer"], r["measure"]): r for r in _rows(sent / "performance.csv")}
    lines = {line.split(" | ")[0]: line for line in section.splitlines() if line.startswith("| ")}
    rows = {"| binary accuracy": ("accuracy_binary", 2), "| share of those sentences": ("coverage_binary", 3),
            "| macro-F1": ("macro_f1_binary", 2), "| Spearman's ρ": ("spearman", 2),
            "| three-class accuracy": ("accuracy_3way_cv", 2), "| baseline": ("majority_class_share", 2)}
    for label, (measure, digits) in rows.items():
        line = next(v for k, v in lines.items() if k.startswith(label))
        cells = [c.strip() for c in line.strip("| ").split(" | ")][1:]
        for cell, scorer in zip(cells, ("sentiment", "sentiment_lexicon"), strict=True):
            assert cell.startswith(_ci(perf[scorer, measure], digits=digits)), (label, scorer)
            if measure == "accuracy_binary":
                assert cell.endswith(f"n = {int(perf[scorer, measure]['n']):,}")
    spearman_n = int(perf["sentiment", "spearman"]["n"])
    assert f"all {spearman_n:,} gold sentences" in flat
    confusion = [r for r in _rows(sent / "confusion.csv") if r["scorer"] == "sentiment" and r["rule"] == "binary"
                 and r["gold"] == "negative"]
    wrong = next(int(r["n"]) for r in confusion if r["predicted"] == "positive")
    assert f"{wrong} of the {sum(int(r['n']) for r in confusion)} sentences coded negative" in flat
    precision = _rows(kwic / "precision.csv")
    overall = next(r for r in precision if r["level"] == "all")
    assert (f"{_ci(overall, 'precision')} use the term in its category's sense (n = {overall['n_coded']}; "
            f"{overall['n_unsure']} coded `unsure`)") in flat
    for r in (r for r in precision if r["level"] == "category"):
        assert f"{_ci(r, 'precision')} (n = {r['n_coded']})" in flat, r["category"]
    terms = [r for r in precision if r["level"] == "term"]
    assert f"{sum(bool(r['flag']) for r in terms)} of {len(terms)} terms are flagged" in flat
    army = next(r for r in terms if r["term"] == "集團軍")
    assert f"集團軍 ({army['n_yes']} of {army['n_coded']} hits" in flat


def test_the_readme_quotes_the_evaluate_audit_of_lexicon_2():
    """The lexicon's precision on the evaluate part, as the README's audit section gives it, is the committed table's."""
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    rows = _rows(SHIPPED["kwic_evaluate"] / "precision.csv")
    overall = next(r for r in rows if r["level"] == "all")
    assert f"Precision {_ci(overall, 'precision')}" in readme
    assert f"({overall['n_yes']} of {overall['n_coded']} hits coded yes or no; {overall['n_unsure']} `unsure`" in readme
    for r in rows:
        if r["level"] == "category":
            assert f"{_ci(r, 'precision')} (n = {r['n_coded']})" in readme, r["category"]
    below = [r for r in rows if r["level"] == "term" and int(r["n_coded"]) >= 5 and float(r["precision"]) < 0.8]
    assert [r["term"] for r in below] == ["霸權"]
    hegemony = below[0]
    assert f"霸權 does not ({hegemony['n_yes']} of {hegemony['n_coded']}, {float(hegemony['precision']):.2f})" in readme
