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
from .framing.lexicon import Lexicon
from .io.dictionaries import read_lexicon
from .io.files import check_not_protected, resolve_path, staged
from .io.tables import RunTables, read_table, write_csv
from .io.tables import load_run as _load_run
from .present.style import save_figure
from .schema import Tables
from .sentiment.polarity import NeutralBand, parse_band
from .sentiment.scorers import Scorer, as_scorer, get_scorer
from .sentiment.trained import SentimentModel, load_model, resolve_model
from .text.decode import read_text
from .text.script import check_converter
from .validation.score import Validation, compute, read_inputs
from .validation.train import DEFAULT_FOLDS, DEFAULT_SEED, Trained, read_gold, train_from_gold

__all__ = ["analyse_file", "article_path", "categories", "get_lexicon", "get_scorer", "load_model", "load_run",
           "news_model_sources", "read_table", "resolve_path", "save_outputs", "shipped_coding", "train", "validate"]

#: The shipped coded samples, by kind of unit: the development codes of the package's authors (data/dev/coding/,
#: data/lexicons/audit/), each folder holding sample/ and codes/coder_a.csv, coder_b.csv, coder_c_adjudication.csv.
SHIPPED_CODING = {"sentences": config.DEV_SENTIMENT_CODING, "kwic": config.LEXICON_AUDIT}


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
    return read_lexicon(config.FRAMING_LEXICON if lexicon is None else resolve_path(lexicon))


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
    sentiment_model: str | os.PathLike | SentimentModel | None = None,
    neutral_band: str | tuple[float, float] | NeutralBand | None = None,
) -> Tables:
    """Run the whole pipeline on one article in memory (as `python -m analysis run FILE` would); writes nothing.

    `path` None means the demo article; the document id is the file's stem, as on the command line. `second_scorer`
    (e.g. "lexicon") adds its columns, like `--second-scorer`. `encoding` None reads UTF-8 or detects a legacy
    Chinese encoding, as `--encoding` does by default. `title` "none" reads the first line as body text, like
    `--title none`. `sentiment_model` ("news", a folder written by `validate train`, or a loaded model) scores
    with that trained model, like `--sentiment-model`; `neutral_band` ("0.3,0.7", (0.3, 0.7) or a NeutralBand) adds
    the polarity columns, like `--neutral-band LOW,HIGH`.
    """
    src = article_path(path)
    lex = get_lexicon(lexicon)
    converter = check_converter(converter)
    model = resolve_model(resolve_path(sentiment_model) if isinstance(sentiment_model, os.PathLike)
                          else sentiment_model)
    second = as_scorer(second_scorer, model) if second_scorer is not None else None
    if isinstance(neutral_band, tuple):
        neutral_band = parse_band(",".join(map(str, neutral_band)))
    elif isinstance(neutral_band, str):
        neutral_band = parse_band(neutral_band)
    return analyse_text(src.stem, read_text(src, encoding), lex, converter=converter, headings=headings,
                        scorer=as_scorer(scorer, model), second_scorer=second, title=title, neutral_band=neutral_band)


def load_run(folder: str | os.PathLike | None = None) -> RunTables:
    """The tables of a `python -m analysis run` output folder (None: data/processed/; a relative path is taken from
    the current working folder), with its failures and manifest: `run.documents`, …, `run.failures`,
    `run.manifest`."""
    return _load_run(config.PROCESSED_DATA_DIR if folder is None else resolve_path(folder))


def shipped_coding(unit: str = "sentences") -> tuple[Path, list[Path], Path]:
    """The shipped coded sample of a kind of unit ("sentences" or "kwic"): its sample folder, the two coders' files
    and the third coder's adjudication file."""
    if unit not in SHIPPED_CODING:
        raise AnalysisError(f"unit must be one of {', '.join(SHIPPED_CODING)} (got {unit!r})")
    folder = SHIPPED_CODING[unit]
    return folder / "sample", [folder / "codes" / "coder_a.csv", folder / "codes" / "coder_b.csv"], \
        folder / "codes" / "coder_c_adjudication.csv"


def validate(
    sample: str | os.PathLike | None = None,
    codes: str | os.PathLike | list[str | os.PathLike] | None = None,
    adjudicate: str | os.PathLike | None = None,
    *,
    unit: str = "sentences",
    coded_by: str | None = None,
    resamples: int = config.BOOTSTRAP_RESAMPLES,
) -> Validation:
    """The tables of `python -m analysis validate score` in memory, computed by the same functions; writes nothing.

    Returns the checked inputs with `.tables` (agreement, gold, unresolved, coders, and performance, confusion,
    thresholds, length for sentences or precision for KWIC), `.notes`, `.coded_by`, `.scorers`. `sample` None means
    the shipped coding of `unit` (`shipped_coding`), and then `codes` None and `adjudicate` None mean its files; for
    any other sample `codes` is required and `adjudicate` None means no adjudication. Relative paths are taken from
    the current working folder. Bad input raises AnalysisError with the command's one-line message.
    """
    if sample is None:
        sample_dir, shipped_codes, shipped_adjudication = shipped_coding(unit)
        codes = shipped_codes if codes is None else codes
        adjudicate = shipped_adjudication if adjudicate is None else adjudicate
    elif not codes:
        raise AnalysisError(f"no codes files for the sample {sample}: pass the coders' files as codes")
    else:
        sample_dir = resolve_path(sample)
    files = [codes] if isinstance(codes, str | os.PathLike) else list(codes)
    v = read_inputs(sample_dir, [resolve_path(f) for f in files], resolve_path(adjudicate) if adjudicate else None,
                    coded_by=coded_by, resamples=resamples)
    if v.kind != unit:
        raise AnalysisError(f"{sample_dir} holds a sample of {v.kind}, not of {unit}; pass a {unit} sample "
                            f"(`validate sample --unit {unit}`)")
    compute(v, resamples)
    return v


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


def news_model_sources() -> tuple[Path, Path]:
    """The shipped news model's training codes (a `validate score` gold.csv) and its evaluation table (CSV)."""
    return config.NEWS_MODEL_GOLD, config.NEWS_MODEL_EVALUATION


def train(
    gold: str | os.PathLike,
    base: str = "snownlp",
    weights: int | list[int] = 1,
    *,
    folds: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
    domain: str | None = None,
    converter: str = config.DEFAULT_CONVERTER,
) -> Trained:
    """The model and cross-validation of `python -m analysis validate train` in memory, by the same functions; writes
    nothing. `gold` is a coded CSV/XLSX (relative paths from the current working folder); `.summary()` says how
    it did, `.info["sha256"]` names the model."""
    table = read_gold(resolve_path(gold), converter)
    return train_from_gold(table, base, weights, folds, seed, domain)
