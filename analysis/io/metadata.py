"""Metadata for a folder of articles in one table (`run --metadata FILE.csv`), instead of one NAME.meta.yaml beside
each article: a UTF-8 CSV with a header row, a key column `document` (the document id) or `file` (the file as
failures.csv and manifest.json name it, e.g. `outlet_a/2026-02-11.txt`), the other columns metadata. An empty cell is
no value. A document's value that its sidecar file (or its table row) also gives must agree: a different value is
an error naming both files."""

from __future__ import annotations

import csv
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import AnalysisError

log = logging.getLogger(__name__)

KEY_COLUMNS = ("document", "file")


@dataclass
class MetadataTable:
    """The rows of a metadata CSV by key, its metadata columns in header order, and where it came from."""

    path: Path
    key: str
    columns: list[str]
    rows: dict[str, dict[str, str | None]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    sha256: str = ""

    def record(self) -> dict:
        """How manifest.json names the table."""
        return {"file": str(self.path), "key": self.key, "sha256": self.sha256}


def read_metadata_table(path: Path) -> MetadataTable:
    """Read and check a metadata CSV: a key column, unique non-empty keys, no duplicate column names."""
    try:
        data = Path(path).read_bytes()
        text = data.decode("utf-8-sig")
    except OSError as exc:
        raise AnalysisError(f"cannot read --metadata {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise AnalysisError(f"--metadata {path}: not UTF-8; save it as CSV UTF-8") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    key = next((k for k in KEY_COLUMNS if header and k in header), None)
    if key is None:
        raise AnalysisError(f"--metadata {path}: the header needs a column 'document' (document ids) or 'file' "
                            "(file names as in failures.csv); found " + (", ".join(header or []) or "no header"))
    if len(set(header)) != len(header) or any(not h.strip() for h in header):
        raise AnalysisError(f"--metadata {path}: column names must be non-empty and different")
    table = MetadataTable(Path(path), key, [h for h in header if h not in KEY_COLUMNS],
                          sha256=hashlib.sha256(data).hexdigest())
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise AnalysisError(f"--metadata {path} line {line}: {len(row)} fields, the header has {len(header)}")
        values = dict(zip(header, row, strict=True))
        k = values[key].strip()
        if not k or k in table.rows:
            what = "no" if not k else f"the same {key} {k!r} as line {table.lines.get(k)} and"
            raise AnalysisError(f"--metadata {path} line {line}: {what} one row per document; fix the table")
        table.rows[k] = {c: (values[c] if values[c] != "" else None) for c in table.columns}
        table.lines[k] = line
    return table


def merged(table: MetadataTable, key: str, document: str, own: dict[str, str | None], own_from: str
           ) -> dict[str, str | None]:
    """A document's metadata from the table (found by `key`), checked against what `own_from` gives it (`own`)."""
    extra = table.rows.get(key, {})
    for name, value in extra.items():
        mine = own.get(name)
        if value is not None and mine is not None and mine != value:
            raise AnalysisError(f"metadata {name!r} of {document!r}: {table.path} line {table.lines[key]} gives "
                                f"{value!r} but {own_from} gives {mine!r}; keep the value in one of them")
    return {k: v for k, v in extra.items() if v is not None}


def unmatched(table: MetadataTable, keys: set[str]) -> None:
    """Warn about rows of the table that name no document of the run."""
    extra = sorted(set(table.rows) - keys)
    if extra:
        log.warning("%s: %d row(s) name no document of this run (%s%s); check the %s column", table.path,
                    len(extra), ", ".join(extra[:3]), " …" if len(extra) > 3 else "", table.key)
