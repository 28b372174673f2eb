"""One document in, its rows of every table out: segment → score → look up terms → tabulate.

`analyse_text` is the whole step as a few named functions, one per table; a new column goes into the function of
its table (and into `schema.py`, which names every column once).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from .config import DEFAULT_CONVERTER, DEFAULT_HEADINGS, DEFAULT_TITLE_FILES, MAX_SENTENCE_CHARS
from .framing.lexicon import Lexicon
from .framing.match import COUNTED, Hit, find_hits, kwic, matcher_for
from .schema import (
    CATEGORY_SEPARATOR,
    METADATA_SEPARATOR,
    SORT_KEYS,
    TABLE_FILES,
    Rows,
    Tables,
    columns,
    records,
    second_columns,
    tuples,
)
from .sentiment.polarity import NeutralBand, polarity, polarity_shares
from .sentiment.scorers import Scorer, get_scorer, prepare, score_texts
from .stats.bootstrap import derive_seed
from .stats.summary import MEAN_AND_CI, Summaries, per_1k
from .text.script import to_simplified_aligned
from .text.segment import Segmented, segment
from .text.voice import QuotedIndex, default_reader


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
    rows = document_rows(document, text, lexicon, converter=converter, headings=headings, scorer=scorer,
                         max_sentence_chars=max_sentence_chars, second_scorer=second_scorer, title=title,
                         neutral_band=neutral_band)
    return Tables(**{name: rows[name].frame() for name in TABLE_FILES})


def document_rows(
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
) -> dict[str, Rows]:
    """`analyse_text`'s tables as plain columns (`Rows`, by the attribute names of `Tables`), without pandas: what a
    run writes."""
    seg = segment(text, headings, max_sentence_chars, title)
    simplified = to_simplified_aligned(seg.text)
    found = find_hits(seg, matcher_for(lexicon), simplified)
    quoted = quoted_spans(seg, simplified)
    index = voices(seg, quoted)
    hits = {sec: [h for h in sec_hits if h.status == COUNTED] for sec, sec_hits in found.items()}
    placed = hit_sentences(seg, found)  # the sentence of every candidate, and of the counted ones among them
    placed_counted = {sec: [i for h, i in zip(found[sec], where, strict=True) if h.status == COUNTED]
                      for sec, where in placed.items()}
    scorer = scorer or get_scorer("snownlp")
    sentences = sentence_table(document, seg, placed_counted, converter, scorer, second_scorer, quoted,
                               neutral_band, voice_index=index)
    scores = Scores.of(sentences, second_scorer)
    sections = section_table(document, seg, hits, scores, second_scorer, quoted, neutral_band, voice_index=index)
    return {
        "documents": document_table(document, seg, scores, sections, second_scorer, neutral_band,
                                    trained_model(scorer, second_scorer)),
        "sections": sections,
        "sentences": sentences,
        "framing": framing_table(document, hits, lexicon),
        "kwic": kwic_table(document, seg, found, placed, quoted),
    }


def quoted_spans(seg: Segmented, simplified: str) -> list[tuple[int, int]]:
    """The quoted parts (text/voice.py) of every title, heading and paragraph, as sorted document offsets."""
    reader = default_reader()
    spans = []
    for line in (line for sec in seg.sections for line in sec.lines):
        spans += [(line.start + a, line.start + b) for a, b in reader.quoted(simplified[line.start:line.end])]
    return sorted(spans)


def voices(seg: Segmented, quoted: list[tuple[int, int]]) -> QuotedIndex:
    """Counts of Han characters, all and quoted, over the document (each range's count at once)."""
    return QuotedIndex(seg.text, quoted)


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
                   neutral_band: NeutralBand | None = None, *, voice_index: QuotedIndex | None = None) -> Rows:
    """sentences.csv's rows: offsets, the text as written and as scored, the score(s) (and polarity), the hits in
    each, and its voice (`quoted` when at least half of its CJK characters are quoted speech; `voice_index`:
    `voices(seg, quoted)` when the caller has it)."""
    index = voice_index or QuotedIndex(seg.text, quoted or [])
    texts = [s.text for s in seg.sentences]
    starts, ends = [s.start for s in seg.sentences], [s.end for s in seg.sentences]
    scored_texts = prepare(texts, converter)
    paragraph_starts = [p.start for sec in seg.sections for p in sec.paragraphs]
    hits_in = [0] * len(texts)
    for i in (i for sec in seg.sections for i in placed[sec.index] if i is not None):
        hits_in[i] += 1
    scores = score_texts(scored_texts, scorer)
    data = {
        "document": document,
        "section": [s.section for s in seg.sentences],
        "paragraph": [bisect_right(paragraph_starts, a) - 1 for a in starts],
        "sentence": list(range(len(texts))),
        "start": starts,
        "end": ends,
        "text": texts,
        "text_scored": scored_texts,
        "sentiment": scores,
        "framing_hits": hits_in,
        "voice": ["quoted" if share >= 0.5 else "own" for share in index.quoted_shares(starts, ends)],
    }
    dtypes: dict[str, object] = {"sentence": "int64", "sentiment": float}  # int64: a range's, even when empty
    name = second_scorer.name if second_scorer else None
    if second_scorer:
        second = second_columns(name)["sentences"][0]
        data[second], dtypes[second] = score_texts(scored_texts, second_scorer), float
    if neutral_band is not None:
        data["polarity"], dtypes["polarity"] = polarity(scores, neutral_band), object
    return Rows(columns("sentences", name, neutral_band is not None), data, dtypes)


@dataclass(slots=True)
class Scores:
    """The score columns of some sentences as arrays, in table order: what the summaries of a section or a document
    read (a section's sentences are a contiguous slice of its document's)."""

    sentiment: np.ndarray
    own: np.ndarray  # True where the sentence is in the outlet's own voice
    polarity: list | None = None  # with a neutral band
    second: np.ndarray | None = None  # a second scorer's scores
    sections: list[int] | None = None  # each sentence's section

    @classmethod
    def of(cls, sentences: Rows, second_scorer: Scorer | None = None) -> Scores:
        """The columns of sentence_table's rows."""
        second = second_columns(second_scorer.name)["sentences"][0] if second_scorer else None
        return cls(np.array(sentences.column("sentiment"), dtype=float),
                   np.array([v == "own" for v in sentences.column("voice")], dtype=bool),
                   sentences.column("polarity") if "polarity" in sentences.names else None,
                   np.array(sentences.column(second), dtype=float) if second else None,
                   sentences.column("section"))

    def part(self, lo: int, hi: int) -> Scores:
        """The sentences lo..hi-1."""
        return Scores(self.sentiment[lo:hi], self.own[lo:hi],
                      None if self.polarity is None else self.polarity[lo:hi],
                      None if self.second is None else self.second[lo:hi])


def score_summary(out: dict, summaries: Summaries, scores: Scores, second_scorer: Scorer | None,
                  *keys: object) -> dict:
    """Summary statistics of the scores of some sentences (and of a second scorer's, and the share of each
    polarity when they have one), seeded from `keys`, written into `out` (the intervals when `summaries` finishes)."""
    summaries.add(out, scores.sentiment, derive_seed(*keys))
    if scores.polarity is not None:
        out.update(polarity_shares(scores.polarity))
    if second_scorer:
        extra = second_columns(second_scorer.name)
        col, share = extra["sentences"][0], extra["sections"][-1]
        summaries.add(out, scores.second, derive_seed(*keys, second_scorer.name), prefix=col, share=share)
    return out


def own_voice_summary(out: dict, summaries: Summaries, scores: Scores, n_hits: int, n_cjk_own: int,
                      *keys: object, n_scored_own: int | None = None) -> dict:
    """The own-voice columns of a section or document, written into `out`: its own-voice sentences' scores (mean
    and bootstrap CI, the seed from `keys` + "own") and its counted hits outside quoted speech per 1,000 own-voice
    CJK characters (`n_scored_own`: its own-voice sentences with a score, when the caller has counted them)."""
    own = scores.sentiment[scores.own]
    summaries.add(out, own, derive_seed(*keys, "own"), suffix="_own", stats=MEAN_AND_CI)
    if n_scored_own is None:
        n_scored_own = int(np.count_nonzero(~np.isnan(own)))
    out.update({"n_scored_own": n_scored_own, "framing_hits_own": n_hits,
                "n_cjk_own": n_cjk_own, "framing_per_1k_cjk_own": per_1k(n_hits, n_cjk_own)})
    return out


def section_table(document: str, seg: Segmented, hits: dict[int, list[Hit]], scores: Scores,
                  second_scorer: Scorer | None = None, quoted: list[tuple[int, int]] | None = None,
                  neutral_band: NeutralBand | None = None, *, voice_index: QuotedIndex | None = None) -> Rows:
    """sections.csv's rows: each section's size, score statistics and framing hits (its heading included), for all
    voices and for the outlet's own (`voice_index`: `voices(seg, quoted)` when the caller has it)."""
    index = voice_index or QuotedIndex(seg.text, quoted or [])
    # a section's sentences are a contiguous run of the table (sentence_table lists them section by section)
    numbers = scores.sections or []
    scored = ~np.isnan(scores.sentiment)  # counted up to each sentence: a section's count is a difference
    n_scored = np.concatenate([[0], np.cumsum(scored)]).tolist()
    n_scored_own = np.concatenate([[0], np.cumsum(scored & scores.own)]).tolist()
    rows = []
    summaries = Summaries()
    for sec, (n_chars, n_cjk, n_cjk_quoted) in zip(seg.sections, section_sizes(seg, index), strict=True):
        lo, hi = bisect_left(numbers, sec.index), bisect_right(numbers, sec.index)
        part = scores.part(lo, hi)
        n_hits = len(hits[sec.index])
        n_cjk_own = n_cjk - n_cjk_quoted
        n_hits_own = sum(1 for h in hits[sec.index] if not index.in_spans(h.start))
        row = {
            "document": document, "section": sec.index, "heading": sec.heading, "start": sec.start, "end": sec.end,
            "n_chars": n_chars, "n_cjk": n_cjk, "n_sentences": hi - lo,
            "n_scored": n_scored[hi] - n_scored[lo],
            "framing_hits": n_hits, "framing_per_1k_cjk": per_1k(n_hits, n_cjk),
        }
        score_summary(row, summaries, part, second_scorer, document, sec.index)
        rows.append(own_voice_summary(row, summaries, part, n_hits_own, n_cjk_own, document, sec.index,
                                      n_scored_own=n_scored_own[hi] - n_scored_own[lo]))
    summaries.finish()
    return records(rows, columns("sections", second_scorer.name if second_scorer else None, neutral_band is not None))


def section_sizes(seg: Segmented, index: QuotedIndex) -> list[tuple[int, int, int]]:
    """Each section's characters, Han characters, and Han characters inside quoted spans, over its lines (heading
    included), the lines of every section counted at once."""
    lines = [sec.lines for sec in seg.sections]
    han, inside = index.counts([ln.start for ls in lines for ln in ls], [ln.end for ls in lines for ln in ls])
    out, k = [], 0
    for ls in lines:
        out.append((sum(ln.end - ln.start for ln in ls), sum(han[k:k + len(ls)]), sum(inside[k:k + len(ls)])))
        k += len(ls)
    return out


def trained_model(*scorers: Scorer | None) -> str | None:
    """The description of the trained sentiment model a SnowNLP scorer among `scorers` uses (None: SnowNLP's own)."""
    model = next((m for m in (getattr(s, "model", None) for s in scorers) if m is not None), None)
    return model.description if model is not None else None


def document_table(document: str, seg: Segmented, scores: Scores, sections: Rows,
                   second_scorer: Scorer | None = None, neutral_band: NeutralBand | None = None,
                   model: str | None = None) -> Rows:
    """documents.csv's row: the document's totals, score statistics over all its sentences, its metadata, and the
    trained model that scored (`model`, only when there is one)."""
    n_hits = sum(sections.column("framing_hits"))
    n_cjk = sum(sections.column("n_cjk"))
    row = {
        "document": document, "title": seg.title, "n_sections": len(seg.sections), "n_sentences": len(scores.sentiment),
        "n_scored": int(np.count_nonzero(~np.isnan(scores.sentiment))),
        "framing_hits": n_hits, "framing_per_1k_cjk": per_1k(n_hits, n_cjk),
        "n_chars": sum(sections.column("n_chars")), "n_cjk": n_cjk,
        "metadata": METADATA_SEPARATOR.join(m.text for m in seg.metadata), "sentiment_model": model,
    }
    summaries = Summaries()
    score_summary(row, summaries, scores, second_scorer, document, "document")
    own_voice_summary(row, summaries, scores, sum(sections.column("framing_hits_own")),
                      sum(sections.column("n_cjk_own")), document, "document")
    summaries.finish()
    return records([row], columns("documents", second_scorer.name if second_scorer else None,
                                  neutral_band is not None, model is not None))


def framing_table(document: str, hits: dict[int, list[Hit]], lexicon: Lexicon) -> Rows:
    """framing.csv's rows: hits per section, category and term, in section then lexicon order; a hit of an entry in
    several categories counts once in each."""
    counts: dict[tuple[int, str, str], int] = {}
    for sec, sec_hits in hits.items():
        for h in sec_hits:
            for category in h.entry.categories:
                key = (sec, category, h.entry.term)
                counts[key] = counts.get(key, 0) + 1
    order = _lexicon_order(lexicon)
    return tuples([(document, s, c, t, n) for (s, c, t), n in sorted(counts.items(),
                                                                    key=lambda kv: (kv[0][0], order[kv[0][1:]]))],
                  columns("framing"))


@lru_cache(maxsize=8)
def _lexicon_order(lexicon: Lexicon) -> dict[tuple[str, str], int]:
    """Each (category, term) of a lexicon → its place in the lexicon."""
    return {(c, e.term): i for i, e in enumerate(lexicon.entries) for c in e.categories}


def kwic_table(document: str, seg: Segmented, hits: dict[int, list[Hit]],
               placed: dict[int, list[int | None]], quoted: list[tuple[int, int]] | None = None) -> Rows:
    """kwic.csv's rows: every candidate (counted or not, with its status) with its sentence, offsets, context within
    its section and voice."""
    quoted = quoted or []
    ends = [b for _, b in quoted]  # in_spans, with the spans' ends listed once per document

    def voice(pos: int) -> str:
        k = bisect_right(ends, pos)
        return "quoted" if k < len(quoted) and quoted[k][0] <= pos else "own"

    rows = []  # one tuple a candidate, in the order of the table's columns
    for sec in seg.sections:
        lo, hi = sec.start, sec.end
        for h, i in zip(hits[sec.index], placed[sec.index], strict=True):
            left, right = kwic(seg.text, h, lo, hi)
            rows.append((document, sec.index, i, CATEGORY_SEPARATOR.join(h.entry.categories), h.entry.term, h.start,
                         h.end, left, h.match, right, h.status, voice(h.start)))
    return tuples(rows, columns("kwic"), {"sentence": "Int64"})


def concat_tables(parts: list[Tables]) -> Tables:
    """Stack per-document tables, sorted by document then position."""

    def cat(name: str) -> pd.DataFrame:
        frames = [getattr(p, name) for p in parts if len(getattr(p, name))]
        if not frames:
            return getattr(parts[0], name).iloc[0:0] if parts else pd.DataFrame(columns=columns(name))
        if len(frames) == 1 and _in_order(frames[0], SORT_KEYS[name]):  # one document's rows, as analyse_text
            return frames[0].reset_index(drop=True)  # lists them: sorting would keep them as they are
        df = pd.concat(frames, ignore_index=True)
        return df.sort_values(SORT_KEYS[name], kind="stable").reset_index(drop=True)

    return Tables(**{name: cat(name) for name in TABLE_FILES})


def _in_order(df: pd.DataFrame, keys: list[str]) -> bool:
    """Whether the rows of one document are already in the order of `keys` (document, then one position column)."""
    *first, last = keys
    return all(df[k].nunique(dropna=False) <= 1 for k in first) and df[last].is_monotonic_increasing
