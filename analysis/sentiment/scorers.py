"""Sentence sentiment: convert to Simplified (OpenCC), score with SnowNLP, leave text that is not Chinese unscored.

Scorers, by the name `--scorer` / `--second-scorer` takes: "snownlp" (default) is `snowfast.model.SnowNLPFast`,
SnowNLP's model and rules in compiled code, bit for bit the same scores; "snownlp-reference" runs SnowNLP's own code
(`SnowNLP(text).sentiments`); "lexicon" is the HowNet word-list scorer (`hownet.HowNetScorer`). A new scorer is a
class with a `name` and a `score(texts)` method, registered in `SCORERS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Protocol

from ..errors import AnalysisError
from ..text.script import convert, is_chinese
from .snowfast.model import SnowNLPFast


class Scorer(Protocol):
    """Anything that turns Simplified sentences into probabilities of positive sentiment."""

    name: str

    def score(self, texts: Sequence[str]) -> list[float]:
        """Score texts that each read as Chinese (`analysis.text.script.is_chinese`)."""
        ...


class SnowNLPReference:
    """SnowNLP's own code: `SnowNLP(text).sentiments`, one text at a time."""

    name = "snownlp-reference"

    def __init__(self) -> None:
        from snownlp import SnowNLP  # imported lazily: it takes about 2 s and 400 MiB

        self._snownlp = SnowNLP

    def score(self, texts: Sequence[str]) -> list[float]:
        """Score each text with SnowNLP."""
        return [float(self._snownlp(t).sentiments) for t in texts]


def _hownet_scorer() -> Scorer:
    """The HowNet lexicon scorer (sentiment/hownet.py), imported only when asked for (it loads jieba)."""
    from .hownet import HowNetScorer

    return HowNetScorer()


SCORERS: dict[str, Callable[[], Scorer]] = {
    "snownlp": SnowNLPFast,  # the same numbers as SnowNLPReference, compiled (snowfast/model.py)
    "snownlp-reference": SnowNLPReference,
    "lexicon": _hownet_scorer,
}
_LOADED: dict[str, Scorer] = {}


def get_scorer(name: str) -> Scorer:
    """Return a (cached) scorer by name."""
    if name not in SCORERS:
        raise AnalysisError(f"unknown scorer {name!r}; use one of {', '.join(sorted(SCORERS))}")
    if name not in _LOADED:
        _LOADED[name] = SCORERS[name]()
    return _LOADED[name]


def as_scorer(scorer: str | Scorer) -> Scorer:
    """A scorer given by name (looked up as `get_scorer` does) or as an object (returned as it is)."""
    return get_scorer(scorer) if isinstance(scorer, str) else scorer


def prepare(texts: Sequence[str], converter: str) -> list[str]:
    """The text each sentence is scored as: converted with OpenCC (`converter`, 'none' keeps it)."""
    return [convert(t, converter) for t in texts]


def score_texts(texts_scored: Sequence[str], scorer: Scorer) -> list[float]:
    """Scores for prepared texts; NaN for a text that is not Chinese (never sent to the scorer): one with no character
    in U+4E00–U+9FA5, or with more kana or Hangul than Chinese characters (Japanese, Korean)."""
    todo = [i for i, t in enumerate(texts_scored) if is_chinese(t)]
    scores = [math.nan] * len(texts_scored)
    for i, s in zip(todo, scorer.score([texts_scored[i] for i in todo]), strict=True):
        scores[i] = s
    return scores
