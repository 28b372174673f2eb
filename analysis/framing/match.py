"""Framing terms: leftmost-longest, non-overlapping matching on a character-aligned Simplified copy, and KWIC."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..config import KWIC_WINDOW
from ..text.script import to_simplified_aligned
from ..text.segment import Segmented
from .lexicon import Entry, Lexicon


@dataclass(frozen=True)
class Hit:
    """One term found in the text: offsets into the normalised text and the lexicon entry."""

    start: int
    end: int
    entry: Entry
    match: str


class Matcher:
    """Compiled lexicon: one regex whose alternatives are sorted longest first, so each match is leftmost-longest."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.by_key = {to_simplified_aligned(e.term): e for e in lexicon.entries}
        keys = sorted(self.by_key, key=lambda k: (-len(k), k))
        self.pattern = re.compile("|".join(map(re.escape, keys)))

    def find(self, text: str, simplified: str, start: int, end: int) -> list[Hit]:
        """Hits inside text[start:end]; `simplified` is `to_simplified_aligned(text)`."""
        return [
            Hit(m.start(), m.end(), self.by_key[m.group()], text[m.start():m.end()])
            for m in self.pattern.finditer(simplified, start, end)
        ]


@lru_cache(maxsize=8)
def matcher_for(lexicon: Lexicon) -> Matcher:
    """The compiled matcher of a lexicon, built once per lexicon and process."""
    return Matcher(lexicon)


def find_hits(seg: Segmented, matcher: Matcher) -> dict[int, list[Hit]]:
    """Framing hits per section, headings and the title included, metadata excluded."""
    simplified = to_simplified_aligned(seg.text)
    return {
        sec.index: [h for line in sec.lines for h in matcher.find(seg.text, simplified, line.start, line.end)]
        for sec in seg.sections
    }


def kwic(text: str, hit: Hit, lo: int, hi: int, window: int = KWIC_WINDOW) -> tuple[str, str]:
    """Left and right context of a hit, `window` characters each, clipped to [lo, hi); line breaks shown as spaces."""
    left = text[max(lo, hit.start - window):hit.start]
    right = text[hit.end:min(hi, hit.end + window)]
    return left.replace("\n", " "), right.replace("\n", " ")
