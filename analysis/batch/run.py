"""The `run` command: inputs → every table, sections.md/.tex, failures, warnings and manifest.json, written all
together or not at all. Documents go to the worker (`worker.analyse_document`) here, in local processes or on a Dask
cluster (`executors`); their rows are spooled (`spool`) and written sorted by document id."""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from .. import config
from ..errors import AnalysisError
from ..io.files import check_writable, output_lock, sha256_file, swap_in, write_json
from ..io.inputs import Corpus, collect, verify_checksums
from ..io.provenance import result_versions, run_manifest
from ..io.tables import write_csv
from ..present.labels import score_label
from ..present.report import caption, write_section_reports
from ..schema import (
    FAILURE_COLUMNS,
    FAILURES_FILE,
    MANIFEST_FILE,
    META_PREFIX,
    RUN_FILES,
    TABLE_FILES,
    WARNING_COLUMNS,
    WARNINGS_FILE,
)
from ..sentiment.scorers import MODEL_SCORERS, SCORERS, get_scorer, scorer_for, takes_model
from ..text.decode import read_bytes
from ..text.script import check_converter
from .executors import BUNDLE_SIZE, run_dask, run_local
from .spool import Spool, csv_line
from .worker import WARNING_KINDS, Result, RunOptions, Task, analyse_document, analyse_here, load_scorers

log = logging.getLogger(__name__)
#: Every file `run` writes into its output folder (anything else there is refused: it is not ours to replace).
OUTPUT_FILES = RUN_FILES


@dataclass(frozen=True)
class Failure:
    """A document that could not be analysed, and why."""

    document: str
    file: str
    reason: str


@dataclass
class Outcome:
    """What a run gathered besides the tables: failures, warnings, documents without a score, manifest records."""

    failures: list[Failure] = field(default_factory=list)
    warned: list[tuple[str, str, str]] = field(default_factory=list)  # (document, kind, message)
    unscored: list[str] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)


def run(inputs: list[Path], out: Path | None, opts: RunOptions, debug: bool = False, jobs: int = 1,
        scheduler: str | None = None, quiet: bool = False, metadata: Path | None = None) -> list[Failure]:
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
        return _run_locked(inputs, out, opts, debug, jobs, scheduler, quiet, metadata)


def _check_scorers(opts: RunOptions) -> None:
    for name in (opts.scorer, opts.second_scorer):
        if name is not None and name not in SCORERS:
            get_scorer(name)  # the one-line error for an unknown scorer, before any work
    if opts.second_scorer is not None and opts.second_scorer == opts.scorer:
        raise AnalysisError(f"--second-scorer {opts.second_scorer} is also the main --scorer; choose another scorer")
    if opts.sentiment_model is not None and not (takes_model(opts.scorer) or takes_model(opts.second_scorer)):
        raise AnalysisError(f"--sentiment-model is a model of the SnowNLP scorers ({', '.join(MODEL_SCORERS)}), but "
                            f"the run uses {opts.scorer}" + (f" and {opts.second_scorer}" if opts.second_scorer else "")
                            + "; choose --scorer snownlp or leave out --sentiment-model")


def _run_locked(inputs: list[Path], out: Path, opts: RunOptions, debug: bool, jobs: int, scheduler: str | None,
                quiet: bool, metadata: Path | None = None) -> list[Failure]:
    if not inputs:
        verify_checksums(config.RAW_DATA_DIR, config.RAW_CHECKSUMS)
    corpus = collect(inputs or [config.RAW_DATA_DIR], opts.encoding, metadata)
    _check_scorers(opts)
    outcome = Outcome()

    def write(folder: Path) -> None:
        _analyse_corpus(corpus, opts, folder, outcome, debug, jobs, scheduler, quiet)
        write_section_reports(folder / TABLE_FILES["sections"], folder, documents=len(outcome.records),
                              text=caption(score_label(_parameters(opts))))
        outcome.failures.sort(key=lambda f: f.document)
        write_csv(pd.DataFrame([f.__dict__ for f in outcome.failures], columns=FAILURE_COLUMNS),
                  folder / FAILURES_FILE)
        outcome.warned.sort(key=lambda w: w[0])  # stable: a document's warnings stay in the order they occurred
        write_csv(pd.DataFrame(outcome.warned, columns=WARNING_COLUMNS), folder / WARNINGS_FILE)
        manifest = _manifest(opts, sorted(outcome.records, key=lambda r: r["document"]))
        if metadata is not None:  # --metadata FILE.csv: its path as given and its sha256
            manifest["metadata"] = {"file": str(metadata), "sha256": sha256_file(metadata)}
        write_json(manifest, folder / MANIFEST_FILE)

    swap_in(out, write)
    _summarise_warnings(outcome.warned, out / WARNINGS_FILE, shown=debug)
    done, unscored = len(corpus) - len(outcome.failures), outcome.unscored
    no_score = (f"; {len(unscored)} {'has' if len(unscored) == 1 else 'have'} no sentiment score "
                f"(see {WARNINGS_FILE})" if unscored else "")
    log.info("analysed %d of %d document%s%s; tables in %s", done, len(corpus), "" if len(corpus) == 1 else "s",
             no_score, out)
    return outcome.failures


def _parameters(opts: RunOptions) -> dict:
    """manifest.json's parameters of a run."""
    parameters = {
        "converter": opts.converter, "scorer": opts.scorer,
        "headings": {"files": opts.headings_mode(True), "tables": opts.headings_mode(False)},
        "title": {"files": opts.title_mode(True), "tables": opts.title_mode(False)},
        "encoding": opts.encoding or "auto", "max_chars": opts.max_chars, "second_scorer": opts.second_scorer,
        "bootstrap_resamples": config.BOOTSTRAP_RESAMPLES, "bootstrap_base_seed": config.BOOTSTRAP_BASE_SEED,
        "ci_level": config.CI_LEVEL, "kwic_window": config.KWIC_WINDOW,
        "max_sentence_chars": config.MAX_SENTENCE_CHARS,
    }
    if opts.sentiment_model is not None:  # recorded only when given: without it, SnowNLP's own model scores
        parameters["sentiment_model"] = opts.sentiment_model.record()
    if opts.neutral_band is not None:
        parameters["neutral_band"] = opts.neutral_band.record()
    return parameters


def _manifest(opts: RunOptions, inputs: list[dict]) -> dict:
    scorers = [scorer_for(n, opts.sentiment_model) for n in (opts.scorer, opts.second_scorer) if n]
    return run_manifest(_parameters(opts), inputs, opts.lexicon, scorers, OUTPUT_FILES)


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


def _results(corpus: Corpus, opts: RunOptions, metadata: dict, sidecars: dict, jobs: int,
             scheduler: str | None) -> Iterator[Result]:
    """Every document's result, from here, local worker processes or a Dask cluster, in completion order."""
    if scheduler is not None:  # workers may be on machines that cannot see these files: send their bytes
        return run_dask(analyse_document, _tasks(corpus, metadata, sidecars, True, opts.max_chars), opts,
                        scheduler, same=result_versions)
    fn = analyse_here if jobs == 1 else analyse_document
    return run_local(fn, _tasks(corpus, metadata, sidecars), opts, jobs, setup=load_scorers, size=_task_size)


def _task_size(task: Task) -> int:
    """A task's size for bundling small documents on their way to workers: its file's bytes, or its row's text
    length (a file that cannot be read counts as large: it goes alone, and fails there as it would)."""
    if task.path is None:
        return len(task.data) if task.data is not None else len(str(task.text))
    try:
        return os.stat(task.path).st_size
    except OSError:
        return BUNDLE_SIZE + 1


def _analyse_corpus(corpus: Corpus, opts: RunOptions, folder: Path, outcome: Outcome, debug: bool, jobs: int,
                    scheduler: str | None, quiet: bool) -> None:
    """Run every document and write the five tables into folder; fills `outcome` (warnings shown at once with
    `debug`)."""
    with _long_lived_frozen(opts, scheduler is None):
        _analyse_documents(corpus, opts, folder, outcome, debug, jobs, scheduler, quiet)


#: While documents run, the garbage collector's youngest generation is collected after this many allocations.
YOUNG_OBJECTS = 20_000


@contextmanager
def _long_lived_frozen(opts: RunOptions, here: bool) -> Iterator[None]:
    """While the documents run, what is already loaded (modules, the scorers' models, the lexicon: loaded first when
    documents run `here`) is left out of the garbage collector's full passes (`gc.freeze`; forked workers inherit
    it): each pass would walk every entry of the models' dicts again, about 0.1 s a pass. The youngest generation is
    collected every YOUNG_OBJECTS allocations rather than Python's 700: a document's rows are many small objects
    that live until it is written, and each early pass walked them again (some 0.05 s of the benchmark's 2 s run).
    Everything goes back to the collector, and its thresholds to what they were, when the run ends; a process that
    froze objects itself is left as it is."""
    if gc.get_freeze_count():
        yield
        return
    if here:
        load_scorers(opts)
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _analyse_documents(corpus: Corpus, opts: RunOptions, folder: Path, outcome: Outcome, debug: bool, jobs: int,
                       scheduler: str | None, quiet: bool) -> None:
    metadata: dict[str, dict] = {}
    sidecars: dict[str, dict] = {}
    results = _results(corpus, opts, metadata, sidecars, jobs, scheduler)
    meta_columns = [META_PREFIX + c for c in corpus.meta_columns]
    columns: dict[str, tuple[str, ...]] | None = None
    show = not quiet and sys.stderr.isatty()
    with Spool(folder / ".rows.spool", list(TABLE_FILES)) as spool, \
            (logging_redirect_tqdm() if show else nullcontext()), \
            tqdm(total=len(corpus), desc="documents", unit="doc", file=sys.stderr, disable=not show) as bar:
        for res in results:
            bar.update()
            meta = metadata.pop(res.document)
            if not _keep(res, outcome, sidecars, debug):
                continue
            if columns is None:
                columns = res.columns
            elif res.columns != columns:
                raise AnalysisError(f"{res.document}: its tables have other columns than the other documents'")
            spool.add(res.document, _with_metadata(res.rows, meta, corpus.meta_columns))
        if columns is None:
            reasons = "; ".join(f.reason for f in sorted(outcome.failures, key=lambda f: f.document)[:3])
            raise AnalysisError(f"no input could be analysed: {reasons}")
        for attr, name in TABLE_FILES.items():
            header = list(columns[attr]) + (meta_columns if attr == "documents" else [])
            spool.write(attr, folder / name, csv_line(header))


def _keep(res: Result, outcome: Outcome, sidecars: dict[str, dict], debug: bool) -> bool:
    """Record a result's warnings and its failure or manifest record; whether its rows go into the tables."""
    for level, name, message, kind in res.logs:
        outcome.warned.append((res.document, kind, message))
        if debug:  # each as it arrives; else one line per kind at the end
            logging.getLogger(name).log(level, message)
    if res.failure is not None:
        if debug:
            raise AnalysisError(res.failure)
        outcome.failures.append(Failure(res.document, res.file, res.failure))
        sidecars.pop(res.document, None)
        return False
    if res.n_scored == 0:
        outcome.unscored.append(res.document)
    record = res.record
    if res.document in sidecars:
        record = {**record, "metadata": sidecars.pop(res.document)}
    outcome.records.append(record)
    return True


def _with_metadata(rows: dict[str, bytes], meta: dict, meta_columns: list[str]) -> dict[str, bytes]:
    """A document's rows with its metadata cells after its documents.csv row's standard columns."""
    if not meta_columns:
        return rows
    values = [meta.get(c) for c in meta_columns]
    return {**rows, "documents": rows["documents"].removesuffix(b"\n") + csv_line(["", *values]).encode("utf-8")}
