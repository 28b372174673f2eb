"""Dates of documents, read tolerantly, and the calendar period (year, quarter, month) each falls in.

A date is read after Unicode NFKC normalisation (full-width digits become ASCII) and trimming, in one of these forms:

* ``2019`` — a year (precision: year);
* ``2019-06``, ``2019/06``, ``2019.06``, ``2019年6月`` — a month (precision: month);
* ``2019-06-19``, ``2019/6/19``, ``2019.06.19``, ``2019年6月19日`` — a day, optionally followed by a time
  (``2019-06-19T08:00:00+08:00``, ``2019-06-19 08:00``).

A date's period label sorts in time order: ``2019`` (year), ``2019-Q2`` (quarter), ``2019-06`` (month). A date more
coarse than the period asked for (a bare year grouped by month) has no period: an error, never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pandas as pd

from ..errors import AnalysisError

PERIODS = ("year", "quarter", "month")
#: How each form of date is written; a match gives (year, month or None, day or None).
_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})"),
    re.compile(r"(?P<y>\d{4})([-/.])(?P<m>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})([-/.])(?P<m>\d{1,2})\2(?P<d>\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
               r"(?:Z|[+-]\d{2}:?\d{2})?)?"),
    re.compile(r"(?P<y>\d{4})\s*年(?:\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*[日号號])?)?"),
)
#: The forms named in error messages.
DATE_EXAMPLES = "2019, 2019-06, 2019-06-19 or 2019年6月19日"


def parse_date(text: str) -> tuple[int, int | None, int | None]:
    """(year, month, day) of a date written in one of the forms of the module docstring; month and day None when
    the date does not give them. ValueError when the text is not such a date (or not a calendar date)."""
    value = unicodedata.normalize("NFKC", str(text)).strip()
    for form in _DATE_FORMS:
        m = form.fullmatch(value)
        if m is None:
            continue
        parts = m.groupdict()
        year, month, day = (int(parts[k]) if parts.get(k) else None for k in ("y", "m", "d"))
        dt.date(year, month or 1, day or 1)  # ValueError for month 13, 31 June, …
        return year, month, day
    raise ValueError(f"not a date: {text!r}")


def period_label(year: int, month: int | None, period: str) -> str:
    """The label of the period a date falls in: 2019 (year), 2019-Q2 (quarter), 2019-06 (month).
    ValueError when the period needs a month and the date has none."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    if period == "year":
        return f"{year:04d}"
    if month is None:
        raise ValueError("no month")
    return f"{year:04d}-Q{(month - 1) // 3 + 1}" if period == "quarter" else f"{year:04d}-{month:02d}"


def document_periods(documents: pd.DataFrame, column: str, period: str) -> pd.Series:
    """Per document (indexed by documents.csv's `document`), the period label of its date in `column`; <NA> for an
    empty cell. An unreadable date, or one too coarse for the period, is a one-line error naming the document."""
    if period not in PERIODS:
        raise AnalysisError(f"--period must be one of {', '.join(PERIODS)}, not {period!r}")
    labels = {}
    for doc, value in zip(documents["document"], documents[column], strict=True):
        if pd.isna(value) or not str(value).strip():
            labels[doc] = pd.NA
            continue
        try:
            year, month, _day = parse_date(value)
        except ValueError:
            raise AnalysisError(f"document {doc!r}: {column} {value!r} is not a date; write it as {DATE_EXAMPLES}"
                                ) from None
        try:
            labels[doc] = period_label(year, month, period)
        except ValueError:
            raise AnalysisError(f"document {doc!r}: {column} {value!r} gives only a year, not the month a {period} "
                                "needs; use --period year, or give the month") from None
    return pd.Series(labels, dtype="string", name=column).rename_axis("document")


def finest_period(documents: pd.DataFrame, column: str) -> str:
    """"month" when every date in `column` gives its month, else "year" (a bare year is never taken for a month);
    one-line error naming the first document whose date cannot be read."""
    document_periods(documents, column, "year")  # every date readable
    dated = documents[column].dropna().astype(str).str.strip()
    return "month" if all(parse_date(d)[1] is not None for d in dated if d) else "year"
