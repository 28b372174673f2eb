"""Drawing a validation sample from the tables of a finished run: the units, their strata, the draw and its record.

A unit is a body sentence with a score (`--unit sentences`) or a framing hit, one row of kwic.csv (`--unit kwic`):
by default only hits that count (`status` counted); `--include-uncounted` adds those the lexicon's rules set aside.
Its id is short and stable: the same unit gets the same id whatever sample it is drawn in (see `unit_id`).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..io.tables import RunTables
from ..present.layout import heading_starts
from ..schema import META_PREFIX
from .design import Allocation, allocate, draw

log = logging.getLogger(__name__)

UNITS = ("sentences", "kwic")
#: The default seed of `validate sample` (the day issue 14 was written; any fixed number would do).
DEFAULT_SEED = 20260214
DEFAULT_N = 300
#: For KWIC samples stratified by term: at least min(KWIC_MIN_PER_TERM, hits of the term) per term.
KWIC_MIN_PER_TERM = 5
#: Allowed codes, canonical spelling, in the order of the keys 1, 2, 3 of the coding page.
CODES = {"sentences": ("negative", "neutral", "positive"), "kwic": ("yes", "no", "unsure")}
NONE_LEVEL = "(none)"
SENTENCE_KEY = ["unit", "kind", "document", "sentence", "start", "end", "text", "text_scored"]
KWIC_EXTRA = ["term", "category", "match", "left", "right", "status", "voice"]
#: The kwic.csv statuses a KWIC sample draws from by default: the hits the counts are made of.
COUNTED_STATUSES = ("counted",)


def unit_id(kind: str, document: str, start: int, end: int, category: str = "", term: str = "") -> str:
    """The unit's id: `s`/`k` + the first 10 hex digits of sha256 over its document, offsets (and category, term)."""
    parts = [document, str(int(start)), str(int(end))] + ([category, term] if kind == "kwic" else [])
    return ("k" if kind == "kwic" else "s") + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:10]


def scorer_columns(sentences: pd.DataFrame) -> list[str]:
    """The score columns of a run: `sentiment` (the main scorer) and every `sentiment_NAME` (second scorers)."""
    return [c for c in sentences.columns if c == "sentiment" or c.startswith("sentiment_")]


def _meta(documents: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in documents.columns if c.startswith(META_PREFIX)]
    return documents[["document", *cols]].drop_duplicates("document")


def sentence_units(run: RunTables) -> pd.DataFrame:
    """Every body sentence with a score of the main scorer, in document order, with the run's scores and metadata."""
    s = run.sentences[run.sentences["sentiment"].notna()].copy()
    s["kind"] = "sentence"
    s["unit"] = [unit_id("sentence", d, a, b) for d, a, b in zip(s["document"], s["start"], s["end"], strict=True)]
    s["text_start"] = s["start"]
    s = s.merge(_meta(run.documents), on="document", how="left", validate="many_to_one")
    return s.sort_values(["document", "start", "end"], kind="stable").reset_index(drop=True)


def _heading_texts(run: RunTables) -> pd.DataFrame:
    """Per document and section the heading text and its offset (for hits in titles and headings)."""
    rows = []
    sentences = dict(tuple(run.sentences.groupby("document", sort=False)))
    empty = run.sentences.iloc[:0]
    for doc, sec in run.sections.groupby("document", sort=False):
        starts = heading_starts(sec, sentences.get(doc, empty))
        for r in sec.itertuples():
            heading = r.heading if isinstance(r.heading, str) else ""
            rows.append((doc, int(r.section), heading, starts[int(r.section)]))
    return pd.DataFrame(rows, columns=["document", "section", "heading", "heading_start"])


def kwic_units(run: RunTables, statuses: tuple[str, ...] | None = COUNTED_STATUSES) -> pd.DataFrame:
    """Every framing hit (row of kwic.csv) of the given statuses (None: all) with the text it lies in: its
    sentence, or the title or heading.

    `sentence`, `text_scored` and the scores are empty for a hit in a title or heading (those are not scored);
    `text_start` is the offset of `text` in the document, so the match is text[start - text_start : end - text_start].
    """
    k = run.kwic if statuses is None else run.kwic[run.kwic["status"].isin(statuses)]
    k = k.reset_index(drop=True)
    k["kind"] = "kwic"
    k["unit"] = [unit_id("kwic", d, a, b, c, t) for d, a, b, c, t in
                 zip(k["document"], k["start"], k["end"], k["category"], k["term"], strict=True)]
    scores = scorer_columns(run.sentences)
    sen = run.sentences[["document", "sentence", "start", "text", "text_scored", *scores]].rename(
        columns={"start": "text_start"})
    k["sentence"] = k["sentence"].astype("Int64")
    k = k.merge(sen.astype({"sentence": "Int64"}), on=["document", "sentence"], how="left", validate="many_to_one")
    heads = k["sentence"].isna()
    if heads.any():
        h = k.loc[heads, ["document", "section"]].merge(_heading_texts(run), on=["document", "section"], how="left")
        k.loc[heads, "text"] = h["heading"].to_numpy()
        k.loc[heads, "text_start"] = h["heading_start"].to_numpy()
    k["text_start"] = k["text_start"].astype("int64")
    for r in k.itertuples():
        a = int(r.start) - int(r.text_start)
        if not isinstance(r.text, str) or r.text[a:a + len(r.match)] != r.match:
            raise AnalysisError(f"kwic.csv says {r.match!r} is at {r.start}–{r.end} of {r.document!r}, but its "
                                "sentence or heading has other text there; the tables are from different runs: "
                                "regenerate them with `python -m analysis run`")
    k = k.merge(_meta(run.documents), on="document", how="left", validate="many_to_one")
    return k.sort_values(["document", "start", "end", "category", "term"], kind="stable").reset_index(drop=True)


def stratum_column(units: pd.DataFrame, source: pd.DataFrame, documents: pd.DataFrame, unit: str,
                   stratify: str | None) -> str | None:
    """The column to stratify by: the default for the unit, None for `none`, or the one named (checked)."""
    if stratify is None:
        return "document" if unit == "sentences" else "term"
    if stratify == "none":
        return None
    if stratify in source.columns:
        return stratify
    meta = stratify if stratify.startswith("meta_") else f"meta_{stratify}"
    if meta in documents.columns:
        return meta
    table = "sentences.csv" if unit == "sentences" else "kwic.csv"
    own = ", ".join(source.columns)
    metas = ", ".join(c.removeprefix("meta_") for c in documents.columns if c.startswith("meta_")) or "none"
    raise AnalysisError(f"unknown --stratify column {stratify!r}: give a column of {table} ({own}), a metadata "
                        f"column of documents.csv ({metas}), or none")


def _levels(values: pd.Series) -> pd.Series:
    """Stratum levels as text: integers without a decimal point, empty values as '(none)'."""
    def text(v: object) -> str:
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return NONE_LEVEL
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return pd.Series([text(v) for v in values], index=values.index, dtype=object)


@dataclass
class Sample:
    """A drawn sample: the key rows (sample.csv), the record (sample.json) and the seeded order of the sheet."""

    key: pd.DataFrame
    record: dict
    order: list[str]
    units: pd.DataFrame  # the drawn rows with helper columns (text_start) for the sheets


def _population(run: RunTables, unit: str, uncounted: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every unit a sample of this kind can draw, and the table its own columns come from; an error when none."""
    if unit == "sentences":
        units, source = sentence_units(run), run.sentences
        if units.empty:
            raise AnalysisError(f"the run in {run.folder} has no scored sentence to sample; analyse articles with "
                                "Chinese text first")
    else:
        units, source = kwic_units(run, None if uncounted else COUNTED_STATUSES), run.kwic
        if units.empty:
            why = "kwic.csv is empty" if run.kwic.empty else "no hit of kwic.csv counts; --include-uncounted draws " \
                "from the others"
            raise AnalysisError(f"the run in {run.folder} has no framing hit ({why}) to sample; use "
                                "--unit sentences, or a run whose lexicon finds terms")
    return units, source


def _allocation_notes(alloc: Allocation, n: int, n_units: int, unit: str, column: str | None,
                      size: dict) -> list[str]:
    """Plain-language notes on where the allocation departs from what was asked (logged and kept in sample.json)."""
    notes = []
    if alloc.took_all:
        notes.append(f"fewer units than asked: the run has {n_units} {_unit_words(unit)}, took all {n_units} "
                     f"(asked for {n})")
    if alloc.minimums_exceed_n:
        total = sum(alloc.n.values())
        notes.append(f"the minimum of min({KWIC_MIN_PER_TERM}, hits) per term adds up to {total} units, more than "
                     f"--n {n}: took the minimums ({total} units)")
    empty = [h for h, k in alloc.n.items() if k == 0]
    if empty:
        shown = ", ".join(empty[:5]) + (" …" if len(empty) > 5 else "")
        k = sum(size[h] for h in empty)
        notes.append(f"{len(empty)} of {len(size)} strata of {column} got no unit under proportional allocation "
                     f"({shown}): their {k} unit{'s' if k != 1 else ''} had no chance of selection, so weighted "
                     "figures describe the other strata only")
    return notes


def _picked(units: pd.DataFrame, drawn: pd.DataFrame) -> pd.DataFrame:
    """The drawn units with their stratum, probability and weight, sorted by id (ids checked to be distinct)."""
    picked = units.iloc[drawn["position"].to_numpy()].reset_index(drop=True)
    picked["stratum"] = drawn["stratum"].to_numpy()
    picked["probability"] = drawn["probability"].to_numpy()
    picked["weight"] = drawn["weight"].to_numpy()
    picked = picked.sort_values("unit", kind="stable").reset_index(drop=True)
    if picked["unit"].duplicated().any():
        dup = picked.loc[picked["unit"].duplicated(), "unit"].iloc[0]
        raise AnalysisError(f"two units of this sample share the id {dup} (a 40-bit hash collision); draw again "
                            "with another --seed")
    return picked


def draw_sample(run: RunTables, n: int = DEFAULT_N, unit: str = "sentences", seed: int = DEFAULT_SEED,
                stratify: str | None = None, include_uncounted: bool = False) -> Sample:
    """Draw a seeded stratified sample of units from a run (see `design` for the allocation and probabilities);
    KWIC samples draw only counted hits unless `include_uncounted`."""
    if n < 1:
        raise AnalysisError(f"--n must be at least 1 (got {n})")
    if seed < 0:
        raise AnalysisError(f"--seed must be a whole number of 0 or more (got {seed})")
    if unit not in UNITS:
        raise AnalysisError(f"--unit must be one of {', '.join(UNITS)} (got {unit!r})")
    units, source = _population(run, unit, include_uncounted)
    column = stratum_column(units, source, run.documents, unit, stratify)
    strata = _levels(units[column]) if column else pd.Series("all", index=units.index, dtype=object)
    size = strata.value_counts().sort_index().to_dict()
    minimum = {h: KWIC_MIN_PER_TERM for h in size} if unit == "kwic" and column == "term" else None
    alloc = allocate({str(h): int(v) for h, v in size.items()}, n, minimum)
    notes = _allocation_notes(alloc, n, len(units), unit, column, size)
    for note in notes:
        log.warning("%s", note)
    rng = np.random.default_rng(seed)
    picked = _picked(units, draw(strata, alloc, rng))
    order = list(picked["unit"].to_numpy()[rng.permutation(len(picked))])
    scores = scorer_columns(run.sentences)
    metas = [c for c in run.documents.columns if c.startswith(META_PREFIX)]
    key = picked[SENTENCE_KEY + (KWIC_EXTRA if unit == "kwic" else []) + scores + metas
                 + ["stratum", "probability", "weight"]].copy()
    key["sentence"] = key["sentence"].astype("Int64")
    record = {
        "unit": unit, "seed": int(seed), "n_requested": int(n), "n_drawn": len(key),
        "stratify": column or "none",
        "options": {"n": int(n), "unit": unit, "seed": int(seed), "stratify": stratify if stratify else None,
                    **({"include_uncounted": bool(include_uncounted)} if unit == "kwic" else {})},
        "design": {"strata": {h: {"size": alloc.size[h], "drawn": alloc.n[h]} for h in sorted(alloc.size)},
                   "minimum_per_stratum": KWIC_MIN_PER_TERM if minimum else 0,
                   "population": len(units),
                   "allocation": "proportional, largest remainder (analysis/validation/design.py)"},
        "run": {"path": str(run.folder), "tables": run.file_hashes(), "manifest": _manifest_summary(run.manifest)},
        "scorers": scores,
        "codes": list(CODES[unit]),
        "notes": notes,
    }
    return Sample(key=key, record=record, order=order, units=picked)


def _unit_words(unit: str) -> str:
    return "scored sentences" if unit == "sentences" else "framing hits"


def _manifest_summary(manifest: dict) -> dict:
    params = manifest.get("parameters", {}) if isinstance(manifest.get("parameters"), dict) else {}
    lex = manifest.get("lexicon", {})
    model = {"sentiment_model": params["sentiment_model"]} if params.get("sentiment_model") else {}
    return {"scorer": params.get("scorer"), "second_scorer": params.get("second_scorer"),
            "converter": params.get("converter"), **model,
            "lexicon": {k: lex.get(k) for k in ("name", "version", "sha256", "file")}}
