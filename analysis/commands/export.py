"""`python -m analysis export`: a run's tables as Parquet or Stata files (a folder) or one Excel workbook."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..io.export import FORMATS, codebook_labels, export_files, run_tables, write_folder_tables, xlsx_bytes
from ..io.tables import load_run
from .output import write_file, write_folder


def add_export_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `export` to the commands; the handler is the parser's `handler` default."""
    p = sub.add_parser(
        "export", parents=[common], help="a run's tables as Parquet, Stata .dta or Excel .xlsx",
        description="parquet, dta: one file per table (documents, sections, sentences, framing, kwic, failures) in "
                    "the folder PATH (replaced as a whole); .dta with variable labels from CODEBOOK.md. xlsx: one "
                    "workbook PATH with a sheet per table and a codebook sheet.")
    p.add_argument("--data", type=Path, required=True, metavar="RUN", help="output folder of `python -m analysis run`")
    p.add_argument("--format", required=True, choices=FORMATS, help="parquet, dta or xlsx")
    p.add_argument("--out", type=Path, required=True, metavar="PATH", help="folder (parquet, dta) or .xlsx file")
    p.set_defaults(handler=_export)


def _export(args: argparse.Namespace) -> int:
    run = load_run(args.data)
    if args.format == "xlsx":
        data = xlsx_bytes(run_tables(run), codebook_labels())
        write_file(args.out, lambda path: path.write_bytes(data), data=args.data)
    else:
        write_folder(args.out, args.data, export_files(args.format),
                     lambda folder: write_folder_tables(run, args.format, folder))
    return 0
