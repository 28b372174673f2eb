"""The per-document worker of every mode (here, --jobs, --scheduler): a document's task in, its rows of every table
(or why it failed) and its warnings out. Pure and picklable, so that the same function runs anywhere."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..analyse import document_rows
from ..errors import AnalysisError
from ..framing.lexicon import Lexicon
from ..io.inputs import text_of_row
from ..schema import SORT_KEYS, TABLE_FILES, Rows
from ..sentiment.polarity import NeutralBand
from ..sentiment.scorers import scorer_for
from ..sentiment.trained import SentimentModel
from ..text.decode import read_bytes, text_of_bytes
from ..text.script import count_cjk, count_kana_hangul

log = logging.getLogger(__name__)

#: Kinds of per-document warnings (warnings.csv's `kind`, given as `extra={"kind": ...}` when logging), each with
#: how stderr sums it up over several documents ("180 documents had no body sentences ..."). A per-document warning
#: logged without a kind is of kind "other".
WARNING_KINDS = {
    "no_chinese": "had no Chinese text (framing counts 0, sentiment NaN)",
    "no_body_sentences": "had no body sentences (only a title or headings; sentiment NaN)",
    "no_scored_sentences": "had body sentences but none with Chinese text to score (sentiment NaN)",
    "legacy_encoding": "were not UTF-8 and were decoded from a detected encoding (--encoding NAME confirms it)",
    "not_chinese": "had more Japanese kana or Korean Hangul than Chinese characters (those sentences not scored)",
}
OTHER_KIND = "other"


@dataclass(frozen=True)
class RunOptions:
    """Everything that determines a run's results besides its inputs."""

    lexicon: Lexicon
    converter: str = config.DEFAULT_CONVERTER
    headings: str | None = None  # --headings; None: auto for article files, none for table rows
    scorer: str = "snownlp"
    encoding: str | None = None
    max_chars: int = config.MAX_CHARS
    second_scorer: str | None = None  # --second-scorer: adds sentiment_NAME columns
    title: str | None = None  # --title auto|none; None: auto for article files, none for table rows
    sentiment_model: SentimentModel | None = None  # --sentiment-model: its bytes travel with the options
    neutral_band: NeutralBand | None = None  # --neutral-band: adds polarity columns

    def title_mode(self, is_file: bool) -> str:
        """The --title mode in effect for an article file (`is_file`) or a table row."""
        if self.title is not None:
            return self.title
        return config.DEFAULT_TITLE_FILES if is_file else config.DEFAULT_TITLE_TABLES

    def headings_mode(self, is_file: bool) -> str:
        """The --headings mode in effect for an article file (`is_file`) or a table row."""
        if self.headings is not None:
            return self.headings
        return config.DEFAULT_HEADINGS if is_file else config.DEFAULT_HEADINGS_TABLES


def analyse_loaded(document: str, text: str, name: str, opts: RunOptions, is_file: bool = True) -> dict[str, Rows]:
    """Analyse one normalised text (its rows of every table); warns (naming `name`, with a kind of WARNING_KINDS)
    when it has no Chinese text, is not Chinese, has no body sentences or no sentence to score."""
    rows = document_rows(document, text, opts.lexicon, converter=opts.converter,
                         headings=opts.headings_mode(is_file),
                         scorer=scorer_for(opts.scorer, opts.sentiment_model),
                         second_scorer=scorer_for(opts.second_scorer, opts.sentiment_model)
                         if opts.second_scorer else None,
                         title=opts.title_mode(is_file), neutral_band=opts.neutral_band)
    doc = {k: rows["documents"].column(k)[0] for k in ("n_sentences", "n_scored")}
    n_cjk = count_cjk(text)
    if n_cjk == 0:
        log.warning("%s: no Chinese text; framing counts are 0 and sentiment is NaN", name,
                    extra={"kind": "no_chinese"})
    elif count_kana_hangul(text) > n_cjk:
        log.warning("%s: not Chinese (more Japanese kana or Korean Hangul than Chinese characters); its Japanese or "
                    "Korean sentences are not scored (sentiment NaN)", name, extra={"kind": "not_chinese"})
    elif doc["n_sentences"] == 0:
        log.warning("%s: no body sentences (only a title or headings); sentiment is NaN", name,
                    extra={"kind": "no_body_sentences"})
    elif doc["n_scored"] == 0:
        log.warning("%s: no body sentence has Chinese text to score; sentiment is NaN", name,
                    extra={"kind": "no_scored_sentences"})
    return rows


@dataclass(frozen=True)
class Task:
    """One document's unit of work, picklable: an article file to read (`path`) or a table row's `text`."""

    document: str
    file: str  # as reported in failures.csv and manifest.json
    name: str  # as named in messages: the path as given, or TABLE#ROW
    path: str | None = None  # absolute path of an article file for the worker to read
    data: bytes | None = None  # or the file's bytes, read here (for workers on other machines)
    error: str | None = None  # or why the file could not be read here
    text: object = None  # a table row's text value (when none of the above is set)
    title: str | None = None  # a table row's `title` value: documents.csv's title

    def is_file(self) -> bool:
        """Whether the document is an article file (else a table row)."""
        return self.path is not None or self.data is not None or self.error is not None


@dataclass(frozen=True)
class Result:
    """What the per-document function returns: CSV rows of every table (or the failure), and its warnings."""

    document: str
    file: str
    failure: str | None
    rows: dict[str, bytes] | None  # table → CSV lines without header
    columns: dict[str, tuple[str, ...]] | None  # table → column names
    record: dict | None  # the input's entry in manifest.json
    logs: tuple[tuple[int, str, str, str], ...]  # (level, logger, message, kind) of warnings while analysing
    n_scored: int = 0  # sentences with a score (0: the document has no sentiment score)


class _Collect(logging.Handler):
    """Collect this thread's warnings of the package's loggers, with their kind."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.records: list[tuple[int, str, str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:  # noqa: D102
        if record.thread == self.thread:
            kind = getattr(record, "kind", OTHER_KIND)
            self.records.append((record.levelno, record.name, record.getMessage(), kind))


@contextmanager
def _collected_warnings() -> Iterator[list[tuple[int, str, str, str]]]:
    handler = _Collect()
    logger = logging.getLogger(config.LOGGER)
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


def _read(task: Task, opts: RunOptions) -> tuple[str, bytes]:
    """The task's document as normalised text, and the bytes its sha256 is taken of (the file, or the row's text)."""
    if task.error is not None:
        raise AnalysisError(task.error)
    if task.is_file():
        data = task.data if task.data is not None else read_bytes(Path(task.path), opts.max_chars, task.name)
        return text_of_bytes(data, task.name, opts.encoding, opts.max_chars), data
    return text_of_row(task.text, task.name, opts.max_chars), str(task.text).encode("utf-8")


def analyse_document(task: Task, opts: RunOptions) -> Result:
    """The per-document function of every mode (here, --jobs, --scheduler): pure, picklable, never raises for bad input.

    Reads the file (or takes the row's text), analyses it, and returns its rows of every table as CSV, sorted as in
    the tables; bad input becomes `failure` (a one-line reason).
    """
    with _collected_warnings() as logs:
        try:
            text, data = _read(task, opts)
            tables = {name: in_order(r, SORT_KEYS[name])
                      for name, r in analyse_loaded(task.document, text, task.name, opts, task.is_file()).items()}
            if task.title:  # a table's title column (an empty cell leaves the segmenter's title)
                tables["documents"].data["title"] = [task.title]
        except AnalysisError as exc:
            return Result(task.document, task.file, str(exc), None, None, None, tuple(logs))
    rows = {attr: csv_bytes(tables[attr]) for attr in TABLE_FILES}
    columns = {attr: tuple(tables[attr].names) for attr in TABLE_FILES}
    record = {"document": task.document, "file": task.file, "sha256": hashlib.sha256(data).hexdigest(),
              "bytes": len(data)}
    n_scored = int(tables["documents"].column("n_scored")[0])
    return Result(task.document, task.file, None, rows, columns, record, tuple(logs), n_scored)


def in_order(rows: Rows, keys: list[str]) -> Rows:
    """One document's rows sorted by `keys` (its id, then a position), as `concat_tables` sorts them: already in order
    as the tables list them, else a stable sort on the position."""
    position = rows.column(keys[-1])
    if all(a <= b for a, b in zip(position, position[1:], strict=False)):
        return rows
    order = sorted(range(len(position)), key=position.__getitem__)
    return Rows(rows.names, {n: [v[i] for i in order] if isinstance(v, list) else v for n, v in rows.data.items()},
                rows.dtypes, rows.records)


#: csv_rows formats this many rows at a time.
CSV_CHUNK = 10_000


def csv_rows(df: pd.DataFrame) -> bytes:
    """The rows of a table as `df.to_csv(index=False, header=False, lineterminator="\\n")` writes them, in UTF-8,
    without pandas' per-call cost (a document's five small tables): numbers as their shortest repr, missing values
    empty, minimal quoting by the same csv module. A column of another dtype goes through pandas itself."""
    if not len(df):
        return b""
    out = io.BytesIO()
    for start in range(0, len(df), CSV_CHUNK):  # a chunk of rows at a time: a long document's cells stay few
        part = df.iloc[start:start + CSV_CHUNK]
        cells = [_cells(part[c]) for c in part.columns]
        if any(c is None for c in cells):
            return df.to_csv(index=False, header=False, lineterminator="\n").encode("utf-8")
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(zip(*cells, strict=True))
        out.write(buf.getvalue().encode("utf-8"))
    return out.getvalue()


def _cells(col: pd.Series) -> list | None:
    """A column's cells as to_csv writes them, or None for a dtype this does not handle."""
    if isinstance(col.dtype, pd.StringDtype) or (isinstance(col.dtype, np.dtype) and col.dtype.kind == "O"):
        return ["" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v for v in col.tolist()]
    if not isinstance(col.dtype, np.dtype):
        return ["" if v is pd.NA else str(v) for v in col.tolist()] if str(col.dtype) == "Int64" else None
    kind = col.dtype.kind
    if kind == "f":
        return ["" if v != v else repr(v) for v in col.tolist()]  # v != v: NaN
    return [str(v) for v in col.tolist()] if kind in "iub" else None


def csv_bytes(rows: Rows) -> bytes:
    """One document's rows of a table as `csv_rows(rows.frame())` writes them (to_csv's bytes), straight from the plain
    columns: each column written as pandas writes the dtype it has or would infer (`column_kind`); a column of other
    values goes through pandas."""
    n = len(rows)
    if not n:
        return b""
    kinds = [column_kind(rows.data[c], rows.dtypes.get(c)) for c in rows.names]
    if None in kinds:
        return csv_rows(rows.frame())
    if len(kinds) == 1:  # the csv module writes a row of one empty field as "": leave that to it
        return csv_rows(rows.frame())
    out = io.BytesIO()
    for start in range(0, n, CSV_CHUNK):  # a chunk of rows at a time: a long document's cells stay few
        stop = min(n, start + CSV_CHUNK)
        cells = [_fields(kind, v[start:stop]) if isinstance(v, list) else _fields(kind, [v]) * (stop - start)
                 for kind, v in zip(kinds, (rows.data[c] for c in rows.names), strict=True)]
        out.write(("\n".join(map(",".join, zip(*cells, strict=True))) + "\n").encode("utf-8"))
    return out.getvalue()


def _quoted_by_csv(ch: str) -> bool:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([f"a{ch}b", ""])
    return buf.getvalue() != f"a{ch}b,\n"


#: The characters for which the csv module quotes a field (minimal quoting: the delimiter, the quote character and
#: line breaks, as this Python's csv module does it); a field without any is written as it is.
_CSV_QUOTE_RE = re.compile("[" + re.escape("".join(c for c in ',"\n\r' if _quoted_by_csv(c))) + "]")


def _fields(kind: str, values: list) -> list[str]:
    """A column's fields as the csv module writes them: quoted (its quotes doubled) when it has a character of
    `_CSV_QUOTE_RE`."""
    cells = _write_as(kind, values)
    if kind in ("int", "float", "Int64"):  # digits, signs, `.`, `e`, `inf` and empty cells: never quoted
        return cells
    if _CSV_QUOTE_RE.search("\x00".join(cells)) is None:  # one scan of the whole column
        return cells
    search = _CSV_QUOTE_RE.search
    return ['"' + f.replace('"', '""') + '"' if search(f) else f for f in cells]


_INTS = (int, np.int64, np.int32)
_NUMBERS = (*_INTS, float, np.float64, type(None))


def column_kind(values: object, dtype: object = None) -> str | None:
    """How to_csv writes a column: `float` (shortest repr, NaN empty), `int`, `Int64` (<NA> empty), `text` (strings as
    they are) or `object` (the values as the csv module writes them, missing ones empty); from its given pandas
    `dtype`, else from its values as pandas infers one (None for values this does not know pandas' reading of). A
    non-list is one value in every row."""
    if dtype is not None:
        return {float: "float", "float64": "float", "int64": "int", object: "object", "Int64": "Int64"}.get(dtype)
    types = set(map(type, values)) if isinstance(values, list) else {type(values)}
    if types == {str}:
        return "text"  # pandas' str dtype: the strings as they are
    if types <= {str, type(None)}:
        return "object"  # pandas' str dtype with missing values, or object of Nones: None written empty
    if all(t in _INTS for t in types):
        return "int"
    if all(t in _NUMBERS for t in types):  # numbers with a float or a None among them: float64, None as NaN
        return "float"
    return None


def _write_as(kind: str, values: list) -> list[str]:
    """A column's cells as text, before quoting: a float as its repr, anything else as its str (as the csv module
    writes them), missing values empty."""
    if kind == "float":
        return _float_cells(values)
    if kind == "int":
        return list(map(str, values))
    if kind == "text":
        return values
    return ["" if v is None or v is pd.NA or (isinstance(v, float) and v != v)
            else repr(v) if isinstance(v, float) else str(v) for v in values]


def _float_cells(values: list) -> list[str]:
    """Floats as their repr (which to_csv writes), NaN and None empty; a value met again in the column (a section's
    mean that is also its median and its own-voice mean, shares of 0 and 1) reuses its text: a repr is slow."""
    seen: dict[float, str] = {}
    out = []
    for v in values:
        if v is None or v != v:
            out.append("")
        elif v == 0:  # 0.0 and -0.0 are equal keys but different texts
            out.append(repr(float(v)))
        elif (text := seen.get(v)) is not None:
            out.append(text)
        else:
            out.append(seen.setdefault(v, repr(float(v))))  # float(): numpy's repr is not a number
    return out


def analyse_here(task: Task, opts: RunOptions) -> Result:
    """analyse_document in this process, its warnings kept for the run's summary instead of shown at once (as
    worker processes keep theirs)."""
    logger = logging.getLogger(config.LOGGER)
    propagate, logger.propagate = logger.propagate, False
    try:
        return analyse_document(task, opts)
    finally:
        logger.propagate = propagate


def load_scorers(opts: RunOptions) -> None:
    """Load the run's scorers once in this process (before a pool's workers fork from it)."""
    for name in (opts.scorer, opts.second_scorer):
        if name is not None:
            scorer_for(name, opts.sentiment_model)
