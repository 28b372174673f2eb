"""Command line: `python -m analysis run` (tables) and `python -m analysis figures` (figures from tables)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import config
from .errors import AnalysisError

log = logging.getLogger("analysis")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    p.add_argument("--debug", action="store_true", help="show a traceback on errors")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="analyse articles and write every table")
    run.add_argument("inputs", nargs="*", type=Path, metavar="INPUT",
                     help=".txt/.md files or folders (default: data/raw/)")
    run.add_argument("--out", type=Path, default=None, help="output folder (default: data/processed/)")
    run.add_argument("--lexicon", type=Path, default=None, help="framing lexicon YAML (default: the shipped one)")
    run.add_argument("--converter", default=config.DEFAULT_CONVERTER,
                     help="OpenCC configuration applied before scoring (default t2s; 'none' to score as is)")
    run.add_argument("--headings", default=config.DEFAULT_HEADINGS,
                     choices=("auto", "markdown", "numbered", "lines", "none"), help="heading rules (default auto)")
    run.add_argument("--scorer", default="snownlp", help="sentence scorer (default snownlp)")
    run.add_argument("--encoding", default="utf-8", help="input encoding (default utf-8)")
    fig = sub.add_parser("figures", help="render figures from the tables of a run")
    fig.add_argument("--data", type=Path, default=None, help="folder of tables (default: data/processed/)")
    fig.add_argument("--out", type=Path, default=None, help="figure folder (default: figures/)")
    page = sub.add_parser("html", help="write a reading view (one self-contained HTML page) per document")
    page.add_argument("--data", type=Path, default=None, help="folder of tables (default: data/processed/)")
    page.add_argument("--out", type=Path, default=None, help="page folder (default: figures/)")
    page.add_argument("--lexicon", type=Path, default=None,
                      help="the run's framing lexicon, for glosses (default: the shipped one; its sha256 must match)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 bad input or options)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        if args.command == "run":
            from .run import run

            run(args)
        elif args.command == "html":
            from .reading_view import write_pages

            paths = write_pages(args.data or config.PROCESSED_DATA_DIR, args.out or config.FIGURES_DIR,
                                args.lexicon or config.FRAMING_LEXICON)
            log.info("wrote %d reading view page(s)", len(paths))
        else:
            import matplotlib

            matplotlib.use("Agg")  # this process only draws to files
            from .figures import render_figures

            paths = render_figures(args.data or config.PROCESSED_DATA_DIR, args.out or config.FIGURES_DIR)
            log.info("wrote %d figure files", len(paths))
    except AnalysisError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
