"""Looking up any string in a finished run (`python -m analysis kwic`): every occurrence, in either script, in the
titles, headings and body sentences, as kwic.csv rows (category empty, status `query`).

A run keeps no copy of its texts beyond the sentences and headings, so each section is rebuilt from them at their
offsets (what lies between them, white space and a heading's markdown marks, becomes spaces): the offsets, the
sentence and the voice of a hit are the ones `run` gives a lexicon hit there, and the context (`KWIC_WINDOW`
characters each side, within the section, line breaks as spaces) differs only where the text had other white space
or markdown marks.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import pandas as pd

from ..config import KWIC_WINDOW
from ..errors import AnalysisError
from ..schema import KWIC_COLUMNS, QUERY_STATUS
from ..text.script import to_simplified_aligned
from ..text.voice import default_reader, in_spans


@dataclass(frozen=True)
class Line:
    """A heading (sentence None) or a paragraph (its sentences' numbers and starts) at `start` in the document."""

    start: int
    text: str
    sentences: tuple[int, ...] = ()
    starts: tuple[int, ...] = ()


def section_lines(heading: str, heading_start: int | None, sentences: pd.DataFrame) -> list[Line]:
    """The lines of one section: its heading (if any) and each paragraph rebuilt from its sentences."""
    lines = [Line(heading_start, heading)] if heading and heading_start is not None else []
    for _, para in sentences.sort_values("start").groupby("paragraph", sort=True):
        start, end = int(para["start"].min()), int(para["end"].max())
        buf = [" "] * (end - start)
        for s, text in zip(para["start"], para["text"], strict=True):
            buf[int(s) - start:int(s) - start + len(text)] = list(text)
        lines.append(Line(start, "".join(buf), tuple(int(x) for x in para["sentence"]),
                          tuple(int(x) for x in para["start"])))
    return sorted(lines, key=lambda line: line.start)


def _section_text(lines: list[Line]) -> tuple[int, str]:
    """The section rebuilt from its lines (gaps and line breaks as spaces), and its start in the document."""
    lo, hi = lines[0].start, max(line.start + len(line.text) for line in lines)
    buf = [" "] * (hi - lo)
    for line in lines:
        buf[line.start - lo:line.start - lo + len(line.text)] = list(line.text.replace("\n", " "))
    return lo, "".join(buf)


def find_in_section(document: str, section: int, lines: list[Line], queries: list[str]) -> list[dict]:
    """kwic.csv rows of every non-overlapping occurrence of each query (compared through the Simplified copy)."""
    rows = []
    reader = default_reader()
    lo, text = _section_text(lines) if lines else (0, "")
    for line in lines:
        simplified = to_simplified_aligned(line.text)
        quoted = reader.quoted(simplified)
        for query in queries:
            key, pos = to_simplified_aligned(query), 0
            while (i := simplified.find(key, pos)) >= 0:
                pos = i + len(key)
                a, b = line.start + i, line.start + pos
                sentence = line.sentences[bisect_right(line.starts, a) - 1] if line.sentences else None
                left, right = text[max(0, a - lo - KWIC_WINDOW):a - lo], text[b - lo:b - lo + KWIC_WINDOW]
                rows.append({"document": document, "section": section, "sentence": sentence, "category": "",
                             "term": query, "start": a, "end": b, "left": left, "match": line.text[i:pos],
                             "right": right, "status": QUERY_STATUS,
                             "voice": "quoted" if in_spans(quoted, i) else "own"})
    return rows


def check_queries(queries: list[str]) -> list[str]:
    """The queries, each non-empty and on one line."""
    for q in queries:
        if not q.strip() or "\n" in q or "\r" in q:
            raise AnalysisError(f"query {q!r} is empty or has a line break; give text on one line")
    return list(dict.fromkeys(queries))


def kwic_table(rows: list[dict]) -> pd.DataFrame:
    """The rows as kwic.csv, sorted by document, start and query."""
    df = pd.DataFrame(rows, columns=KWIC_COLUMNS).astype({"sentence": "Int64"})
    return df.sort_values(["document", "start", "term"], kind="stable").reset_index(drop=True)
