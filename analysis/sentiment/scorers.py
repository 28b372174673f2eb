"""Sentence sentiment: convert to Simplified (OpenCC), score with SnowNLP, leave text that is not Chinese unscored.

Scorers, by the name `--scorer` / `--second-scorer` takes: "snownlp" (default) is `snowfast.model.SnowNLPFast`,
SnowNLP's model and rules in compiled code, bit for bit the same scores; "snownlp-reference" runs SnowNLP's own code
(`SnowNLP(text).sentiments`); "lexicon" is the HowNet word-list scorer (`hownet.HowNetScorer`). A new scorer is a
class with a `name` and a `score(texts)` method, registered in `SCORERS`. The SnowNLP scorers also take a trained
model (`trained.SentimentModel`, `--sentiment-model`; `MODEL_SCORERS`).
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from ..errors import AnalysisError
from ..text.script import convert, which_chinese
from .naive_bayes import MODEL_FILE
from .snowfast.model import SnowNLPFast
from .trained import SentimentModel


class Scorer(Protocol):
    """Anything that turns Simplified sentences into probabilities of positive sentiment."""

    name: str

    def score(self, texts: Sequence[str]) -> list[float]:
        """Score texts that each read as Chinese (`analysis.text.script.is_chinese`)."""
        ...


class SnowNLPReference:
    """SnowNLP's own code: `SnowNLP(text).sentiments`, one text at a time.

    With `model`, a private `snownlp.sentiment.Sentiment()` loaded from the model's file scores instead
    (`Sentiment.classify`, which is what `SnowNLP(text).sentiments` calls); SnowNLP's module-level classifier is never
    replaced, so other code using SnowNLP in the same process is not affected.
    """

    name = "snownlp-reference"

    def __init__(self, model: SentimentModel | None = None) -> None:
        from snownlp import SnowNLP  # imported lazily: it takes about 2 s and 400 MiB

        self.model = model
        self._classify = (lambda t: SnowNLP(t).sentiments) if model is None else _private_sentiment(model).classify

    def __reduce__(self) -> tuple:
        """Pickle as the constructor's argument: a worker process loads SnowNLP (and the model) again."""
        return (SnowNLPReference, (self.model,))

    def score(self, texts: Sequence[str]) -> list[float]:
        """Score each text with SnowNLP."""
        return [float(self._classify(t)) for t in texts]


def _private_sentiment(model: SentimentModel) -> object:
    """A `snownlp.sentiment.Sentiment()` of our own, loaded by SnowNLP's `load` from the model's file."""
    from snownlp.sentiment import Sentiment

    private = Sentiment()
    with tempfile.TemporaryDirectory(prefix="zh-news-framing-model-") as tmp:
        path = Path(tmp) / MODEL_FILE
        path.write_bytes(model.file_bytes)
        private.load(str(path.with_suffix("")))  # SnowNLP adds ".3" under Python 3
    return private


def _hownet_scorer() -> Scorer:
    """The HowNet lexicon scorer (sentiment/hownet.py), imported only when asked for (it loads jieba)."""
    from .hownet import HowNetScorer

    return HowNetScorer()


SCORERS: dict[str, Callable[[], Scorer]] = {
    "snownlp": SnowNLPFast,  # the same numbers as SnowNLPReference, compiled (snowfast/model.py)
    "snownlp-reference": SnowNLPReference,
    "lexicon": _hownet_scorer,
}
#: The scorers that take a trained model (`--sentiment-model`), and how they are made with one.
MODEL_SCORERS: dict[str, Callable[[SentimentModel], Scorer]] = {
    "snownlp": lambda model: SnowNLPFast(model=model),
    "snownlp-reference": SnowNLPReference,
}
_LOADED: dict[tuple[str, str | None], Scorer] = {}


def takes_model(name: str | None) -> bool:
    """Whether the scorer `name` scores with a trained sentiment model when one is given (the SnowNLP scorers)."""
    return name in MODEL_SCORERS


def get_scorer(name: str, model: SentimentModel | None = None) -> Scorer:
    """Return a (cached) scorer by name; with `model`, a SnowNLP scorer that scores with that trained model."""
    if name not in SCORERS:
        raise AnalysisError(f"unknown scorer {name!r}; use one of {', '.join(sorted(SCORERS))}")
    if model is not None and name not in MODEL_SCORERS:
        raise AnalysisError(f"the {name} scorer has no trained model; a sentiment model applies to "
                            f"{' and '.join(MODEL_SCORERS)}")
    key = (name, model.sha256 if model is not None else None)
    if key not in _LOADED:
        _LOADED[key] = SCORERS[name]() if model is None else MODEL_SCORERS[name](model)
    return _LOADED[key]


def scorer_for(name: str, model: SentimentModel | None) -> Scorer:
    """The scorer `name` of a run whose SnowNLP scorers use `model` (other scorers ignore it)."""
    return get_scorer(name, model if takes_model(name) else None)


def as_scorer(scorer: str | Scorer, model: SentimentModel | None = None) -> Scorer:
    """A scorer given by name (looked up as `scorer_for` does, with a run's trained `model`) or as an object
    (returned as it is)."""
    return scorer_for(scorer, model) if isinstance(scorer, str) else scorer


def prepare(texts: Sequence[str], converter: str) -> list[str]:
    """The text each sentence is scored as: converted with OpenCC (`converter`, 'none' keeps it).

    The texts are converted in one call, joined by line breaks (OpenCC's phrases never contain one, so no match
    crosses from one text into the next: the same as one call per text, a third faster); texts that hold a line
    break themselves are converted one by one."""
    if converter != "none" and texts and not any("\n" in t for t in texts):
        out = convert("\n".join(texts), converter).split("\n")
        if len(out) == len(texts):
            return out
    return [convert(t, converter) for t in texts]


def score_texts(texts_scored: Sequence[str], scorer: Scorer) -> list[float]:
    """Scores for prepared texts; NaN for a text that is not Chinese (never sent to the scorer): one with no character
    in U+4E00–U+9FA5, or with more kana or Hangul than Chinese characters (Japanese, Korean)."""
    todo = [i for i, chinese in enumerate(which_chinese(texts_scored)) if chinese]
    scores = [math.nan] * len(texts_scored)
    for i, s in zip(todo, scorer.score([texts_scored[i] for i in todo]), strict=True):
        scores[i] = s
    return scores
