"""Command line of `python -m analysis compare` (argparse wiring only; the work is in `commands.compare`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..stats.differences import MEASURES, VOICES
from ..stats.framing_effect import PERMUTATIONS
from ..stats.groups import MIN_GROUP_DOCUMENTS
from ..stats.periods import DATE_EXAMPLES, PERIODS


def add_compare_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `compare` to the subcommands; the handler is set as the parser's `handler` default."""
    p = sub.add_parser(
        "compare", parents=[common], help="differences between groups of documents of a run, with intervals",
        description="Compare groups of documents of a finished run (outlets, periods, …): per measure (document mean "
                    "sentiment, framing density overall and per category) the difference between groups with a "
                    "95% cluster-bootstrap interval and a permutation p-value over documents. Writes "
                    "differences.csv, levels.csv, document_categories.csv, compare.json and the figures into --out, "
                    f"all or nothing. Groups of fewer than {MIN_GROUP_DOCUMENTS} documents are flagged too_few. "
                    "Two levels: A − B; more: each level against the rest.")
    p.add_argument("--data", type=Path, required=True, metavar="RUN", help="output folder of `python -m analysis run`")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="folder for the comparison (replaced as a whole; never the run's folder)")
    p.add_argument("--group-by", required=True, metavar="COLUMN",
                   help="metadata column of documents.csv to compare by, with or without meta_ (e.g. outlet, date)")
    p.add_argument("--levels", default=None, metavar="A,B",
                   help="compare only these levels (comma-separated; two: A − B; more: each against the rest of "
                        "them). Default: every level (two: the first minus the second, sorted; more: each against "
                        "the rest)")
    p.add_argument("--measure", nargs="+", default=None, metavar="MEASURE",
                   help=f"{' | '.join(MEASURES)} | a lexicon category id; several allowed (default: all of them)")
    p.add_argument("--voice", choices=VOICES, default="all",
                   help="all: every sentence and hit; own: the outlet's own voice only, quoted speech left out")
    p.add_argument("--period", choices=PERIODS, default=None,
                   help=f"group by the calendar period of a date column ({DATE_EXAMPLES}); adds trend.png/svg")
    p.add_argument("--permutations", type=int, default=PERMUTATIONS,
                   help=f"random relabellings for the permutation p-value (default {PERMUTATIONS:,}); exact "
                        "enumeration when there are no more relabellings than this")
    p.set_defaults(handler=_compare)


def _compare(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")  # this process only draws to files
    from .compare import CompareOptions, write_comparison

    levels = [v.strip() for v in args.levels.split(",") if v.strip()] if args.levels else None
    opts = CompareOptions(group_by=args.group_by, levels=levels, measures=args.measure, voice=args.voice,
                          period=args.period, permutations=args.permutations)
    write_comparison(args.data, args.out, opts)
    return 0
