"""One document in, its rows of every table out: segment → score → look up terms → tabulate."""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass

import pandas as pd

from .config import DEFAULT_CONVERTER, DEFAULT_HEADINGS, DEFAULT_TITLE_FILES, MAX_SENTENCE_CHARS
from .framing.lexicon import Lexicon
from .framing.match import Hit, Matcher, kwic, matcher_for
from .sentiment.scorers import Scorer, get_scorer, prepare, score_texts
from .stats.summary import derive_seed, summarise
from .text.script import count_cjk, to_simplified_aligned
from .text.segment import Segmented, segment

DOCUMENT_COLUMNS = [
    "document", "title", "n_sections", "n_sentences", "n_scored", "sentiment_mean", "sentiment_median",
    "sentiment_ci_low", "sentiment_ci_high", "share_positive", "framing_hits", "framing_per_1k_cjk",
    "n_chars", "n_cjk", "metadata",
]
SECTION_COLUMNS = [
    "document", "section", "heading", "start", "end", "n_chars", "n_cjk", "n_sentences", "n_scored",
    "sentiment_mean", "sentiment_median", "sentiment_ci_low", "sentiment_ci_high", "share_positive",
    "framing_hits", "framing_per_1k_cjk",
]
SENTENCE_COLUMNS = [
    "document", "section", "paragraph", "sentence", "start", "end", "text", "text_scored", "sentiment", "framing_hits",
]
FRAMING_COLUMNS = ["document", "section", "category", "term", "count"]
KWIC_COLUMNS = ["document", "section", "sentence", "category", "term", "start", "end", "left", "match", "right"]

def second_columns(name: str) -> dict[str, list[str]]:
    """Columns a second scorer adds (`--second-scorer NAME`), per table: sentiment_NAME, …, share_positive_NAME."""
    key = name.replace("-", "_")
    stats = [f"sentiment_{key}_{s}" for s in ("mean", "median", "ci_low", "ci_high")] + [f"share_positive_{key}"]
    return {"sentences": [f"sentiment_{key}"], "sections": stats, "documents": stats}


def _insert_after(columns: list[str], after: str, new: list[str]) -> list[str]:
    i = columns.index(after) + 1
    return columns[:i] + new + columns[i:]


#: Separator between metadata items (bylines, datelines, credits) in documents.csv.
METADATA_SEPARATOR = " | "


@dataclass
class Tables:
    """The tables of a run (one document or many), as DataFrames with the documented columns."""

    documents: pd.DataFrame
    sections: pd.DataFrame
    sentences: pd.DataFrame
    framing: pd.DataFrame
    kwic: pd.DataFrame


def _per_1k(hits: int, n_cjk: int) -> float:
    return hits / n_cjk * 1000 if n_cjk else math.nan


def find_hits(seg: Segmented, matcher: Matcher) -> dict[int, list[Hit]]:
    """Framing hits per section, headings and the title included, metadata excluded."""
    simplified = to_simplified_aligned(seg.text)
    return {
        sec.index: [h for line in sec.lines for h in matcher.find(seg.text, simplified, line.start, line.end)]
        for sec in seg.sections
    }


def analyse_text(
    document: str,
    text: str,
    lexicon: Lexicon,
    *,
    converter: str = DEFAULT_CONVERTER,
    headings: str = DEFAULT_HEADINGS,
    scorer: Scorer | None = None,
    max_sentence_chars: int = MAX_SENTENCE_CHARS,
    second_scorer: Scorer | None = None,
    title: str = DEFAULT_TITLE_FILES,
) -> Tables:
    """Analyse one normalised text: every table's rows for this document (second_scorer adds its own columns).

    `title` "auto" takes the first line as the title when it reads as one; "none" analyses it like any other line.
    """
    scorer = scorer or get_scorer("snownlp")
    extra = second_columns(second_scorer.name) if second_scorer else {"sentences": [], "sections": [], "documents": []}
    sentence_columns = _insert_after(SENTENCE_COLUMNS, "sentiment", extra["sentences"])
    section_columns = _insert_after(SECTION_COLUMNS, "share_positive", extra["sections"])
    document_columns = _insert_after(DOCUMENT_COLUMNS, "share_positive", extra["documents"])

    def second_summary(values: pd.Series, *keys: object) -> dict:
        if not second_scorer:
            return {}
        col, share = extra["sentences"][0], extra["sections"][-1]
        return summarise(values[col], derive_seed(*keys, second_scorer.name), prefix=col, share=share)
    seg = segment(text, headings, max_sentence_chars, title)
    matcher = matcher_for(lexicon)
    hits = find_hits(seg, matcher)

    texts = [s.text for s in seg.sentences]
    scored_texts = prepare(texts, converter)
    scores = score_texts(scored_texts, scorer)
    starts = [s.start for s in seg.sentences]
    paragraph_starts = [p.start for sec in seg.sections for p in sec.paragraphs]

    def sentence_of(pos: int) -> int | None:
        i = bisect_right(starts, pos) - 1
        return i if i >= 0 and pos < seg.sentences[i].end else None

    kwic_rows, framing_counts = [], {}
    sentence_hits = [0] * len(texts)
    for sec in seg.sections:
        for h in hits[sec.index]:
            i = sentence_of(h.start)
            if i is not None:
                sentence_hits[i] += 1
            left, right = kwic(text, h, sec.start, sec.end)
            kwic_rows.append({
                "document": document, "section": sec.index, "sentence": i, "category": h.entry.category,
                "term": h.entry.term, "start": h.start, "end": h.end, "left": left, "match": h.match, "right": right,
            })
            key = (sec.index, h.entry.category, h.entry.term)
            framing_counts[key] = framing_counts.get(key, 0) + 1

    sentences = pd.DataFrame({
        "document": document,
        "section": [s.section for s in seg.sentences],
        "paragraph": [bisect_right(paragraph_starts, s.start) - 1 for s in seg.sentences],
        "sentence": range(len(texts)),
        "start": starts,
        "end": [s.end for s in seg.sentences],
        "text": texts,
        "text_scored": scored_texts,
        "sentiment": pd.Series(scores, dtype=float),
        "framing_hits": sentence_hits,
    })
    if second_scorer:
        sentences[extra["sentences"][0]] = pd.Series(score_texts(scored_texts, second_scorer), dtype=float)
    sentences = sentences[sentence_columns]

    section_rows = []
    for sec in seg.sections:
        content = "".join(line.text for line in sec.lines)
        n_cjk = count_cjk(content)
        mask = sentences["section"] == sec.index
        n_hits = len(hits[sec.index])
        section_rows.append({
            "document": document, "section": sec.index, "heading": sec.heading, "start": sec.start, "end": sec.end,
            "n_chars": len(content), "n_cjk": n_cjk, "n_sentences": int(mask.sum()),
            "n_scored": int(sentences.loc[mask, "sentiment"].notna().sum()),
            **summarise(sentences.loc[mask, "sentiment"], derive_seed(document, sec.index)),
            **second_summary(sentences.loc[mask], document, sec.index),
            "framing_hits": n_hits, "framing_per_1k_cjk": _per_1k(n_hits, n_cjk),
        })
    sections = pd.DataFrame(section_rows, columns=section_columns)

    order = {(e.category, e.term): i for i, e in enumerate(lexicon.entries)}
    framing = pd.DataFrame(
        [{"document": document, "section": s, "category": c, "term": t, "count": n}
         for (s, c, t), n in sorted(framing_counts.items(), key=lambda kv: (kv[0][0], order[kv[0][1:]]))],
        columns=FRAMING_COLUMNS,
    )
    n_hits = int(sections["framing_hits"].sum())
    n_cjk = int(sections["n_cjk"].sum())
    documents = pd.DataFrame([{
        "document": document, "title": seg.title, "n_sections": len(seg.sections), "n_sentences": len(texts),
        "n_scored": int(sentences["sentiment"].notna().sum()),
        **summarise(sentences["sentiment"], derive_seed(document, "document")),
        **second_summary(sentences, document, "document"),
        "framing_hits": n_hits, "framing_per_1k_cjk": _per_1k(n_hits, n_cjk),
        "n_chars": int(sections["n_chars"].sum()), "n_cjk": n_cjk,
        "metadata": METADATA_SEPARATOR.join(m.text for m in seg.metadata),
    }], columns=document_columns)
    kwic_table = pd.DataFrame(kwic_rows, columns=KWIC_COLUMNS).astype({"sentence": "Int64"})
    return Tables(documents, sections, sentences, framing, kwic_table)


def concat_tables(parts: list[Tables]) -> Tables:
    """Stack per-document tables, sorted by document then position."""

    def cat(name: str, columns: list[str], keys: list[str]) -> pd.DataFrame:
        frames = [getattr(p, name) for p in parts if len(getattr(p, name))]
        if not frames:
            return getattr(parts[0], name).iloc[0:0] if parts else pd.DataFrame(columns=columns)
        df = pd.concat(frames, ignore_index=True)
        return df.sort_values(keys, kind="stable").reset_index(drop=True)

    return Tables(
        documents=cat("documents", DOCUMENT_COLUMNS, ["document"]),
        sections=cat("sections", SECTION_COLUMNS, ["document", "section"]),
        sentences=cat("sentences", SENTENCE_COLUMNS, ["document", "sentence"]),
        framing=cat("framing", FRAMING_COLUMNS, ["document", "section"]),
        kwic=cat("kwic", KWIC_COLUMNS, ["document", "start"]),
    )
