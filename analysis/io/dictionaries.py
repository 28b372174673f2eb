"""Dictionaries in the formats researchers already have, read as framing lexicons, and lexicons written out for R and
LIWC users (README, "Dictionaries from other tools").

Read (by the file's extension; a `.yaml` / `.yml` by its keys):

* this package's schema (a file with `entries` or `categories`, or `name` and `version`; framing/lexicon.py);
* quanteda YAML: a mapping of category → list of terms; nested keys are categories named by their path joined with
  "." (`economy.taxes`), as quanteda flattens them;
* cntext YAML: `Name`, `Desc`, `Refer`, `Category` (the category names) and `Dictionary` (category → terms);
* LIWC `.dic`: a category header between two `%` lines (`1<TAB>posemo`), then one line per term followed by its
  category numbers (`abandon*<TAB>125<TAB>127`); LIWC's `<of>` and parenthesised rules are refused;
* Lexicoder `.lc3`: a line `+category` starts a category, each following line is one of its terms;
* WordStat `.cat`: category lines, and term lines ending in a weight ` (1)`, nested by tab indentation (a term's
  category is its path of categories joined with ".");
* CSV: a header row with `term` and `category` (optional `gloss`, `rationale`), one row per term and category.

A term listed in several categories becomes one entry with several categories. **Wildcards**: only a trailing `*`
(`abandon*`, `中國*`) — the term is matched at the start of a word with any continuation (`boundary: prefix`); a
term without `*` must be a whole word (`boundary: word`, the default). For Chinese text the word is jieba's (as for
every entry); for a term that starts or ends with a Latin letter or digit, the neighbouring characters must not be
Latin letters or digits. A `*` or `?` elsewhere in a term is an error. Imported entries have no gloss or rationale:
a warning lists them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import AnalysisError
from ..framing.lexicon import Category, Entry, Lexicon, compose_yaml, parse_lexicon, warn_undocumented, yaml_value
from ..text.script import to_simplified_aligned

log = logging.getLogger(__name__)

#: Formats `lexicon export` writes.
EXPORT_FORMATS = ("quanteda", "liwc", "csv")
#: Extension of each exported file.
EXPORT_SUFFIXES = {"quanteda": ".quanteda.yml", "liwc": ".dic", "csv": ".csv"}
#: Separator of nested keys (quanteda YAML, WordStat) in a category id.
LEVEL_SEPARATOR = "."
WILDCARD = "*"


@dataclass
class Terms:
    """What a dictionary file holds: categories in order, and (term as written, category, line) triples."""

    categories: list[str] = field(default_factory=list)
    items: list[tuple[str, str, int]] = field(default_factory=list)
    name: str = ""
    references: tuple[str, ...] = ()
    notes: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # (term, category) → gloss, rationale

    def add(self, term: str, category: str, line: int) -> None:
        """One term of a category (the category is added when new)."""
        if category not in self.categories:
            self.categories.append(category)
        self.items.append((term, category, line))


def split_wildcard(term: str, where: str) -> tuple[str, str]:
    """A dictionary term → (the term to match, its boundary): `X*` is `X` at the start of a word, `X` a whole word."""
    bare = term[:-1] if term.endswith(WILDCARD) else term
    if not bare or WILDCARD in bare or "?" in bare:
        raise AnalysisError(f"{where}: term {term!r} has a wildcard other than one trailing * (the only one "
                            "supported: a prefix at the start of a word); rewrite it")
    return bare, "prefix" if term.endswith(WILDCARD) else "word"


def to_lexicon(terms: Terms, data: bytes, src: str, fmt: str) -> Lexicon:
    """A framing lexicon of a dictionary's terms: a term in several categories is one entry with all of them."""
    merged: dict[str, dict] = {}
    for written, category, line in terms.items:
        where = f"{src} line {line}"
        bare, boundary = split_wildcard(written.strip(), where)
        key = to_simplified_aligned(bare)
        entry = merged.setdefault(key, {"term": bare, "boundary": boundary, "categories": [], "line": line})
        if entry["boundary"] != boundary:
            raise AnalysisError(f"{where}: {written!r} and {entry['term']!r} (line {entry['line']}) are the same "
                                "term with and without a wildcard; keep one")
        if category not in entry["categories"]:
            entry["categories"].append(category)
    if not merged:
        raise AnalysisError(f"{src}: no terms found; is it a {fmt} dictionary?")
    entries = []
    for e in merged.values():
        gloss, rationale = terms.notes.get((e["term"], e["categories"][0]), ("", ""))
        entries.append(Entry(term=e["term"], category=e["categories"][0], categories=tuple(e["categories"]),
                             gloss=gloss, rationale=rationale, line=e["line"], boundary=e["boundary"]))
    described = f"imported from {Path(src).name} ({fmt}); describe the category"
    lexicon = Lexicon(name=terms.name or Path(src).stem, version="imported", references=terms.references,
                      categories=tuple(Category(c, c, c, described) for c in terms.categories),
                      entries=tuple(entries), sha256=hashlib.sha256(data).hexdigest(), file=Path(src).name, path=src)
    warn_undocumented(lexicon)
    return lexicon


def _lines(data: bytes, src: str) -> list[str]:
    try:
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise AnalysisError(f"{src}: not UTF-8; save the dictionary as UTF-8") from None


def read_liwc(data: bytes, src: str) -> Terms:
    """A LIWC .dic file: `%`, category lines `NUMBER NAME`, `%`, then `TERM NUMBER…` lines."""
    lines = [(i, line.strip()) for i, line in enumerate(_lines(data, src), start=1)]
    marks = [i for i, line in lines if line == "%"]
    if len(marks) < 2:
        raise AnalysisError(f"{src}: a LIWC .dic file starts with its categories between two lines holding only %")
    ids: dict[str, str] = {}
    terms = Terms()
    for i, line in lines:
        if not line or line == "%":
            continue
        parts = line.split()
        if i < marks[1]:
            if len(parts) < 2 or not parts[0].isdigit():
                raise AnalysisError(f"{src} line {i}: a category line is NUMBER NAME, not {line!r}")
            ids[parts[0]] = " ".join(parts[1:])
            terms.categories.append(ids[parts[0]])
            continue
        if "<of>" in line or "(" in line:
            raise AnalysisError(f"{src} line {i}: LIWC's conditional rules (<of>, parentheses) are not supported; "
                                "remove the line or list the term plainly")
        numbers = [p for p in parts if p.isdigit()]
        term = " ".join(p for p in parts if not p.isdigit())
        unknown = [n for n in numbers if n not in ids]
        if not term or not numbers or unknown:
            raise AnalysisError(f"{src} line {i}: a term line is TERM NUMBER…, with numbers of the header's "
                                f"categories; {line!r} " + (f"has unknown {', '.join(unknown)}" if unknown else ""))
        for n in numbers:
            terms.add(term, ids[n], i)
    return terms


def read_lexicoder(data: bytes, src: str) -> Terms:
    """A Lexicoder .lc3 file: `+category` lines, each followed by its terms, one per line."""
    terms, category = Terms(), None
    for i, raw in enumerate(_lines(data, src), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("+"):
            category = line[1:].strip()
            if category not in terms.categories:
                terms.categories.append(category)
        elif category is None:
            raise AnalysisError(f"{src} line {i}: term {line!r} before any +category line")
        else:
            terms.add(line, category, i)
    return terms


_WEIGHT = re.compile(r"\s*\(\s*-?\d+(\.\d+)?\s*\)\s*$")


def read_wordstat(data: bytes, src: str) -> Terms:
    """A WordStat .cat file: category lines and term lines ending in ` (weight)`, nested by tab indentation."""
    terms, path = Terms(), []  # path: (indent, category) of the categories above the current line
    for i, raw in enumerate(_lines(data, src), start=1):
        if not raw.strip():
            continue
        expanded = raw.replace("\t", "    ")
        indent = len(expanded) - len(expanded.lstrip())
        while path and path[-1][0] >= indent:
            path.pop()
        text = raw.strip()
        if _WEIGHT.search(text):
            if not path:
                raise AnalysisError(f"{src} line {i}: term {text!r} before any category line")
            terms.add(_WEIGHT.sub("", text), LEVEL_SEPARATOR.join(c for _, c in path), i)
        else:
            path.append((indent, text))
    return terms


def read_csv_terms(data: bytes, src: str) -> Terms:
    """A CSV of `term,category` (and optional `gloss`, `rationale`) rows with a header row."""
    rows = list(csv.DictReader(io.StringIO("\n".join(_lines(data, src)))))
    if not rows or not {"term", "category"} <= set(rows[0]):
        raise AnalysisError(f"{src}: a dictionary CSV needs a header row with the columns term and category")
    terms = Terms()
    for i, row in enumerate(rows, start=2):
        term, category = (row.get("term") or "").strip(), (row.get("category") or "").strip()
        if not term or not category:
            raise AnalysisError(f"{src} line {i}: a row needs both a term and a category")
        terms.add(term, category, i)
        terms.notes[(split_wildcard(term, src)[0], category)] = ((row.get("gloss") or "").strip(),
                                                                 (row.get("rationale") or "").strip())
    return terms


def _yaml_terms(node: yaml.Node, prefix: str, terms: Terms, src: str) -> None:
    """quanteda YAML: keys are categories (nested keys joined with "."), lists hold terms."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            _yaml_terms(v, f"{prefix}{LEVEL_SEPARATOR if prefix else ''}{k.value}", terms, src)
    elif isinstance(node, yaml.SequenceNode) and prefix:
        if prefix not in terms.categories:
            terms.categories.append(prefix)
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
                raise AnalysisError(f"{src} line {item.start_mark.line + 1}: a term of {prefix!r} must be text")
            terms.add(str(item.value), prefix, item.start_mark.line + 1)
    else:
        raise AnalysisError(f"{src} line {node.start_mark.line + 1}: a quanteda dictionary maps categories to "
                            "lists of terms")


def _keys(node: yaml.Node) -> dict[str, yaml.Node]:
    return {k.value: v for k, v in node.value} if isinstance(node, yaml.MappingNode) else {}


def read_yaml(data: bytes, src: str) -> Lexicon:
    """A YAML lexicon: this package's schema (`entries`), cntext's (`Dictionary`), else quanteda's."""
    root = compose_yaml(data, src)
    keys = _keys(root)
    if keys.keys() & {"entries", "categories"} or keys.keys() >= {"name", "version"}:
        return parse_lexicon(data, src)  # this package's schema, with its one-line errors
    terms = Terms()
    if "Dictionary" in keys:
        _yaml_terms(keys["Dictionary"], "", terms, src)
        refer = yaml_value(keys.get("Refer"))
        terms.name = str(yaml_value(keys.get("Name")) or "")
        terms.references = tuple(str(r) for r in (refer if isinstance(refer, list) else [refer] if refer else []))
        return to_lexicon(terms, data, src, "cntext YAML")
    _yaml_terms(root, "", terms, src)
    return to_lexicon(terms, data, src, "quanteda YAML")


#: Readers of the line formats, by extension, with the format's name.
READERS = {".dic": (read_liwc, "LIWC .dic"), ".lc3": (read_lexicoder, "Lexicoder .lc3"),
           ".cat": (read_wordstat, "WordStat .cat"), ".csv": (read_csv_terms, "CSV")}


def read_lexicon(path: str | Path) -> Lexicon:
    """Read a lexicon in any supported format, chosen by the extension (YAML: by its keys)."""
    suffix = Path(path).suffix.lower()
    if suffix not in {*READERS, ".yaml", ".yml"}:
        raise AnalysisError(f"lexicon {path}: unknown format {suffix or '(no extension)'}; use .yaml/.yml (this "
                            "package's, quanteda's or cntext's), .dic (LIWC), .lc3 (Lexicoder), .cat (WordStat) or "
                            ".csv (term,category)")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AnalysisError(f"cannot read lexicon {path}: {exc.strerror}") from None
    if suffix in READERS:
        reader, fmt = READERS[suffix]
        return to_lexicon(reader(data, str(path)), data, str(path), fmt)
    return read_yaml(data, str(path))
