"""Inputs: files, folders, glob patterns and CSV / JSONL tables on the command line → documents to analyse.

Nothing here holds a corpus's text: `collect` reads ids and metadata column names (checking duplicates), and
`Corpus.documents` streams one document at a time (a table row's text is read only when it is reached).
"""

from __future__ import annotations

import csv
import datetime
import glob
import json
import logging
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..config import MAX_CHARS
from ..errors import AnalysisError
from ..schema import MANIFEST_FILE, TABLE_FILES
from ..text.decode import normalise_text
from .files import sha256_file
from .metadata import merged, read_metadata_table, unmatched

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md")
TABLE_SUFFIXES = (".csv", ".jsonl")
#: A file `NAME.meta.yaml` beside `NAME.txt` / `NAME.md` gives that document's metadata (a flat mapping).
SIDECAR_SUFFIX = ".meta.yaml"
TEXT_FIELD, ID_FIELD = "text", "id"
#: A table's `title` column fills documents.csv's `title` (it is not metadata, nor part of the analysed text).
TITLE_FIELD = "title"
#: Longest document id, in UTF-8 bytes: ids become file and folder names of figures and reading views, and file
#: systems allow 255 bytes per name (the figure and page names add a suffix).
MAX_ID_BYTES = 200
#: A folder holding both files is the output of a run; its files are never read as input.
RUN_MARKERS = (MANIFEST_FILE, TABLE_FILES["documents"])
#: Lone UTF-16 surrogates: JSON can spell them (`"\ud800"`), but they are not characters and cannot be written.
_SURROGATE = re.compile("[\ud800-\udfff]")
_GLOB_CHARS = re.compile(r"[*?[]")
#: Rows read from a CSV at a time (the CSV is never held in memory as a whole).
CSV_CHUNK_ROWS = 64


@dataclass(frozen=True)
class Source:
    """One document to analyse, without its text: a file, or a row of a CSV / JSONL table."""

    document: str
    file: str  # as reported in failures.csv and manifest.json: name relative to the input, or `table.csv#ROW`
    path: Path  # the article file, or the table holding the row
    row: int | None = None  # 1-based data row (header and blank lines not counted) of a table
    sidecar: Path | None = None  # NAME.meta.yaml beside an article file


@dataclass(frozen=True)
class Document:
    """A source as handed to the analysis: the row's text (None for a file, read by the worker) and metadata."""

    source: Source
    text: object  # a table row's text field as read (None for a file, or a row without one), or a BadRow
    meta: dict[str, str | None] = field(default_factory=dict)
    title: str | None = None  # a table row's `title` value


@dataclass(frozen=True)
class BadRow:
    """Stands in for the text of a table row that cannot be analysed; `reason` says why (one line)."""

    reason: str


def text_of_row(value: object, name: str, max_chars: int = MAX_CHARS) -> str:
    """A table row's `text` value as normalised text; AnalysisError when it is missing, empty, not text or too long."""
    if isinstance(value, BadRow):
        raise AnalysisError(f"{name}: {value.reason}")
    if value is None or (isinstance(value, float) and value != value):
        raise AnalysisError(f"{name}: no text (the row has no {TEXT_FIELD!r} value)")
    if not isinstance(value, str):
        raise AnalysisError(f"{name}: the {TEXT_FIELD!r} value is a {type(value).__name__}, not text")
    if len(value) > max_chars:
        raise AnalysisError(f"{name}: {len(value):,} characters, over the --max-chars limit of {max_chars:,}; "
                            "split the text or raise --max-chars")
    text = normalise_text(value)
    if not text.strip():
        raise AnalysisError(f"{name}: no text (the {TEXT_FIELD!r} value is empty or only white space)")
    return text


@dataclass
class Corpus:
    """The documents of a run (sorted by id) and the metadata columns their sources carry, in order."""

    sources: list[Source]
    meta_columns: list[str]
    encoding: str | None = None
    #: metadata from `--metadata FILE.csv`, by document id (already checked against sidecars and rows)
    extra: dict[str, dict[str, str | None]] = field(default_factory=dict)

    def __len__(self) -> int:  # noqa: D105
        return len(self.sources)

    def documents(self) -> Iterator[Document]:
        """Stream the documents, one at a time: files by id, then each table's rows in file order."""
        files = [s for s in self.sources if s.row is None]
        for s in files:
            own = _read_sidecar(s.sidecar) if s.sidecar else {}
            yield Document(s, None, {**own, **self.extra.get(s.document, {})})
        wanted = {s.document: s for s in self.sources if s.row is not None}
        tables = sorted({s.path for s in wanted.values()}, key=lambda p: p.as_posix())
        for table in tables:
            for doc, row, text, meta, title in _rows_with_ids(table, self.encoding):
                src = wanted.get(doc)
                if src is not None and src.path == table and src.row == row:
                    yield Document(src, text, {**meta, **self.extra.get(doc, {})}, title)


def meta_value(value: object) -> str | None:
    """Metadata as text: strings as they are, dates in ISO form, numbers and lists as JSON, null as missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


#: libyaml's parser when PyYAML has it, else the Python one (same events and line marks).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FLAT = "a metadata file is a flat mapping of names to single values (e.g. outlet: 觀察者網)"


def _yaml_error(path: Path, exc: yaml.YAMLError) -> AnalysisError:
    """PyYAML's multi-line error as one line: the file, the line and the problem."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f" line {mark.line + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return AnalysisError(f"{path}{where}: not valid YAML ({problem}); fix the metadata file or remove it")


def _check_flat(path: Path, text: str) -> None:
    """Refuse anything but a flat mapping of scalars, from the parser's events (nothing is built or expanded)."""
    events = [e for e in yaml.parse(text, Loader=_YAML_LOADER)
              if not isinstance(e, (yaml.StreamStartEvent, yaml.StreamEndEvent))]
    starts = [e for e in events if isinstance(e, yaml.DocumentStartEvent)]
    if len(starts) > 1:
        raise AnalysisError(f"{path} line {starts[1].start_mark.line + 1}: more than one YAML document; {_FLAT}")
    body = events[1:-1]  # inside the document
    if not body or len(body) == 1 and isinstance(body[0], yaml.ScalarEvent):
        return  # empty, or a single scalar (checked once loaded)
    if not isinstance(body[0], yaml.MappingStartEvent):
        raise AnalysisError(f"{path} line {body[0].start_mark.line + 1}: {_FLAT}")
    items = body[1:-1]
    for key, value in zip(items[::2], items[1::2], strict=False):
        line = key.start_mark.line + 1
        if not isinstance(key, yaml.ScalarEvent):
            raise AnalysisError(f"{path} line {line}: a name must be plain text; {_FLAT}")
        name = key.value
        tag = getattr(value, "tag", None)
        if tag is not None and tag != "!" and tag not in yaml.constructor.SafeConstructor.yaml_constructors:
            raise AnalysisError(f"{path} line {line}: {name!r} has the YAML tag "
                                f"{tag.replace('tag:yaml.org,2002:', '!!', 1)}, which is not allowed; {_FLAT}")
        if isinstance(value, yaml.AliasEvent) or key.anchor or getattr(value, "anchor", None):
            raise AnalysisError(f"{path} line {line}: {name!r} uses a YAML anchor or alias (&, *); write each value "
                                "out in full")
        if not isinstance(value, yaml.ScalarEvent):
            raise AnalysisError(f"{path} line {line}: {name!r} has a list or mapping as its value; {_FLAT}")


def _read_sidecar(path: Path) -> dict[str, str | None]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise AnalysisError(f"{path}: not UTF-8; save the metadata file as UTF-8") from None
    except OSError as exc:
        raise AnalysisError(f"cannot read {path}: {exc.strerror}") from None
    try:
        _check_flat(path, text)
        data = yaml.load(text, Loader=_YAML_LOADER)  # safe: a safe loader, on a flat mapping without aliases
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise AnalysisError(f"{path}: {_FLAT}")
    return {str(k): meta_value(v) for k, v in data.items()}


def unsafe_as_path(doc: str) -> bool:
    """Whether a document id cannot name a file below a folder: an empty, '.' or '..' part, a backslash or a NUL."""
    return any(p in ("", ".", "..") for p in doc.split("/")) or "\\" in doc or "\x00" in doc


def _check_id(doc: str, where: str) -> str:
    if not doc or doc != doc.strip() or any(ord(c) < 32 for c in doc) or unsafe_as_path(doc):
        raise AnalysisError(f"{where}: id {doc!r} is not usable as a document id (empty, surrounding white space, "
                            "control characters, backslashes, or empty / '.' / '..' path parts); fix the id column")
    return _check_id_size(doc, where, "fix the id column")


def _check_id_size(doc: str, where: str, fix: str) -> str:
    """Refuse ids that cannot be written (lone surrogates, from undecodable file names or JSON) or are too long."""
    m = _SURROGATE.search(doc)
    if m:
        raise AnalysisError(f"{where}: id {doc!r} holds an undecodable character at position {m.start()}; {fix}")
    size = len(doc.encode("utf-8"))
    if size > MAX_ID_BYTES:
        raise AnalysisError(f"{where}: id {doc[:40]!r}… is {size} bytes long in UTF-8, over the limit of "
                            f"{MAX_ID_BYTES} (ids become file names); {fix}")
    return doc


def _surrogate_field(rec: dict) -> str | None:
    """The first field of a JSON record whose name or value holds a lone surrogate, with where; None if none."""
    for k, v in rec.items():
        for part in (str(k), v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)):
            m = _SURROGATE.search(part)
            if m:
                return f"field {str(k).encode('utf-8', 'backslashreplace').decode()!r} holds a lone surrogate " \
                       f"({m.group().encode('unicode_escape').decode()} at character {m.start()})"
    return None


def _csv_rows(path: Path, encoding: str | None) -> Iterator[tuple[int, dict[str, object]]]:
    import pandas as pd

    try:
        reader = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[], chunksize=CSV_CHUNK_ROWS,
                             encoding=encoding or "utf-8-sig", skip_blank_lines=True)
        row = 0
        with reader:
            for chunk in reader:
                if row == 0:
                    _check_columns(path, list(chunk.columns))
                for rec in chunk.to_dict("records"):
                    row += 1
                    yield row, rec
    except UnicodeDecodeError:
        raise AnalysisError(f"{path}: not valid {encoding or 'UTF-8'}; save the table as UTF-8 or pass --encoding")\
            from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as exc:
        raise AnalysisError(f"{path}: not a readable CSV table ({str(exc).strip().splitlines()[-1]})") from None
    except OSError as exc:
        raise AnalysisError(f"cannot read {path}: {exc.strerror}") from None


def _check_columns(path: Path, columns: list[str]) -> None:
    if TEXT_FIELD not in columns:
        raise AnalysisError(f"{path}: no {TEXT_FIELD!r} column (columns: {', '.join(map(str, columns[:8]))}); "
                            "name the column holding each article's text 'text'")
    bad = [c for c in columns if not str(c).strip() or str(c).startswith("Unnamed: ") or re.search(r"\.\d+$", str(c))
           and str(c).rsplit(".", 1)[0] in columns]
    if bad:
        raise AnalysisError(f"{path}: column {bad[0]!r} has no name or repeats another; give every column a unique "
                            "name")


def _jsonl_rows(path: Path, encoding: str | None) -> Iterator[tuple[int, dict[str, object]]]:
    row = 0
    try:
        with open(path, encoding=encoding or "utf-8-sig") as f:
            for line_no, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise AnalysisError(f"{path} line {line_no}: not valid JSON ({exc.msg}); one JSON object per "
                                        "line") from None
                if not isinstance(rec, dict):
                    raise AnalysisError(f"{path} line {line_no}: each line must be a JSON object with a 'text' field")
                row += 1
                yield row, rec
    except UnicodeDecodeError:
        raise AnalysisError(f"{path}: not valid {encoding or 'UTF-8'}; save the table as UTF-8 or pass --encoding")\
            from None
    except OSError as exc:
        raise AnalysisError(f"cannot read {path}: {exc.strerror}") from None


def _table_records(path: Path, encoding: str | None) -> Iterator[tuple[int, dict[str, object]]]:
    return (_csv_rows if path.suffix.lower() == ".csv" else _jsonl_rows)(path, encoding)


def _rows_with_ids(path: Path, encoding: str | None
                   ) -> Iterator[tuple[str, int, object, dict[str, str | None], str | None]]:
    """(id, row, text, metadata, title) for each row; ids are the `id` field, else the row number padded to equal
    width. A row with a lone surrogate outside its id gets a BadRow as its text (it fails alone), no metadata."""
    n_rows = None
    for row, rec in _table_records(path, encoding):
        if ID_FIELD in rec:
            raw = meta_value(rec[ID_FIELD])
            doc = _check_id(raw if raw is not None else "", f"{path} row {row}")
        else:
            if n_rows is None:  # a first pass counts the rows, so that row ids sort in row order
                n_rows = sum(1 for _ in _table_records(path, encoding))
            doc = str(row).zfill(len(str(n_rows)))
        bad = _surrogate_field(rec)
        if bad is not None:
            yield doc, row, BadRow(f"{bad}, not a character; fix the row"), {}, None
            continue
        meta = {str(k): meta_value(v) for k, v in rec.items() if k not in (TEXT_FIELD, ID_FIELD, TITLE_FIELD)}
        yield doc, row, rec.get(TEXT_FIELD), meta, meta_value(rec.get(TITLE_FIELD))


def _glob_base(pattern: str) -> Path:
    parts = Path(pattern).parts
    fixed = [p for p in parts[: next(i for i, p in enumerate(parts) if _GLOB_CHARS.search(p))]]
    return Path(*fixed) if fixed else Path(".")


def is_run_folder(folder: Path) -> bool:
    """Whether a folder is the output of a run (it holds manifest.json and documents.csv)."""
    return all((folder / name).is_file() for name in RUN_MARKERS)


def _run_folder_of(path: Path, base: Path) -> Path | None:
    """The run output folder the file lies in, from its own folder up to `base`; None if none."""
    rel = path.parent.relative_to(base).parts
    for k in range(len(rel), -1, -1):
        folder = base.joinpath(*rel[:k])
        if is_run_folder(folder):
            return folder
    return None


def _without_run_outputs(files: list[Path], base: Path) -> list[Path]:
    """Files not inside a run output folder (e.g. its sections.md); the skipped folders are logged."""
    kept, skipped = [], {}
    for p in files:
        folder = _run_folder_of(p, base)
        if folder is None:
            kept.append(p)
        else:
            skipped[folder] = None
    for folder in skipped:
        log.info("%s: skipped, the output folder of a run (its files are never read as input)", folder)
    return kept


def _expand(given: Path) -> list[tuple[Path, Path]]:
    """(file, base folder its id is relative to) for a file, a folder (recursive) or a glob pattern.

    Files of a run's output folder (manifest.json + documents.csv) are never inputs: a folder or pattern skips
    them, and naming one is an error.
    """
    text = str(given)
    if given.is_dir():
        if is_run_folder(given):
            raise AnalysisError(f"{given}: this is the output folder of a run, not articles; give the articles' folder")
        files = _without_run_outputs(sorted(
            p for p in given.rglob("*")
            if p.is_file() and p.suffix.lower() in SUFFIXES
            and not any(part.startswith(".") for part in p.relative_to(given).parts)
        ), given)
        if not files:
            raise AnalysisError(f"{given}: no .txt or .md files in this folder")
        return [(p, given) for p in files]
    if given.is_file():
        if is_run_folder(given.parent):
            raise AnalysisError(f"{given}: a file written by a run (its folder holds manifest.json and "
                                "documents.csv), not an article; give the articles themselves")
        return [(given, given.parent)]
    if _GLOB_CHARS.search(text):
        base = _glob_base(text)
        files = _without_run_outputs(sorted(
            Path(p) for p in glob.glob(text, recursive=True)
            if Path(p).is_file() and Path(p).suffix.lower() in SUFFIXES + TABLE_SUFFIXES), base)
        if not files:
            raise AnalysisError(f"{given}: the pattern matches no .txt, .md, .csv or .jsonl file; check it and quote "
                                "it so that the shell does not expand it")
        return [(p, base) for p in files]
    raise AnalysisError(f"{given}: no such file or folder")


def _unique(pairs: object) -> list:
    seen: dict[str, object] = {}
    out = []
    for doc, where in pairs:
        if doc in seen:
            raise AnalysisError(f"two inputs have the document id {doc!r} ({seen[doc]} and {where}); rename one or "
                                "give table rows distinct ids")
        seen[doc] = where
        out.append((doc, where))
    return out


def collect(inputs: list[Path], encoding: str | None = None, metadata: Path | None = None) -> Corpus:
    """All documents of a run, checked: ids unique, tables have a text column, sidecars readable, and the
    `--metadata` table (if any) agreeing with them.

    Tables are read once here for their ids and metadata column names (one row at a time), and again, lazily,
    when their texts are analysed.
    """
    sources: list[Source] = []
    columns: dict[str, None] = {}
    table = read_metadata_table(metadata) if metadata is not None else None
    extra: dict[str, dict[str, str | None]] = {}
    for given in sorted(inputs, key=lambda p: p.as_posix()):
        for path, base in _expand(given):
            if path.suffix.lower() in TABLE_SUFFIXES and not given.is_dir():  # folders give articles only
                name = path.relative_to(base).as_posix()
                for doc, row, _text, meta, _title in _rows_with_ids(path, encoding):
                    columns.update(dict.fromkeys(meta))
                    sources.append(Source(doc, f"{name}#{row}", path, row))
                    if table is not None:
                        key = doc if table.key == "document" else f"{name}#{row}"
                        extra[doc] = merged(table, key, doc, meta, f"{name} row {row}")
            else:
                doc = _check_id_size(path.relative_to(base).with_suffix("").as_posix(), str(path).encode(
                    "utf-8", "backslashreplace").decode(), "rename the file or its folders")
                sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
                own = _read_sidecar(sidecar) if sidecar.is_file() else {}
                columns.update(dict.fromkeys(own))
                sources.append(Source(doc, doc + path.suffix, path, sidecar=sidecar if sidecar.is_file() else None))
                if table is not None:
                    key = doc if table.key == "document" else doc + path.suffix
                    extra[doc] = merged(table, key, doc, own, str(sidecar))
    _unique((s.document, s.file) for s in sources)
    if table is not None:
        columns.update(dict.fromkeys(table.columns))
        unmatched(table, {s.document if table.key == "document" else s.file for s in sources})
    return Corpus(sorted(sources, key=lambda s: s.document), list(columns), encoding, extra)


def read_checksums(path: Path) -> dict[str, str]:
    """Parse a sha256sum-style list: {file name: hex digest}."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            out[name.lstrip("*")] = digest
    return out


def verify_checksums(folder: Path, listing: Path) -> None:
    """Stop if a file listed in the checksum list is missing or changed (data/raw is never written by code)."""
    for name, digest in read_checksums(listing).items():
        path = folder / name
        if not path.exists():
            raise AnalysisError(f"{path} is listed in {listing.name} but missing; restore it from git")
        if sha256_file(path) != digest:
            raise AnalysisError(
                f"{path} does not match its checksum in {listing}; restore it (git checkout) or, after a "
                "deliberate change, run `make checksums`"
            )
