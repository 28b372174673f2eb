"""Project paths and default parameters, in one place (cookiecutter-data-science style)."""

from __future__ import annotations

import os
from pathlib import Path

PROJ_ROOT: Path = Path(__file__).resolve().parent.parent
DATA_DIR: Path = PROJ_ROOT / "data"
RAW_DATA_DIR: Path = DATA_DIR / "raw"
PROCESSED_DATA_DIR: Path = DATA_DIR / "processed"
LEXICON_DIR: Path = DATA_DIR / "lexicons"
FRAMING_LEXICON: Path = LEXICON_DIR / "framing.yaml"
#: Negation words the lexicon sentiment scorer adds to those its published lexicon ships.
SENTIMENT_NEGATIONS: Path = LEXICON_DIR / "sentiment_negations.txt"
#: Stop words removed before counting words (keyness, lexicon suggest): Simplified function words (the file says which).
STOPWORDS: Path = LEXICON_DIR / "stopwords.txt"
FIGURES_DIR: Path = PROJ_ROOT / "figures"
#: Every table's columns explained; `export` takes the Stata variable labels and the xlsx codebook sheet from it.
CODEBOOK: Path = PROJ_ROOT / "CODEBOOK.md"
NOTEBOOKS_DIR: Path = PROJ_ROOT / "notebooks"
#: The development corpus's coded sentences (data/dev/coding/README.md): the news model's training data and its
#: evaluation (notebook 07).
DEV_CODING_DIR: Path = DATA_DIR / "dev" / "coding"
DEMO_ARTICLE: Path = RAW_DATA_DIR / "000_d85fbe6c453bd01b.txt"
RAW_CHECKSUMS: Path = RAW_DATA_DIR / "SHA256SUMS"
#: The development corpus (data/dev/README.md) and the shipped codes of its samples, coded by the package's authors.
DEV_DATA_DIR: Path = DATA_DIR / "dev"
#: 2,400 sentences coded for tone (data/dev/coding/README.md): sample/, codes/, validation/. Notebook 06's default.
DEV_SENTIMENT_CODING: Path = DEV_DATA_DIR / "coding" / "sentiment-2400"
#: The shipped news model's training codes (every body sentence of the revise part: validation/gold.csv) and its
#: evaluation on the held-out evaluate part (evaluation.csv), both by the package's authors (notebook 07).
NEWS_MODEL_GOLD: Path = DEV_DATA_DIR / "coding" / "sentiment-revise" / "validation" / "gold.csv"
NEWS_MODEL_EVALUATION: Path = DEV_DATA_DIR / "coding" / "news-model" / "evaluation.csv"
#: Every framing hit of lexicon 1.0.0 in the revise part, coded yes/no/unsure (data/lexicons/audit/README.md).
LEXICON_AUDIT: Path = LEXICON_DIR / "audit" / "revise"

DEFAULT_CONVERTER: str = "t2s"
DEFAULT_HEADINGS: str = "auto"
#: --title / --headings defaults for table rows: a row's text is body text (posts, comments, reviews, headlines);
#: an article file's first line may be its title and its short lines headings (DEFAULT_HEADINGS).
DEFAULT_TITLE_FILES: str = "auto"
DEFAULT_TITLE_TABLES: str = "none"
DEFAULT_HEADINGS_TABLES: str = "none"
BOOTSTRAP_RESAMPLES: int = 2000
BOOTSTRAP_BASE_SEED: int = 20260211
CI_LEVEL: float = 0.95
KWIC_WINDOW: int = 15
MAX_SENTENCE_CHARS: int = 300
MAX_CHARS: int = 5_000_000  # per document; --max-chars

#: The logger every module's logger descends from (`logging.getLogger(__name__)` inside `analysis`).
LOGGER: str = "analysis"
#: Environment variable naming the cache folder (fast scorer's model arrays, numba's compiled code); tests use it.
CACHE_DIR_ENV: str = "ZH_NEWS_FRAMING_CACHE_DIR"


def cache_dir() -> Path:
    """The user's cache folder (platformdirs: ~/.cache/zh-news-framing on Linux), or $ZH_NEWS_FRAMING_CACHE_DIR."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_cache_dir("zh-news-framing", appauthor=False))
