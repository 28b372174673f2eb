"""Views of a validation for reading it (notebook 06): how the sample was drawn, what the coders saw, how the gold
was reached, the headline measures, plain-language verdicts, and the tables as `validate score` writes them.

Every function takes the object `api.validate` returns (score.Validation, tables computed) and computes nothing new:
the numbers are those of the tables `validate score` writes.
"""

from __future__ import annotations

import pandas as pd

from ..errors import AnalysisError
from ..io.tables import read_table
from .reliability import AGREEMENT_COLUMNS
from .report import ALPHA_FIRM, ALPHA_TENTATIVE, agreement_lines, conclusions, scorer_name, verdicts
from .score import Validation

#: The measures of a scorer's headline table, in reading order, with what each one is.
HEADLINE_MEASURES = {
    "accuracy_binary": "share of gold positive/negative sentences on the gold's side of 0.5",
    "macro_f1_binary": "mean of the F1 of positive and of negative (same sentences)",
    "coverage_binary": "share of gold positive/negative sentences the scorer took a side on (not exactly 0.5)",
    "spearman": "rank correlation of score and code (negative < neutral < positive), all gold sentences",
    "accuracy_3way_cv": "share of all gold sentences in the gold's class, neutral band cross-validated",
    "majority_class_share": "baseline: always answering the commonest gold class",
}
#: Metadata columns of the development corpus that describe a sample's make-up, when present.
COMPOSITION_COLUMNS = ("meta_split", "meta_region", "meta_script")
HEADLINE_COLUMNS = ["scorer", "measure", "value", "ci_low", "ci_high", "n", "what"]


def _units(v: Validation, n: int, population: bool = False) -> str:
    word = ("scored body sentence" if population else "sentence") if v.kind == "sentences" else "framing hit"
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def describe_sample(v: Validation) -> str:
    """How the sample was drawn, in one paragraph, from sample.json and the probabilities in sample.csv."""
    m, design = v.meta, v.meta.get("design", {})
    strata, population = design.get("strata", {}), design.get("population")
    asked = f"asked for {m['n_requested']:,}; " if "n_requested" in m else ""
    if len(v.sample) == population:
        text = f"All {_units(v, population, True)} of the run were taken ({asked}seed {m.get('seed')}). "
    else:
        source = f"the {_units(v, population, True)} of the run" if population is not None else "the run"
        text = f"{_units(v, len(v.sample))} drawn at random from {source} ({asked}seed {m.get('seed')}). "
    if m.get("stratify", "none") == "none":
        text += "A simple random sample: every unit had the same probability of selection."
    else:
        empty = sum(1 for s in strata.values() if s.get("drawn") == 0)
        text += (f"Stratified by {m['stratify']}: {len(strata):,} strata, allocation "
                 f"{design.get('allocation', 'not recorded')}" + (f"; {empty:,} strata got no unit" if empty else "")
                 + ".")
    prob = v.sample["probability"] if "probability" in v.sample.columns else pd.Series([1.0])
    if prob.min() < prob.max():
        text += (f" Probability of selection from {prob.min():.3g} to {prob.max():.3g}: every overall figure weights "
                 "a unit by 1 / its probability, so the figures describe the run, not the sample's mix.")
    else:
        text += f" Every unit had the same probability of selection ({prob.min():.3g}): no weighting is needed."
    return " ".join([text, *(f"Note: {n}." for n in m.get("notes", []))])


def design_table(v: Validation) -> pd.DataFrame:
    """The sample's record (sample.json) as a two-column table: what was drawn, how, and from which run."""
    m, design = v.meta, v.meta.get("design", {})
    run = m.get("run", {}).get("manifest", {})
    lexicon = run.get("lexicon") or {}
    rows = [("unit", m.get("unit")), ("units drawn", len(v.sample)), ("units asked for", m.get("n_requested")),
            ("units in the run", design.get("population")), ("seed", m.get("seed")),
            ("stratified by", m.get("stratify")), ("strata", len(design.get("strata", {}))),
            ("allocation", design.get("allocation")), ("scorers in the sample", ", ".join(v.scorers) or "none"),
            ("run's scorer", run.get("scorer")), ("run's second scorer", run.get("second_scorer")),
            ("run's converter", run.get("converter")),
            ("run's lexicon", f"{lexicon.get('name')} {lexicon.get('version')}" if lexicon else None),
            ("allowed codes", " / ".join(m.get("codes", []))), ("sample id (sha256 of sample.csv)",
                                                                v.provenance["sample"]["sha256"]["sample.csv"][:12])]
    return pd.DataFrame(rows, columns=["item", "value"]).astype({"value": str})


def composition(v: Validation, columns: tuple[str, ...] = COMPOSITION_COLUMNS) -> pd.DataFrame:
    """Units of the sample per level of each metadata column present (e.g. the revise / evaluate split)."""
    rows = []
    for col in (c for c in columns if c in v.sample.columns):
        counts = v.sample[col].fillna("(none)").value_counts().sort_index()
        rows += [{"column": col, "level": level, "units": int(k), "share": k / len(v.sample)}
                 for level, k in counts.items()]
    return pd.DataFrame(rows, columns=["column", "level", "units", "share"])


def blind_sheet(v: Validation, rows: int = 5) -> pd.DataFrame:
    """The first rows of the blind coding sheet (coding.csv beside sample.csv), exactly as the coders got them."""
    path = v.sample_dir / "coding.csv" if v.sample_dir is not None else None
    if path is None or not path.is_file():
        raise AnalysisError(f"no coding.csv beside the sample ({v.sample_dir}); it is written by `validate sample`")
    return read_table(path).head(rows)


def resolution_table(v: Validation) -> pd.DataFrame:
    """How each sampled unit's gold code was reached (unanimous, majority, adjudicated, …) and how many are left out:
    without a strict majority and not adjudicated, or coded by nobody."""
    gold, open_units = v.tables["gold"], v.tables["unresolved"]
    counts = gold["resolution"].value_counts()
    rows = [(r, int(counts[r]), "in the gold") for r in ("unanimous", "majority", "single", "adjudicated")
            if r in counts.index]
    coded = set(v.codes.loc[v.codes["code"].notna(), "unit"])
    rows.append(("unresolved", int(open_units["code"].isna().sum()), "left out"))
    rows.append(("no code from any coder", int((~v.sample.index.isin(list(coded))).sum()), "left out"))
    return pd.DataFrame(rows, columns=["resolution", "units", "gold"])


def headline(v: Validation) -> pd.DataFrame:
    """Per scorer the headline measures (HEADLINE_MEASURES) of performance.csv with their 95% intervals and n."""
    perf = v.tables.get("performance")
    if perf is None or perf.empty:
        return pd.DataFrame(columns=HEADLINE_COLUMNS)
    rows = perf[perf["measure"].isin(list(HEADLINE_MEASURES))].copy()
    rows["order"] = rows["measure"].map(list(HEADLINE_MEASURES).index)
    rows = rows.sort_values(["scorer", "order"], kind="stable")
    rows["what"] = rows["measure"].map(HEADLINE_MEASURES)
    rows["scorer"] = rows["scorer"].map(scorer_name)
    return rows[HEADLINE_COLUMNS].reset_index(drop=True)


def alpha_thresholds() -> pd.DataFrame:
    """Krippendorff's (2004) reading of α, as validation.md applies it."""
    return pd.DataFrame([(f"α ≥ {ALPHA_FIRM}", "reliable: firm conclusions may rest on the codes"),
                         (f"{ALPHA_TENTATIVE} ≤ α < {ALPHA_FIRM}", "tentative conclusions only"),
                         (f"α < {ALPHA_TENTATIVE}", "not reliable enough to serve as a gold standard")],
                        columns=["α", "Krippendorff's reading"])


def agreement(v: Validation) -> pd.DataFrame:
    """agreement.csv; with one coder (no α can be computed) an empty table with its columns."""
    return v.tables.get("agreement", pd.DataFrame(columns=AGREEMENT_COLUMNS))


def agreement_verdicts(v: Validation) -> list[str]:
    """validation.md's verdict on the agreement between coders (Krippendorff's reading of α and its interval)."""
    return agreement_lines(v.tables)


def performance_verdicts(v: Validation) -> list[str]:
    """validation.md's verdicts on each scorer (sentences) or on the framing terms' precision (KWIC)."""
    return verdicts(v.tables, v.kind)[len(agreement_lines(v.tables)):]


def conclusion_lines(v: Validation) -> list[str]:
    """What may and may not be concluded (validation.md), as plain text (no Markdown marks)."""
    return [line.removeprefix("- ").replace("**", "") for line in
            conclusions(v.kind, v.coded_by, "agreement" not in v.tables)]


def length_wide(v: Validation) -> pd.DataFrame:
    """length.csv with one row per scorer and length band: binary and cross-validated three-class accuracy side by
    side, each with its interval and n."""
    length = v.tables["length"]
    wide = length.pivot(index=["scorer", "band"], columns="measure", values=["value", "ci_low", "ci_high", "n"])
    wide.columns = [f"{measure}_{stat}".removesuffix("_value") for stat, measure in wide.columns]
    bands = list(dict.fromkeys(length["band"]))
    wide = wide.reset_index()
    wide["order"] = wide["band"].map(bands.index)
    wide = wide.sort_values(["scorer", "order"], kind="stable").drop(columns="order")
    wide["scorer"] = wide["scorer"].map(scorer_name)
    first = ["scorer", "band"]
    ordered = [f"{m}{s}" for m in ("accuracy_binary", "accuracy_3way_cv") for s in ("", "_ci_low", "_ci_high", "_n")]
    wide = wide[first + [c for c in ordered if c in wide.columns]].reset_index(drop=True)
    return wide.astype({c: "Int64" for c in wide.columns if c.endswith("_n")})


def precision_summary(v: Validation) -> pd.DataFrame:
    """precision.csv's rows per category and over all hits (the per-term rows are in the figure and the flags)."""
    p = v.tables["precision"]
    return p[p["level"] != "term"].drop(columns="term").reset_index(drop=True)


def flagged_terms(v: Validation) -> pd.DataFrame:
    """The framing terms flagged in precision.csv (precision below 0.8 or fewer than 5 hits coded yes or no), the
    lowest precision first."""
    p = v.tables["precision"]
    flagged = p[(p["level"] == "term") & p["flag"].notna() & (p["flag"] != "")]
    cols = ["category", "term", "n_coded", "n_yes", "n_no", "n_unsure", "precision", "ci_low", "ci_high", "flag"]
    return flagged.sort_values(["precision", "n_coded", "term"], ascending=[True, False, True], na_position="last",
                               kind="stable")[cols].reset_index(drop=True)


def output_tables(v: Validation, prefix: str) -> dict[str, pd.DataFrame]:
    """Every table `validate score` writes as NAME.csv, keyed PREFIX + NAME (for api.save_outputs)."""
    return {f"{prefix}{name}": table for name, table in v.tables.items()}
