"""How far two sentence scorers agree: rank correlation, same side of neutral, largest disagreements, sections."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..errors import AnalysisError

NEUTRAL = 0.5
SIDES = ("below", "neutral", "above")


def _check(df: pd.DataFrame, *columns: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise AnalysisError(
            f"the table has no column {', '.join(missing)}; run `python -m analysis run --second-scorer lexicon`"
        )


def _both(sentences: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    _check(sentences, a, b)
    return sentences[sentences[a].notna() & sentences[b].notna()]


def spearman(x: np.ndarray | pd.Series, y: np.ndarray | pd.Series) -> float:
    """Spearman's rank correlation: Pearson correlation of average ranks (ties share their mean rank); NaN when
    either side is constant or there are fewer than 2 values."""
    from scipy.stats import rankdata  # (scipy loads in 0.5 s: only when needed)

    rx, ry = rankdata(x), rankdata(y)
    if rx.size < 2 or rx.std() == 0 or ry.std() == 0:
        return math.nan
    return float(np.corrcoef(rx, ry)[0, 1])


def side(values: pd.Series, neutral: float = NEUTRAL) -> pd.Series:
    """'below', 'neutral' or 'above' the neutral point, per value."""
    return pd.Series(np.select([values < neutral, values > neutral], ["below", "above"], "neutral"),
                     index=values.index)


def sentence_agreement(
    sentences: pd.DataFrame, a: str = "sentiment", b: str = "sentiment_lexicon", neutral: float = NEUTRAL
) -> pd.DataFrame:
    """One row per document and one for all: n, means, Spearman's rho, shares on the same side of neutral."""
    both = _both(sentences, a, b)
    groups = [(d, g) for d, g in both.groupby("document", sort=True)]
    if len(groups) != 1:
        groups.append(("(all)", both))
    rows = []
    for doc, g in groups:
        sa, sb = side(g[a], neutral), side(g[b], neutral)
        decided = (sa != "neutral") & (sb != "neutral")
        rows.append({
            "document": doc, "n": len(g), f"{a}_mean": g[a].mean(), f"{b}_mean": g[b].mean(),
            "spearman_rho": spearman(g[a], g[b]),
            "same_side_share": float((sa == sb).mean()) if len(g) else np.nan,
            "n_neutral_" + a: int((sa == "neutral").sum()), "n_neutral_" + b: int((sb == "neutral").sum()),
            "n_both_decided": int(decided.sum()),
            "same_side_share_decided": float((sa[decided] == sb[decided]).mean()) if decided.any() else np.nan,
        })
    return pd.DataFrame(rows)


def side_table(
    sentences: pd.DataFrame, a: str = "sentiment", b: str = "sentiment_lexicon", neutral: float = NEUTRAL
) -> pd.DataFrame:
    """Counts of sentences by side of neutral under each scorer (rows: a, columns: b)."""
    both = _both(sentences, a, b)
    table = pd.crosstab(pd.Categorical(side(both[a], neutral), SIDES), pd.Categorical(side(both[b], neutral), SIDES),
                        dropna=False)
    table.index.name, table.columns.name = a, b
    return table


def top_disagreements(
    sentences: pd.DataFrame,
    a: str = "sentiment",
    b: str = "sentiment_lexicon",
    n: int = 10,
    explain: Callable[[str], str] | None = None,
) -> pd.DataFrame:
    """The n sentences with the largest |a − b|, text shown (and, with explain, what the lexicon matched)."""
    both = _both(sentences, a, b)
    out = both[["document", "section", "sentence", a, b]].copy()
    out["difference"] = out[a] - out[b]
    out["text"] = both["text"]
    out = (out.assign(_gap=out["difference"].abs())
           .sort_values(["_gap", "document", "sentence"], ascending=[False, True, True], kind="stable")
           .drop(columns="_gap").head(n).reset_index(drop=True))
    if explain is not None:
        out["evidence"] = [explain(t) for t in out["text"]]
    return out


def section_comparison(
    sections: pd.DataFrame, a: str = "sentiment", b: str = "sentiment_lexicon"
) -> pd.DataFrame:
    """Section results of the two scorers side by side: mean, 95% CI, share positive, and rank within document.

    The two scales differ (a probability vs a smoothed share of sentiment weight), so compare ranks and shares,
    not one scorer's interval against the other's.
    """
    share_a = "share_positive" if a == "sentiment" else a.replace("sentiment_", "share_positive_", 1)
    share_b = "share_positive" if b == "sentiment" else b.replace("sentiment_", "share_positive_", 1)
    cols = [f"{p}_{s}" for p in (a, b) for s in ("mean", "ci_low", "ci_high")]
    _check(sections, *cols, share_a, share_b)
    out = sections[["document", "section", "heading", "n_scored", *cols[:3], share_a, *cols[3:], share_b]].copy()
    for p in (a, b):
        out[f"{p}_rank"] = out.groupby("document")[f"{p}_mean"].rank(ascending=False, method="min").astype("Int64")
    return out.reset_index(drop=True)


def agreement_tables(
    sentences: pd.DataFrame,
    sections: pd.DataFrame,
    a: str = "sentiment",
    b: str = "sentiment_lexicon",
    n: int = 10,
    explain: Callable[[str], str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every agreement table of a run, by the file name stem it is written under."""
    return {
        "agreement": sentence_agreement(sentences, a, b),
        "agreement_sides": side_table(sentences, a, b).reset_index(),
        "disagreements": top_disagreements(sentences, a, b, n, explain),
        "sections_side_by_side": section_comparison(sections, a, b),
    }
