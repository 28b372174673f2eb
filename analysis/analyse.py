"""One document in, its rows of every table out: segment → score → look up terms → tabulate.

`analyse_text` is the whole step as a few named functions, one per table; a new column goes into the function of
its table (and into `schema.py`, which names every column once).
"""

from __future__ import annotations

from bisect import bisect_right

import pandas as pd

from .config import DEFAULT_CONVERTER, DEFAULT_HEADINGS, DEFAULT_TITLE_FILES, MAX_SENTENCE_CHARS
from .framing.lexicon import Lexicon
from .framing.match import COUNTED, Hit, find_hits, kwic, matcher_for
from .schema import CATEGORY_SEPARATOR, METADATA_SEPARATOR, SORT_KEYS, TABLE_FILES, Tables, columns, second_columns
from .sentiment.polarity import NeutralBand, polarity, polarity_shares
from .sentiment.scorers import Scorer, get_scorer, prepare, score_texts
from .stats.bootstrap import derive_seed
from .stats.summary import per_1k, summarise
from .text.script import count_cjk, to_simplified_aligned
from .text.segment import Segmented, segment
from .text.voice import default_reader, han_inside, in_spans, quoted_han_share


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
    neutral_band: NeutralBand | None = None,
) -> Tables:
    """Analyse one normalised text: every table's rows for this document (second_scorer adds its own columns).

    `title` "auto" takes the first line as the title when it reads as one; "none" analyses it like any other line.
    `neutral_band` adds each sentence's `polarity` and the share of each polarity per section and document.
    """
    seg = segment(text, headings, max_sentence_chars, title)
    simplified = to_simplified_aligned(seg.text)
    found = find_hits(seg, matcher_for(lexicon), simplified)
    quoted = quoted_spans(seg, simplified)
    hits = {sec: [h for h in sec_hits if h.status == COUNTED] for sec, sec_hits in found.items()}
    scorer = scorer or get_scorer("snownlp")
    sentences = sentence_table(document, seg, hit_sentences(seg, hits), converter, scorer, second_scorer, quoted,
                               neutral_band)
    sections = section_table(document, seg, hits, sentences, second_scorer, quoted, neutral_band)
    return Tables(
        documents=document_table(document, seg, sentences, sections, second_scorer, neutral_band,
                                 trained_model(scorer, second_scorer)),
        sections=sections,
        sentences=sentences,
        framing=framing_table(document, hits, lexicon),
        kwic=kwic_table(document, seg, found, hit_sentences(seg, found), quoted),
    )


def quoted_spans(seg: Segmented, simplified: str) -> list[tuple[int, int]]:
    """The quoted parts (text/voice.py) of every title, heading and paragraph, as sorted document offsets."""
    reader = default_reader()
    spans = []
    for line in (line for sec in seg.sections for line in sec.lines):
        spans += [(line.start + a, line.start + b) for a, b in reader.quoted(simplified[line.start:line.end])]
    return sorted(spans)


def voice_of(quoted: list[tuple[int, int]], pos: int) -> str:
    """`quoted` when offset `pos` lies in quoted speech, else `own` (the outlet's own voice)."""
    return "quoted" if in_spans(quoted, pos) else "own"


def hit_sentences(seg: Segmented, hits: dict[int, list[Hit]]) -> dict[int, list[int | None]]:
    """Per section, the sentence each of its hits starts in (None for a hit in the title or a heading)."""
    starts = [s.start for s in seg.sentences]

    def sentence_of(pos: int) -> int | None:
        i = bisect_right(starts, pos) - 1
        return i if i >= 0 and pos < seg.sentences[i].end else None

    return {sec: [sentence_of(h.start) for h in sec_hits] for sec, sec_hits in hits.items()}


def sentence_table(document: str, seg: Segmented, placed: dict[int, list[int | None]], converter: str,
                   scorer: Scorer, second_scorer: Scorer | None = None,
                   quoted: list[tuple[int, int]] | None = None,
                   neutral_band: NeutralBand | None = None) -> pd.DataFrame:
    """sentences.csv's rows: offsets, the text as written and as scored, the score(s) (and polarity), the hits in
    each, and its voice (`quoted` when at least half of its CJK characters are quoted speech)."""
    texts = [s.text for s in seg.sentences]
    scored_texts = prepare(texts, converter)
    paragraph_starts = [p.start for sec in seg.sections for p in sec.paragraphs]
    hits_in = [0] * len(texts)
    for i in (i for sec in seg.sections for i in placed[sec.index] if i is not None):
        hits_in[i] += 1
    sentences = pd.DataFrame({
        "document": document,
        "section": [s.section for s in seg.sentences],
        "paragraph": [bisect_right(paragraph_starts, s.start) - 1 for s in seg.sentences],
        "sentence": range(len(texts)),
        "start": [s.start for s in seg.sentences],
        "end": [s.end for s in seg.sentences],
        "text": texts,
        "text_scored": scored_texts,
        "sentiment": pd.Series(score_texts(scored_texts, scorer), dtype=float),
        "framing_hits": hits_in,
        "voice": ["quoted" if quoted_han_share(quoted or [], seg.text, s.start, s.end) >= 0.5 else "own"
                  for s in seg.sentences],
    })
    name = second_scorer.name if second_scorer else None
    if second_scorer:
        sentences[second_columns(name)["sentences"][0]] = pd.Series(score_texts(scored_texts, second_scorer),
                                                                      dtype=float)
    if neutral_band is not None:
        sentences["polarity"] = pd.Series(polarity(sentences["sentiment"].tolist(), neutral_band), dtype=object)
    return sentences[columns("sentences", name, neutral_band is not None)]


def score_summary(sentences: pd.DataFrame, second_scorer: Scorer | None, *keys: object) -> dict:
    """Summary statistics of the scores of some sentences (and of a second scorer's, and the share of each
    polarity when they have one), seeded from `keys`."""
    out = summarise(sentences["sentiment"], derive_seed(*keys))
    if "polarity" in sentences.columns:
        out.update(polarity_shares(sentences["polarity"].tolist()))
    if second_scorer:
        extra = second_columns(second_scorer.name)
        col, share = extra["sentences"][0], extra["sections"][-1]
        out.update(summarise(sentences[col], derive_seed(*keys, second_scorer.name), prefix=col, share=share))
    return out


def own_voice_summary(part: pd.DataFrame, n_hits: int, n_cjk_own: int, *keys: object) -> dict:
    """The own-voice columns of a section or document: its own-voice sentences' scores (mean and bootstrap CI, the
    seed from `keys` + "own") and its counted hits outside quoted speech per 1,000 own-voice CJK characters."""
    own = part.loc[part["voice"] == "own", "sentiment"]
    stats = summarise(own, derive_seed(*keys, "own"))
    return {"n_scored_own": int(own.notna().sum()), "sentiment_mean_own": stats["sentiment_mean"],
            "sentiment_ci_low_own": stats["sentiment_ci_low"], "sentiment_ci_high_own": stats["sentiment_ci_high"],
            "framing_hits_own": n_hits, "n_cjk_own": n_cjk_own, "framing_per_1k_cjk_own": per_1k(n_hits, n_cjk_own)}


def section_table(document: str, seg: Segmented, hits: dict[int, list[Hit]], sentences: pd.DataFrame,
                  second_scorer: Scorer | None = None, quoted: list[tuple[int, int]] | None = None,
                  neutral_band: NeutralBand | None = None) -> pd.DataFrame:
    """sections.csv's rows: each section's size, score statistics and framing hits (its heading included), for all
    voices and for the outlet's own."""
    quoted = quoted or []
    rows = []
    for sec in seg.sections:
        content = "".join(line.text for line in sec.lines)
        n_cjk = count_cjk(content)
        part = sentences[sentences["section"] == sec.index]
        n_hits = len(hits[sec.index])
        n_cjk_own = n_cjk - sum(han_inside(quoted, seg.text, line.start, line.end) for line in sec.lines)
        n_hits_own = sum(1 for h in hits[sec.index] if not in_spans(quoted, h.start))
        rows.append({
            "document": document, "section": sec.index, "heading": sec.heading, "start": sec.start, "end": sec.end,
            "n_chars": len(content), "n_cjk": n_cjk, "n_sentences": len(part),
            "n_scored": int(part["sentiment"].notna().sum()),
            **score_summary(part, second_scorer, document, sec.index),
            "framing_hits": n_hits, "framing_per_1k_cjk": per_1k(n_hits, n_cjk),
            **own_voice_summary(part, n_hits_own, n_cjk_own, document, sec.index),
        })
    return pd.DataFrame(rows, columns=columns("sections", second_scorer.name if second_scorer else None,
                                              neutral_band is not None))


def trained_model(*scorers: Scorer | None) -> str | None:
    """The description of the trained sentiment model a SnowNLP scorer among `scorers` uses (None: SnowNLP's own)."""
    model = next((m for m in (getattr(s, "model", None) for s in scorers) if m is not None), None)
    return model.description if model is not None else None


def document_table(document: str, seg: Segmented, sentences: pd.DataFrame, sections: pd.DataFrame,
                   second_scorer: Scorer | None = None, neutral_band: NeutralBand | None = None,
                   model: str | None = None) -> pd.DataFrame:
    """documents.csv's row: the document's totals, score statistics over all its sentences, its metadata, and the
    trained model that scored (`model`, only when there is one)."""
    n_hits = int(sections["framing_hits"].sum())
    n_cjk = int(sections["n_cjk"].sum())
    return pd.DataFrame([{
        "document": document, "title": seg.title, "n_sections": len(seg.sections), "n_sentences": len(sentences),
        "n_scored": int(sentences["sentiment"].notna().sum()),
        **score_summary(sentences, second_scorer, document, "document"),
        "framing_hits": n_hits, "framing_per_1k_cjk": per_1k(n_hits, n_cjk),
        "n_chars": int(sections["n_chars"].sum()), "n_cjk": n_cjk,
        **own_voice_summary(sentences, int(sections["framing_hits_own"].sum()), int(sections["n_cjk_own"].sum()),
                            document, "document"),
        "metadata": METADATA_SEPARATOR.join(m.text for m in seg.metadata), "sentiment_model": model,
    }], columns=columns("documents", second_scorer.name if second_scorer else None, neutral_band is not None,
                        model is not None))


def framing_table(document: str, hits: dict[int, list[Hit]], lexicon: Lexicon) -> pd.DataFrame:
    """framing.csv's rows: hits per section, category and term, in section then lexicon order; a hit of an entry in
    several categories counts once in each."""
    counts: dict[tuple[int, str, str], int] = {}
    for sec, sec_hits in hits.items():
        for h in sec_hits:
            for category in h.entry.categories:
                key = (sec, category, h.entry.term)
                counts[key] = counts.get(key, 0) + 1
    order = {(c, e.term): i for i, e in enumerate(lexicon.entries) for c in e.categories}
    return pd.DataFrame(
        [{"document": document, "section": s, "category": c, "term": t, "count": n}
         for (s, c, t), n in sorted(counts.items(), key=lambda kv: (kv[0][0], order[kv[0][1:]]))],
        columns=columns("framing"),
    )


def kwic_table(document: str, seg: Segmented, hits: dict[int, list[Hit]],
               placed: dict[int, list[int | None]], quoted: list[tuple[int, int]] | None = None) -> pd.DataFrame:
    """kwic.csv's rows: every candidate (counted or not, with its status) with its sentence, offsets, context within
    its section and voice."""
    rows = []
    for sec in seg.sections:
        for h, i in zip(hits[sec.index], placed[sec.index], strict=True):
            left, right = kwic(seg.text, h, sec.start, sec.end)
            rows.append({"document": document, "section": sec.index, "sentence": i,
                         "category": CATEGORY_SEPARATOR.join(h.entry.categories), "term": h.entry.term,
                         "start": h.start, "end": h.end, "left": left, "match": h.match,
                         "right": right, "status": h.status, "voice": voice_of(quoted or [], h.start)})
    return pd.DataFrame(rows, columns=columns("kwic")).astype({"sentence": "Int64"})


def concat_tables(parts: list[Tables]) -> Tables:
    """Stack per-document tables, sorted by document then position."""

    def cat(name: str) -> pd.DataFrame:
        frames = [getattr(p, name) for p in parts if len(getattr(p, name))]
        if not frames:
            return getattr(parts[0], name).iloc[0:0] if parts else pd.DataFrame(columns=columns(name))
        df = pd.concat(frames, ignore_index=True)
        return df.sort_values(SORT_KEYS[name], kind="stable").reset_index(drop=True)

    return Tables(**{name: cat(name) for name in TABLE_FILES})
