"""Lexicons written out: in this package's YAML schema (`lexicon import`) and as quanteda YAML, LIWC .dic or CSV
(`lexicon export`). A prefix entry (`boundary: prefix`) is written `term*`; what a format cannot say (exclude
phrases and patterns, `boundary: none`, glosses and rationales in quanteda and LIWC) is left out with a warning."""

from __future__ import annotations

import csv
import io
import logging

import yaml

from ..framing.lexicon import Entry, Lexicon
from .dictionaries import WILDCARD

log = logging.getLogger(__name__)


def _term(entry: Entry) -> str:
    return entry.term + (WILDCARD if entry.boundary == "prefix" else "")


def _dump(obj: object) -> str:
    return yaml.safe_dump(obj, allow_unicode=True, sort_keys=False, width=120, default_flow_style=False)


def lexicon_yaml(lexicon: Lexicon, source: str) -> str:
    """The lexicon in this package's schema (framing/lexicon.py), with a header naming its source."""
    categories = {c.id: {"label_zh": c.label_zh, "label_en": c.label_en, "description": c.description}
                  for c in lexicon.categories}
    entries = []
    for e in lexicon.entries:
        item: dict = {"term": e.term, "category": e.category if len(e.categories) == 1 else list(e.categories),
                      "gloss": e.gloss, "rationale": e.rationale}
        if e.boundary != "word":
            item["boundary"] = e.boundary
        entries.append(item)
    header = (f"# Converted by `python -m analysis lexicon import` from {source}.\n"
              "# Write each entry's gloss and rationale, and each category's labels and description, before you cite\n"
              "# the lexicon (README, \"Dictionaries from other tools\").\n")
    return header + _dump({"name": lexicon.name, "version": lexicon.version, "references": list(lexicon.references),
                           "categories": categories, "entries": entries})


def _unsayable(lexicon: Lexicon, fmt: str) -> None:
    """Warn about what the format cannot carry."""
    lost = [e.term for e in lexicon.entries if e.exclude or e.exclude_regex or e.boundary == "none"]
    if lost:
        log.warning("%s cannot carry exclude rules or boundary: none; left out for %d entr%s: %s", fmt, len(lost),
                    "y" if len(lost) == 1 else "ies", "、".join(lost[:10]) + (" …" if len(lost) > 10 else ""))


def export_quanteda(lexicon: Lexicon) -> str:
    """quanteda YAML: each category's terms (`dictionary(file = "x.yml")` in R)."""
    _unsayable(lexicon, "quanteda YAML")
    out = {c.id: [_term(e) for e in lexicon.entries if c.id in e.categories] for c in lexicon.categories}
    return _dump({k: v for k, v in out.items() if v})


def export_liwc(lexicon: Lexicon) -> str:
    """LIWC .dic: the numbered categories between two `%` lines, then each term with its category numbers."""
    _unsayable(lexicon, "LIWC .dic")
    number = {c.id: i for i, c in enumerate(lexicon.categories, start=1)}
    lines = ["%", *(f"{i}\t{cid}" for cid, i in number.items()), "%"]
    lines += [_term(e) + "".join(f"\t{number[c]}" for c in e.categories) for e in lexicon.entries]
    return "\n".join(lines) + "\n"


def export_csv(lexicon: Lexicon) -> str:
    """CSV: term, category, gloss, rationale; one row per term and category."""
    _unsayable(lexicon, "CSV")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["term", "category", "gloss", "rationale"])
    for e in lexicon.entries:
        for c in e.categories:
            writer.writerow([_term(e), c, e.gloss, e.rationale])
    return buf.getvalue()


EXPORTERS = {"quanteda": export_quanteda, "liwc": export_liwc, "csv": export_csv}
