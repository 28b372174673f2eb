"""argparse wiring of `python -m analysis validate score`."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from .. import config

log = logging.getLogger(config.LOGGER)


def add_score_parser(validate_sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `score` to the subcommands of `validate`."""
    p = validate_sub.add_parser(
        "score", parents=[common], help="agreement between coders and each scorer's performance against the gold")
    p.add_argument("--sample", type=Path, required=True, metavar="DIR",
                   help="the folder `validate sample` wrote (sample.csv, sample.json)")
    p.add_argument("--codes", type=Path, nargs="+", required=True, metavar="FILE",
                   help="coders' files, CSV or XLSX with columns unit and code (coder: a `coder` column, else the "
                        "file name)")
    p.add_argument("--out", type=Path, required=True, metavar="VAL", help="output folder (replaced as a whole)")
    p.add_argument("--adjudicate", type=Path, default=None, metavar="FILE",
                   help="codes that settle units without a majority (same format; e.g. unresolved.csv filled in)")
    p.add_argument("--data", type=Path, default=None, metavar="RUN",
                   help="the run the sample was drawn from: its tables must match the hashes in sample.json")
    p.add_argument("--coded-by", default=None, metavar="TEXT",
                   help="who coded, for validation.md (default: coders.yaml beside the sample or the codes, "
                        "else a reminder to say so)")
    p.add_argument("--resamples", type=int, default=config.BOOTSTRAP_RESAMPLES, metavar="N",
                   help=f"bootstrap resamples for the intervals of α, macro-F1 and Spearman's ρ "
                        f"(default {config.BOOTSTRAP_RESAMPLES})")
    p.set_defaults(handler=run_score)


def run_score(args: argparse.Namespace) -> int:
    """Run `validate score` from parsed arguments; returns the exit status."""
    import matplotlib

    matplotlib.use("Agg")  # this process only draws to files
    from .score import validate_score

    v = validate_score(args.sample, args.codes, args.out, adjudicate=args.adjudicate, data=args.data,
                       coded_by=args.coded_by, resamples=args.resamples)
    log.info("wrote the validation of %d units (%d coders) to %s", len(v.tables["gold"]), len(v.coders), args.out)
    return 0
