"""Words of a text for counting (keyness, lexicon suggestions): the private jieba tokenizer of `words.py` (jieba's
dictionary plus the lexicon's terms as words, dictionary only, no HMM), with punctuation, numbers, white space and a
documented stop-word list removed, and Latin letters lower-cased."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from .. import config
from ..errors import AnalysisError
from .words import WordSegmenter


@lru_cache(maxsize=4)
def load_stopwords(path: Path = config.STOPWORDS) -> frozenset[str]:
    """The stop words of a file: one word per line, `#` starts a comment, blank lines ignored."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AnalysisError(f"cannot read the stop-word list {path}: {exc.strerror}") from None
    return frozenset(w for line in lines if (w := line.split("#", 1)[0].strip()))


def is_countable(token: str) -> bool:
    """A token that can be a word: not only punctuation, symbols, white space, control characters or digits."""
    return any(not unicodedata.category(ch).startswith(("P", "S", "Z", "C", "N")) for ch in token)


def words(text: str, segmenter: WordSegmenter, stopwords: frozenset[str]) -> Iterator[str]:
    """The countable words of a text, in order: tokens of the segmenter, lower-cased, without stop words."""
    for token in segmenter.tokenizer.cut(text, HMM=False):
        token = token.strip().lower()
        if token and is_countable(token) and token not in stopwords:
            yield token
