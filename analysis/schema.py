"""Every table a run writes: its file name and its columns, defined once (CODEBOOK.md documents them; a test checks
that the two agree), and `Tables`, the five tables of one document or of a run as DataFrames."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

#: The outlet's own voice (text/voice.py: not quoted speech): sentiment of its sentences, its framing hits and density.
OWN_VOICE_COLUMNS = [
    "n_scored_own", "sentiment_mean_own", "sentiment_ci_low_own", "sentiment_ci_high_own", "framing_hits_own",
    "n_cjk_own", "framing_per_1k_cjk_own",
]
DOCUMENT_COLUMNS = [
    "document", "title", "n_sections", "n_sentences", "n_scored", "sentiment_mean", "sentiment_median",
    "sentiment_ci_low", "sentiment_ci_high", "share_positive", "framing_hits", "framing_per_1k_cjk",
    "n_chars", "n_cjk", *OWN_VOICE_COLUMNS, "metadata",
]
SECTION_COLUMNS = [
    "document", "section", "heading", "start", "end", "n_chars", "n_cjk", "n_sentences", "n_scored",
    "sentiment_mean", "sentiment_median", "sentiment_ci_low", "sentiment_ci_high", "share_positive",
    "framing_hits", "framing_per_1k_cjk", *OWN_VOICE_COLUMNS,
]
SENTENCE_COLUMNS = [
    "document", "section", "paragraph", "sentence", "start", "end", "text", "text_scored", "sentiment", "framing_hits",
    "voice",
]
FRAMING_COLUMNS = ["document", "section", "category", "term", "count"]
KWIC_COLUMNS = ["document", "section", "sentence", "category", "term", "start", "end", "left", "match", "right",
                "status", "voice"]
#: Values of `voice` (sentences.csv, kwic.csv) and of kwic.csv's `status` (framing/match.py).
VOICES = ("own", "quoted")
#: kwic.csv's `category` of a hit of an entry in several categories: its categories joined by this, in lexicon order
#: (one row per matched span, so that counted rows are the hits `framing_hits` counts).
CATEGORY_SEPARATOR = "|"
#: `status` of the rows `python -m analysis kwic` writes: a searched string, not a lexicon term.
QUERY_STATUS = "query"
#: Keyness of terms in one group of documents against the rest (`python -m analysis keyness`: keyness.csv).
KEYNESS_FILE = "keyness.csv"

#: The five tables of a run: attribute of `Tables` → file name.
TABLE_FILES = {
    "documents": "documents.csv",
    "sections": "sections.csv",
    "sentences": "sentences.csv",
    "framing": "framing.csv",
    "kwic": "kwic.csv",
}
#: Each table's columns (without a second scorer's and without metadata), by the attribute name.
COLUMNS = {"documents": DOCUMENT_COLUMNS, "sections": SECTION_COLUMNS, "sentences": SENTENCE_COLUMNS,
           "framing": FRAMING_COLUMNS, "kwic": KWIC_COLUMNS}
#: The columns each table's rows are sorted by.
SORT_KEYS = {"documents": ["document"], "sections": ["document", "section"], "sentences": ["document", "sentence"],
             "framing": ["document", "section"], "kwic": ["document", "start"]}
#: Where a second scorer's columns go: after this column of each table that has them.
SECOND_AFTER = {"sentences": "sentiment", "sections": "share_positive", "documents": "share_positive"}
#: Columns `--neutral-band` adds, per table, at the same place (before a second scorer's): the main score's polarity.
POLARITY_COLUMNS = {"sentences": ["polarity"],
                    "sections": ["share_polarity_negative", "share_polarity_neutral", "share_polarity_positive"],
                    "documents": ["share_polarity_negative", "share_polarity_neutral", "share_polarity_positive"]}

FAILURES_FILE = "failures.csv"
FAILURE_COLUMNS = ["document", "file", "reason"]
WARNINGS_FILE = "warnings.csv"
WARNING_COLUMNS = ["document", "kind", "message"]
MANIFEST_FILE = "manifest.json"
REPORT_FILES = ("sections.md", "sections.tex")
#: Every file a run writes into its output folder.
RUN_FILES = {*TABLE_FILES.values(), FAILURES_FILE, WARNINGS_FILE, MANIFEST_FILE, *REPORT_FILES}

#: Metadata columns appear in documents.csv with this prefix (`outlet` → `meta_outlet`), after the columns above.
META_PREFIX = "meta_"
#: Separator between metadata items (bylines, datelines, credits) in documents.csv's `metadata`.
METADATA_SEPARATOR = " | "
#: Columns read back as text whatever they look like (a document id "001" must not become 1); `meta_…` too.
TEXT_COLUMNS = ("document", "title", "heading", "text", "text_scored", "category", "term", "left", "match",
                "right", "metadata", "status", "voice", "polarity", "sentiment_model",
                "model_sha256")  # model_sha256: a hex digest may read as a number, and an empty one as a float NaN


def second_columns(name: str) -> dict[str, list[str]]:
    """Columns a second scorer adds (`--second-scorer NAME`), per table: sentiment_NAME, …, share_positive_NAME."""
    key = name.replace("-", "_")
    stats = [f"sentiment_{key}_{s}" for s in ("mean", "median", "ci_low", "ci_high")] + [f"share_positive_{key}"]
    return {"sentences": [f"sentiment_{key}"], "sections": stats, "documents": stats}


#: The column a run scored with a trained sentiment model (`--sentiment-model`) adds to documents.csv, at its end.
MODEL_COLUMN = "sentiment_model"


def columns(table: str, second_scorer: str | None = None, polarity: bool = False, model: bool = False) -> list[str]:
    """A table's columns, with the polarity columns (`polarity`) and a second scorer's (if any) after `sentiment` or
    `share_positive`, and with a trained model (`model`) documents.csv's `sentiment_model` last."""
    base = COLUMNS[table] + ([MODEL_COLUMN] if model and table == "documents" else [])
    extra = POLARITY_COLUMNS.get(table, []) if polarity else []
    extra = extra + (second_columns(second_scorer).get(table, []) if second_scorer else [])
    if not extra:
        return list(base)
    i = base.index(SECOND_AFTER[table]) + 1
    return base[:i] + extra + base[i:]


@dataclass
class Tables:
    """The tables of one document or of a run, as DataFrames with the columns above."""

    documents: pd.DataFrame
    sections: pd.DataFrame
    sentences: pd.DataFrame
    framing: pd.DataFrame
    kwic: pd.DataFrame


@dataclass
class Rows:
    """One table's rows of one document as plain columns, `name → values` in `names` order (a value that is not a
    list is the same in every row: the document id): what a run writes as CSV without building a DataFrame, and what
    `frame` turns into the DataFrame of `Tables`."""

    names: list[str]
    data: dict[str, object]
    dtypes: dict[str, object] = field(default_factory=dict)  # pandas dtypes given explicitly (the others inferred)
    records: bool = False  # built from row records: no rows is pandas' empty frame of these columns, of no dtype

    def __len__(self) -> int:  # noqa: D105
        return next((len(v) for v in self.data.values() if isinstance(v, list)), 0)

    def column(self, name: str) -> list:
        """A column's values, one per row."""
        v = self.data[name]
        return v if isinstance(v, list) else [v] * len(self)

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (the columns' dtypes inferred by pandas unless given in `dtypes`)."""
        if self.records and not len(self):
            return pd.DataFrame([], columns=self.names).astype(self.dtypes)
        return pd.DataFrame({n: pd.Series(self.data[n], dtype=self.dtypes[n]) if n in self.dtypes else self.data[n]
                             for n in self.names}, columns=self.names)


def records(rows: list[dict], names: list[str], dtypes: dict[str, object] | None = None) -> Rows:
    """Rows from one dict per row (a key a row lacks is None)."""
    return Rows(names, {n: [r.get(n) for r in rows] for n in names}, dtypes or {}, records=True)


def tuples(rows: list[tuple], names: list[str], dtypes: dict[str, object] | None = None) -> Rows:
    """Rows from one tuple per row, its values in the order of `names`."""
    data = dict(zip(names, map(list, zip(*rows, strict=True)), strict=True)) if rows else {n: [] for n in names}
    return Rows(names, data, dtypes or {}, records=True)
