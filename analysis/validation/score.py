"""The `validate score` workflow: read the sample and the coders' files, check them, measure agreement and each
scorer's performance against the gold, and write every table, validation.md and the figures all together."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from .. import config
from ..errors import AnalysisError
from ..io.files import check_writable, sha256_file, swap_in, write_json
from ..io.provenance import package_versions, version_of
from ..io.tables import read_table, write_csv
from ..sentiment.polarity import NeutralBand, check_band
from ..sentiment.scorers import MODEL_SCORERS, takes_model
from ..sentiment.trained import SentimentModel
from .codes import canonical_codes, code_matrix, coder_summary, read_adjudication, read_codes
from .performance import (
    CONFUSION_COLUMNS,
    CV_FOLDS,
    LENGTH_BANDS,
    LENGTH_COLUMNS,
    MIN_CODED,
    PERFORMANCE_COLUMNS,
    PRECISION_FLOOR,
    kwic_precision,
    length_table,
    scorer_performance,
)
from .reliability import LEVELS, agreement_table, gold_codes

log = logging.getLogger(__name__)
#: What `validate score` writes into VAL (figures/ holds the PNG and SVG figures).
OUTPUT_FILES = {"agreement.csv", "gold.csv", "unresolved.csv", "coders.csv", "performance.csv", "confusion.csv",
                "thresholds.csv", "length.csv", "precision.csv", "validation.md", "validation.json", "figures"}
DEFAULT_CODED_BY = "coded by the users of this package; state who they were"
#: Fewest bootstrap resamples for a 95% percentile interval (2.5% of them below the interval's lower end).
MIN_RESAMPLES = 100
KWIC_COLUMNS = ("term", "category")


@dataclass
class Validation:
    """The inputs of `validate score` once read and checked, and what was computed from them."""

    sample: pd.DataFrame  # sample.csv, indexed by unit
    meta: dict  # sample.json
    codes: pd.DataFrame  # long: coder, unit, code, file
    adjudicated: pd.Series | None
    coded_by: str
    provenance: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # plain-language notes of `compute` (validation.md, Notes)
    sample_dir: Path | None = None  # the folder of sample.csv (and of the blind sheet coding.csv)

    @property
    def kind(self) -> str:
        """'sentences' or 'kwic'."""
        return self.meta["unit"]

    @property
    def coders(self) -> list[str]:
        """The coders' names, sorted."""
        return sorted(self.codes["coder"].unique())

    @property
    def scorers(self) -> list[str]:
        """The score columns of the sample (sample.json's `scorers`, else every `sentiment*` column)."""
        names = self.meta.get("scorers") or [c for c in self.sample.columns if c.startswith("sentiment")]
        return [s for s in names if s in self.sample.columns] if self.kind == "sentences" else []


def load_sample(folder: Path) -> tuple[pd.DataFrame, dict]:
    """sample.csv (indexed by unit) and sample.json of a folder written by `validate sample`."""
    try:
        meta = json.loads((folder / "sample.json").read_text(encoding="utf-8"))
        sample = read_table(folder / "sample.csv")
    except FileNotFoundError as exc:
        raise AnalysisError(f"{exc.filename} not found; pass as --sample the folder `validate sample` wrote") from None
    except (json.JSONDecodeError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise AnalysisError(f"cannot read the sample in {folder} ({type(exc).__name__}); draw it again") from None
    if meta.get("unit") not in ("sentences", "kwic") or "unit" not in sample.columns:
        raise AnalysisError(f"{folder} is not a sample written by `validate sample` (no unit kind in sample.json or "
                            "no unit column in sample.csv)")
    missing = [c for c in ("text", *(KWIC_COLUMNS if meta["unit"] == "kwic" else ())) if c not in sample.columns]
    if missing:
        raise AnalysisError(f"{folder / 'sample.csv'} has no column {', '.join(missing)}; draw the sample again")
    sample["unit"] = sample["unit"].astype(str)
    if sample["unit"].duplicated().any():
        raise AnalysisError(f"{folder / 'sample.csv'} lists unit {sample['unit'][sample['unit'].duplicated()].iloc[0]}"
                            " twice; draw the sample again")
    if "weight" not in sample.columns:
        sample["weight"] = 1 / sample["probability"] if "probability" in sample.columns else 1.0
    return sample.set_index("unit", drop=False).rename_axis(None), meta


def check_run(meta: dict, data: Path) -> None:
    """Refuse a run whose tables differ from those the sample was drawn from (sha256 in sample.json)."""
    tables = meta.get("run", {}).get("tables", {})
    if not tables:
        raise AnalysisError("sample.json records no table hashes of its run; --data cannot be checked")
    for name, digest in sorted(tables.items()):
        path = data / name
        if not path.is_file():
            raise AnalysisError(f"--data {data} has no {name}; pass the run the sample was drawn from")
        if sha256_file(path) != digest:
            raise AnalysisError(f"--data {data} is not the run the sample was drawn from: its {name} differs from the "
                                "one recorded in sample.json; pass the same run or draw a new sample")


def coded_by_text(coded_by: str | None, folders: list[Path]) -> str:
    """Who coded: --coded-by, else `coded_by` of the first coders.yaml found in folders, else the default text."""
    if coded_by:
        return coded_by.strip()
    for folder in folders:
        path = folder / "coders.yaml"
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError) as exc:
                raise AnalysisError(f"cannot read {path} ({type(exc).__name__}); fix it or pass --coded-by") from None
            text = data.get("coded_by") if isinstance(data, dict) else data
            if not isinstance(text, str) or not text.strip():
                raise AnalysisError(f"{path} needs a `coded_by:` text saying who coded; or pass --coded-by")
            return text.strip()
    return DEFAULT_CODED_BY


def _versions() -> dict[str, str]:
    """The versions of manifest.json, and of the packages the validation statistics use."""
    validation = ("krippendorff", "scikit-learn", "scipy", "statsmodels", "openpyxl")
    return {**package_versions(), **{name: version_of(name) for name in validation}}


def _provenance(sample_dir: Path, meta: dict, code_files: list[Path], adjudicate: Path | None, resamples: int) -> dict:
    # File names and hashes only (no absolute paths), so that the same inputs give the same bytes anywhere.
    return {
        "sample": {"unit": meta["unit"], "seed": meta.get("seed"), "stratify": meta.get("stratify"),
                   "sha256": {n: sha256_file(sample_dir / n) for n in ("sample.csv", "sample.json")},
                   "run_tables": meta.get("run", {}).get("tables", {}), "notes": meta.get("notes", [])},
        "codes": [{"file": p.name, "sha256": sha256_file(p)} for p in code_files],
        "adjudicate": {"file": adjudicate.name, "sha256": sha256_file(adjudicate)} if adjudicate else None,
        "parameters": {"bootstrap_resamples": resamples, "bootstrap_base_seed": config.BOOTSTRAP_BASE_SEED,
                       "ci_level": config.CI_LEVEL, "cv_folds": CV_FOLDS, "neutral": 0.5,
                       "length_bands": [[lo, hi, label] for lo, hi, label in LENGTH_BANDS],
                       "precision_floor": PRECISION_FLOOR, "min_coded": MIN_CODED},
        "versions": _versions(),
    }


def read_inputs(sample_dir: Path, code_files: list[Path], adjudicate: Path | None = None, data: Path | None = None,
                coded_by: str | None = None, resamples: int = config.BOOTSTRAP_RESAMPLES) -> Validation:
    """Read and check everything `validate score` needs; AnalysisError (nothing written) for any misfit."""
    if resamples < MIN_RESAMPLES:
        raise AnalysisError(f"--resamples must be at least {MIN_RESAMPLES} for a 95% percentile interval")
    sample, meta = load_sample(sample_dir)
    if data is not None:
        check_run(meta, data)
    units = set(sample.index)
    codes = read_codes(code_files, units, meta["unit"])
    if codes["code"].notna().sum() == 0:
        raise AnalysisError("the codes files hold no code at all; fill in the `code` column of the coding sheet")
    adjudicated = read_adjudication(adjudicate, units, meta["unit"]) if adjudicate else None
    who = coded_by_text(coded_by, [sample_dir, *dict.fromkeys(p.parent for p in code_files)])
    return Validation(sample, meta, codes, adjudicated, who,
                      _provenance(sample_dir, meta, code_files, adjudicate, resamples), sample_dir=sample_dir)


def _base_columns(v: Validation) -> list[str]:
    cols = ["unit", "document", "sentence", "text", "text_scored", *(KWIC_COLUMNS if v.kind == "kwic" else ())]
    return [c for c in cols if c in v.sample.columns]


def gold_and_unresolved(v: Validation, matrix: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """gold.csv (resolved units with their code, how it was reached, scores and weight), unresolved.csv (units
    without a strict majority, the coders' codes, and the adjudicated code if any) and the resolution of every unit."""
    before = gold_codes(matrix).set_index("unit")
    final = gold_codes(matrix, v.adjudicated).set_index("unit")
    resolved = final[final["code"].notna()]
    extra = [c for c in (*v.scorers, "stratum", "weight") if c in v.sample.columns]
    kwic = [c for c in KWIC_COLUMNS if c in _base_columns(v)]  # after `code`: the first six columns never vary
    gold = v.sample.loc[resolved.index, [c for c in _base_columns(v) if c not in kwic]].copy()
    gold["code"] = resolved["code"]
    gold[kwic] = v.sample.loc[resolved.index, kwic]
    gold["resolution"] = resolved["resolution"]
    gold["n_coders"] = resolved["n_coders"]
    gold = pd.concat([gold, v.sample.loc[resolved.index, extra]], axis=1).sort_values("unit", kind="stable")
    open_units = before.index[before["resolution"] == "unresolved"]
    unresolved = v.sample.loc[open_units, _base_columns(v)].copy()
    for coder in matrix.columns:
        unresolved[f"code_{coder}"] = matrix.loc[open_units, coder]
    unresolved["code"] = final.loc[open_units, "code"]
    return gold.reset_index(drop=True), unresolved.sort_values("unit").reset_index(drop=True), final


THRESHOLD_COLUMNS = ["scorer", "model", "model_sha256", "converter", "low", "high", "n_units", "folds",
                     "package_version"]


def _model(meta: dict, scorer: str) -> tuple[str, str, str]:
    # The run's model identity from sample.json: the main scorer's name, or the second scorer's (sentiment_NAME),
    # and for a SnowNLP scorer the sha256 of the trained sentiment model that scored ("" for SnowNLP's own).
    manifest = meta.get("run", {}).get("manifest", {})
    params = manifest.get("parameters", manifest)  # a whole manifest.json, or the summary sample.json keeps
    name = params.get("scorer", "snownlp") if scorer == "sentiment" else scorer.removeprefix("sentiment_")
    model = params.get("sentiment_model")
    sha = str(model.get("sha256", "")) if isinstance(model, dict) and takes_model(str(name)) else ""
    return str(name), sha, str(params.get("converter", ""))


def band_from_thresholds(path: Path, scorer: str, model: SentimentModel | None) -> NeutralBand:
    """The neutral band of `scorer` with `model` (None: SnowNLP's own) in a thresholds.csv of `validate score`:
    the row whose `model` is the scorer (snownlp and snownlp-reference give the same scores, so either matches the
    other) and whose `model_sha256` is the model's (empty or absent for SnowNLP's own model). One-line error when
    there is none."""
    try:
        table = read_table(path)
    except FileNotFoundError:
        raise AnalysisError(f"--neutral-band {path} not found; give LOW,HIGH or the thresholds.csv that "
                            "`validate score` wrote") from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise AnalysisError(f"cannot read --neutral-band {path} ({type(exc).__name__}); give the thresholds.csv "
                            "that `validate score` wrote") from None
    missing = [c for c in ("model", "low", "high") if c not in table.columns]
    if missing:
        raise AnalysisError(f"--neutral-band {path} has no {', '.join(missing)} column: it is not the thresholds.csv "
                            "of `validate score`")
    family = set(MODEL_SCORERS) if takes_model(scorer) else {scorer}
    sha = table["model_sha256"].fillna("").astype(str) if "model_sha256" in table.columns else ""
    want = model.sha256 if model is not None and takes_model(scorer) else ""
    rows = table[table["model"].astype(str).isin(family) & (sha == want) & table["low"].notna()]
    if rows.empty:
        which = f"the sentiment model {model.name} ({model.short}…)" if want else "SnowNLP's own model"
        which = which if takes_model(scorer) else "its word lists"
        have = "; ".join(f"{r.model}" + (f" with model {str(r.model_sha256)[:8]}…" if "model_sha256" in table.columns
                                          and isinstance(r.model_sha256, str) and r.model_sha256 else "")
                         for r in table.itertuples()) or "none"
        raise AnalysisError(f"--neutral-band {path} has no band for the {scorer} scorer with {which} (it has: {have});"
                            " validate a run made with this scorer and model, or give LOW,HIGH")
    row = rows.iloc[0]
    return check_band(float(row["low"]), float(row["high"]),
                      f"{path.name} (row of scorer {row['scorer'] if 'scorer' in rows.columns else row['model']})")


def sentence_tables(v: Validation, gold: pd.DataFrame, resamples: int) -> dict[str, pd.DataFrame]:
    """performance.csv, confusion.csv, thresholds.csv and length.csv for every scorer of a sentence sample."""
    perf, conf, thresholds, lengths = [], [], [], []
    for scorer in v.scorers:
        frame = pd.DataFrame({"code": gold["code"].to_numpy(object), "score": gold[scorer].to_numpy(float),
                              "weight": gold["weight"].to_numpy(float),
                              "chars": gold["text"].fillna("").str.len().to_numpy()}, index=gold["unit"])
        result = scorer_performance(frame, scorer, resamples)
        perf.append(result.performance)
        conf.append(result.confusion)
        model, model_sha, converter = _model(v.meta, scorer)
        thresholds.append({"scorer": scorer, "model": model, "model_sha256": model_sha, "converter": converter,
                           "low": result.band[0],
                           "high": result.band[1], "n_units": int(frame["score"].notna().sum()),
                           "folds": result.folds, "package_version": v.meta.get("package_version", "")})
        lengths.append(length_table(frame, scorer, result.oof))
    return {"performance": pd.concat(perf, ignore_index=True) if perf else pd.DataFrame(columns=PERFORMANCE_COLUMNS),
            "confusion": pd.concat(conf, ignore_index=True) if conf else pd.DataFrame(columns=CONFUSION_COLUMNS),
            "thresholds": pd.DataFrame(thresholds, columns=THRESHOLD_COLUMNS),
            "length": pd.concat(lengths, ignore_index=True) if lengths else pd.DataFrame(columns=LENGTH_COLUMNS)}


def compute(v: Validation, resamples: int = config.BOOTSTRAP_RESAMPLES) -> list[str]:
    """Fill v.tables with every table and v.notes with plain-language notes (single coder, unresolved units, …);
    returns the notes."""
    matrix = code_matrix(v.codes, list(v.sample.index))
    codes = canonical_codes(v.kind)
    notes = list(v.meta.get("notes", []))
    v.tables["coders"] = coder_summary(v.codes, len(v.sample))
    if len(v.coders) >= 2:
        v.tables["agreement"] = agreement_table(matrix, codes, LEVELS[v.kind], resamples)
    else:
        notes.append(f"only one coder ({v.coders[0]}): agreement between coders cannot be measured, and the gold "
                     "is that coder's codes")
    gold, unresolved, resolution = gold_and_unresolved(v, matrix)
    v.tables["gold"], v.tables["unresolved"] = gold, unresolved
    counts = resolution["resolution"].value_counts()
    if counts.get("uncoded", 0):
        notes.append(f"{counts['uncoded']} of {len(v.sample)} sampled units have no code from any coder")
    if counts.get("unresolved", 0):
        notes.append(f"{counts['unresolved']} unit(s) without a strict majority are left out of the gold (listed in "
                     "unresolved.csv: fill in its `code` column and pass it as --adjudicate)")
    if v.kind == "sentences":
        v.tables.update(sentence_tables(v, gold, resamples))
    else:
        v.tables["precision"] = kwic_precision(gold)
    v.notes = notes
    return notes


def write_outputs(v: Validation, notes: list[str], folder: Path) -> None:
    """Write every table, validation.json, validation.md and the figures into folder."""
    from .plots import render_validation_figures
    from .report import validation_report

    for name, table in v.tables.items():
        write_csv(table, folder / f"{name}.csv")
    write_json({**v.provenance, "coded_by": v.coded_by, "coders": v.coders, "notes": notes,
                "scorers": v.scorers}, folder / "validation.json")
    figures = render_validation_figures(folder, folder / "figures")
    report = validation_report(v.tables, v.kind, v.coded_by, notes, v.provenance,
                               [p.relative_to(folder).as_posix() for p in figures if p.suffix == ".png"])
    (folder / "validation.md").write_text(report, encoding="utf-8")


def validate_score(sample_dir: Path, code_files: list[Path], out: Path, adjudicate: Path | None = None,
                   data: Path | None = None, coded_by: str | None = None,
                   resamples: int = config.BOOTSTRAP_RESAMPLES) -> Validation:
    """Read, check, compute, and swap the complete set of outputs into `out` (all or nothing)."""
    if out.resolve() == sample_dir.resolve():
        raise AnalysisError("--out is the sample folder; write the validation into a folder of its own")
    check_writable(out, OUTPUT_FILES)
    v = read_inputs(sample_dir, code_files, adjudicate, data, coded_by, resamples)
    notes = compute(v, resamples)
    for note in notes:
        if note.startswith("only one coder"):
            log.warning("warning: %s", note)
    swap_in(out, lambda folder: write_outputs(v, notes, folder))
    return v
