"""Views of a run's tables for reading them: extreme sentences, framing by category (all voices or the outlet's own),
the lexicon as a table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..framing.lexicon import Lexicon
from ..schema import VOICES, columns
from ..stats.summary import per_1k

EXTREME_COLUMNS = ["document", "section", "which", "rank", "sentence", "sentiment", "framing_hits", "text"]
CATEGORY_COLUMNS = ["document", "section", "heading", "category", "label_zh", "label_en", "hits", "n_cjk",
                    "per_1k_cjk"]
LEXICON_COLUMNS = ["term", "category", "label_zh", "label_en", "gloss", "rationale", "line"]


def extreme_sentences(sentences: pd.DataFrame, k: int = 3) -> pd.DataFrame:
    """Per section, the k highest- and the k lowest-scored sentences; no sentence is listed twice.

    A section with fewer than 2k scored sentences gives the upper half (rounded up) as most positive and the rest
    as most negative. Ties are broken by reading order; unscored sentences are left out.
    """
    rows = []
    scored = sentences[sentences["sentiment"].notna()]
    for (doc, sec), g in scored.groupby(["document", "section"], sort=True):
        ordered = g.sort_values(["sentiment", "sentence"], ascending=[False, True], kind="stable")
        top = ordered.head(min(k, (len(ordered) + 1) // 2))
        rest = ordered.iloc[len(top):].sort_values(["sentiment", "sentence"], kind="stable").head(k)
        for which, part in (("most positive", top), ("most negative", rest)):
            for rank, r in enumerate(part.itertuples(), start=1):
                rows.append({"document": doc, "section": sec, "which": which, "rank": rank, "sentence": r.sentence,
                             "sentiment": r.sentiment, "framing_hits": r.framing_hits, "text": r.text})
    return pd.DataFrame(rows, columns=EXTREME_COLUMNS)


def framing_in_voice(kwic: pd.DataFrame, voice: str = "own") -> pd.DataFrame:
    """framing.csv's rows counted from kwic.csv for one voice: the hits that count (`status` counted) whose `voice`
    is `voice` ("own": the outlet's own words; "quoted": quoted speech), per section, category and term."""
    if voice not in VOICES:
        raise AnalysisError(f"unknown voice {voice!r}; use one of {', '.join(VOICES)}")
    k = kwic[(kwic["status"] == "counted") & (kwic["voice"] == voice)]
    counts = k.groupby(["document", "section", "category", "term"], sort=True).size().rename("count").reset_index()
    return counts[columns("framing")]


def framing_by_category(sections: pd.DataFrame, framing: pd.DataFrame, lexicon: Lexicon,
                        voice: str = "all") -> pd.DataFrame:
    """Every section × category (zeros included): hits and hits per 1,000 CJK characters of the section. With
    `voice="own"`, `framing` is `framing_in_voice(kwic, "own")` and the density is per 1,000 own-voice characters."""
    counts = framing.groupby(["document", "section", "category"])["count"].sum()
    n_cjk = {"all": "n_cjk", "own": "n_cjk_own"}.get(voice)
    if n_cjk is None:
        raise AnalysisError(f"unknown voice {voice!r}; use all or own")
    rows = []
    for r in sections.sort_values(["document", "section"], kind="stable").itertuples():
        for c in lexicon.categories:
            hits = int(counts.get((r.document, r.section, c.id), 0))
            chars = int(getattr(r, n_cjk))
            rows.append({"document": r.document, "section": r.section, "heading": r.heading, "category": c.id,
                         "label_zh": c.label_zh, "label_en": c.label_en, "hits": hits, "n_cjk": chars,
                         "per_1k_cjk": per_1k(hits, chars)})
    return pd.DataFrame(rows, columns=CATEGORY_COLUMNS)


def lexicon_table(lexicon: Lexicon, framing: pd.DataFrame | None = None) -> pd.DataFrame:
    """The lexicon, one row per term in file order; with a framing table, also the term's hits in it."""
    labels = {c.id: c for c in lexicon.categories}
    df = pd.DataFrame([{"term": e.term, "category": e.category, "label_zh": labels[e.category].label_zh,
                        "label_en": labels[e.category].label_en, "gloss": e.gloss, "rationale": e.rationale,
                        "line": e.line} for e in lexicon.entries], columns=LEXICON_COLUMNS)
    if framing is not None:
        hits = framing.groupby(["category", "term"])["count"].sum()
        df.insert(2, "hits", [int(hits.get((c, t), 0)) for c, t in zip(df["category"], df["term"], strict=True)])
    return df


def category_table(lexicon: Lexicon) -> pd.DataFrame:
    """The lexicon's categories: id, Chinese and English label, description, and how many terms each has."""
    n_terms = {c.id: 0 for c in lexicon.categories}
    for e in lexicon.entries:
        n_terms[e.category] += 1
    return pd.DataFrame([{"category": c.id, "label_zh": c.label_zh, "label_en": c.label_en,
                          "n_terms": n_terms[c.id], "description": c.description} for c in lexicon.categories])


CHANGED_COLUMNS = ["document", "sentence", "text", "before", "after", "change"]


def changed_side(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Sentences that two scorings (e.g. SnowNLP's model and a trained one) put on different sides of 0.5, with both
    scores and the direction of the change ("negative → positive" means below 0.5 before, above after)."""

    def side(s: pd.Series) -> pd.Series:
        return pd.Series(np.select([s > 0.5, s < 0.5], ["positive", "negative"], "0.5"), index=s.index).where(
            s.notna())

    both = before[["document", "sentence", "text", "sentiment"]].merge(
        after[["document", "sentence", "sentiment"]], on=["document", "sentence"], suffixes=("_before", "_after"))
    a, b = side(both["sentiment_before"]), side(both["sentiment_after"])
    moved = both[a.notna() & b.notna() & (a != b)]
    return pd.DataFrame({"document": moved["document"], "sentence": moved["sentence"], "text": moved["text"],
                         "before": moved["sentiment_before"], "after": moved["sentiment_after"],
                         "change": a[moved.index] + " → " + b[moved.index]}, columns=CHANGED_COLUMNS
                        ).sort_values(["document", "sentence"], kind="stable").reset_index(drop=True)


def estimates_wide(table: pd.DataFrame, rows: list[str], digits: int = 2) -> pd.DataFrame:
    """A long table of estimates (columns measure, value, ci_low, ci_high, and `rows`) as one row per `rows` and one
    column per measure, each cell "value [low, high]" (a dash when missing), for reading."""

    def cell(r: pd.Series) -> str:
        if pd.isna(r["value"]):
            return "–"
        ci = "" if pd.isna(r["ci_low"]) else f" [{r['ci_low']:.{digits}f}, {r['ci_high']:.{digits}f}]"
        return f"{r['value']:.{digits}f}{ci}"

    cells = table.assign(cell=table.apply(cell, axis=1))
    wide = cells.pivot_table(index=rows, columns="measure", values="cell", aggfunc="first", sort=False)
    return wide[[m for m in dict.fromkeys(table["measure"]) if m in wide.columns]].rename_axis(columns=None)
