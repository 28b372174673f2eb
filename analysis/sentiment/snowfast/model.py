"""SnowNLP sentiment, bit for bit, without SnowNLP's pure-Python tagger: `SnowNLPFast().score(texts)`.

`SnowNLPFast().score(texts)` equals `[SnowNLP(t).sentiments for t in texts]` exactly (the same doubles), and
`.words(t)` equals `SnowNLP(t).words`. It follows SnowNLP 0.12.3 step by step:

1. `snownlp.seg.seg`: the text is split into runs of U+4E00–U+9FA5 characters and the rest; the rest is split on
   whitespace (`str.split()`) into tokens as they are; each run is tagged b/m/e/s by SnowNLP's character-based
   second-order HMM (`CharacterBasedGenerativeModel.tag`) and cut into words (a word starts at b or s, and after e).
2. The tagger keeps, for each state (previous tag, tag), the best predecessor: the first maximum in SnowNLP's
   dictionary order (previous-previous tag b, m, e, s) under a strict `>`; the final state is the first maximum in
   the order (tag b, m, e, s) × (previous tag b, m, e, s). A character with no unigram count ("not found") adds
   nothing and keeps, for each state, the predecessor whose previous-previous tag is s (SnowNLP's dict keeps the
   last writer). Scores are sums of `log_prob` values added in SnowNLP's order; every `log_prob` value was computed
   by SnowNLP's own code when the cache was built (`build.py`), so the compiled kernel only adds and
   compares the same doubles: no logarithm is evaluated by numba or numpy.
3. `normal.filter_stop`, then `Bayes.classify`: per class, the log prior plus the log frequency of each remaining
   word, added in order (precomputed by SnowNLP's `AddOneProb.freq` and `math.log`); then SnowNLP's exp and
   normalisation code, verbatim, in Python.

Caches, in `config.cache_dir()` (platformdirs' user cache folder, or $ZH_NEWS_FRAMING_CACHE_DIR):

* `snownlp/snownlp-<version>-<key>/`: the model arrays, converted once from the installed snownlp in a child process
  (the only place snownlp is imported); `<key>` hashes the format version, the snownlp version and the sha256 of
  SnowNLP's model files, so a new snownlp or a changed model file gives a new folder, built automatically.
* `kernel/snowfast-<key>/`: the kernel (`kernel.py`), compiled by numba in a child process (`analysis.compiled`) into an
  object file for this CPU; `<key>` hashes the kernel's source, the numba, llvmlite and Python versions and the
  CPU. The scoring process links it with llvmlite's ORC JIT and calls it through ctypes: numba is never imported
  there, and numba's own settings (NUMBA_CACHE_DIR, ...) are neither read nor changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from ... import config
from ...compiled.cache import build_in_child, publish, staging, valid, write_meta
from ...compiled.kernel import load_kernel
from ...errors import AnalysisError
from ..naive_bayes import classify_probability as _probability
from ..naive_bayes import snownlp_dir
from ..trained import SentimentModel
from .abi import KERNEL_ARGS

log = logging.getLogger(__name__)

#: Bump when the layout or meaning of the built arrays changes: old cache folders are then ignored.
FORMAT_VERSION = 4
#: SnowNLP's model files that SnowNLP(text).sentiments reads (Python 3 names); their sha256 is part of the key.
MODEL_FILES = ("seg/seg.marshal.3", "sentiment/sentiment.marshal.3", "normal/stopwords.txt")
#: The model arrays, as the kernel takes them (after the text, before the outputs).
MODEL_ARRAYS = ("known", "uni_lp", "pair_ptr", "pair_c0", "pe_ptr", "pe_code", "pe_val", "tri_ptr", "tri_c2",
                "te_ptr", "te_code", "te_val", "word_slots", "word_ptr", "word_cps", "word_code", "bayes_base",
                "bayes_default", "bayes_vals")
_SLOT = {name: i for i, (name, _) in enumerate(KERNEL_ARGS)}
#: The arrays of the classifier, which a trained model replaces (the others are the segmenter's).
CLASSIFIER_ARRAYS = ("word_slots", "word_ptr", "word_cps", "word_code", "bayes_base", "bayes_default", "bayes_vals")
#: Texts go to the kernel in batches of about this many characters (bounds the temporary arrays).
BATCH_CHARS = 1 << 20


# --------------------------------------------------------------------------------------------------------------
# The cache: key, build (child process), load


def cache_key(package_dir: Path) -> dict:
    """What the built arrays depend on: format version, snownlp version, sha256 of each model file."""
    files = {}
    for rel in MODEL_FILES:
        path = package_dir / rel
        try:
            with open(path, "rb") as f:
                files[rel] = hashlib.file_digest(f, "sha256").hexdigest()
        except OSError as exc:
            raise AnalysisError(f"cannot read SnowNLP's model file {path} ({exc.strerror}); reinstall snownlp "
                                "with `make install`") from None
    try:
        snownlp_version = version("snownlp")
    except PackageNotFoundError:
        snownlp_version = "unknown"
    return {"format": FORMAT_VERSION, "snownlp": snownlp_version, "files": files}


def model_folder(cache_root: Path, key: dict) -> Path:
    """Where the arrays for this key live: <cache>/snownlp/snownlp-<version>-<16 hex digits of the key>."""
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return cache_root / "snownlp" / f"snownlp-{key['snownlp']}-{digest}"


def ensure_model(cache_root: Path | None = None, package_dir: Path | None = None) -> Path:
    """The folder of model arrays for the installed snownlp, built first when missing or out of date."""
    cache_root = Path(cache_root) if cache_root is not None else config.cache_dir()
    package_dir = Path(package_dir).resolve() if package_dir is not None else snownlp_dir()
    key = cache_key(package_dir)
    folder = model_folder(cache_root, key)
    if not valid(folder, key):
        build_in_child(folder, key, "analysis.sentiment.snowfast.build", [str(package_dir)],
                       "the fast scorer's copy of SnowNLP's model", "use --scorer snownlp-reference")
    return folder


def ensure_trained(model: SentimentModel, stock: Path, cache_root: Path | None = None) -> Path:
    """The folder of a trained model's classifier arrays (naive Bayes and word table), built here when missing.

    Keyed by the model's sha256 and by SnowNLP's model key (its stopword list is part of the word table); the
    segmenter's arrays are SnowNLP's, in `stock` (the folder `ensure_model` returns). No logarithm is new: the
    arrays hold the expressions SnowNLP's classifier evaluates (`build.bayes_of`).
    """
    cache_root = Path(cache_root) if cache_root is not None else config.cache_dir()
    stock_key = json.loads((stock / "meta.json").read_text(encoding="utf-8"))["key"]
    key = {"format": FORMAT_VERSION, "model": model.sha256, "snownlp": stock_key}
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    folder = cache_root / "snownlp" / f"trained-{model.sha256[:16]}-{digest}"
    if not valid(folder, key):
        from .build import build_trained

        tmp = staging(folder.parent)
        log.info("converting the sentiment model %s for the fast scorer (once per model) into %s", model.name, folder)
        try:
            stop = (stock / "stopwords.txt").read_text(encoding="utf-8").split("\n")
            write_meta(tmp, {**build_trained(tmp, model.naive_bayes(), stop), "key": key})
            publish(tmp, folder, key)
        except OSError as exc:
            raise AnalysisError(f"cannot write the scorer's cache in {folder.parent} ({exc.strerror}); set "
                                f"{config.CACHE_DIR_ENV} to a writable folder") from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


# --------------------------------------------------------------------------------------------------------------
# The scorer


def _whitespace(limit: int = 0x3001) -> np.ndarray:
    """space[c] = chr(c).isspace(), the separators of str.split(); Python has no whitespace above U+3000."""
    return np.array([chr(c).isspace() for c in range(limit)], dtype=np.bool_)


class SnowNLPFast:
    """SnowNLP's sentiment model, the same numbers as `SnowNLP(text).sentiments`, in compiled code.

    With `model` (a trained model, `trained.SentimentModel`), the same numbers as SnowNLP with that model loaded
    (`Sentiment().load(...)`): SnowNLP's segmenter and stopwords, the model's naive Bayes.
    """

    name = "snownlp"

    def __init__(self, cache_dir: Path | None = None, package_dir: Path | None = None,
                 model: SentimentModel | None = None) -> None:
        root = Path(cache_dir) if cache_dir is not None else config.cache_dir()
        self._args = (cache_dir, package_dir, model)
        self.model = model
        self.folder = ensure_model(root, package_dir)
        self.classifier_folder = ensure_trained(model, self.folder, root) if model is not None else self.folder
        try:
            self._load(self.folder, self.classifier_folder)
        except (OSError, ValueError, KeyError) as exc:  # a damaged cache folder: rebuild it once
            log.warning("rebuilding the damaged scorer cache %s (%s)", self.classifier_folder, exc)
            shutil.rmtree(self.folder, ignore_errors=True)
            shutil.rmtree(self.classifier_folder, ignore_errors=True)
            self.folder = ensure_model(root, package_dir)
            self.classifier_folder = ensure_trained(model, self.folder, root) if model is not None else self.folder
            self._load(self.folder, self.classifier_folder)
        self.version: str = json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))["key"]["snownlp"]
        self._kernel = load_kernel("analysis.sentiment.snowfast.kernel", KERNEL_ARGS, "snowfast", "the fast scorer",
                                   "use --scorer snownlp-reference", root)
        self.kernel_folder = self._kernel.folder

    def __reduce__(self) -> tuple:
        """Pickle as the constructor's arguments: a worker process loads the scorer from the cache again."""
        return (SnowNLPFast, self._args)

    def _load(self, folder: Path, classifier: Path) -> None:
        self.meta = json.loads((classifier / "meta.json").read_text(encoding="utf-8"))
        self.classes: list[str] = self.meta["classes"]
        self._positive: str = self.meta["positive"]
        self._stop = frozenset((folder / "stopwords.txt").read_text(encoding="utf-8").split("\n"))
        dtypes = dict(KERNEL_ARGS)
        self._arrays = {"space": _whitespace().view(np.uint8)}
        for name in MODEL_ARRAYS:
            arr = np.load((classifier if name in CLASSIFIER_ARRAYS else folder) / f"{name}.npy", mmap_mode="r",
                          allow_pickle=False)
            if arr.dtype != dtypes[name] or not arr.flags.c_contiguous:
                raise ValueError(f"{name}.npy has dtype {arr.dtype}, expected {np.dtype(dtypes[name])}")
            self._arrays[name] = arr
        n = len(self.classes)
        if (self._arrays["bayes_base"].shape != (n,) or self._arrays["bayes_vals"].ndim != 2
                or self._arrays["bayes_vals"].shape[1] != n or self._arrays["uni_lp"].shape[1] != 4):
            raise ValueError("the arrays do not match meta.json")
        if self._arrays["known"].shape[0] + 2 != self._arrays["pair_ptr"].shape[0]:
            raise ValueError("known.npy and pair_ptr.npy disagree")
        self._ptrs = np.zeros(len(KERNEL_ARGS), dtype=np.int64)
        self._lens = np.zeros(len(KERNEL_ARGS), dtype=np.int64)
        for name, arr in self._arrays.items():
            self._ptrs[_SLOT[name]], self._lens[_SLOT[name]] = arr.ctypes.data, arr.size

    def _run(self, texts: Sequence[str], want_tokens: bool) -> tuple[str, np.ndarray, np.ndarray, np.ndarray,
                                                                       np.ndarray]:
        """Call the kernel on one batch: (joined text, text bounds, sums [text, class], word starts, word ends)."""
        joined = "".join(texts)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        bounds = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(lengths, out=bounds[1:])
        longest = int(lengths.max()) if len(texts) else 1
        n_tok = len(joined) if want_tokens else 0
        call = {
            "cps": np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.int32),
            "text_bounds": bounds,
            "sums": np.empty(len(texts) * len(self.classes), dtype=np.float64),
            "tok_start": np.empty(n_tok, dtype=np.int64), "tok_end": np.empty(n_tok, dtype=np.int64),
            "back": np.zeros(16 * max(longest, 1), dtype=np.int8), "tags": np.zeros(max(longest, 1), dtype=np.int8),
            "lp2": np.empty(20), "lp3": np.empty(100), "first": np.empty(4), "score": np.empty(16),
            "new": np.empty(16), "acc": np.empty(len(self.classes)),
        }
        ptrs, lens = self._ptrs.copy(), self._lens.copy()
        for name, arr in call.items():
            ptrs[_SLOT[name]], lens[_SLOT[name]] = arr.ctypes.data, arr.size
        n = self._kernel(ptrs, lens)
        sums = call["sums"].reshape(len(texts), len(self.classes))
        return joined, bounds, sums, call["tok_start"][:n], call["tok_end"][:n]

    def _batches(self, texts: Sequence[str]) -> list[tuple[int, int]]:
        cuts, size, lo = [], 0, 0
        for i, t in enumerate(texts):
            size += len(t)
            if size >= BATCH_CHARS:
                cuts.append((lo, i + 1))
                lo, size = i + 1, 0
        if lo < len(texts):
            cuts.append((lo, len(texts)))
        return cuts

    def segment(self, texts: Sequence[str]) -> list[list[str]]:
        """`SnowNLP(text).words` for each text (before the stopword filter)."""
        out: list[list[str]] = []
        for lo, hi in self._batches(texts):
            joined, bounds, _, starts, ends = self._run(texts[lo:hi], True)
            cut = np.searchsorted(starts, bounds).tolist()
            s, e = starts.tolist(), ends.tolist()
            out += [[joined[s[k]:e[k]] for k in range(cut[t], cut[t + 1])] for t in range(hi - lo)]
        return out

    def words(self, text: str) -> list[str]:
        """`SnowNLP(text).words`."""
        return self.segment([text])[0]

    def tokens(self, text: str) -> list[str]:
        """The words the classifier sums over: `normal.filter_stop(SnowNLP(text).words)`."""
        return [w for w in self.words(text) if w not in self._stop]

    def token_lists(self, texts: Sequence[str]) -> list[list[str]]:
        """`Sentiment().handle(text)` for each text: SnowNLP's words without its stopwords (what training counts)."""
        return [[w for w in words if w not in self._stop] for words in self.segment(texts)]

    def score(self, texts: Sequence[str]) -> list[float]:
        """`SnowNLP(text).sentiments` for each text, bit for bit."""
        if any(not t for t in texts):
            raise ValueError("cannot score an empty text (SnowNLP raises ZeroDivisionError on it)")
        out: list[float] = []
        for lo, hi in self._batches(texts):
            sums = self._run(texts[lo:hi], False)[2]
            out += [_probability(self.classes, self._positive, row) for row in sums.tolist()]
        return out
