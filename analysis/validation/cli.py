"""Command line of `python -m analysis validate sample` and `validate revision` (argparse wiring only; the work is in
`sheets` and `revision`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .sample import DEFAULT_N, DEFAULT_SEED, KWIC_MIN_PER_TERM


def add_sample_parser(validate_sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `sample` to the subcommands of `validate`; the handler is set as the parser's `handler` default."""
    p = validate_sub.add_parser(
        "sample", parents=[common], help="draw a sample from a run and write blind coding sheets for human coders",
        description="Draw a seeded, stratified sample of scored sentences or framing hits from a finished run and "
                    "write the key (sample.csv, sample.json), the blind coding sheets (coding.csv, coding.xlsx, "
                    "coding.html) and the coders' instructions (CODING.md) into --out, all or nothing.")
    p.add_argument("--data", type=Path, required=True, metavar="RUN",
                   help="output folder of `python -m analysis run` to draw from")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the sample and its sheets")
    p.add_argument("--n", type=int, default=DEFAULT_N, help=f"units to draw (default {DEFAULT_N})")
    p.add_argument("--unit", choices=("sentences", "kwic"), default="sentences",
                   help="sentences: body sentences with a score (sentiment); kwic: framing hits (term precision)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--stratify", default=None, metavar="COLUMN|none",
                   help="draw proportionally within the levels of COLUMN (a column of sentences.csv or kwic.csv, "
                        "or a metadata column of documents.csv, with or without meta_), or none for a simple "
                        "random sample (default: by document for sentences; by term for kwic, at least "
                        f"min({KWIC_MIN_PER_TERM}, hits) per term)")
    p.add_argument("--include-uncounted", action="store_true",
                   help="kwic: also draw hits the lexicon's rules set aside (status not_word or excluded in kwic.csv); "
                        "by default only counted hits, the ones the counts are made of")
    p.add_argument("--lexicon", type=Path, default=None,
                   help="the run's framing lexicon, for the glosses on a kwic sheet (default: the shipped one when "
                        "it is the run's)")
    p.set_defaults(handler=_sample)


def _sample(args: argparse.Namespace) -> int:
    from .sheets import write_sample

    if args.include_uncounted and args.unit != "kwic":
        from ..errors import AnalysisError

        raise AnalysisError("--include-uncounted applies to --unit kwic only")
    write_sample(args.data, args.out, n=args.n, unit=args.unit, seed=args.seed, stratify=args.stratify,
                 lexicon_path=args.lexicon, include_uncounted=args.include_uncounted)
    return 0


def add_revision_parser(validate_sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `revision` to the subcommands of `validate`: a revised lexicon's run against an earlier coded sample."""
    p = validate_sub.add_parser(
        "revision", parents=[common], help="how a revised lexicon treats the hits an earlier KWIC sample coded",
        description="For each coded hit of an earlier KWIC sample: does a run of the revised lexicon still count it? "
                    "Writes revision.csv (precision before and after, recall of the hits coded yes, per term, "
                    "category and overall), matched.csv, new_hits.csv (counted hits nobody coded) and revision.json.")
    p.add_argument("--sample", type=Path, required=True, metavar="DIR", help="the KWIC sample's folder (sample.csv)")
    p.add_argument("--gold", type=Path, required=True, metavar="FILE", help="gold.csv written by `validate score`")
    p.add_argument("--data", type=Path, required=True, metavar="RUN",
                   help="a run of the revised lexicon on the texts the sample was drawn from")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder (replaced as a whole)")
    p.set_defaults(handler=_revision)


def _revision(args: argparse.Namespace) -> int:
    from .revision import validate_revision

    validate_revision(args.sample, args.gold, args.data, args.out)
    return 0
