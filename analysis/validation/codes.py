"""Coders' files: read CSV or XLSX codes, normalise their spellings, and refuse files that do not fit the sample."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..errors import AnalysisError
from ..io.tables import read_sheet

SENTIMENT_CODES = ("negative", "neutral", "positive")
KWIC_CODES = ("yes", "no", "unsure")
#: Accepted spellings of each canonical code, by kind of sample (matched after trimming and lower-casing).
SPELLINGS = {
    "sentences": {"negative": "negative", "neg": "negative", "-1": "negative",
                  "neutral": "neutral", "neu": "neutral", "0": "neutral",
                  "positive": "positive", "pos": "positive", "1": "positive", "+1": "positive"},
    "kwic": {"yes": "yes", "1": "yes", "no": "no", "0": "no", "unsure": "unsure"},
}
#: Columns of the long table of codes that read_codes returns.
CODE_COLUMNS = ["coder", "unit", "code", "file"]


def canonical_codes(kind: str) -> tuple[str, ...]:
    """The canonical codes of a kind of sample ('sentences' or 'kwic'), in their natural order."""
    return SENTIMENT_CODES if kind == "sentences" else KWIC_CODES


def normalise_code(value: object, kind: str) -> str | None:
    """The canonical code for a cell (None when blank); ValueError for a spelling outside the allowed set."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip().lower()
    if not text or text == "nan":
        return None
    if re.fullmatch(r"[+-]?\d+\.0*", text):  # spreadsheets store 1 as 1.0
        text = text.split(".")[0]
    try:
        return SPELLINGS[kind][text]
    except KeyError:
        raise ValueError(text) from None


def _allowed(kind: str) -> str:
    extra = "also neg/neu/pos or -1/0/1" if kind == "sentences" else "also 1/0"
    return f"{'/'.join(canonical_codes(kind))} ({extra})"


def read_code_file(path: Path) -> pd.DataFrame:
    """Every cell of a coder's CSV or XLSX file as text (blank = ''), column names trimmed and lower-cased."""
    if not path.is_file():
        raise AnalysisError(f"codes file {path} not found")
    return read_sheet(path, "codes file")


def check_code_table(df: pd.DataFrame, path: Path, units: set[str], kind: str) -> pd.DataFrame:
    """The table of one file as CODE_COLUMNS rows with canonical codes (None = blank); AnalysisError if it misfits."""
    missing = [c for c in ("unit", "code") if c not in df.columns]
    if missing:
        raise AnalysisError(f"codes file {path} has no {' or '.join(repr(m) for m in missing)} column; it needs "
                            "'unit' and 'code' (and optionally 'coder'), as in the coding sheet")
    unit = df["unit"].str.strip()
    raw = df["code"].str.strip()
    keep = (unit != "") | (raw != "")  # rows blank in both are spreadsheet padding
    unit, raw = unit[keep], raw[keep]
    if (unit == "").any():
        raise AnalysisError(f"codes file {path}: row {int((unit == '').idxmax()) + 2} has a code but no unit")
    foreign = sorted(set(unit) - units)
    if foreign:
        raise AnalysisError(f"codes file {path} has {len(foreign)} unit(s) not in sample.csv (e.g. {foreign[0]}): "
                            "it was coded for another sample; pass the matching --sample")
    codes = []
    for u, value in zip(unit, raw, strict=True):
        try:
            codes.append(normalise_code(value, kind))
        except ValueError:
            raise AnalysisError(f"codes file {path}, unit {u}: code {value!r} is not one of "
                                f"{_allowed(kind)}") from None
    coder = df["coder"].str.strip()[keep] if "coder" in df.columns else pd.Series("", index=unit.index)
    coder = coder.where(coder != "", path.stem)
    return pd.DataFrame({"coder": coder.to_numpy(), "unit": unit.to_numpy(), "code": codes, "file": path.name})


def _check_duplicates(codes: pd.DataFrame) -> None:
    coded = codes[codes["code"].notna()]
    dup = coded[coded.duplicated(["coder", "unit"], keep=False)]
    if len(dup):
        first = dup.sort_values(["coder", "unit"], kind="stable").iloc[0]
        files = sorted(set(dup.loc[(dup["coder"] == first["coder"]) & (dup["unit"] == first["unit"]), "file"]))
        raise AnalysisError(f"coder {first['coder']!r} coded unit {first['unit']} twice (in {', '.join(files)}); "
                            "keep one code per unit and coder (files of different coders need different names or "
                            "a 'coder' column)")


def read_codes(paths: list[Path], units: set[str], kind: str) -> pd.DataFrame:
    """All coders' codes as one long table (CODE_COLUMNS; code None where the cell was blank), checked."""
    tables = [check_code_table(read_code_file(p), p, units, kind) for p in paths]
    codes = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=CODE_COLUMNS)
    _check_duplicates(codes)
    return codes


def code_matrix(codes: pd.DataFrame, units: list[str]) -> pd.DataFrame:
    """Units × coders table of canonical codes (None where a coder gave none), coders sorted by name."""
    coded = codes[codes["code"].notna()]
    wide = coded.pivot(index="unit", columns="coder", values="code")
    coders = sorted(codes["coder"].unique())
    return wide.reindex(index=units, columns=coders).astype(object).where(lambda m: m.notna(), None)


def coder_summary(codes: pd.DataFrame, n_units: int) -> pd.DataFrame:
    """Per coder: files, units coded, blank cells, and sample units left without a code."""
    rows = []
    for coder, g in codes.groupby("coder", sort=True):
        coded = int(g["code"].notna().sum())
        rows.append({"coder": coder, "files": "; ".join(sorted(set(g["file"]))), "n_coded": coded,
                     "n_blank": int(g["code"].isna().sum()), "n_missing": n_units - coded})
    return pd.DataFrame(rows, columns=["coder", "files", "n_coded", "n_blank", "n_missing"])


def read_adjudication(path: Path, units: set[str], kind: str) -> pd.Series:
    """An adjudicator's file (same format as a codes file) as unit → canonical code; blank rows are ignored."""
    table = check_code_table(read_code_file(path), path, units, kind)
    table = table[table["code"].notna()]
    dup = table["unit"][table["unit"].duplicated()]
    if len(dup):
        raise AnalysisError(f"adjudication file {path} settles unit {dup.iloc[0]} twice; keep one code per unit")
    return pd.Series(table["code"].to_numpy(), index=table["unit"].to_numpy(), name="code", dtype=object)
