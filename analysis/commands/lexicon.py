"""`python -m analysis lexicon suggest | import | export`: candidate terms for a category from a run, and dictionaries
converted from and to the formats of other tools (io/dictionaries.py, io/dictionary_export.py)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from .. import config
from ..errors import AnalysisError
from ..framing.lexicon import CANDIDATE, Lexicon, parse_lexicon
from ..framing.match import COUNTED, matcher_for
from ..io.dictionaries import EXPORT_FORMATS, EXPORT_SUFFIXES, read_lexicon
from ..io.dictionary_export import EXPORTERS, lexicon_yaml
from ..io.tables import load_run, run_lexicon, write_csv
from ..schema import CATEGORY_SEPARATOR
from ..stats.association import N_EXAMPLES, SUGGEST_COLUMNS, associated_words, examples
from ..text.script import to_simplified_aligned
from ..text.tokens import load_stopwords, words
from .output import write_file, write_folder

SUGGEST_FILES = {"candidates.csv", "candidates.yaml"}
DEFAULT_TOP = 30


def add_lexicon_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser, parser_class: type) -> None:
    """Add `lexicon` and its subcommands suggest, import and export; each handler is its parser's `handler`."""
    lex = sub.add_parser("lexicon", parents=[common], help="suggest terms; import and export dictionaries")
    lsub = lex.add_subparsers(dest="lexicon_command", metavar="SUBCOMMAND", required=True, parser_class=parser_class)
    p = lsub.add_parser("suggest", parents=[common], help="candidate terms associated with a category's hits",
                        description="Rank the words of the body sentences by their association (log-likelihood G2) "
                                    "with the sentences holding a counted hit of the category, against the other "
                                    "sentences; write candidates.csv and candidates.yaml (entries marked status: "
                                    "candidate, which a lexicon refuses until a person accepts them).")
    p.add_argument("--data", type=Path, required=True, metavar="RUN", help="output folder of `python -m analysis run`")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder (replaced as a whole)")
    p.add_argument("--lexicon", type=Path, default=None, help="the run's lexicon (default: manifest.json's)")
    p.add_argument("--category", default=None, metavar="C", help="one category (default: each in turn)")
    p.add_argument("--top", type=int, default=DEFAULT_TOP, metavar="N", help=f"candidates per category ({DEFAULT_TOP})")
    p.set_defaults(handler=_suggest)
    p = lsub.add_parser("import", parents=[common], help="convert a dictionary to this package's lexicon YAML")
    p.add_argument("file", type=Path, metavar="FILE", help=".yaml/.yml (quanteda, cntext), .dic, .lc3, .cat or .csv")
    p.add_argument("--out", type=Path, required=True, metavar="L.yaml", help="the lexicon file to write")
    p.set_defaults(handler=_import)
    p = lsub.add_parser("export", parents=[common], help="write a lexicon for quanteda, LIWC or as CSV")
    p.add_argument("file", type=Path, metavar="L.yaml", help="a lexicon (any format --lexicon reads)")
    p.add_argument("--format", required=True, choices=EXPORT_FORMATS, help="quanteda YAML, LIWC .dic or CSV")
    p.add_argument("--out", type=Path, default=None, metavar="FILE",
                   help="file to write (default: beside L.yaml, .quanteda.yml, .dic or .csv)")
    p.set_defaults(handler=_export)


def _import(args: argparse.Namespace) -> int:
    lexicon = read_lexicon(args.file)
    text = lexicon_yaml(lexicon, args.file.name)
    parse_lexicon(text.encode("utf-8"), str(args.out))  # what is written reads back as a valid lexicon
    write_file(args.out, lambda path: path.write_text(text, encoding="utf-8", newline="\n"))
    return 0


def _export(args: argparse.Namespace) -> int:
    lexicon = read_lexicon(args.file)
    out = args.out or args.file.with_name(args.file.name.split(".")[0] + EXPORT_SUFFIXES[args.format])
    if out.resolve() == args.file.resolve():
        raise AnalysisError(f"--out {out} is the lexicon itself; choose another file")
    text = EXPORTERS[args.format](lexicon)
    write_file(out, lambda path: path.write_text(text, encoding="utf-8", newline="\n"))
    return 0


def _suggest(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise AnalysisError("--top must be a positive number of candidates")
    run = load_run(args.data)
    lexicon = run_lexicon(run.manifest, args.lexicon)
    ids = [c.id for c in lexicon.categories]
    if args.category is not None and args.category not in ids:
        raise AnalysisError(f"no category {args.category!r} in lexicon {lexicon.file}; categories: {', '.join(ids)}")
    sentences = run.sentences.sort_values(["document", "sentence"], kind="stable").reset_index(drop=True)
    segmenter, stop = matcher_for(lexicon).words, load_stopwords(config.STOPWORDS)
    texts = [t if isinstance(t, str) else "" for t in sentences["text_scored"]]
    sentence_words = [frozenset(words(t, segmenter, stop)) for t in texts]
    exclude = {to_simplified_aligned(e.term).lower() for e in lexicon.entries}
    tables = [_candidates(c, run.kwic, sentences, texts, sentence_words, exclude, args.top)
              for c in ([args.category] if args.category else ids)]
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=SUGGEST_COLUMNS)

    def write(folder: Path) -> None:
        write_csv(table, folder / "candidates.csv")
        (folder / "candidates.yaml").write_text(candidates_yaml(table, lexicon), encoding="utf-8", newline="\n")

    write_folder(args.out, args.data, SUGGEST_FILES, write)
    return 0


def _candidates(category: str, kwic: pd.DataFrame, sentences: pd.DataFrame, texts: list[str],
                sentence_words: list[frozenset[str]], exclude: set[str], top: int) -> pd.DataFrame:
    """candidates.csv's rows of one category."""
    hits = kwic[(kwic["status"] == COUNTED) & kwic["sentence"].notna()]
    hits = hits[hits["category"].str.split(CATEGORY_SEPARATOR, regex=False).map(lambda cs: category in cs)]
    keys = set(zip(hits["document"], hits["sentence"].astype(int), strict=True))
    flags = [(d, int(s)) in keys for d, s in zip(sentences["document"], sentences["sentence"], strict=True)]
    table = associated_words(sentence_words, flags, exclude, top)
    inside = [t for t, f in zip(texts, flags, strict=True) if f]
    shown = [examples(inside, term) for term in table["term"]]
    for i in range(N_EXAMPLES):
        table[f"example_{i + 1}"] = [s[i] for s in shown]
    table.insert(0, "category", category)
    return table.reindex(columns=SUGGEST_COLUMNS)


def candidates_yaml(table: pd.DataFrame, lexicon: Lexicon) -> str:
    """candidates.yaml: entries in the lexicon's schema marked `status: candidate`, each with its numbers and
    examples as comments. Nothing is added to any lexicon: a person copies, documents and accepts an entry."""
    lines = [f"# Candidate terms suggested by `python -m analysis lexicon suggest` for lexicon {lexicon.name} "
             f"{lexicon.version}.", "# None is in the lexicon. To accept one: copy it into the lexicon's entries, "
             "write its gloss and", "# rationale, and remove its `status: candidate` line (a lexicon refuses "
             "entries so marked).", "entries:"]
    for row in table.itertuples():
        lines += [f"  # G2 = {row.statistic:.2f} (p = {row.p:.3g}): in {row.n_category} sentences of the category, "
                  f"{row.n_rest} others"]
        lines += [f"  #   {getattr(row, f'example_{i}')}" for i in range(1, N_EXAMPLES + 1)
                  if getattr(row, f"example_{i}")]
        lines += [f"  - term: {json.dumps(row.term, ensure_ascii=False)}", f"    category: {json.dumps(row.category)}",
                  '    gloss: ""', '    rationale: ""', f"    status: {CANDIDATE}"]
    return "\n".join(lines) + ("\n" if len(table) else " []\n")
