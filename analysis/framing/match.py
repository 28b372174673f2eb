"""Framing terms: leftmost-longest, non-overlapping matching on a character-aligned Simplified copy, the lexicon's
context rules (exclude phrases and patterns, word boundaries), and KWIC.

Every candidate is kept with a status: `counted`; `excluded` (inside one of its entry's `exclude` phrases, which are
matched leftmost-longest together with the terms, or covered by a match of one of its `exclude_regex` patterns);
`not_word` (its start or end falls inside a word of its Han run under jieba's dictionary plus every lexicon term, as
its entry's `boundary` asks: 國產 in 中國產品). Only counted hits enter the counts; kwic.csv keeps them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..config import KWIC_WINDOW
from ..text.script import to_simplified_aligned
from ..text.segment import Segmented
from ..text.words import WordSegmenter, han_run
from .lexicon import Entry, Lexicon

COUNTED, NOT_WORD, EXCLUDED = "counted", "not_word", "excluded"
#: The values of kwic.csv's `status`.
STATUSES = (COUNTED, NOT_WORD, EXCLUDED)


@dataclass(frozen=True)
class Hit:
    """One term found in the text: offsets into the normalised text, the lexicon entry, the text as found, its
    status, and for a hit that does not count the rule that says so (`rule`, for the reading view)."""

    start: int
    end: int
    entry: Entry
    match: str
    status: str = COUNTED
    rule: str = ""


@dataclass(frozen=True)
class _Key:
    """What an alternative of the pattern stands for: an entry's term, or one of its exclude phrases."""

    entry: Entry
    offset: int  # where the term starts inside the alternative
    length: int  # the term's length
    phrase: str = ""  # the exclude phrase as the lexicon writes it; "" for the term itself


class Matcher:
    """Compiled lexicon: one regex of every term and exclude phrase, longest first, so each match is
    leftmost-longest; the entries' exclude patterns; and the word segmenter of the boundary check."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.by_key: dict[str, _Key] = {}
        for e in lexicon.entries:
            key = to_simplified_aligned(e.term)
            self.by_key[key] = _Key(e, 0, len(key))
            for phrase in e.exclude:
                simple = to_simplified_aligned(phrase)
                self.by_key[simple] = _Key(e, simple.index(key), len(key), phrase)
        keys = sorted(self.by_key, key=lambda k: (-len(k), k))
        self.pattern = re.compile("|".join(map(re.escape, keys)))
        # patterns compared with the Simplified copy too: written in either script, they match either
        self.regexes = {e: [(p, re.compile(to_simplified_aligned(p))) for p in e.exclude_regex]
                        for e in lexicon.entries if e.exclude_regex}
        self.words = WordSegmenter(to_simplified_aligned(e.term) for e in lexicon.entries)

    def find(self, text: str, simplified: str, start: int, end: int) -> list[Hit]:
        """Every candidate inside text[start:end] (one line), with its status; `simplified` is
        `to_simplified_aligned(text)`."""
        hits = []
        spans: dict[re.Pattern, list[tuple[int, int]]] = {}  # each exclude pattern's matches in this line, once
        for m in self.pattern.finditer(simplified, start, end):
            key = self.by_key[m.group()]
            a = m.start() + key.offset
            b = a + key.length
            status, rule = self.status(simplified, a, b, key, start, end, spans)
            hits.append(Hit(a, b, key.entry, text[a:b], status, rule))
        return hits

    def status(self, simplified: str, a: int, b: int, key: _Key, lo: int, hi: int,
               spans: dict[re.Pattern, list[tuple[int, int]]] | None = None) -> tuple[str, str]:
        """The status of the candidate simplified[a:b] of a line [lo, hi), and the rule behind it (`spans`: the
        exclude patterns' matches in the line found so far, kept for the line's next candidates)."""
        entry = key.entry
        if key.phrase:
            return EXCLUDED, f"exclude: {key.phrase}"
        spans = {} if spans is None else spans
        for written, rx in self.regexes.get(entry, ()):
            if rx not in spans:
                spans[rx] = [m.span() for m in rx.finditer(simplified, lo, hi)]
            if any(s <= a and b <= e for s, e in spans[rx]):
                return EXCLUDED, f"exclude_regex: {written}"
        if entry.boundary != "none" and latin_run_on(simplified, a, b, lo, hi, entry.boundary):
            return NOT_WORD, f"boundary: {entry.boundary} (Latin letters or digits run on)"
        if entry.boundary != "none":
            starts, ends = self.words.edges(simplified, a, b, lo, hi)
            if not starts or (entry.boundary == "word" and not ends):
                run_a, run_b = han_run(simplified, a, b, lo, hi)
                tokens = "/".join(self.words.tokens(simplified[run_a:run_b]))
                return NOT_WORD, f"boundary: {entry.boundary} ({tokens})"
        return COUNTED, ""


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def latin_run_on(text: str, a: int, b: int, lo: int, hi: int, boundary: str) -> bool:
    """Whether a match text[a:b] that starts (or, for `boundary` word, ends) with a Latin letter or digit runs on
    into one: a Latin-script term counts only as a whole word (`word`) or at the start of one (`prefix`, a dictionary's
    `term*`). Han characters are left to the word segmenter."""
    if _latin(text[a]) and a > lo and _latin(text[a - 1]):
        return True
    return boundary == "word" and _latin(text[b - 1]) and b < hi and _latin(text[b])


@lru_cache(maxsize=8)
def matcher_for(lexicon: Lexicon) -> Matcher:
    """The compiled matcher of a lexicon, built once per lexicon and process."""
    return Matcher(lexicon)


def find_hits(seg: Segmented, matcher: Matcher, simplified: str | None = None) -> dict[int, list[Hit]]:
    """Framing candidates per section, every status, headings and the title included, metadata excluded;
    `simplified` is `to_simplified_aligned(seg.text)` when the caller has it."""
    simplified = to_simplified_aligned(seg.text) if simplified is None else simplified
    return {
        sec.index: [h for line in sec.lines for h in matcher.find(seg.text, simplified, line.start, line.end)]
        for sec in seg.sections
    }


def kwic(text: str, hit: Hit, lo: int, hi: int, window: int = KWIC_WINDOW) -> tuple[str, str]:
    """Left and right context of a hit, `window` characters each, clipped to [lo, hi); line breaks shown as spaces."""
    left = text[max(lo, hit.start - window):hit.start]
    right = text[hit.end:min(hi, hit.end + window)]
    return left.replace("\n", " "), right.replace("\n", " ")
