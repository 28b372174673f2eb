"""A revised lexicon against the coded hits of an earlier one: `validate revision`.

The hits a KWIC sample drew from a run of the earlier lexicon were coded (`validate score` → gold.csv). A run of the
revised lexicon on the same texts says, for each coded hit, whether it still counts: a counted hit of the new run
overlaps its span (`counted`), or the new run set it aside (`not_word`, `excluded`: the status of the overlapping
candidate), or nothing of the new lexicon is there any more (`dropped`). From this, per term of the earlier
lexicon, per category and over all: the precision before (yes / (yes + no) over every coded hit) and after (over the
coded hits still counted), and the recall of the coders' true framing uses (the share of the hits coded `yes` that
still count). Weighted by 1 / probability of selection, with Wilson intervals at the Kish effective n, as
`validate score` does. Hits the new run counts where nothing was coded (new terms) are listed apart: no code
speaks for them.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..io.files import check_writable, swap_in
from ..io.tables import load_run, read_table, write_csv
from .performance import weighted_proportion

log = logging.getLogger(__name__)

REVISION_COLUMNS = [
    "level", "category", "term", "n_coded", "n_yes", "n_no", "n_unsure", "precision_before", "ci_low_before",
    "ci_high_before", "n_kept", "n_kept_yes", "n_kept_no", "precision_after", "ci_low_after", "ci_high_after",
    "recall_yes", "ci_low_recall", "ci_high_recall", "n_not_word", "n_excluded", "n_dropped",
]
MATCHED_COLUMNS = ["unit", "document", "start", "end", "category", "term", "code", "weight", "status", "new_category",
                   "new_term"]
NEW_HIT_COLUMNS = ["document", "section", "sentence", "category", "term", "start", "end", "left", "match", "right",
                   "voice"]
OUTPUT_FILES = {"revision.csv", "matched.csv", "new_hits.csv", "revision.json"}


def match_gold(gold: pd.DataFrame, kwic: pd.DataFrame) -> pd.DataFrame:
    """Each coded hit (gold: unit, document, start, end, category, term, code, weight) with what the new run did
    there: `status` (counted / not_word / excluded / dropped) and the new entry (`new_category`, `new_term`)."""
    by_doc = {d: g for d, g in kwic.groupby("document", sort=False)}
    out = []
    for r in gold.itertuples():
        k = by_doc.get(r.document)
        here = k[(k["start"] < r.end) & (k["end"] > r.start)] if k is not None else kwic.iloc[:0]
        counted = here[here["status"] == "counted"]
        pick = counted.iloc[0] if len(counted) else (here.iloc[0] if len(here) else None)
        out.append({"unit": r.unit, "document": r.document, "start": int(r.start), "end": int(r.end),
                    "category": r.category, "term": r.term, "code": r.code, "weight": float(r.weight),
                    "status": "dropped" if pick is None else pick["status"],
                    "new_category": "" if pick is None else pick["category"],
                    "new_term": "" if pick is None else pick["term"]})
    return pd.DataFrame(out, columns=MATCHED_COLUMNS)


def _estimate(hits: pd.Series, weights: pd.Series) -> tuple[float, float, float]:
    est = weighted_proportion(hits.to_numpy(bool), weights.to_numpy(float))
    return est["value"], est["ci_low"], est["ci_high"]


def revision_row(part: pd.DataFrame) -> dict:
    """The before / after numbers of a set of matched coded hits."""
    decided = part[part["code"].isin(("yes", "no"))]
    kept = decided[decided["status"] == "counted"]
    yes = decided[decided["code"] == "yes"]
    before = _estimate(decided["code"] == "yes", decided["weight"])
    after = _estimate(kept["code"] == "yes", kept["weight"])
    recall = _estimate(yes["status"] == "counted", yes["weight"])
    return {"n_coded": len(decided), "n_yes": len(yes), "n_no": int((decided["code"] == "no").sum()),
            "n_unsure": int((part["code"] == "unsure").sum()),
            "precision_before": before[0], "ci_low_before": before[1], "ci_high_before": before[2],
            "n_kept": len(kept), "n_kept_yes": int((kept["code"] == "yes").sum()),
            "n_kept_no": int((kept["code"] == "no").sum()),
            "precision_after": after[0], "ci_low_after": after[1], "ci_high_after": after[2],
            "recall_yes": recall[0], "ci_low_recall": recall[1], "ci_high_recall": recall[2],
            **{f"n_{s}": int((part["status"] == s).sum()) for s in ("not_word", "excluded", "dropped")}}


def revision_table(matched: pd.DataFrame) -> pd.DataFrame:
    """Per term and category of the earlier lexicon, and over all coded hits."""
    rows = [{"level": "term", "category": c, "term": t, **revision_row(g)}
            for (c, t), g in matched.groupby(["category", "term"], sort=True)]
    rows += [{"level": "category", "category": c, "term": None, **revision_row(g)}
             for c, g in matched.groupby("category", sort=True)]
    rows.append({"level": "all", "category": None, "term": None, **revision_row(matched)})
    return pd.DataFrame(rows, columns=REVISION_COLUMNS)


def new_hits(gold: pd.DataFrame, kwic: pd.DataFrame) -> pd.DataFrame:
    """Counted hits of the new run that overlap no coded hit (no code speaks for them)."""
    spans = {d: g[["start", "end"]].to_numpy() for d, g in gold.groupby("document", sort=False)}
    counted = kwic[kwic["status"] == "counted"]
    keep = [not any(a < r.end and b > r.start for a, b in spans.get(r.document, np.empty((0, 2))))
            for r in counted.itertuples()]
    return counted[keep][NEW_HIT_COLUMNS].reset_index(drop=True)


def gold_with_spans(sample_dir: Path, gold_path: Path) -> pd.DataFrame:
    """gold.csv's units with their offsets, from the sample's key (sample.csv)."""
    key = read_table(Path(sample_dir) / "sample.csv")
    gold = read_table(Path(gold_path))
    if not (key["kind"] == "kwic").all():
        raise AnalysisError(f"{sample_dir} is not a KWIC sample (--unit kwic); a revision compares framing hits")
    missing = sorted(set(gold["unit"]) - set(key["unit"]))
    if missing:
        raise AnalysisError(f"{gold_path} has {len(missing)} unit(s) not in {sample_dir}/sample.csv (e.g. "
                            f"{missing[0]}): give the sample the gold was coded on")
    gold = gold[["unit", "code"]].merge(key[["unit", "document", "start", "end", "category", "term", "weight"]],
                                        on="unit", how="left", validate="one_to_one")
    return gold.sort_values("unit", kind="stable").reset_index(drop=True)


def validate_revision(sample_dir: Path, gold_path: Path, data_dir: Path, out: Path) -> pd.DataFrame:
    """`validate revision`: write revision.csv, matched.csv, new_hits.csv and revision.json into `out`."""
    check_writable(out, OUTPUT_FILES)
    gold = gold_with_spans(sample_dir, gold_path)
    run = load_run(data_dir)
    matched = match_gold(gold, run.kwic)
    table = revision_table(matched)
    extra = new_hits(gold, run.kwic)
    lex = run.manifest["lexicon"]
    overall = table[table["level"] == "all"].iloc[0]
    record = {"sample": str(sample_dir), "gold": str(gold_path),
              "run": {"path": str(data_dir), "tables": run.file_hashes()},
              "lexicon": {k: lex.get(k) for k in ("name", "version", "sha256", "file")},
              "precision_before": overall["precision_before"], "precision_after": overall["precision_after"],
              "recall_yes": overall["recall_yes"], "n_new_hits": len(extra)}

    def write(folder: Path) -> None:
        write_csv(table, folder / "revision.csv")
        write_csv(matched, folder / "matched.csv")
        write_csv(extra, folder / "new_hits.csv")
        (folder / "revision.json").write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n",
                                              encoding="utf-8")

    swap_in(Path(out), write)
    log.info("precision %.3f → %.3f on the coded hits still counted; %.1f%% of the hits coded yes still count; "
             "%d counted hit(s) without a code", overall["precision_before"], overall["precision_after"],
             100 * overall["recall_yes"], len(extra))
    return table
