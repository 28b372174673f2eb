"""schema.py names every table's columns once; CODEBOOK.md documents exactly those columns, and the run writes them."""

from __future__ import annotations

import re

import pytest

from analysis import schema
from analysis.stats import association, differences, framing_effect, groups, keyness

from .conftest import ROOT

#: CODEBOOK.md heading (its start) → the columns it must document.
DOCUMENTED = {
    "## documents.csv": schema.DOCUMENT_COLUMNS,
    "## sections.csv": schema.SECTION_COLUMNS,
    "## sentences.csv": schema.SENTENCE_COLUMNS,
    "## framing.csv": schema.FRAMING_COLUMNS,
    "## kwic.csv": schema.KWIC_COLUMNS,
    "## failures.csv": schema.FAILURE_COLUMNS,
    "## warnings.csv": schema.WARNING_COLUMNS,
    "## Group comparisons": groups.GROUP_COLUMNS,
    "## Sentences with and without framing terms": framing_effect.COMPARISON_COLUMNS,
    "## keyness.csv": keyness.KEYNESS_COLUMNS,
    "## candidates.csv": association.SUGGEST_COLUMNS,
    "## differences.csv": differences.DIFFERENCE_COLUMNS,
    "## levels.csv": differences.LEVEL_COLUMNS,
    "## document_categories.csv": differences.DOCUMENT_CATEGORY_COLUMNS,
}


def codebook_columns(text: str, heading: str) -> list[str]:
    """The column names (in backticks) of the first `| column | meaning |` table after a heading of CODEBOOK.md."""
    start = next(i for i, line in enumerate(text.splitlines()) if line.startswith(heading))
    names, in_table = [], False
    for line in text.splitlines()[start + 1:]:
        if line.startswith("| column |"):
            in_table = True
        elif in_table and not line.startswith("|"):
            break
        elif in_table and not line.startswith("| ---"):
            names += re.findall(r"`([^`]+)`", line.split("|")[1])
    return names


def test_the_parser_reads_a_codebook_table():
    text = "## t.csv — x\n\nintro `not_me`\n\n| column | meaning |\n| --- | --- |\n| `a`, `b` | m `c` |\n| `d` | m |\n\n| x |\n"
    assert codebook_columns(text, "## t.csv") == ["a", "b", "d"]


@pytest.mark.parametrize("heading", DOCUMENTED)
def test_codebook_documents_exactly_the_columns_of_the_schema(heading):
    documented = codebook_columns((ROOT / "CODEBOOK.md").read_text(encoding="utf-8"), heading)
    optional = {c for cols in schema.second_columns("lexicon").values() for c in cols}
    optional |= {c for cols in schema.POLARITY_COLUMNS.values() for c in cols} | {schema.MODEL_COLUMN}
    standard = [c for c in documented if "…" not in c and c not in optional]
    assert len(standard) == len(set(standard)), f"{heading}: a column documented twice"
    assert set(standard) == set(DOCUMENTED[heading]), heading


def test_codebook_documents_a_second_scorers_columns_where_they_go():
    text = (ROOT / "CODEBOOK.md").read_text(encoding="utf-8")
    for table, cols in schema.second_columns("lexicon").items():
        documented = codebook_columns(text, f"## {schema.TABLE_FILES[table]}")
        assert cols[0] in documented and cols[-1] in documented, table
        after = schema.SECOND_AFTER[table]
        polarity = schema.POLARITY_COLUMNS.get(table, [])  # documented in the order columns() writes them
        assert documented.index(cols[0]) == documented.index(after) + 1 + len(polarity), (table, "right after", after)


def test_codebook_documents_the_optional_polarity_and_model_columns():
    text = (ROOT / "CODEBOOK.md").read_text(encoding="utf-8")
    for table, cols in schema.POLARITY_COLUMNS.items():
        documented = codebook_columns(text, f"## {schema.TABLE_FILES[table]}")
        assert set(cols) <= set(documented), table
    assert schema.MODEL_COLUMN in codebook_columns(text, "## documents.csv")


def test_a_second_scorer_inserts_its_columns_after_the_main_scorers():
    assert schema.columns("sentences", "snownlp-reference")[8:10] == ["sentiment", "sentiment_snownlp_reference"]
    sections = schema.columns("sections", "lexicon")
    i = sections.index("share_positive")
    assert sections[i + 1:i + 6] == ["sentiment_lexicon_mean", "sentiment_lexicon_median", "sentiment_lexicon_ci_low",
                                     "sentiment_lexicon_ci_high", "share_positive_lexicon"]
    assert schema.columns("kwic", "lexicon") == schema.KWIC_COLUMNS
    assert schema.columns("documents") == schema.DOCUMENT_COLUMNS and schema.columns("documents") is not schema.DOCUMENT_COLUMNS
