"""A run's tables in the formats of other tools (`python -m analysis export`): Parquet and Stata .dta (one file per
table in a folder) and Excel .xlsx (one workbook, a sheet per table and a `codebook` sheet).

The tables are those of the run (documents, sections, sentences, framing, kwic, failures), as `load_run` reads them.
Column meanings come from CODEBOOK.md (the same text the codebook shows): Stata variable labels (at most 80
characters, cut with "…") and the xlsx codebook sheet. Stata names must be letters, digits and `_` (at most 32
characters) and not one of Stata's reserved words: other characters of a metadata column's name become `_`, a
reserved word (`end`) or a leading digit gets a leading `_`, a number is added if two names clash, and the label then
starts with the original name. Stata has no missing text: an empty cell is "" there. Outputs are
deterministic: the .dta's time stamp and the workbook's times are fixed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd

from .. import config
from ..errors import AnalysisError
from ..schema import META_PREFIX
from .files import deterministic_xlsx
from .tables import RunTables

FORMATS = ("parquet", "dta", "xlsx")
#: The tables exported, in order: attribute of RunTables → file stem / sheet name.
EXPORTED = ("documents", "sections", "sentences", "framing", "kwic", "failures")
STATA_TIME = dt.datetime(2026, 1, 1)
STATA_LABEL_MAX = 80
XLSX_MAX_ROWS = 1_048_575  # and a header row
XLSX_MAX_CELL = 32_767


def codebook_labels(path: Path = config.CODEBOOK) -> dict[str, dict[str, str]]:
    """Table name (documents, …) → column → its meaning in CODEBOOK.md, markdown removed."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    labels: dict[str, dict[str, str]] = {}
    table = None
    for line in text.splitlines():
        heading = re.match(r"^## (\w+)\.csv\b", line)
        if heading or line.startswith("#"):
            table = heading.group(1) if heading else None
            continue
        if table and line.startswith("| `"):
            cells = line.split(" | ")
            meaning = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", " | ".join(cells[1:]).rstrip(" |"))
            meaning = re.sub(r"\s+", " ", meaning.replace("`", "")).strip()
            for name in re.findall(r"`([^`]+)`", cells[0]):
                labels.setdefault(table, {})[name] = meaning
    return labels


def column_label(table: str, column: str, labels: dict[str, dict[str, str]]) -> str:
    """A column's meaning: its codebook entry, `meta_…` for metadata columns, else ""."""
    known = labels.get(table, {})
    if column in known:
        return known[column]
    if column.startswith(META_PREFIX):
        return f"metadata given with the input: {column.removeprefix(META_PREFIX)}"
    return next((m for name, m in known.items() if "…" in name and column.startswith(name.split("…")[0])), "")


def stata_names(columns: list[str]) -> dict[str, str]:
    """Column → a valid, unique Stata variable name (letters, digits, _; at most 32 characters)."""
    from pandas.io.stata import StataParser

    reserved = StataParser().RESERVED_WORDS  # the words pandas refuses as names (Stata's and Mata's)
    out: dict[str, str] = {}
    for col in columns:
        name = re.sub(r"[^A-Za-z0-9_]", "_", col)[:32]
        ok = re.match(r"[A-Za-z_]", name) and name not in reserved
        name = name if ok else f"_{name}"[:32]  # Stata's reserved words (`end`) get a leading _, as pandas does
        base, k = name, 1
        while name in out.values():
            k += 1
            name = f"{base[:32 - len(str(k)) - 1]}_{k}"
        out[col] = name
    return out


def _label(text: str) -> str:
    return text if len(text) <= STATA_LABEL_MAX else text[:STATA_LABEL_MAX - 1] + "…"


def write_dta(df: pd.DataFrame, table: str, path: Path, labels: dict[str, dict[str, str]]) -> None:
    """One table as Stata 14+ .dta (version 118, UTF-8) with variable labels from the codebook."""
    names = stata_names(list(df.columns))
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s):
            out[col] = s.astype("int8")
        elif pd.api.types.is_numeric_dtype(s):
            out[col] = s.astype("float64") if s.isna().any() or not pd.api.types.is_integer_dtype(s) else s
        else:
            out[col] = s.astype(object).where(s.notna(), "").astype(str)
    strl = [names[c] for c in out.columns if out[c].dtype == object and out[c].map(
        lambda v: len(v.encode("utf-8"))).max(initial=0) > 2045]
    var_labels = {}
    for col in df.columns:
        meaning = column_label(table, col, labels)
        var_labels[names[col]] = _label(meaning if names[col] == col else f"{col}: {meaning}")
    out.rename(columns=names).to_stata(path, write_index=False, version=118, time_stamp=STATA_TIME,
                                       data_label=f"zh-news-framing {table}.csv", variable_labels=var_labels,
                                       convert_strl=strl)


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """One table as Parquet (pyarrow), without the pandas index."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path)


def _cell(value: object) -> object:
    """A cell for openpyxl: NaN empty, text with XML-illegal characters shown as U+FFFD."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    if isinstance(value, str):
        if len(value) > XLSX_MAX_CELL:
            raise AnalysisError(f"a cell holds {len(value):,} characters, more than Excel's {XLSX_MAX_CELL:,}; "
                                "export as parquet or dta instead")
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value.item() if hasattr(value, "item") else value


def _sheet(wb: object, name: str, df: pd.DataFrame) -> None:
    """A sheet of the workbook: the header row and the rows; text is always text (never a formula)."""
    if len(df) > XLSX_MAX_ROWS:
        raise AnalysisError(f"{name} has {len(df):,} rows, more than an Excel sheet holds; export as parquet or dta")
    ws = wb.create_sheet(name)
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    ws.freeze_panes = "A2"


def xlsx_bytes(tables: dict[str, pd.DataFrame], labels: dict[str, dict[str, str]]) -> bytes:
    """The workbook: a sheet per table, then `codebook` (table, column, meaning of every column exported)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, df in tables.items():
        _sheet(wb, name, df)
    codebook = pd.DataFrame([(name, col, column_label(name, col, labels)) for name, df in tables.items()
                             for col in df.columns], columns=["table", "column", "meaning"])
    _sheet(wb, "codebook", codebook)
    buf = io.BytesIO()
    wb.save(buf)
    return deterministic_xlsx(buf.getvalue())


def run_tables(run: RunTables) -> dict[str, pd.DataFrame]:
    """The tables exported, by name."""
    return {name: getattr(run, name) for name in EXPORTED}


def export_files(fmt: str) -> set[str]:
    """The files `export` writes into its folder (parquet, dta)."""
    return {f"{name}.{fmt}" for name in EXPORTED}


def write_folder_tables(run: RunTables, fmt: str, folder: Path) -> None:
    """Write every table of the run into `folder` as NAME.parquet or NAME.dta."""
    labels = codebook_labels()
    for name, df in run_tables(run).items():
        if fmt == "parquet":
            write_parquet(df, folder / f"{name}.parquet")
        else:
            write_dta(df, name, folder / f"{name}.dta", labels)
