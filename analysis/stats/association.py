"""Which words go with a framing category (`python -m analysis lexicon suggest`): for each word, the body sentences
that hold a hit of the category and the word, against the other sentences that hold the word.

The 2×2 table of a word counts sentences, not tokens: a = sentences of the category holding the word, A = sentences of
the category, b = other sentences holding it, B = other sentences. The statistic is the likelihood ratio G² of
`keyness.statistic_2x2` (signed; only words more frequent in the category's sentences, a / A > b / B, are
candidates), with its χ² (1 df) p-value and Log Ratio. Ranked by G², then word.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..config import KWIC_WINDOW
from .keyness import log_ratio, statistic_2x2

#: Fewest sentences of the category a candidate must occur in.
MIN_SENTENCES = 2
#: Examples shown per candidate.
N_EXAMPLES = 3
SUGGEST_COLUMNS = ["category", "term", "n_category", "n_rest", "statistic", "p", "log_ratio",
                   *(f"example_{i}" for i in range(1, N_EXAMPLES + 1))]


def associated_words(sentence_words: Sequence[frozenset[str]], in_category: Sequence[bool], exclude: set[str],
                     top: int, min_sentences: int = MIN_SENTENCES) -> pd.DataFrame:
    """The `top` words most associated with the category's sentences: term, n_category, n_rest, statistic, p,
    log_ratio (words in `exclude`, e.g. the lexicon's terms, left out)."""
    flags = np.asarray(in_category, dtype=bool)
    big_a, big_b = int(flags.sum()), int((~flags).sum())
    inside: Counter = Counter()
    outside: Counter = Counter()
    for ws, flag in zip(sentence_words, flags, strict=True):
        (inside if flag else outside).update(ws)
    terms = sorted(t for t, n in inside.items() if n >= min_sentences and t not in exclude)
    if not terms or big_a == 0 or big_b == 0:
        return pd.DataFrame(columns=SUGGEST_COLUMNS[1:7])
    a = np.array([inside[t] for t in terms], dtype=float)
    b = np.array([outside[t] for t in terms], dtype=float)
    stat = statistic_2x2(a, b, big_a, big_b, "lr")
    from scipy import stats as sps  # (scipy loads in 0.5 s: only when needed)

    df = pd.DataFrame({"term": terms, "n_category": a.astype(int), "n_rest": b.astype(int), "statistic": stat,
                       "p": sps.chi2.sf(np.abs(stat), 1), "log_ratio": log_ratio(a, b, big_a, big_b)})
    df = df[df["statistic"] > 0]
    return df.sort_values(["statistic", "term"], ascending=[False, True], kind="stable").head(top)


def examples(texts: Sequence[str], term: str, n: int = N_EXAMPLES, window: int = KWIC_WINDOW) -> list[str]:
    """The first `n` occurrences of a word in the texts, in context: `left【word as written】right` (Latin letters
    compared lower-cased, as words are counted)."""
    out = []
    for text in texts:
        i = text.lower().find(term)
        if i >= 0:
            j = i + len(term)
            out.append(f"{text[max(0, i - window):i]}【{text[i:j]}】{text[j:j + window]}")
            if len(out) == n:
                break
    return out + [""] * (n - len(out))
