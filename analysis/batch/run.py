"""The `run` command: inputs → tables + manifest.json, written all together or not at all."""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from .. import config
from ..analyse import Tables, analyse_text, concat_tables
from ..errors import AnalysisError
from ..framing.lexicon import Lexicon
from ..io.files import (
    FAILURE_COLUMNS,
    FAILURES_FILE,
    TABLE_FILES,
    WARNING_COLUMNS,
    WARNINGS_FILE,
    check_writable,
    output_lock,
    package_versions,
    sha256_file,
    swap_in,
    write_csv,
    write_json,
)
from ..io.inputs import META_PREFIX, TEXT_FIELD, BadRow, Corpus, collect, verify_checksums
from ..present.report import REPORT_FILES, write_section_reports
from ..sentiment.scorers import SCORERS, get_scorer
from ..text.decode import normalise_text, read_bytes, text_of_bytes
from ..text.script import check_converter, count_cjk, count_kana_hangul
from .executors import Spool, csv_line, run_dask, run_local

log = logging.getLogger(__name__)
OUTPUT_FILES = {*TABLE_FILES.values(), FAILURES_FILE, WARNINGS_FILE, "manifest.json", *REPORT_FILES}

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


@dataclass(frozen=True)
class Failure:
    """A document that could not be analysed, and why."""

    document: str
    file: str
    reason: str


def analyse_loaded(document: str, text: str, name: str, opts: RunOptions, is_file: bool = True) -> Tables:
    """Analyse one normalised text; warns (naming `name`, with a kind of WARNING_KINDS) when it has no Chinese text,
    is not Chinese, has no body sentences or no sentence to score."""
    tables = analyse_text(document, text, opts.lexicon, converter=opts.converter,
                          headings=opts.headings_mode(is_file), scorer=get_scorer(opts.scorer),
                          second_scorer=get_scorer(opts.second_scorer) if opts.second_scorer else None,
                          title=opts.title_mode(is_file))
    doc = tables.documents.loc[0]
    if count_cjk(text) == 0:
        log.warning("%s: no Chinese text; framing counts are 0 and sentiment is NaN", name,
                    extra={"kind": "no_chinese"})
    elif count_kana_hangul(text) > count_cjk(text):
        log.warning("%s: not Chinese (more Japanese kana or Korean Hangul than Chinese characters); its Japanese or "
                    "Korean sentences are not scored (sentiment NaN)", name, extra={"kind": "not_chinese"})
    elif doc["n_sentences"] == 0:
        log.warning("%s: no body sentences (only a title or headings); sentiment is NaN", name,
                    extra={"kind": "no_body_sentences"})
    elif doc["n_scored"] == 0:
        log.warning("%s: no body sentence has Chinese text to score; sentiment is NaN", name,
                    extra={"kind": "no_scored_sentences"})
    return tables


def text_of_row(value: object, name: str, max_chars: int = config.MAX_CHARS) -> str:
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


def analyse_document(task: Task, opts: RunOptions) -> Result:
    """The per-document function of every mode (here, --jobs, --scheduler): pure, picklable, never raises for bad input.

    Reads the file (or takes the row's text), analyses it, and returns its rows of every table as CSV, sorted as in
    the tables; bad input becomes `failure` (a one-line reason).
    """
    with _collected_warnings() as logs:
        try:
            if task.error is not None:
                raise AnalysisError(task.error)
            if task.is_file():
                data = task.data if task.data is not None else read_bytes(Path(task.path), opts.max_chars, task.name)
                text = text_of_bytes(data, task.name, opts.encoding, opts.max_chars)
            else:
                text = text_of_row(task.text, task.name, opts.max_chars)
                data = str(task.text).encode("utf-8")
            digest, size = hashlib.sha256(data).hexdigest(), len(data)
            tables = concat_tables([analyse_loaded(task.document, text, task.name, opts, task.is_file())])
            if task.title:  # a table's title column (an empty cell leaves the segmenter's title)
                tables.documents["title"] = task.title
        except AnalysisError as exc:
            return Result(task.document, task.file, str(exc), None, None, None, tuple(logs))
    rows, columns = {}, {}
    for attr in TABLE_FILES:
        df = getattr(tables, attr)
        rows[attr] = df.to_csv(index=False, header=False, lineterminator="\n").encode("utf-8") if len(df) else b""
        columns[attr] = tuple(map(str, df.columns))
    record = {"document": task.document, "file": task.file, "sha256": digest, "bytes": size}
    n_scored = int(tables.documents.loc[0, "n_scored"])
    return Result(task.document, task.file, None, rows, columns, record, tuple(logs), n_scored)


def _analyse_here(task: Task, opts: RunOptions) -> Result:
    """analyse_document in this process, its warnings kept for the run's summary instead of shown at once (as
    worker processes keep theirs)."""
    logger = logging.getLogger(config.LOGGER)
    propagate, logger.propagate = logger.propagate, False
    try:
        return analyse_document(task, opts)
    finally:
        logger.propagate = propagate


def _load_scorer(opts: RunOptions) -> None:
    for name in (opts.scorer, opts.second_scorer):
        if name is not None:
            get_scorer(name)


def _manifest(opts: RunOptions, inputs: list[dict]) -> dict:
    lex = opts.lexicon
    used = [get_scorer(n) for n in (opts.scorer, opts.second_scorer) if n]
    described = {f"scorer_{s.name}": s.describe() for s in used if hasattr(s, "describe")}  # e.g. the lexicon's files
    return {
        "versions": package_versions(),
        "parameters": {
            "converter": opts.converter, "scorer": opts.scorer,
            "headings": {"files": opts.headings_mode(True), "tables": opts.headings_mode(False)},
            "title": {"files": opts.title_mode(True), "tables": opts.title_mode(False)},
            "encoding": opts.encoding or "auto", "max_chars": opts.max_chars, "second_scorer": opts.second_scorer,
            "bootstrap_resamples": config.BOOTSTRAP_RESAMPLES, "bootstrap_base_seed": config.BOOTSTRAP_BASE_SEED,
            "ci_level": config.CI_LEVEL, "kwic_window": config.KWIC_WINDOW,
            "max_sentence_chars": config.MAX_SENTENCE_CHARS,
        },
        "inputs": inputs,
        "lexicon": {
            "file": lex.file, "name": lex.name, "version": lex.version, "sha256": lex.sha256,
            "categories": [{"id": c.id, "label_zh": c.label_zh, "label_en": c.label_en} for c in lex.categories],
        },
        "tables": sorted(OUTPUT_FILES),
        **described,
    }


def run(inputs: list[Path], out: Path | None, opts: RunOptions, debug: bool = False, jobs: int = 1,
        scheduler: str | None = None, quiet: bool = False) -> list[Failure]:
    """Analyse every input, then swap the complete set of outputs into place; returns the failed documents.

    Documents run here (`jobs` 1), in `jobs` local worker processes, or on the Dask cluster at `scheduler`, with the
    same outputs byte for byte. A progress bar goes to stderr when it is a terminal, unless `quiet`.
    Raises AnalysisError (nothing written) for bad options, an unwritable output, or when no document succeeds.
    """
    out = out or config.PROCESSED_DATA_DIR
    if jobs < 1:
        raise AnalysisError("--jobs must be 1 or more")
    if scheduler is not None and jobs != 1:
        raise AnalysisError("give either --jobs (this machine) or --scheduler (a Dask cluster), not both")
    check_converter(opts.converter)
    check_writable(out, OUTPUT_FILES)
    with output_lock(out):  # a second run writing the same folder is refused while this one runs
        return _run_locked(inputs, out, opts, debug, jobs, scheduler, quiet)


def _run_locked(inputs: list[Path], out: Path, opts: RunOptions, debug: bool, jobs: int, scheduler: str | None,
                quiet: bool) -> list[Failure]:
    if not inputs:
        verify_checksums(config.RAW_DATA_DIR, config.RAW_CHECKSUMS)
    corpus = collect(inputs or [config.RAW_DATA_DIR], opts.encoding)
    for name in (opts.scorer, opts.second_scorer):
        if name is not None and name not in SCORERS:
            get_scorer(name)  # the one-line error for an unknown scorer, before any work
    if opts.second_scorer is not None and opts.second_scorer == opts.scorer:
        raise AnalysisError(f"--second-scorer {opts.second_scorer} is also the main --scorer; choose another scorer")
    failures: list[Failure] = []
    warned: list[tuple[str, str, str]] = []  # (document, kind, message)
    unscored: list[str] = []

    def write(folder: Path) -> None:
        records = _analyse_corpus(corpus, opts, folder, failures, warned, unscored, debug, jobs, scheduler, quiet)
        write_section_reports(folder / TABLE_FILES["sections"], folder, documents=len(records))
        failures.sort(key=lambda f: f.document)
        write_csv(pd.DataFrame([f.__dict__ for f in failures], columns=FAILURE_COLUMNS), folder / FAILURES_FILE)
        warned.sort(key=lambda w: w[0])  # stable: a document's warnings stay in the order they occurred
        write_csv(pd.DataFrame(warned, columns=WARNING_COLUMNS), folder / WARNINGS_FILE)
        write_json(_manifest(opts, records), folder / "manifest.json")

    swap_in(out, write)
    _summarise_warnings(warned, out / WARNINGS_FILE, shown=debug)
    done = len(corpus) - len(failures)
    no_score = (f"; {len(unscored)} {'has' if len(unscored) == 1 else 'have'} no sentiment score "
                f"(see {WARNINGS_FILE})" if unscored else "")
    log.info("analysed %d of %d document%s%s; tables in %s", done, len(corpus), "" if len(corpus) == 1 else "s",
             no_score, out)
    return failures


def _summarise_warnings(warned: list[tuple[str, str, str]], path: Path, shown: bool = False) -> None:
    """One line on stderr per kind of warning: the warning itself when one document had it, else how many documents
    had it (the details are in warnings.csv). With `shown` (--debug showed each already) only the counts."""
    kinds: dict[str, list[tuple[str, str]]] = {}
    for document, kind, message in warned:
        kinds.setdefault(kind, []).append((document, message))
    for kind, items in kinds.items():
        documents = len({d for d, _ in items})
        if len(items) == 1:
            if not shown:
                log.warning("%s", items[0][1])
            continue
        what = WARNING_KINDS.get(kind, f"had warnings of kind {kind!r}")
        if documents == 1:
            what = what.replace("were ", "was ", 1)
        log.warning("%d document%s %s: see %s", documents, "" if documents == 1 else "s", what, path)


def _tasks(corpus: Corpus, metadata: dict[str, dict], records: dict[str, dict], ship: bool = False,
           max_chars: int = config.MAX_CHARS) -> Iterator[Task]:
    """Each document's task; with `ship`, files are read here (up to max_chars) and their bytes travel."""
    for doc in corpus.documents():
        src = doc.source
        metadata[src.document] = doc.meta  # kept only until the document's result arrives
        if src.sidecar is not None:
            records[src.document] = {"file": src.sidecar.name, "sha256": sha256_file(src.sidecar)}
        if src.row is not None:
            yield Task(src.document, src.file, src.file, text=doc.text, title=doc.title)
        elif not ship:
            yield Task(src.document, src.file, str(src.path), path=str(src.path.absolute()))
        else:
            try:
                yield Task(src.document, src.file, str(src.path), data=read_bytes(src.path, max_chars, str(src.path)))
            except AnalysisError as exc:
                yield Task(src.document, src.file, str(src.path), error=str(exc))


def result_versions() -> dict[str, str]:
    """The versions that must agree between this machine and Dask workers: packages that affect results, and
    Python's major.minor."""
    versions = package_versions()
    versions["python"] = ".".join(versions["python"].split(".")[:2])
    return versions


def _analyse_corpus(corpus: Corpus, opts: RunOptions, folder: Path, failures: list[Failure],
                    warned: list[tuple[str, str, str]], unscored: list[str], debug: bool, jobs: int,
                    scheduler: str | None, quiet: bool) -> list[dict]:
    """Run every document and write the five tables into folder; returns the manifest's input records.

    Adds to `failures`, to `warned` each document's warnings (document, kind, message; shown at once with `debug`)
    and to `unscored` the documents without a sentiment score."""
    metadata: dict[str, dict] = {}
    sidecars: dict[str, dict] = {}
    if scheduler is not None:  # workers may be on machines that cannot see these files: send their bytes
        results = run_dask(analyse_document, _tasks(corpus, metadata, sidecars, True, opts.max_chars), opts,
                           scheduler, same=result_versions)
    else:
        fn = _analyse_here if jobs == 1 else analyse_document
        results = run_local(fn, _tasks(corpus, metadata, sidecars), opts, jobs, setup=_load_scorer)
    meta_columns = [META_PREFIX + c for c in corpus.meta_columns]
    records: list[dict] = []
    columns: dict[str, tuple[str, ...]] | None = None
    show = not quiet and sys.stderr.isatty()
    with Spool(folder / ".rows.spool", list(TABLE_FILES)) as spool, \
            (logging_redirect_tqdm() if show else nullcontext()), \
            tqdm(total=len(corpus), desc="documents", unit="doc", file=sys.stderr, disable=not show) as bar:
        for res in results:
            bar.update()
            for level, name, message, kind in res.logs:
                warned.append((res.document, kind, message))
                if debug:  # each as it arrives; else one line per kind at the end
                    logging.getLogger(name).log(level, message)
            meta = metadata.pop(res.document)
            if res.failure is not None:
                if debug:
                    raise AnalysisError(res.failure)
                failures.append(Failure(res.document, res.file, res.failure))
                sidecars.pop(res.document, None)
                continue
            if columns is None:
                columns = res.columns
            elif res.columns != columns:
                raise AnalysisError(f"{res.document}: its tables have other columns than the other documents'")
            rows = dict(res.rows)
            if meta_columns:  # metadata cells follow the document's standard columns
                values = [meta.get(c) for c in corpus.meta_columns]
                rows["documents"] = rows["documents"].removesuffix(b"\n") + csv_line(["", *values]).encode("utf-8")
            spool.add(res.document, rows)
            if res.n_scored == 0:
                unscored.append(res.document)
            record = res.record
            if res.document in sidecars:
                record = {**record, "metadata": sidecars.pop(res.document)}
            records.append(record)
        if columns is None:
            reasons = "; ".join(f.reason for f in sorted(failures, key=lambda f: f.document)[:3])
            raise AnalysisError(f"no input could be analysed: {reasons}")
        for attr, name in TABLE_FILES.items():
            header = list(columns[attr]) + (meta_columns if attr == "documents" else [])
            spool.write(attr, folder / name, csv_line(header))
    return sorted(records, key=lambda r: r["document"])
