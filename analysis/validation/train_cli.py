"""argparse wiring of `python -m analysis validate train`."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from .. import config
from ..errors import AnalysisError

log = logging.getLogger(config.LOGGER)


def add_train_parser(validate_sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `train` to the subcommands of `validate`."""
    from .train import BASES, DEFAULT_FOLDS, DEFAULT_SEED

    p = validate_sub.add_parser(
        "train", parents=[common], help="train SnowNLP's sentiment model on coded sentences, cross-validated",
        description="Train SnowNLP's naive Bayes sentiment model on coded sentences (as SnowNLP's own "
                    "Sentiment().train does), compare it with SnowNLP's model by k-fold cross-validation on the same "
                    "held-out folds, and write MODEL/ (the model in SnowNLP's file format, model.json, cv.csv) all "
                    "or nothing. Use the model with `python -m analysis run --sentiment-model MODEL`.")
    p.add_argument("--gold", type=Path, required=True, metavar="FILE",
                   help="CSV or XLSX with a text column (text_scored, or text converted with --converter) and a "
                        "label column (label or code: positive/negative/neutral, pos/neg/neu, 1/-1/0); "
                        "the gold.csv of `validate score` as it is")
    p.add_argument("--out", type=Path, required=True, metavar="MODEL", help="model folder (replaced as a whole)")
    p.add_argument("--base", choices=BASES, default="snownlp",
                   help="snownlp (default): SnowNLP's own counts plus the coded sentences' (incremental training); "
                        "none: the coded sentences only, as training SnowNLP by hand on them")
    p.add_argument("--weight", default="1", metavar="W",
                   help="add each coded sentence's counts W times (default 1: SnowNLP's plain training); several, "
                        "e.g. 1,3,10,30: the one with the best cross-validated macro-F1 is trained")
    p.add_argument("--folds", type=int, default=DEFAULT_FOLDS, help=f"cross-validation folds (default {DEFAULT_FOLDS})")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed of the folds (default {DEFAULT_SEED})")
    p.add_argument("--converter", default=config.DEFAULT_CONVERTER,
                   help="OpenCC configuration applied to a `text` column (default t2s; a text_scored column is "
                        "taken as it is)")
    p.add_argument("--domain", default=None, metavar="WORDS",
                   help="what the sentences are, for the model's description, e.g. news: \"SnowNLP, retrained on "
                        "412 coded news sentences\"")
    p.add_argument("--resamples", type=int, default=config.BOOTSTRAP_RESAMPLES, metavar="N",
                   help=f"bootstrap resamples for the intervals of macro-F1 and Spearman's ρ "
                        f"(default {config.BOOTSTRAP_RESAMPLES})")
    p.set_defaults(handler=run_train)


def run_train(args: argparse.Namespace) -> int:
    """Run `validate train` from parsed arguments; returns the exit status."""
    from .train import validate_train

    if args.resamples < 100:
        raise AnalysisError("--resamples must be at least 100 for a 95% percentile interval")
    trained = validate_train(args.gold, args.out, base=args.base, weights=args.weight, folds=args.folds,
                             seed=args.seed, converter=args.converter, domain=args.domain, resamples=args.resamples)
    log.info("%s", trained.summary())
    log.info("wrote the model to %s", args.out)
    return 0
