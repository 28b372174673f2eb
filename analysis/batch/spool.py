"""Each document's CSV rows spooled to disk as they arrive (in any order), then written out table by table, sorted by
document id: no corpus is held in memory, and every mode of running gives the same bytes."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path

from ..errors import AnalysisError


def csv_line(values: Sequence[object]) -> str:
    """One CSV record as pandas' to_csv writes it (minimal quoting, LF); None is an empty cell."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(["" if v is None else v for v in values])
    return buf.getvalue()


class Spool:
    """Each document's CSV rows (without header) appended to one file; written out table by table, sorted by id.

    Memory holds only offsets; disk holds the rows once more until `write` copies them into the output tables.
    """

    def __init__(self, path: Path, tables: Sequence[str]) -> None:
        self.path = path
        self._file = open(self.path, "w+b")  # noqa: SIM115 - closed in close()
        self.tables = list(tables)
        self._index: dict[str, tuple[int, tuple[int, ...]]] = {}

    def __enter__(self) -> Spool:  # noqa: D105
        return self

    def __exit__(self, *exc: object) -> None:  # noqa: D105
        self.close()

    def __len__(self) -> int:  # noqa: D105
        return len(self._index)

    def add(self, document: str, rows: dict[str, bytes]) -> None:
        """Store one document's rows for every table (bytes of CSV lines)."""
        if document in self._index:
            raise AnalysisError(f"document id {document!r} arrived twice")
        blobs = [rows[t] for t in self.tables]
        offset = self._file.seek(0, os.SEEK_END)
        for blob in blobs:
            self._file.write(blob)
        self._index[document] = (offset, tuple(len(b) for b in blobs))

    def documents(self) -> list[str]:
        """Document ids stored, sorted."""
        return sorted(self._index)

    def write(self, table: str, path: Path, header: str) -> None:
        """Write one table: the header, then every document's rows in document-id order."""
        k = self.tables.index(table)
        self._file.flush()
        with open(path, "wb") as out:
            out.write(header.encode("utf-8"))
            for doc in self.documents():
                offset, lengths = self._index[doc]
                self._file.seek(offset + sum(lengths[:k]))
                out.write(self._file.read(lengths[k]))

    def close(self) -> None:
        """Close and delete the spool file."""
        self._file.close()
        self.path.unlink(missing_ok=True)
