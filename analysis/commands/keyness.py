"""`python -m analysis keyness`: words over-represented in one group of documents against the rest (keyness.csv and
a figure like quanteda's `textplot_keyness`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import config
from ..framing.match import matcher_for
from ..io.files import sha256_file, write_json
from ..io.provenance import package_versions
from ..io.tables import load_run, run_lexicon, write_csv
from ..schema import KEYNESS_FILE
from ..stats.groups import group_column
from ..stats.keyness import DEFAULT_MIN_COUNT, MEASURES, keyness, split_documents, word_counts
from ..text.tokens import load_stopwords
from .output import write_folder

OUTPUT_FILES = {KEYNESS_FILE, "keyness.json", "keyness.png", "keyness.svg"}


def add_keyness_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `keyness` to the commands; the handler is the parser's `handler` default."""
    p = sub.add_parser(
        "keyness", parents=[common], help="words over-represented in one group of documents against the rest",
        description="Count the words of the body sentences (text_scored, segmented with jieba plus the lexicon's "
                    "terms; punctuation, numbers and data/lexicons/stopwords.txt removed) of the documents whose "
                    "COLUMN is VALUE and of every other document with a value there, and write keyness.csv, "
                    "keyness.json and the keyness figure into --out, all or nothing (README, Keyness).")
    p.add_argument("--data", type=Path, required=True, metavar="RUN", help="output folder of `python -m analysis run`")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder (replaced as a whole)")
    p.add_argument("--group-by", required=True, metavar="COLUMN", help="metadata column, with or without meta_")
    p.add_argument("--target", required=True, metavar="VALUE", help="the value of COLUMN of the target documents")
    p.add_argument("--measure", choices=MEASURES, default="chi2",
                   help="chi2 (Pearson's chi-squared with Yates's correction; default) or lr (likelihood ratio G2)")
    p.add_argument("--min-count", type=int, default=DEFAULT_MIN_COUNT, metavar="N",
                   help="leave out words seen fewer than N times in both groups together "
                        f"(default {DEFAULT_MIN_COUNT})")
    p.add_argument("--lexicon", type=Path, default=None,
                   help="the run's lexicon, whose terms are words (default: the one manifest.json records)")
    p.set_defaults(handler=_keyness)


def _keyness(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from ..present.keyness import plot_keyness
    from ..present.style import save_figure

    run = load_run(args.data)
    column = group_column(run.documents, args.group_by)
    target_ids, reference_ids = split_documents(run.documents, column, args.target)
    segmenter = matcher_for(run_lexicon(run.manifest, args.lexicon)).words  # framing's private jieba tokenizer
    stop = load_stopwords(config.STOPWORDS)
    text = run.sentences.set_index("document")["text_scored"]
    counts = [word_counts(text[text.index.isin(ids)], segmenter, stop) for ids in (target_ids, reference_ids)]
    table = keyness(*counts, measure=args.measure, min_count=max(args.min_count, 1))
    reference = f"other {column.removeprefix('meta_')} ({len(reference_ids)} documents)"
    info = {"column": column, "target": args.target, "reference": "every other document with a value of the column",
            "measure": args.measure, "min_count": args.min_count,
            "n_documents": {"target": len(target_ids), "reference": len(reference_ids)},
            "n_words": {"target": sum(counts[0].values()), "reference": sum(counts[1].values())},
            "stopwords": {"file": config.STOPWORDS.name, "sha256": sha256_file(config.STOPWORDS)},
            "run": {"folder": str(args.data), "files": run.file_hashes()}, "versions": package_versions()}

    def write(folder: Path) -> None:
        write_csv(table, folder / KEYNESS_FILE)
        write_json(info, folder / "keyness.json")
        save_figure(plot_keyness(table, f"{column.removeprefix('meta_')} = {args.target}", reference, args.measure),
                    folder / "keyness")

    write_folder(args.out, args.data, OUTPUT_FILES, write)
    return 0
