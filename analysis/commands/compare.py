"""`python -m analysis compare`: differences between groups of documents of a finished run, written into their own
folder all or nothing (never into the run's). The statistics are `stats.differences` and `stats.periods`; the
figures `present.comparison`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..config import BOOTSTRAP_RESAMPLES, CI_LEVEL
from ..errors import AnalysisError
from ..io.files import check_not_protected, check_writable, output_lock, resolve_path, swap_in, write_json
from ..io.tables import RunTables, load_run, write_csv
from ..present.comparison import plot_differences, plot_trend
from ..present.labels import score_label
from ..present.style import FORMATS, save_figure
from ..stats.differences import (
    check_measures,
    compare_levels,
    document_categories,
    document_measures,
    level_summaries,
)
from ..stats.framing_effect import PERMUTATIONS
from ..stats.groups import MIN_GROUP_DOCUMENTS, group_column
from ..stats.periods import document_periods

log = logging.getLogger(__name__)

TABLE_FILES = ("differences.csv", "levels.csv", "document_categories.csv")
#: What was compared: the run (path as given, sha256 of its tables), the lexicon, the options and the constants.
RECORD_FILE = "compare.json"
FIGURE_STEMS = ("differences", "trend")
#: Every file `compare` may write into its --out folder.
OUTPUT_FILES = {*TABLE_FILES, RECORD_FILE, *(f"{s}.{e}" for s in FIGURE_STEMS for e in FORMATS)}


@dataclass
class CompareOptions:
    """What `compare` compares: the grouping column, its levels, the measures, the voice, the calendar period."""

    group_by: str
    levels: list[str] | None = None
    measures: list[str] | None = None
    voice: str = "all"
    period: str | None = None
    permutations: int = PERMUTATIONS


def check_out(data: Path, out: Path) -> None:
    """--out must be a folder of its own: not the run's folder, not inside it, not holding it, not a demo folder."""
    data, out = resolve_path(data).resolve(), resolve_path(out).resolve()
    if out == data or data in out.parents or out in data.parents:
        raise AnalysisError(f"--out {out} would write into the run folder {data} (or replace it); choose a folder "
                            "outside the run")
    check_not_protected(out)


def group_keys(run: RunTables, opts: CompareOptions) -> tuple[str, pd.Series]:
    """The grouping column and each document's level (its value, or its date's period); <NA> for none."""
    column = group_column(run.documents, opts.group_by)
    if opts.period:
        keys = document_periods(run.documents, column, opts.period)
    else:
        keys = run.documents.set_index("document")[column].astype("string")
        keys = keys.where(keys.str.strip() != "")
    return column, keys


def compare_tables(run: RunTables, opts: CompareOptions) -> dict[str, pd.DataFrame]:
    """The tables of `compare`: differences, levels, document_categories (in memory)."""
    if opts.permutations < 1:
        raise AnalysisError("--permutations must be a positive number")
    categories = [c["id"] for c in run.categories]
    measures = check_measures(opts.measures, categories)
    column, keys = group_keys(run, opts)
    doc_cats = document_categories(run.documents, run.framing, run.kwic, categories, opts.voice)
    values = document_measures(run.documents, doc_cats, measures, opts.voice)
    common = {"group_by": column, "levels": opts.levels, "voice": opts.voice, "period": opts.period}
    return {"differences": compare_levels(values, keys, permutations=opts.permutations, **common),
            "levels": level_summaries(values, keys, **common), "document_categories": doc_cats}


def comparison_record(data: Path, run: RunTables, opts: CompareOptions) -> dict:
    """compare.json: the run compared (its path as given and the sha256 of its files), its lexicon, the options, the
    minimum group size and the bootstrap's parameters; no absolute paths unless given, no timestamps."""
    lexicon = run.manifest["lexicon"]
    return {"run": {"path": str(data), "files": run.file_hashes()},
            "lexicon": {k: lexicon.get(k) for k in ("name", "version", "sha256", "file")},
            "options": {"group_by": opts.group_by, "levels": opts.levels, "measures": opts.measures,
                        "voice": opts.voice, "period": opts.period, "permutations": opts.permutations},
            "min_group_documents": MIN_GROUP_DOCUMENTS, "resamples": BOOTSTRAP_RESAMPLES, "ci_level": CI_LEVEL}


def write_comparison(data: Path, out: Path, opts: CompareOptions) -> dict[str, pd.DataFrame]:
    """Compute the comparison of a run (`data`) and write its tables and figures into `out`, all or nothing."""
    check_out(data, out)
    check_writable(out, OUTPUT_FILES)
    run = load_run(data)
    tables = compare_tables(run, opts)
    label = score_label(run.manifest.get("parameters", {}))
    record = comparison_record(data, run, opts)
    figures = {"differences": plot_differences(tables["differences"], label)}
    if opts.period:
        figures["trend"] = plot_trend(tables["levels"], label)

    def write(folder: Path) -> None:
        for name, table in tables.items():
            write_csv(table, folder / f"{name}.csv")
        for stem, fig in figures.items():
            save_figure(fig, folder / stem)
        write_json(record, folder / RECORD_FILE)

    with output_lock(out):
        swap_in(out, write)
    column, keys = group_keys(run, opts)
    if keys.isna().any():
        log.warning("%d document(s) without a value of %s were left out", int(keys.isna().sum()), column)
    flagged = tables["differences"]["too_few"].any()
    log.info("wrote %s: %d difference(s)%s", out, len(tables["differences"]),
             f"; groups of fewer than {MIN_GROUP_DOCUMENTS} documents are flagged too_few" if flagged else "")
    return tables

