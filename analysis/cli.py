"""Command line: `python -m analysis run` (tables), `figures` (figures from tables), `html` (reading views),
`compare` (differences between groups of documents), `validate sample` (a sample for human coding, with blind coding
sheets), `validate score` (agreement and each scorer's performance), `validate train` (a SnowNLP model trained on
coded sentences, cross-validated), and on a finished run `keyness` (words of one group against the rest), `kwic` (any
string in context), `lexicon suggest | import | export` (candidate terms; dictionaries of other tools) and `export`
(Parquet, Stata, Excel).

Exit status: 0 success; 1 some documents failed (listed in failures.csv), the rest completed; 2 bad input or
options, or outputs that cannot be written (one-line message on stderr, previous outputs left as they were; --debug
shows the traceback).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import config
from .commands.compare_cli import add_compare_parser
from .commands.export import add_export_parser
from .commands.keyness import add_keyness_parser
from .commands.kwic import add_kwic_parser
from .commands.lexicon import add_lexicon_parser
from .errors import AnalysisError
from .validation.cli import add_revision_parser, add_sample_parser
from .validation.score_cli import add_score_parser
from .validation.train_cli import add_train_parser

log = logging.getLogger(config.LOGGER)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (exit status 2)."""

    def error(self, message: str) -> None:  # noqa: D102
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


def _add_run_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """The `run` command's options."""
    run = sub.add_parser("run", parents=[common], help="analyse articles and write every table")
    run.add_argument("inputs", nargs="*", type=Path, metavar="INPUT",
                     help=".txt/.md files, folders, quoted glob patterns ('corpus/**/*.txt'), or .csv/.jsonl tables "
                          "with a 'text' column (default: data/raw/, checked against its SHA256SUMS)")
    run.add_argument("--out", type=Path, default=None, help="output folder (default: data/processed/)")
    run.add_argument("--lexicon", type=Path, default=None,
                     help="framing lexicon: this package's YAML, quanteda or cntext YAML, LIWC .dic, Lexicoder .lc3, "
                          "WordStat .cat or CSV term,category (default: the shipped one)")
    run.add_argument("--metadata", type=Path, default=None, metavar="FILE.csv",
                     help="metadata of the documents in one CSV: a column document (ids) or file (file names), the "
                          "others metadata (instead of, or agreeing with, NAME.meta.yaml files)")
    run.add_argument("--converter", default=config.DEFAULT_CONVERTER,
                     help="OpenCC configuration applied before scoring (default t2s; 'none' to score as is)")
    run.add_argument("--headings", default=None, choices=("auto", "markdown", "numbered", "lines", "none"),
                     help="heading rules (default: auto for article files, none for table rows)")
    run.add_argument("--title", default=None, choices=("auto", "none"),
                     help="auto: a first line that reads as a title is the title; none: it is body text like the "
                          "rest (default: auto for article files, none for table rows)")
    run.add_argument("--scorer", default="snownlp",
                     help="sentence scorer: snownlp (default; SnowNLP compiled, same scores), snownlp-reference "
                          "(SnowNLP's own code) or lexicon (the HowNet lexicon scorer)")
    run.add_argument("--second-scorer", default=None, metavar="NAME",
                     help="also score with NAME (e.g. lexicon): adds sentiment_NAME columns (default: none)")
    run.add_argument("--sentiment-model", default=None, metavar="MODEL",
                     help="score with a trained SnowNLP model: a folder written by `validate train`, or news (shipped: "
                          "trained on coded news sentences; see README). Default: SnowNLP's own model")
    run.add_argument("--neutral-band", default=None, metavar="LOW,HIGH|VAL/thresholds.csv",
                     help="add a polarity (negative below LOW, positive above HIGH, else neutral) per sentence and "
                          "the share of each per section and document; or take the band of the scorer and model in "
                          "use from the thresholds.csv of `validate score`")
    run.add_argument("--encoding", default=None,
                     help="input encoding, e.g. big5 or gb18030 (default: UTF-8, else detected with a warning)")
    run.add_argument("--max-chars", type=int, default=config.MAX_CHARS,
                     help=f"refuse documents longer than this many characters (default {config.MAX_CHARS:,})")
    run.add_argument("--jobs", type=int, default=1, metavar="N",
                     help="analyse N documents at a time in worker processes on this machine (default 1)")
    run.add_argument("--scheduler", default=None, metavar="ADDRESS",
                     help="run on a Dask distributed cluster, e.g. tcp://10.0.0.5:8786 (see README)")
    run.add_argument("--quiet", action="store_true", help="no progress bar and no summary line")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show a traceback instead of a one-line error")
    p = _Parser(prog="python -m analysis", description=__doc__, parents=[common],
                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_run_parser(sub, common)
    fig = sub.add_parser("figures", parents=[common], help="render figures from the tables of a run")
    fig.add_argument("--data", type=Path, default=None, help="folder of tables (default: data/processed/)")
    fig.add_argument("--out", type=Path, default=None, help="figure folder (default: figures/)")
    fig.add_argument("--group-by", default=None, metavar="COLUMN",
                     help="metadata column to compare documents by, e.g. outlet (default: outlet when present)")
    fig.add_argument("--no-document-figures", action="store_true",
                     help="with several documents, draw only the corpus figures, not one set per document")
    fig.add_argument("--validation", type=Path, default=None, metavar="VAL",
                     help="draw the figures of a `validate score` folder instead (default --out: VAL/figures)")
    page = sub.add_parser("html", parents=[common],
                          help="write a reading view (one self-contained HTML page) per document")
    page.add_argument("--data", type=Path, default=None, help="folder of tables (default: data/processed/)")
    page.add_argument("--out", type=Path, default=None, help="page folder (default: figures/)")
    page.add_argument("--lexicon", type=Path, default=None,
                      help="the run's framing lexicon, for glosses (default: the one manifest.json records, as it "
                           "was given to `run`; its sha256 must match)")
    page.add_argument("--documents", nargs="+", default=None, metavar="ID",
                      help="render only these documents (default: every document of the run)")
    # --- validate (issue 14): one group, a sub-subcommand per helper module ---
    validate = sub.add_parser("validate", parents=[common], help="validate the measures against human coding")
    validate_sub = validate.add_subparsers(dest="validate_command", metavar="SUBCOMMAND", required=True,
                                           parser_class=_Parser)
    add_sample_parser(validate_sub, common)
    add_score_parser(validate_sub, common)
    add_train_parser(validate_sub, common)
    add_revision_parser(validate_sub, common)
    add_keyness_parser(sub, common)
    add_kwic_parser(sub, common)
    add_lexicon_parser(sub, common, _Parser)
    add_export_parser(sub, common)
    add_compare_parser(sub, common)
    return p


def _neutral_band(value: str, scorer: str, model: object) -> object:
    """--neutral-band: LOW,HIGH, or the band of this scorer and model in a `validate score` thresholds.csv."""
    from .sentiment.polarity import parse_band

    if value.lower().endswith(".csv") or Path(value).is_file():
        from .validation.score import band_from_thresholds

        return band_from_thresholds(Path(value), scorer, model)
    return parse_band(value)


def _run(args: argparse.Namespace) -> int:
    from .batch.run import run
    from .batch.worker import RunOptions
    from .io.dictionaries import read_lexicon
    from .sentiment.trained import load_model

    if args.max_chars < 1:
        raise AnalysisError("--max-chars must be a positive number of characters")
    model = load_model(args.sentiment_model) if args.sentiment_model else None
    band = _neutral_band(args.neutral_band, args.scorer, model) if args.neutral_band else None
    opts = RunOptions(lexicon=read_lexicon(args.lexicon or config.FRAMING_LEXICON), converter=args.converter,
                      headings=args.headings, scorer=args.scorer, encoding=args.encoding, max_chars=args.max_chars,
                      second_scorer=args.second_scorer, title=args.title, sentiment_model=model, neutral_band=band)
    if args.quiet:
        logging.getLogger(config.LOGGER).setLevel(logging.WARNING)
    failures = run(args.inputs, args.out, opts, debug=args.debug, jobs=args.jobs, scheduler=args.scheduler,
                   quiet=args.quiet, metadata=args.metadata)
    if failures:
        log.error("%d document(s) failed and are listed in failures.csv: %s", len(failures),
                  "; ".join(f"{f.document}: {f.reason}" for f in failures[:5]) + (" …" if len(failures) > 5 else ""))
        return 1
    return 0


def _figures(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")  # this process only draws to files
    from .io.files import staged
    from .present.render import render_figures

    if args.validation is not None:
        from .validation.plots import render_validation_figures

        paths = render_validation_figures(args.validation, args.out or args.validation / "figures")
        log.info("wrote %d figure files", len(paths))
        return 0
    with staged(args.out or config.FIGURES_DIR) as tmp:  # figures replace earlier ones only once all are drawn
        paths = render_figures(args.data or config.PROCESSED_DATA_DIR, tmp,
                               group_by=args.group_by, per_document=not args.no_document_figures)
    log.info("wrote %d figure files", len(paths))
    return 0


def _html(args: argparse.Namespace) -> int:
    from .present.html import write_pages

    paths = write_pages(args.data or config.PROCESSED_DATA_DIR, args.out or config.FIGURES_DIR, args.lexicon,
                        documents=args.documents)
    log.info("wrote %d reading view page(s)", len(paths))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 1 some documents failed, 2 bad input or options)."""
    args = _parser().parse_args(argv)
    args.debug = getattr(args, "debug", False)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s" if args.debug else "%(message)s",
                        stream=sys.stderr)
    try:
        handler = getattr(args, "handler", None) or {"run": _run, "figures": _figures, "html": _html}[args.command]
        return handler(args)
    except AnalysisError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
