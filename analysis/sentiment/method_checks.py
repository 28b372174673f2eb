"""Evidence for the method, computed on an article: script conversion before scoring, and sentences not long units.

* `script_comparison`: every sentence scored as written and after OpenCC conversion.
* `prefix_scores`: growing prefixes of the article scored as one text (they saturate: why we score sentences).
* `unit_scores`: each section and the whole document scored as one text, next to the mean of its sentences.

Each function takes the `sentences` table of a run (it needs `document`, `section`, `sentence` and `text`) and
re-scores text with the named scorer, so its numbers do not depend on how the table was made.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..config import DEFAULT_CONVERTER
from .scorers import Scorer, as_scorer, prepare, score_texts

AS_WRITTEN = "as written"
#: Prefix lengths (in sentences) are spread geometrically between 1 and all sentences, this many points at most.
PREFIX_POINTS = 12

SCRIPT_COLUMNS = ["document", "section", "sentence", "text", "text_converted", "changed", "score_as_written",
                  "score_converted", "difference", "crosses_half"]
PREFIX_COLUMNS = ["document", "n_sentences", "n_chars", "version", "score", "saturated"]
UNIT_COLUMNS = ["document", "unit", "section", "n_sentences", "n_chars", "score_as_unit", "mean_of_sentences",
                "saturated"]


def _ordered(sentences: pd.DataFrame) -> pd.DataFrame:
    return sentences.sort_values(["document", "sentence"], kind="stable").reset_index(drop=True)


def _saturated(score: float) -> bool:
    """True when a probability is exactly 0.0 or 1.0 in float64 (the text's log-odds overflowed the scale)."""
    return not math.isnan(score) and score in (0.0, 1.0)


def script_comparison(
    sentences: pd.DataFrame, converter: str = DEFAULT_CONVERTER, scorer: str | Scorer = "snownlp"
) -> pd.DataFrame:
    """Each sentence scored as written and after conversion; `crosses_half` when they fall on different sides of 0.5.

    `difference` is converted minus as written; NaN scores (no character in U+4E00–U+9FA5) never cross.
    """
    sc = as_scorer(scorer)
    s = _ordered(sentences)
    texts = s["text"].tolist()
    converted = prepare(texts, converter)
    written = np.array(score_texts(texts, sc), dtype=float)
    conv = np.array(score_texts(converted, sc), dtype=float)
    both = ~np.isnan(written) & ~np.isnan(conv)
    return pd.DataFrame({
        "document": s["document"], "section": s["section"], "sentence": s["sentence"], "text": texts,
        "text_converted": converted, "changed": [a != b for a, b in zip(texts, converted, strict=True)],
        "score_as_written": written, "score_converted": conv, "difference": conv - written,
        "crosses_half": both & ((written > 0.5) != (conv > 0.5)),
    }, columns=SCRIPT_COLUMNS)


def script_summary(comparison: pd.DataFrame) -> pd.DataFrame:
    """Per document: sentences, how many conversion changed, mean scores both ways, mean |difference|, crossings."""
    rows = []
    for doc, g in comparison.groupby("document", sort=True):
        rows.append({
            "document": doc, "n_sentences": len(g), "n_changed_by_conversion": int(g["changed"].sum()),
            "mean_as_written": g["score_as_written"].mean(), "mean_converted": g["score_converted"].mean(),
            "mean_abs_difference": g["difference"].abs().mean(),
            "n_crossing_half": int(g["crosses_half"].sum()),
            "share_crossing_half": float(g["crosses_half"].mean()) if len(g) else math.nan,
        })
    return pd.DataFrame(rows)


def prefix_lengths(n: int, points: int = PREFIX_POINTS) -> list[int]:
    """Prefix lengths in sentences: about `points` values from 1 to n, spread geometrically, always ending at n."""
    if n < 1:
        return []
    return sorted({int(k) for k in np.round(np.geomspace(1, n, min(points, n)))} | {n})


def prefix_scores(
    sentences: pd.DataFrame,
    converter: str = DEFAULT_CONVERTER,
    scorer: str | Scorer = "snownlp",
    points: int = PREFIX_POINTS,
) -> pd.DataFrame:
    """The first k sentences (joined, in reading order) scored as one text, as written and converted, for growing k."""
    sc = as_scorer(scorer)
    rows = []
    for doc, g in _ordered(sentences).groupby("document", sort=True):
        texts = g["text"].tolist()
        for k in prefix_lengths(len(texts), points):
            prefix = "".join(texts[:k])
            for version, text in ((AS_WRITTEN, prefix), (converter, prepare([prefix], converter)[0])):
                score = score_texts([text], sc)[0]
                rows.append({"document": doc, "n_sentences": k, "n_chars": len(prefix), "version": version,
                             "score": score, "saturated": _saturated(score)})
    return pd.DataFrame(rows, columns=PREFIX_COLUMNS)


def unit_scores(
    sentences: pd.DataFrame, converter: str = DEFAULT_CONVERTER, scorer: str | Scorer = "snownlp"
) -> pd.DataFrame:
    """Each section and the whole document scored as one converted text, beside the mean of its sentence scores."""
    sc = as_scorer(scorer)
    s = _ordered(sentences)
    converted = prepare(s["text"].tolist(), converter)
    s = s.assign(converted=converted, score=score_texts(converted, sc))
    rows = []
    for doc, g in s.groupby("document", sort=True):
        units = [(f"section {sec}", sec, part) for sec, part in g.groupby("section", sort=True)]
        for unit, sec, part in [*units, ("document", math.nan, g)]:
            text = "".join(part["converted"])
            score = score_texts([text], sc)[0]
            rows.append({"document": doc, "unit": unit, "section": sec, "n_sentences": len(part),
                         "n_chars": len(text), "score_as_unit": score,
                         "mean_of_sentences": part["score"].mean(), "saturated": _saturated(score)})
    return pd.DataFrame(rows, columns=UNIT_COLUMNS).astype({"section": "Int64"})
