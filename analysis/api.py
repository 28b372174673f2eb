"""One call per task for notebooks and scripts: analyse one article file in memory, load a lexicon or a finished run,
save results.

Paths given as text are resolved against the current working folder (``~`` is expanded). Nothing here writes
unless `save_outputs` is called, and it never writes into data/raw/, data/processed/ or figures/ (the committed
demo inputs and outputs, which only `make figures` regenerates).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from . import config
from .analyse import analyse_text
from .errors import AnalysisError
from .framing.lexicon import Lexicon, load_lexicon
from .io.files import check_not_protected, resolve_path, staged
from .io.tables import RunTables, write_csv
from .io.tables import load_run as _load_run
from .present.style import save_figure
from .schema import Tables
from .sentiment.scorers import Scorer, as_scorer, get_scorer
from .text.decode import read_text
from .text.script import check_converter

__all__ = ["analyse_file", "article_path", "categories", "get_lexicon", "get_scorer", "load_run", "resolve_path",
           "save_outputs"]


def article_path(article: str | os.PathLike | None = None) -> Path:
    """The article to analyse: the given path (resolved) or, for None, the demo article of analysis.config."""
    path = config.DEMO_ARTICLE if article is None else resolve_path(article)
    if not path.is_file():
        raise AnalysisError(f"article {path} not found; pass the path of a UTF-8 .txt or .md file")
    return path


def get_lexicon(lexicon: str | os.PathLike | Lexicon | None = None) -> Lexicon:
    """A validated lexicon: the given one, one read from a path (resolved), or the shipped lexicon for None."""
    if isinstance(lexicon, Lexicon):
        return lexicon
    return load_lexicon(config.FRAMING_LEXICON if lexicon is None else resolve_path(lexicon))


def categories(lexicon: Lexicon) -> list[dict]:
    """The lexicon's categories as plotting functions and manifest.json expect them (id, label_zh, label_en)."""
    return lexicon.category_records()


def analyse_file(
    path: str | os.PathLike | None = None,
    lexicon: str | os.PathLike | Lexicon | None = None,
    converter: str = config.DEFAULT_CONVERTER,
    headings: str = config.DEFAULT_HEADINGS,
    *,
    scorer: str | Scorer = "snownlp",
    second_scorer: str | Scorer | None = None,
    encoding: str | None = None,
    title: str = config.DEFAULT_TITLE_FILES,
) -> Tables:
    """Run the whole pipeline on one article in memory (as `python -m analysis run FILE` would); writes nothing.

    `path` None means the demo article; the document id is the file's stem, as on the command line. `second_scorer`
    (e.g. "lexicon") adds its columns, like `--second-scorer`. `encoding` None reads UTF-8 or detects a legacy
    Chinese encoding, as `--encoding` does by default. `title` "none" reads the first line as body text, like
    `--title none`.
    """
    src = article_path(path)
    lex = get_lexicon(lexicon)
    converter = check_converter(converter)
    second = as_scorer(second_scorer) if second_scorer is not None else None
    return analyse_text(src.stem, read_text(src, encoding), lex, converter=converter, headings=headings,
                        scorer=as_scorer(scorer), second_scorer=second, title=title)


def load_run(folder: str | os.PathLike | None = None) -> RunTables:
    """The tables of a `python -m analysis run` output folder (None: data/processed/; a relative path is taken from
    the current working folder), with its failures and manifest: `run.documents`, …, `run.failures`,
    `run.manifest`."""
    return _load_run(config.PROCESSED_DATA_DIR if folder is None else resolve_path(folder))


def save_outputs(
    output: str | os.PathLike,
    tables: dict[str, pd.DataFrame] | None = None,
    figures: dict[str, Figure] | None = None,
) -> list[Path]:
    """Write tables as NAME.csv and figures as NAME.png / NAME.svg into `output`; returns the files written.

    Everything is written into a temporary folder first and then moved into place, so a failure leaves no
    half-written file. Other files in `output` are left alone; files with the same names are replaced.
    """
    out = resolve_path(output)
    check_not_protected(out)
    with staged(out, "output folder") as tmp:
        for name, df in (tables or {}).items():
            write_csv(df, tmp / f"{name}.csv")
        for name, fig in (figures or {}).items():
            save_figure(fig, tmp / name)
        written = [out / f.name for f in sorted(tmp.iterdir())]
    return written
