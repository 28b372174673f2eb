"""The section summary rounded for a report: sections.md (Markdown) and sections.tex (LaTeX, booktabs)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from .config import BOOTSTRAP_RESAMPLES

REPORT_FILES = ("sections.md", "sections.tex")
MISSING = "–"
CAPTION = (
    "Sentence sentiment and framing terms by section. n: sentences scored; mean, median: of the sentences' "
    "SnowNLP P(positive) (converter in manifest.json); 95% CI: percentile bootstrap of the mean over sentences "
    f"({BOOTSTRAP_RESAMPLES:,} resamples); share above 0.5: of sentences; framing hits, also "
    "per 1,000 CJK characters. Section 0 is the lead."
)
#: Column title → alignment ('l' text, 'r' number) of the report table.
ALIGN = {"document": "l", "section": "r", "heading": "l", "n": "r", "mean": "r", "95% CI": "r", "median": "r",
         "share above 0.5": "r", "framing hits": "r", "hits per 1k CJK": "r"}


def _num(x: float, digits: int) -> str:
    return MISSING if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def section_report(sections: pd.DataFrame, digits: int = 2) -> pd.DataFrame:
    """sections.csv as text for a report: scores rounded to `digits`, the CI as [low, high], NaN as a dash.

    The document column is kept only when the table holds more than one document.
    """
    rows = []
    for r in sections.sort_values(["document", "section"], kind="stable").itertuples():
        ci = (MISSING if math.isnan(r.sentiment_ci_low)
              else f"[{r.sentiment_ci_low:.{digits}f}, {r.sentiment_ci_high:.{digits}f}]")
        rows.append({
            "document": r.document, "section": str(r.section),
            "heading": r.heading if isinstance(r.heading, str) else "",
            "n": str(r.n_scored), "mean": _num(r.sentiment_mean, digits), "95% CI": ci,
            "median": _num(r.sentiment_median, digits), "share above 0.5": _num(r.share_positive, digits),
            "framing hits": str(r.framing_hits), "hits per 1k CJK": _num(r.framing_per_1k_cjk, 1),
        })
    df = pd.DataFrame(rows, columns=list(ALIGN))
    return df if df["document"].nunique() > 1 else df.drop(columns="document")


def to_markdown(report: pd.DataFrame, caption: str = CAPTION) -> str:
    """A GitHub-flavoured Markdown table (pipes in cells escaped), preceded by its caption."""

    def cells(values: list[str]) -> str:
        return "| " + " | ".join(str(v).replace("|", "\\|").replace("\n", " ") for v in values) + " |"

    rule = "| " + " | ".join("---:" if ALIGN[c] == "r" else "---" for c in report.columns) + " |"
    lines = [caption, "", cells(list(report.columns)), rule, *(cells(list(r)) for r in report.itertuples(index=False))]
    return "\n".join(lines) + "\n"


def to_latex(report: pd.DataFrame, caption: str = CAPTION, label: str = "tab:sections") -> str:
    """A LaTeX table (booktabs; escaped). Chinese headings need XeLaTeX or LuaLaTeX with xeCJK or ctex."""
    return report.to_latex(index=False, escape=True, caption=caption, label=label,
                           column_format="".join(ALIGN[c] for c in report.columns))


def write_section_reports(sections: pd.DataFrame, folder: Path) -> None:
    """Write sections.md and sections.tex (UTF-8, LF) into folder."""
    report = section_report(sections)
    for name, text in (("sections.md", to_markdown(report)), ("sections.tex", to_latex(report))):
        with open(folder / name, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
