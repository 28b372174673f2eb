"""The section summary rounded for a report: sections.md (Markdown) and sections.tex (LaTeX, booktabs).

Both are written row by row (`write_section_reports` streams sections.csv in chunks), so a corpus of any size is
summarised in bounded memory; the LaTeX escaping follows pandas' `to_latex(escape=True)` (tested against it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..config import BOOTSTRAP_RESAMPLES
from ..io.tables import read_table_chunks
from ..schema import REPORT_FILES

MISSING = "–"


def caption(score_label: str = "SnowNLP P(positive)") -> str:
    """The tables' caption; `score_label` names the score (`style.score_label`: the trained model, if any)."""
    return ("Sentence sentiment and framing terms by section. n: sentences scored; mean, median: of the sentences' "
            f"{score_label} (converter in manifest.json); 95% CI: percentile bootstrap of the mean over sentences "
            f"({BOOTSTRAP_RESAMPLES:,} resamples); share above 0.5: of sentences; framing hits, also "
            "per 1,000 CJK characters. Section 0 is the lead.")


CAPTION = caption()
LABEL = "tab:sections"
#: Column title → alignment ('l' text, 'r' number) of the report table.
ALIGN = {"document": "l", "section": "r", "heading": "l", "n": "r", "mean": "r", "95% CI": "r", "median": "r",
         "share above 0.5": "r", "framing hits": "r", "hits per 1k CJK": "r"}
#: Rows of sections.csv read at a time when writing the reports.
CHUNK_ROWS = 20_000


def number(x: object, digits: int = 2) -> str:
    """A number rounded to `digits` decimals for a reader; a dash when it is missing (None or NaN)."""
    return MISSING if x is None or (isinstance(x, float) and math.isnan(x)) else f"{float(x):.{digits}f}"


def section_report(sections: pd.DataFrame, digits: int = 2, document: bool | None = None) -> pd.DataFrame:
    """sections.csv as text for a report: scores rounded to `digits`, the CI as [low, high], NaN as a dash.

    The document column is kept when `document` is true; by default only when the table holds several documents.
    """
    df = pd.DataFrame(report_rows(sections, digits), columns=list(ALIGN))
    keep = df["document"].nunique() > 1 if document is None else document
    return df if keep else df.drop(columns="document")


#: The columns of sections.csv a report reads, in the order `report_rows` reads them.
REPORT_SOURCE = ("document", "section", "heading", "n_scored", "sentiment_mean", "sentiment_ci_low",
                 "sentiment_ci_high", "sentiment_median", "share_positive", "framing_hits", "framing_per_1k_cjk")


def report_rows(sections: pd.DataFrame, digits: int = 2) -> list[tuple[str, ...]]:
    """The cells of `section_report`'s rows (every column of ALIGN), sorted by document and section: each column read
    once as a list, no row built as a Series."""
    sections = sections.sort_values(["document", "section"], kind="stable")
    rows = []
    for doc, sec, heading, n, mean, low, high, med, share, hits, per_1k in zip(
            *(sections[c].tolist() for c in REPORT_SOURCE), strict=True):
        ci = MISSING if math.isnan(low) else f"[{low:.{digits}f}, {high:.{digits}f}]"
        rows.append((doc, str(sec), heading if isinstance(heading, str) else "", str(n), number(mean, digits), ci,
                     number(med, digits), number(share, digits), str(hits), number(per_1k, 1)))
    return rows


def _md_row(values: Iterable[object]) -> str:
    return "| " + " | ".join(str(v).replace("|", "\\|").replace("\n", " ") for v in values) + " |\n"


def _md_head(columns: list[str], caption: str) -> str:
    rule = "| " + " | ".join("---:" if ALIGN[c] == "r" else "---" for c in columns) + " |\n"
    return f"{caption}\n\n{_md_row(columns)}{rule}"


_LATEX_SPECIAL = re.compile(r"([\\~^])( ?)|([&%$#_{}])")
_LATEX_WORD = {"\\": "\\textbackslash ", "~": "\\textasciitilde ", "^": "\\textasciicircum "}


def escape_latex(text: str) -> str:
    r"""Text safe in LaTeX, as pandas escapes it: & % $ # _ { } prefixed with \, and \ ~ ^ spelt as commands."""

    def one(m: re.Match) -> str:
        if m.group(3):
            return "\\" + m.group(3)
        return _LATEX_WORD[m.group(1)] + ("\\space " if m.group(2) else "")  # a command word eats the space

    return _LATEX_SPECIAL.sub(one, text)


def _tex_row(values: Iterable[object]) -> str:
    return " & ".join(escape_latex(str(v)) for v in values) + " \\\\\n"


def _tex_head(columns: list[str], caption: str, label: str) -> str:
    return (f"\\begin{{table}}\n\\caption{{{escape_latex(caption)}}}\n\\label{{{label}}}\n"
            f"\\begin{{tabular}}{{{''.join(ALIGN[c] for c in columns)}}}\n\\toprule\n{_tex_row(columns)}\\midrule\n")


_TEX_FOOT = "\\bottomrule\n\\end{tabular}\n\\end{table}\n"


def to_markdown(report: pd.DataFrame, caption: str = CAPTION) -> str:
    """A GitHub-flavoured Markdown table (pipes in cells escaped), preceded by its caption."""
    columns = list(map(str, report.columns))
    return _md_head(columns, caption) + "".join(_md_row(r) for r in report.itertuples(index=False))


def to_latex(report: pd.DataFrame, caption: str = CAPTION, label: str = LABEL) -> str:
    """A LaTeX table (booktabs; escaped). Chinese headings need XeLaTeX or LuaLaTeX with xeCJK or ctex."""
    columns = list(map(str, report.columns))
    return _tex_head(columns, caption, label) + "".join(_tex_row(r) for r in report.itertuples(index=False)) + _TEX_FOOT


def write_section_reports(sections_csv: Path, folder: Path, documents: int, text: str = CAPTION) -> None:
    """Write sections.md and sections.tex (UTF-8, LF) into folder from sections.csv (sorted by document, section).

    `documents`: how many documents the table holds; the document column is shown when there are several.
    `text`: the caption (`caption(label)` names the score).
    """
    columns = [c for c in ALIGN if c != "document" or documents > 1]
    md_file, tex_file = REPORT_FILES
    with open(folder / md_file, "w", encoding="utf-8", newline="\n") as md, \
            open(folder / tex_file, "w", encoding="utf-8", newline="\n") as tex:
        md.write(_md_head(columns, text))
        tex.write(_tex_head(columns, text, LABEL))
        for chunk in read_table_chunks(sections_csv, CHUNK_ROWS):
            for doc, *cells in report_rows(chunk):
                md.write(_md_row_fast(doc, cells, documents > 1))
                tex.write(_tex_row_fast(doc, cells, documents > 1))
        tex.write(_TEX_FOOT)


#: Where the heading is among a report row's cells after the document; the other cells are numbers, ranks and
#: dashes (digits, `.`, `-`, `–`, `[`, `]`, `,`, space, `inf`), which neither Markdown nor LaTeX escaping changes.
_HEADING = 1


def _md_row_fast(doc: str, cells: list[str], with_document: bool) -> str:
    """`_md_row` of a report row (its document cell first when `with_document`), escaping only its text cells."""
    cells = cells.copy()
    cells[_HEADING] = cells[_HEADING].replace("|", "\\|").replace("\n", " ")
    if with_document:
        cells.insert(0, doc.replace("|", "\\|").replace("\n", " "))
    return "| " + " | ".join(cells) + " |\n"


def _tex_row_fast(doc: str, cells: list[str], with_document: bool) -> str:
    """`_tex_row` of a report row (its document cell first when `with_document`), escaping only its text cells."""
    cells = cells.copy()
    cells[_HEADING] = escape_latex(cells[_HEADING])
    if with_document:
        cells.insert(0, escape_latex(doc))
    return " & ".join(cells) + " \\\\\n"
