"""The tables of a run on disk: CSV written and read back with the same types, and `load_run`, the one reader of a
run's output folder (every table checked against `schema.py`, the manifest, the failures)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import config
from ..errors import AnalysisError
from ..framing.lexicon import Lexicon
from ..schema import (
    COLUMNS,
    FAILURE_COLUMNS,
    FAILURES_FILE,
    MANIFEST_FILE,
    META_PREFIX,
    TABLE_FILES,
    TEXT_COLUMNS,
    Tables,
)
from .dictionaries import read_lexicon
from .files import sha256_file

RERUN = "re-run `python -m analysis run` with this version to regenerate the tables"


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """Plain UTF-8 CSV, LF line ends, full float precision (shortest round-trip repr), NaN as an empty cell."""
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def _read_options(path: Path) -> dict:
    header = pd.read_csv(path, encoding="utf-8", nrows=0).columns
    text = {c: str for c in header if c in TEXT_COLUMNS or c.startswith(META_PREFIX)}  # metadata stays text too
    return {"encoding": "utf-8", "dtype": text, "keep_default_na": False, "na_values": [""]}


def read_table(path: Path) -> pd.DataFrame:
    """Read a table written by write_csv: empty cells are NaN, text columns stay text."""
    return pd.read_csv(path, **_read_options(path))


def read_table_chunks(path: Path, rows: int) -> Iterator[pd.DataFrame]:
    """Read a table written by write_csv `rows` rows at a time, with the types read_table gives."""
    with pd.read_csv(path, chunksize=rows, **_read_options(path)) as reader:
        yield from reader


@dataclass
class RunTables(Tables):
    """A run's output folder as read back: its five tables, its failures and its manifest."""

    failures: pd.DataFrame
    manifest: dict
    folder: Path

    @property
    def categories(self) -> list[dict]:
        """The lexicon's categories as the manifest records them (id, label_zh, label_en)."""
        return self.manifest["lexicon"]["categories"]

    def file_hashes(self) -> dict[str, str]:
        """sha256 of every file of the run that is there (the tables, the manifest and what it lists)."""
        listed = self.manifest.get("tables") if isinstance(self.manifest.get("tables"), list) else []
        names = sorted({*(str(t) for t in listed), MANIFEST_FILE, *TABLE_FILES.values()})
        return {n: sha256_file(self.folder / n) for n in names if (self.folder / n).is_file()}


def read_manifest(folder: Path) -> dict:
    """A run's manifest.json; one-line errors when the folder is not a run's or the manifest is damaged."""
    path = folder / MANIFEST_FILE
    if not path.is_file():
        raise AnalysisError(f"{folder} is not a run folder ({MANIFEST_FILE} not found); run `python -m analysis run` "
                            "first, or pass its output folder as --data")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AnalysisError(f"{path} is not valid JSON ({exc}); re-run the analysis") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("lexicon"), dict) \
            or "sha256" not in manifest["lexicon"]:
        raise AnalysisError(f"{path} is not a run's manifest (it does not describe the lexicon); {RERUN}")
    return manifest


def read_run_table(folder: Path, name: str) -> pd.DataFrame:
    """One of the five tables of a run, checked: the file is there and has every column of `schema.py`."""
    path = folder / TABLE_FILES[name]
    if not path.is_file():
        raise AnalysisError(f"{path} not found: {folder} is not a complete run folder; {RERUN}")
    df = read_table(path)
    missing = [c for c in COLUMNS[name] if c not in df.columns]
    if missing:
        raise AnalysisError(f"{path} lacks column(s) {', '.join(missing)}; {RERUN}")
    return df


def load_run(folder: str | Path) -> RunTables:
    """Read the output folder of `python -m analysis run`: every table, failures.csv and manifest.json, checked."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    tables = {name: read_run_table(folder, name) for name in TABLE_FILES}
    failures = folder / FAILURES_FILE
    return RunTables(**tables, manifest=manifest, folder=folder,
                     failures=read_table(failures) if failures.is_file() else pd.DataFrame(columns=FAILURE_COLUMNS))


def check_run_lexicon(path: Path, manifest: dict) -> Lexicon:
    """Load a lexicon for its glosses and rationales; it must be the very file the run used (same sha256)."""
    lexicon = read_lexicon(path)
    want = manifest["lexicon"]
    if lexicon.sha256 != want["sha256"]:
        raise AnalysisError(
            f"lexicon {path} (sha256 {lexicon.sha256[:12]}…) is not the one the run used "
            f"({want.get('file', '?')}, sha256 {str(want['sha256'])[:12]}…); pass that file with --lexicon"
        )
    return lexicon


def run_lexicon(manifest: dict, given: Path | None = None) -> Lexicon:
    """The lexicon a run used: `given` (--lexicon), else the path manifest.json records (the shipped lexicon, or the
    file as it was given to `run`, relative to the folder the command is run from); its sha256 must match."""
    if given is not None:
        return check_run_lexicon(given, manifest)
    recorded = manifest["lexicon"].get("path")
    if recorded is None or manifest["lexicon"].get("shipped", False):
        return check_run_lexicon(config.FRAMING_LEXICON, manifest)
    path = Path(recorded)
    if not path.is_file():
        raise AnalysisError(f"the run's lexicon {recorded} (recorded in manifest.json) is not found from {Path.cwd()}; "
                            "pass it with --lexicon")
    lexicon = read_lexicon(path)
    if lexicon.sha256 != manifest["lexicon"]["sha256"]:
        raise AnalysisError(f"lexicon {recorded} has changed since the run (sha256 {lexicon.sha256[:12]}…, the run's "
                            f"{str(manifest['lexicon']['sha256'])[:12]}…); re-run the analysis, or pass the file the "
                            "run used with --lexicon")
    return lexicon


def read_sheet(path: Path, label: str) -> pd.DataFrame:
    """Every cell of a CSV (UTF-8) or XLSX file as text (blank = ''), column names trimmed and lower-cased; a
    one-line AnalysisError that names the file as `label` (e.g. "codes file") when it cannot be read."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl", keep_default_na=False)
        elif suffix == ".csv":
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            raise AnalysisError(f"{label} {path} is neither .csv nor .xlsx; save it as one of these")
    except AnalysisError:
        raise
    except UnicodeDecodeError:
        raise AnalysisError(f"{label} {path} is not UTF-8 text; save it as UTF-8 CSV or as .xlsx") from None
    except Exception as exc:  # pandas, openpyxl and zipfile raise many kinds for a damaged file
        kind = "Excel workbook" if suffix != ".csv" else "CSV table"
        raise AnalysisError(f"cannot read {label} {path} as an {kind} ({type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else 'damaged'}); save it again") from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    return df.fillna("").astype(str)
