"""Framing lexicons: one YAML schema (name, version, references, categories, entries), strictly validated.

Besides its term, category, gloss and rationale, an entry may say how a match must sit in the text: `boundary`
(`word`, the default: the match starts and ends on word boundaries; `prefix`: it starts on one; `none`: no check),
`exclude` (phrases holding the term that do not count, e.g. 反壟斷 for 壟斷), `exclude_regex` (regular expressions
whose match covering a hit excludes it, e.g. a number before 集團軍) and `literal_note` (what a literal use looks
like, for coders and readers).

An entry's `category` is one category id or a list of them (a term in several categories, as LIWC, quanteda and
WordStat dictionaries allow): a matched span then counts once in `framing_hits` and once in each of its categories in
framing.csv. `gloss` and `rationale` must be there but may be empty (a dictionary imported from another format has
none): such entries are listed in a warning. An entry marked `status: candidate` (written by `lexicon suggest`) is
refused until a person accepts it by removing that line.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import AnalysisError
from ..schema import CATEGORY_SEPARATOR
from ..text.script import to_simplified_aligned

log = logging.getLogger(__name__)

TOP_KEYS = {"name", "version", "references", "categories", "entries"}
CATEGORY_KEYS = {"label_zh", "label_en", "description"}
ENTRY_REQUIRED = {"term", "category", "gloss", "rationale"}
ENTRY_KEYS = ENTRY_REQUIRED | {"boundary", "exclude", "exclude_regex", "literal_note", "status"}
#: Entries of `lexicon suggest` carry `status: candidate` until a person accepts them (and removes the line).
CANDIDATE = "candidate"
#: `boundary` values: where a match must meet word boundaries (text/words.py segments the run of Han characters).
BOUNDARIES = ("word", "prefix", "none")
DEFAULT_BOUNDARY = "word"
#: Terms are matched within a line, so a term holding one of these could never match.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


@dataclass(frozen=True)
class Category:
    """A framing category."""

    id: str
    label_zh: str
    label_en: str
    description: str


@dataclass(frozen=True)
class Entry:
    """A lexicon term, its category, gloss and rationale, and its matching rules; `line` is its line in the YAML
    file. `exclude` and `exclude_regex` are kept as written (matching compares them through the Simplified copy)."""

    term: str
    category: str
    gloss: str
    rationale: str
    line: int
    boundary: str = DEFAULT_BOUNDARY
    exclude: tuple[str, ...] = ()
    exclude_regex: tuple[str, ...] = ()
    literal_note: str = ""
    #: every category of the entry, `category` first; (category,) unless the lexicon lists several
    categories: tuple[str, ...] = ()

    def __post_init__(self) -> None:  # noqa: D105
        if not self.categories:
            object.__setattr__(self, "categories", (self.category,))


@dataclass(frozen=True)
class Lexicon:
    """A validated lexicon, with the sha256 of its file."""

    name: str
    version: str
    references: tuple[str, ...]
    categories: tuple[Category, ...]
    entries: tuple[Entry, ...]
    sha256: str
    file: str
    #: the path the lexicon was read from, as given ("" when built in memory)
    path: str = ""

    def category(self, cid: str) -> Category:
        """Look a category up by id."""
        return next(c for c in self.categories if c.id == cid)

    def category_records(self) -> list[dict]:
        """The categories as figures and manifest.json take them: id, label_zh, label_en."""
        return [{"id": c.id, "label_zh": c.label_zh, "label_en": c.label_en} for c in self.categories]

    def gloss(self, category: str, term: str) -> str:
        """The gloss of an entry, or "" when the lexicon has no such entry."""
        first = category.split(CATEGORY_SEPARATOR)[0]  # kwic.csv's category of an entry in several categories
        return next((e.gloss for e in self.entries if first in e.categories and e.term == term), "")

    def undocumented(self) -> list[str]:
        """Terms whose gloss or rationale is empty (e.g. an imported dictionary's), in lexicon order."""
        return [e.term for e in self.entries if not e.gloss or not e.rationale]


#: libyaml's parser when PyYAML has it (ten times faster; same nodes and line marks), else the Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _plain(node: yaml.Node) -> object:
    # A fresh constructor each time: it keeps state between calls. Tags it cannot build were refused by _check_tags.
    return yaml.constructor.SafeConstructor().construct_document(node) if node is not None else None


def _check_tags(root: yaml.Node, src: str) -> None:
    """Refuse a YAML tag that a safe loader cannot build (e.g. !!python/object/apply:...), naming its line."""
    known = yaml.constructor.SafeConstructor.yaml_constructors
    seen: set[int] = set()
    todo = [root]
    while todo:
        node = todo.pop()
        if id(node) in seen:  # aliases share nodes
            continue
        seen.add(id(node))
        if node.tag not in known:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!", 1)
            raise AnalysisError(f"{src} line {node.start_mark.line + 1}: YAML tag {tag} is not allowed in a "
                                "lexicon; write plain text, lists and mappings")
        if isinstance(node, yaml.MappingNode):
            todo.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)


def _mapping(node: yaml.Node, where: str, allowed: set[str], required: set[str], src: str) -> dict:
    if not isinstance(node, yaml.MappingNode):
        raise AnalysisError(f"{src} line {node.start_mark.line + 1}: {where} must be a mapping")
    out = {}
    for k, v in node.value:
        key = k.value
        if key not in allowed:
            raise AnalysisError(
                f"{src} line {k.start_mark.line + 1}: {where} has unknown key {key!r} "
                f"(allowed: {', '.join(sorted(allowed))})"
            )
        out[key] = v
    missing = sorted(required - out.keys())
    if missing:
        raise AnalysisError(f"{src} line {node.start_mark.line + 1}: {where} lacks {', '.join(missing)}")
    return out


def _text(node: yaml.Node, where: str, src: str, empty: bool = False) -> str:
    value = _plain(node)
    if empty and (value is None or value == ""):
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool) or not str(value).strip():
        raise AnalysisError(f"{src} line {node.start_mark.line + 1}: {where} must be non-empty text")
    return str(value).strip()


def _entry_categories(node: yaml.Node, label: str, cat_ids: set[str], src: str) -> tuple[str, ...]:
    """The category of an entry, or its list of categories (each known, none twice)."""
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    if not items:
        raise AnalysisError(f"{src} line {_line(node)}: category of {label} is an empty list; name a category")
    out: list[str] = []
    for item in items:
        cid = _text(item, f"category of {label}", src)
        if cid not in cat_ids:
            raise AnalysisError(f"{src} line {_line(item)}: {label} has unknown category {cid!r} "
                                f"(categories: {', '.join(sorted(cat_ids))})")
        if cid in out:
            raise AnalysisError(f"{src} line {_line(item)}: {label} lists category {cid!r} twice; list it once")
        out.append(cid)
    return tuple(out)


def _compose(data: bytes, src: str) -> yaml.Node:
    """The YAML node tree of a lexicon file (nothing built yet), with one-line errors for what cannot be read."""
    try:
        root = yaml.compose(data.decode("utf-8-sig"), Loader=_LOADER)
    except UnicodeDecodeError:
        raise AnalysisError(f"{src}: not UTF-8; save the lexicon as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise AnalysisError(f"{src}{where}: YAML syntax error: {getattr(exc, 'problem', exc)}") from None
    if root is None:
        raise AnalysisError(f"{src}: the lexicon is empty")
    _check_tags(root, src)
    return root


def _categories(node: yaml.Node, src: str) -> list[Category]:
    if not isinstance(node, yaml.MappingNode) or not node.value:
        raise AnalysisError(f"{src} line {node.start_mark.line + 1}: categories must be a non-empty mapping")
    categories = []
    for k, v in node.value:
        if CATEGORY_SEPARATOR in str(k.value):
            raise AnalysisError(f"{src} line {_line(k)}: category id {k.value!r} contains {CATEGORY_SEPARATOR!r}, "
                                "which kwic.csv uses between the categories of one entry; rename it")
        fields = _mapping(v, f"category {k.value!r}", CATEGORY_KEYS, CATEGORY_KEYS, src)
        categories.append(Category(k.value, *(_text(fields[f], f"{f} of category {k.value!r}", src)
                                              for f in ("label_zh", "label_en", "description"))))
    return categories


def _entry_label(node: yaml.Node, i: int) -> str:
    """How errors name the i-th entry: `entry 3 ('崛起')`."""
    term_node = node.value[0][1] if isinstance(node, yaml.MappingNode) and node.value else node
    return f"entry {i}" + (f" ({_plain(term_node)!r})" if isinstance(term_node, yaml.ScalarNode) else "")


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _text_list(node: yaml.Node, where: str, src: str) -> list[tuple[str, int]]:
    """A list of non-empty texts with the line of each (a single text is a list of one)."""
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    if isinstance(node, yaml.SequenceNode) and not items:
        raise AnalysisError(f"{src} line {_line(node)}: {where} is an empty list; remove the key or list something")
    return [(_text(item, where, src), _line(item)) for item in items]


def _phrases(node: yaml.Node, term: str, label: str, src: str) -> tuple[str, ...]:
    """The `exclude` phrases of an entry: each holds the term exactly once (either script), on one line."""
    key = to_simplified_aligned(term)
    out = []
    for phrase, line in _text_list(node, f"exclude of {label}", src):
        simple = to_simplified_aligned(phrase)
        if any(ch in LINE_BREAKS for ch in phrase):
            raise AnalysisError(f"{src} line {line}: exclude phrase {phrase!r} of {label} contains a line break; "
                                "phrases are matched within a line")
        if simple == key or simple.count(key) != 1:
            what = "is the term itself" if simple == key else (
                "does not contain the term" if key not in simple else "contains the term more than once")
            raise AnalysisError(f"{src} line {line}: exclude phrase {phrase!r} of {label} {what}; an exclude phrase "
                                f"is a longer phrase holding {term!r} once (e.g. 反壟斷 for 壟斷)")
        out.append(phrase)
    return tuple(out)


def _regexes(node: yaml.Node, label: str, src: str) -> tuple[str, ...]:
    """The `exclude_regex` patterns of an entry: each compiles and cannot match an empty text."""
    out = []
    for pattern, line in _text_list(node, f"exclude_regex of {label}", src):
        try:
            rx = re.compile(pattern)
        except re.error as exc:
            raise AnalysisError(f"{src} line {line}: exclude_regex {pattern!r} of {label} is not a valid regular "
                                f"expression ({exc}); quote it with single quotes in YAML") from None
        if rx.fullmatch(""):
            raise AnalysisError(f"{src} line {line}: exclude_regex {pattern!r} of {label} matches an empty text, "
                                "so it would exclude nothing it should; make it match the term and its context")
        out.append(pattern)
    return tuple(out)


def _entry(node: yaml.Node, i: int, cat_ids: set[str], src: str) -> Entry:
    """The i-th entry (1-based), checked: its fields, a term without line breaks, a known category, its rules."""
    line = _line(node)
    label = _entry_label(node, i)
    fields = _mapping(node, label, ENTRY_KEYS, ENTRY_REQUIRED, src)
    if "status" in fields:
        raise AnalysisError(f"{src} line {_line(fields['status'])}: {label} is marked status: "
                            f"{_plain(fields['status'])}; review it, write its gloss and rationale, and remove the "
                            "status line to accept it (or remove the entry)")
    values = {"term": _text(fields["term"], f"term of {label}", src)}
    values |= {f: _text(fields[f], f"{f} of {label}", src, empty=True) for f in ("gloss", "rationale")}
    if any(ch in LINE_BREAKS for ch in values["term"]):
        raise AnalysisError(f"{src} line {line}: term of {label} contains a line break, so it could never match "
                            "(terms are matched within a line); remove the line break")
    categories = _entry_categories(fields["category"], label, cat_ids, src)
    values |= {"category": categories[0], "categories": categories}
    rules: dict = {}
    if "boundary" in fields:
        rules["boundary"] = _text(fields["boundary"], f"boundary of {label}", src)
        if rules["boundary"] not in BOUNDARIES:
            raise AnalysisError(f"{src} line {_line(fields['boundary'])}: boundary of {label} is "
                                f"{rules['boundary']!r}; use one of {', '.join(BOUNDARIES)}")
    if "exclude" in fields:
        rules["exclude"] = _phrases(fields["exclude"], values["term"], label, src)
    if "exclude_regex" in fields:
        rules["exclude_regex"] = _regexes(fields["exclude_regex"], label, src)
    if "literal_note" in fields:
        rules["literal_note"] = _text(fields["literal_note"], f"literal_note of {label}", src)
    return Entry(line=line, **values, **rules)


def _check_phrases(entries: list[Entry], nodes: list[yaml.Node], src: str) -> None:
    """Exclude phrases are unique, are no entry's term, and hold no other term outside their own term's place
    (leftmost-longest matching would otherwise swallow that term's hits)."""
    terms = {to_simplified_aligned(e.term): e for e in entries}
    seen: dict[str, Entry] = {}
    for i, (entry, node) in enumerate(zip(entries, nodes, strict=True), start=1):
        own = to_simplified_aligned(entry.term)
        phrase_node = next((v for k, v in node.value if k.value == "exclude"), None)
        if phrase_node is None:
            continue
        lines = [_line(n) for n in phrase_node.value] if isinstance(phrase_node, yaml.SequenceNode) else \
            [_line(phrase_node)]
        for phrase, line in zip(entry.exclude, lines, strict=True):
            simple = to_simplified_aligned(phrase)
            where = f"{src} line {line}: exclude phrase {phrase!r} of {_entry_label(node, i)}"
            if simple in terms:
                other = terms[simple]
                raise AnalysisError(f"{where} is the term of another entry ({other.term!r}, line {other.line}); "
                                    "remove one of them")
            if simple in seen:
                raise AnalysisError(f"{where} repeats an exclude phrase of {seen[simple].term!r} (line "
                                    f"{seen[simple].line}) after Traditional-to-Simplified conversion; keep one")
            seen[simple] = entry
            a = simple.index(own)
            for key, other in terms.items():
                if other is entry:
                    continue
                for m in re.finditer(f"(?={re.escape(key)})", simple):
                    if not (a <= m.start() and m.start() + len(key) <= a + len(own)):
                        raise AnalysisError(f"{where} also contains the term {other.term!r} (line {other.line}), "
                                            "whose hits it would hide; shorten the phrase")


def _entries(node: yaml.Node, cat_ids: set[str], src: str) -> list[Entry]:
    """Every entry, checked one by one and for two terms equal after Traditional-to-Simplified conversion."""
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise AnalysisError(f"{src} line {node.start_mark.line + 1}: entries must be a non-empty list")
    entries: list[Entry] = []
    seen: dict[str, Entry] = {}
    for i, entry_node in enumerate(node.value, start=1):
        entry = _entry(entry_node, i, cat_ids, src)
        key = to_simplified_aligned(entry.term)
        if key in seen:
            first = seen[key]
            raise AnalysisError(
                f"{src} line {entry.line}: {_entry_label(entry_node, i)} duplicates {first.term!r} (line "
                f"{first.line}, category {first.category!r}) after Traditional-to-Simplified conversion; keep one entry"
            )
        seen[key] = entry
        entries.append(entry)
    _check_phrases(entries, node.value, src)
    return entries


def parse_lexicon(data: bytes, src: str) -> Lexicon:
    """Parse and validate lexicon YAML; errors name the file, the line and the entry."""
    top = _mapping(_compose(data, src), "the lexicon", TOP_KEYS, TOP_KEYS, src)
    refs = _plain(top["references"])
    if not isinstance(refs, list) or not all(isinstance(r, str) and r.strip() for r in refs):
        raise AnalysisError(f"{src} line {top['references'].start_mark.line + 1}: references must be a list of texts")
    categories = _categories(top["categories"], src)
    entries = _entries(top["entries"], {c.id for c in categories}, src)
    lexicon = Lexicon(
        name=_text(top["name"], "name", src),
        version=_text(top["version"], "version", src),
        references=tuple(r.strip() for r in refs),
        categories=tuple(categories),
        entries=tuple(entries),
        sha256=hashlib.sha256(data).hexdigest(),
        file=Path(src).name,
        path=src,
    )
    warn_undocumented(lexicon)
    return lexicon


def warn_undocumented(lexicon: Lexicon, limit: int = 10) -> None:
    """Warn (once per lexicon) about entries without a gloss or rationale, naming the first `limit`."""
    missing = lexicon.undocumented()
    if missing:
        shown = "、".join(missing[:limit]) + (f" and {len(missing) - limit} more" if len(missing) > limit else "")
        log.warning("%s: %d entr%s without a gloss or rationale (%s); write them before you cite the lexicon",
                    lexicon.path or lexicon.file, len(missing), "y" if len(missing) == 1 else "ies", shown)


def load_lexicon(path: str | Path) -> Lexicon:
    """Read and validate a lexicon YAML file."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AnalysisError(f"cannot read lexicon {path}: {exc.strerror}") from None
    return parse_lexicon(data, str(path))


def compose_yaml(data: bytes, src: str) -> yaml.Node:
    """A YAML file's node tree (with lines), refusing syntax errors and tags a safe loader cannot build, in one line."""
    return _compose(data, src)


def yaml_value(node: yaml.Node | None) -> object:
    """The plain Python value of a YAML node (None for None)."""
    return _plain(node)
