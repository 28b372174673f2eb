"""Each document's CSV rows spooled to disk as they arrive (in any order), then written out table by table, sorted by
document id: no corpus is held in memory, and every mode of running gives the same bytes."""

from __future__ import annotations

import csv
import io
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
        self._end = 0  # where the next document's rows go: the file's end, kept here (a seek would flush each time)
        self._appending = True  # the file position is at its end (`write` moves it)

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
        if not self._appending:
            self._file.seek(self._end)
            self._appending = True
        offset = self._end
        for blob in blobs:
            self._file.write(blob)
        lengths = tuple(len(b) for b in blobs)
        self._end += sum(lengths)
        self._index[document] = (offset, lengths)

    def documents(self) -> list[str]:
        """Document ids stored, sorted."""
        return sorted(self._index)

    def write(self, table: str, path: Path, header: str) -> None:
        """Write one table: the header, then every document's rows in document-id order."""
        k = self.tables.index(table)
        self._file.flush()
        self._appending = False
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
