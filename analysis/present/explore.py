"""Views of a run's tables for reading them: extreme sentences, framing by category (all voices or the outlet's own),
the lexicon as a table."""

from __future__ import annotations

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
