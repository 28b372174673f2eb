"""`validate revision`: a revised lexicon against the coded hits of an earlier one; numbers counted by hand."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from analysis.io.tables import read_table
from analysis.validation.revision import match_gold, new_hits, revision_row

from .conftest import lexicon_yaml, run_cli


def _gold(rows):
    return pd.DataFrame(rows, columns=["unit", "document", "start", "end", "category", "term", "code", "weight"])


def _kwic(rows):
    cols = ["document", "section", "sentence", "category", "term", "start", "end", "left", "match", "right", "status",
            "voice"]
    return pd.DataFrame([{"section": 0, "sentence": 0, "left": "", "right": "", "voice": "own", "match": "x", **r}
                         for r in rows], columns=cols)


GOLD = _gold([
    ("k1", "d", 0, 2, "c", "中美", "yes", 1.0),  # a longer counted hit covers it (中美貿易戰): counted
    ("k2", "d", 10, 12, "c", "中美", "no", 1.0),  # excluded
    ("k3", "d", 20, 22, "c", "國產", "no", 2.0),  # not a word any more
    ("k4", "d", 30, 32, "c", "主權", "yes", 1.0),  # the term was dropped: nothing there
    ("k5", "e", 0, 2, "c", "國產", "yes", 2.0),  # counted as before
    ("k6", "e", 5, 7, "c", "國產", "unsure", 1.0),  # counted, but unsure: in no precision
])
KWIC = _kwic([
    {"document": "d", "category": "c", "term": "中美貿易戰", "start": 0, "end": 5, "status": "counted"},
    {"document": "d", "category": "c", "term": "中美", "start": 10, "end": 12, "status": "excluded"},
    {"document": "d", "category": "c", "term": "國產", "start": 20, "end": 22, "status": "not_word"},
    {"document": "e", "category": "c", "term": "國產", "start": 0, "end": 2, "status": "counted"},
    {"document": "e", "category": "c", "term": "國產", "start": 5, "end": 7, "status": "counted"},
    {"document": "e", "category": "c", "term": "美中", "start": 40, "end": 42, "status": "counted"},  # no code here
])


def test_each_coded_hit_gets_what_the_new_run_did_there():
    m = match_gold(GOLD, KWIC).set_index("unit")
    assert m["status"].to_dict() == {"k1": "counted", "k2": "excluded", "k3": "not_word", "k4": "dropped",
                                     "k5": "counted", "k6": "counted"}
    assert m.loc["k1", "new_term"] == "中美貿易戰" and m.loc["k4", "new_term"] == ""


def test_before_after_and_recall_by_hand():
    row = revision_row(match_gold(GOLD, KWIC))
    # before: yes weights 1 + 1 + 2 = 4 over yes + no weights 4 + 1 + 2 = 7
    assert math.isclose(row["precision_before"], 4 / 7)
    # after: kept and coded are k1 (yes, 1) and k5 (yes, 2): 3 / 3
    assert row["precision_after"] == 1.0 and row["n_kept"] == 2 and row["n_kept_no"] == 0
    # recall: yes weights kept 1 + 2 over all yes 1 + 1 + 2
    assert math.isclose(row["recall_yes"], 3 / 4)
    assert (row["n_not_word"], row["n_excluded"], row["n_dropped"], row["n_unsure"]) == (1, 1, 1, 1)


def test_counted_hits_nobody_coded_are_listed_apart():
    extra = new_hits(GOLD, KWIC)
    assert list(zip(extra["document"], extra["term"], strict=True)) == [("e", "美中")]


LEX1 = lexicon_yaml("  - {term: 國產, category: c, gloss: g, rationale: r}\n"
                    "  - {term: 壟斷, category: c, gloss: g, rationale: r}\n", name="t", version="1.0.0")
LEX2 = LEX1.replace('"1.0.0"', '"2.0.0"').replace(
    "  - {term: 壟斷, category: c, gloss: g, rationale: r}\n",
    "  - {term: 壟斷, category: c, gloss: g, rationale: r, exclude: [反壟斷]}\n")


def test_command_line_end_to_end(tmp_path):
    (tmp_path / "a.txt").write_text("國產晶片。\n\n中國產品。\n\n打破壟斷。\n\n反壟斷法。\n", encoding="utf-8")
    (tmp_path / "v1.yaml").write_text(LEX1, encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(LEX2, encoding="utf-8")
    for name in ("v1", "v2"):
        r = run_cli("run", "a.txt", "--out", name, "--lexicon", f"{name}.yaml", "--quiet", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    # version 1 has no rules of its own, but the boundary check already sets 中國產品 aside: sample all candidates
    r = run_cli("validate", "sample", "--data", "v1", "--out", "s", "--unit", "kwic", "--include-uncounted",
                "--lexicon", "v1.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    key = read_table(tmp_path / "s" / "sample.csv")
    codes = {"國產晶片": "yes", "中國產品": "no", "打破壟斷": "yes", "反壟斷法": "no"}
    key["code"] = [codes[t] for t in key["text"].str.rstrip("。")]
    key[["unit", "code"]].to_csv(tmp_path / "gold.csv", index=False)
    r = run_cli("validate", "revision", "--sample", "s", "--gold", "gold.csv", "--data", "v2", "--out", "rev",
                cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    table = read_table(tmp_path / "rev" / "revision.csv")
    overall = table[table["level"] == "all"].iloc[0]
    assert overall["precision_before"] == pytest.approx(0.5) and overall["precision_after"] == 1.0
    assert overall["recall_yes"] == 1.0 and overall["n_excluded"] == 1 and overall["n_not_word"] == 1
    record = json.loads((tmp_path / "rev" / "revision.json").read_text(encoding="utf-8"))
    assert record["lexicon"]["version"] == "2.0.0" and record["n_new_hits"] == 0
