"""The `run` command: inputs → tables + manifest.json, written all together or not at all."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from . import config
from .errors import AnalysisError
from .inputs import discover, verify_checksums
from .lexicon import Lexicon
from .output import (
    FAILURE_COLUMNS,
    FAILURES_FILE,
    TABLE_FILES,
    check_writable,
    package_versions,
    sha256_file,
    swap_in,
    write_csv,
    write_json,
    write_tables,
)
from .pipeline import Tables, analyse_text, concat_tables
from .reading import read_text
from .report import REPORT_FILES, write_section_reports
from .script import check_converter, count_cjk
from .sentiment import get_scorer

log = logging.getLogger(__name__)
OUTPUT_FILES = {*TABLE_FILES.values(), FAILURES_FILE, "manifest.json", *REPORT_FILES}


@dataclass(frozen=True)
class RunOptions:
    """Everything that determines a run's results besides its inputs."""

    lexicon: Lexicon
    converter: str = config.DEFAULT_CONVERTER
    headings: str = config.DEFAULT_HEADINGS
    scorer: str = "snownlp"
    encoding: str | None = None
    max_chars: int = config.MAX_CHARS
    second_scorer: str | None = None  # --second-scorer: adds sentiment_NAME columns


@dataclass(frozen=True)
class Failure:
    """A document that could not be analysed, and why."""

    document: str
    file: str
    reason: str


def analyse_file(document: str, path: Path, opts: RunOptions) -> Tables:
    """Read and analyse one file; raises AnalysisError for unreadable or unusable input."""
    text = read_text(path, opts.encoding, opts.max_chars)
    tables = analyse_text(document, text, opts.lexicon, converter=opts.converter, headings=opts.headings,
                          scorer=get_scorer(opts.scorer),
                          second_scorer=get_scorer(opts.second_scorer) if opts.second_scorer else None)
    if count_cjk(text) == 0:
        log.warning("%s: no Chinese text; framing counts are 0 and sentiment is NaN", path)
    elif tables.documents.loc[0, "n_sentences"] == 0:
        log.warning("%s: no body sentences (only a title or headings); sentiment is NaN", path)
    return tables


def _manifest(opts: RunOptions, inputs: list[dict]) -> dict:
    lex = opts.lexicon
    used = [get_scorer(n) for n in (opts.scorer, opts.second_scorer) if n]
    described = {f"scorer_{s.name}": s.describe() for s in used if hasattr(s, "describe")}  # e.g. the lexicon's files
    return {
        "versions": package_versions(),
        "parameters": {
            "converter": opts.converter, "headings": opts.headings, "scorer": opts.scorer,
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


def run(inputs: list[Path], out: Path | None, opts: RunOptions, debug: bool = False) -> list[Failure]:
    """Analyse every input, then swap the complete set of outputs into place; returns the failed documents.

    Raises AnalysisError (nothing written) for bad options, an unwritable output, or when no document succeeds.
    """
    out = out or config.PROCESSED_DATA_DIR
    check_converter(opts.converter)
    check_writable(out, OUTPUT_FILES)
    if not inputs:
        verify_checksums(config.RAW_DATA_DIR, config.RAW_CHECKSUMS)
    docs = discover(inputs or [config.RAW_DATA_DIR])
    get_scorer(opts.scorer)  # fail on an unknown scorer before reading anything
    if opts.second_scorer is not None:
        if opts.second_scorer == opts.scorer:
            raise AnalysisError(
                f"--second-scorer {opts.second_scorer} is also the main --scorer; choose another scorer")
        get_scorer(opts.second_scorer)
    parts: list[Tables] = []
    records: list[dict] = []
    failures: list[Failure] = []
    for doc, path in tqdm(docs, desc="documents", unit="doc", file=sys.stderr, disable=not sys.stderr.isatty()):
        try:
            parts.append(analyse_file(doc, path, opts))
        except AnalysisError as exc:
            if debug:
                raise
            failures.append(Failure(doc, doc + path.suffix, str(exc)))
            continue
        records.append({"document": doc, "file": doc + path.suffix, "sha256": sha256_file(path),
                        "bytes": path.stat().st_size})
    if not parts:
        reasons = "; ".join(f.reason for f in failures[:3])
        raise AnalysisError(f"no input could be analysed: {reasons}")
    tables = concat_tables(parts)
    manifest = _manifest(opts, records)
    failure_table = pd.DataFrame([f.__dict__ for f in failures], columns=FAILURE_COLUMNS)

    def write(folder: Path) -> None:
        write_tables(tables, folder)
        write_section_reports(tables.sections, folder)
        write_csv(failure_table, folder / FAILURES_FILE)
        write_json(manifest, folder / "manifest.json")

    swap_in(out, write)
    log.info("analysed %d document(s), %d sentences; tables in %s", len(parts), len(tables.sentences), out)
    return failures
