"""Where each piece of a document lies, rebuilt from its tables: every offset in them points into the same normalised
text, so headings and hits can be put back in place without the text itself (the reading view, validation sheets)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Protocol

import pandas as pd

from ..errors import AnalysisError


class Span(Protocol):
    """Anything with offsets into the normalised text."""

    start: int
    end: int


def heading_starts(sections: pd.DataFrame, sentences: pd.DataFrame) -> dict[int, int]:
    """Offset of each section's heading text (the title for section 0), for one document.

    A section's `start` is the start of its heading line, which may begin with markdown `#` that the heading text
    lacks. The line's length is the section's `n_chars` minus its paragraphs' lengths (a paragraph runs from its
    first sentence's start to its last sentence's end), and the heading text is the line's tail.
    """
    spans = sentences.groupby(["section", "paragraph"]).agg(start=("start", "min"), end=("end", "max"))
    body = (spans["end"] - spans["start"]).groupby(level="section").sum()
    out = {}
    for row in sections.itertuples():
        heading = row.heading if isinstance(row.heading, str) else ""
        line = int(row.n_chars) - int(body.get(row.section, 0))
        if line < len(heading):
            raise AnalysisError(f"sections.csv and sentences.csv disagree about section {row.section} of "
                                f"{row.document!r}; regenerate both with `python -m analysis run`")
        out[int(row.section)] = int(row.start) + line - len(heading)
    return out


def overlapping(spans: list[Span], starts: list[int], ends: list[int], start: int, end: int) -> list[Span]:
    """The spans (sorted, not overlapping each other; `starts` and `ends` their offsets) that overlap [start, end)."""
    return spans[bisect_right(ends, start):bisect_left(starts, end)]
