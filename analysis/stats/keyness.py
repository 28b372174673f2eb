"""Keyness and association: which words are over-represented in one part of a corpus against the rest (quanteda's
`textstat_keyness`), and which words go with the sentences of a framing category (`lexicon suggest`).

Every statistic is computed from one 2×2 table per term:

|                | the term | other words |
| -------------- | -------- | ----------- |
| target         | a        | A − a       |
| reference      | b        | B − b       |

* `chi2`: Pearson's χ² with Yates's continuity correction (each cell moved by at most 0.5 toward its expected count,
  as `scipy.stats.chi2_contingency(correction=True)` does; quanteda's default for 2×2 tables).
* `lr`: the likelihood-ratio statistic G² = 2 Σ O ln(O / E) (no Williams correction; quanteda applies one by
  default, so its values are slightly smaller).

Both are signed: positive when the term is relatively more frequent in the target (a / A > b / B), negative when
less; `p` is the χ² (1 df) upper tail of the unsigned statistic. `log_ratio` is Hardie's Log Ratio,
log2((a / A) / (b / B)), with a zero count replaced by 0.5 so that it stays finite.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..text.tokens import words
from ..text.words import WordSegmenter

MEASURES = ("chi2", "lr")
DEFAULT_MIN_COUNT = 5
KEYNESS_COLUMNS = ["term", "n_target", "n_reference", "statistic", "p", "log_ratio"]


def _expected(a: np.ndarray, b: np.ndarray, big_a: float, big_b: float) -> tuple[np.ndarray, np.ndarray]:
    """Observed and expected counts of the four cells, shape (4, terms): a, b, A − a, B − b."""
    observed = np.vstack([a, b, big_a - a, big_b - b]).astype(float)
    n = big_a + big_b
    row = np.array([big_a, big_b, big_a, big_b], dtype=float)[:, None]
    col = np.vstack([a + b, a + b, n - a - b, n - a - b]).astype(float)
    return observed, row * col / n


def statistic_2x2(a: np.ndarray, b: np.ndarray, big_a: float, big_b: float, measure: str) -> np.ndarray:
    """The signed statistic of each term: `a` of `big_a` words in the target, `b` of `big_b` in the reference."""
    if measure not in MEASURES:
        raise AnalysisError(f"unknown measure {measure!r}; use one of {', '.join(MEASURES)}")
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    observed, expected = _expected(a, b, big_a, big_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "chi2":
            diff = np.abs(observed - expected)
            value = (((diff - np.minimum(0.5, diff)) ** 2) / expected).sum(axis=0)
        else:
            value = 2 * np.where(observed > 0, observed * np.log(observed / expected), 0.0).sum(axis=0)
    value = np.nan_to_num(value, nan=0.0)
    return np.where(a * big_b >= b * big_a, value, -value)


def log_ratio(a: np.ndarray, b: np.ndarray, big_a: float, big_b: float) -> np.ndarray:
    """Hardie's Log Ratio: log2 of the ratio of relative frequencies, a zero count replaced by 0.5."""
    a = np.where(np.asarray(a, dtype=float) == 0, 0.5, a)
    b = np.where(np.asarray(b, dtype=float) == 0, 0.5, b)
    return np.log2((a / big_a) / (b / big_b))


def keyness(target: Counter, reference: Counter, measure: str = "chi2",
            min_count: int = DEFAULT_MIN_COUNT) -> pd.DataFrame:
    """keyness.csv: every term seen at least `min_count` times in both parts together, most key to the target first
    (statistic descending, then term); the totals A and B count every word of each part."""
    big_a, big_b = sum(target.values()), sum(reference.values())
    if big_a == 0 or big_b == 0:
        part = "target" if big_a == 0 else "reference"
        raise AnalysisError(f"the {part} documents have no words to count; choose another --target or column")
    terms = sorted(t for t in set(target) | set(reference) if target[t] + reference[t] >= min_count)
    a = np.array([target[t] for t in terms], dtype=float)
    b = np.array([reference[t] for t in terms], dtype=float)
    stat = statistic_2x2(a, b, big_a, big_b, measure)
    from scipy import stats as sps  # (scipy loads in 0.5 s: only when needed)

    df = pd.DataFrame({"term": terms, "n_target": a.astype(int), "n_reference": b.astype(int), "statistic": stat,
                       "p": sps.chi2.sf(np.abs(stat), 1), "log_ratio": log_ratio(a, b, big_a, big_b)},
                      columns=KEYNESS_COLUMNS)
    return df.sort_values(["statistic", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)


def word_counts(texts: Iterable[str], segmenter: WordSegmenter, stopwords: frozenset[str]) -> Counter:
    """How often each countable word occurs in the texts (text/tokens.py: punctuation, numbers, stop words out)."""
    counts: Counter = Counter()
    for text in texts:
        if isinstance(text, str):
            counts.update(words(text, segmenter, stopwords))
    return counts


def split_documents(documents: pd.DataFrame, column: str, target: str) -> tuple[list[str], list[str]]:
    """The documents whose `column` is `target`, and the reference: every other document with a value there."""
    values = documents[column].astype("string")
    has = values.notna() & (values.str.strip() != "")
    is_target = has & (values == target)
    if not is_target.any():
        seen = sorted(values[has].unique())
        raise AnalysisError(f"no document has {column} = {target!r}; values: {', '.join(seen[:10])}"
                            + (" …" if len(seen) > 10 else ""))
    reference = has & ~is_target
    if not reference.any():
        raise AnalysisError(f"every document with a value of {column} has {target!r}: there is nothing to compare "
                            "with; choose another column")
    ids = documents["document"].astype(str)
    return list(ids[is_target]), list(ids[reference])
