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
* `kernel/kernel-<key>/`: the kernel (`kernel.py`), compiled by numba in a child process into an
  object file for this CPU; `<key>` hashes the kernel's source, the numba, llvmlite and Python versions and the
  CPU. The scoring process links it with llvmlite's ORC JIT and calls it through ctypes: numba is never imported
  there, and numba's own settings (NUMBA_CACHE_DIR, ...) are neither read nor changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from ... import config
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


def _valid(folder: Path, key: dict) -> bool:
    try:
        return json.loads((folder / "meta.json").read_text(encoding="utf-8")).get("key") == key
    except (OSError, ValueError):
        return False


def _staging(parent: Path) -> Path:
    """A new temporary folder in parent, for a build that is renamed into place when complete."""
    try:
        parent.mkdir(parents=True, exist_ok=True)
        for stale in parent.glob(".build-*"):  # left by an interrupted build
            if time.time() - stale.stat().st_mtime > 3600:
                shutil.rmtree(stale, ignore_errors=True)
        return Path(tempfile.mkdtemp(prefix=".build-", dir=parent))
    except OSError as exc:
        raise AnalysisError(f"cannot write the scorer's cache in {parent} ({exc.strerror}); set "
                            f"{config.CACHE_DIR_ENV} to a writable folder") from None


def _publish(tmp: Path, folder: Path, key: dict) -> None:
    """Rename a complete build into place (atomic); another process having finished first is fine."""
    if folder.exists() and not _valid(folder, key):
        shutil.rmtree(folder, ignore_errors=True)  # a damaged folder under our key
    try:
        tmp.rename(folder)
    except OSError:
        if not _valid(folder, key):  # anything but another process having finished first
            raise


def _build(folder: Path, key: dict, message: str, kind: str, *args: str) -> None:
    """Run `build.main(kind, tmp, key, *args)` in a child process, then rename tmp to folder (atomic)."""
    tmp = _staging(folder.parent)
    log.info(message, folder)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from analysis.sentiment.snowfast.build import main; "
            "sys.exit(main(sys.argv[2:]))")
    root = str(Path(__file__).resolve().parents[3])  # the folder holding analysis/
    try:
        r = subprocess.run([sys.executable, "-c", code, root, kind, str(tmp), json.dumps(key), *args],
                           capture_output=True, text=True)
        if r.returncode != 0:
            last = (r.stderr.strip().splitlines() or ["no message"])[-1]
            raise AnalysisError(f"could not build the fast scorer's {kind} ({last}); "
                                "use --scorer snownlp-reference")
        _publish(tmp, folder, key)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ensure_model(cache_root: Path | None = None, package_dir: Path | None = None) -> Path:
    """The folder of model arrays for the installed snownlp, built first when missing or out of date."""
    cache_root = Path(cache_root) if cache_root is not None else config.cache_dir()
    package_dir = Path(package_dir).resolve() if package_dir is not None else snownlp_dir()
    key = cache_key(package_dir)
    folder = model_folder(cache_root, key)
    if not _valid(folder, key):
        _build(folder, key, "converting SnowNLP's model for the fast scorer (once per snownlp version) into %s",
               "model", str(package_dir))
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
    if not _valid(folder, key):
        from .build import build_trained

        tmp = _staging(folder.parent)
        log.info("converting the sentiment model %s for the fast scorer (once per model) into %s", model.name, folder)
        try:
            stop = (stock / "stopwords.txt").read_text(encoding="utf-8").split("\n")
            meta = build_trained(tmp, model.naive_bayes(), stop)
            meta["key"] = key
            (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                           encoding="utf-8")
            _publish(tmp, folder, key)
        except OSError as exc:
            raise AnalysisError(f"cannot write the scorer's cache in {folder.parent} ({exc.strerror}); set "
                                f"{config.CACHE_DIR_ENV} to a writable folder") from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def kernel_key() -> dict:
    """What the compiled kernel depends on: its source, numba, llvmlite, Python, the CPU."""
    try:
        import llvmlite
        import llvmlite.binding as llvm
    except ImportError:
        raise AnalysisError("llvmlite is not installed; install the locked dependencies with `make install`, or use "
                            "--scorer snownlp-reference") from None
    try:
        numba_version = version("numba")
    except PackageNotFoundError:
        numba_version = "not installed"  # a cached kernel still matches nothing; building it says what is missing
    source = Path(__file__).with_name("kernel.py").read_bytes() + repr(KERNEL_ARGS).encode()
    return {
        "kernel": hashlib.sha256(source).hexdigest(), "numba": numba_version, "llvmlite": llvmlite.__version__,
        "python": platform.python_version(), "machine": platform.machine(), "cpu": llvm.get_host_cpu_name(),
        "features": llvm.get_host_cpu_features().flatten(),
    }


def ensure_kernel(cache_root: Path | None = None) -> Path:
    """The folder of the kernel compiled for this machine, compiled first (numba, child process) when missing."""
    cache_root = Path(cache_root) if cache_root is not None else config.cache_dir()
    key = kernel_key()
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    folder = cache_root / "kernel" / f"kernel-{digest}"
    if not _valid(folder, key):
        _build(folder, key, "compiling the fast scorer for this machine (once) into %s", "kernel")
    return folder


class _Kernel:
    """The compiled kernel, linked from its object file by llvmlite's ORC JIT, called through ctypes."""

    def __init__(self, folder: Path) -> None:
        import ctypes

        import llvmlite.binding as llvm

        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        self._jit = llvm.create_lljit_compiler()
        builder = llvm.JITLibraryBuilder().add_object_img((folder / "kernel.o").read_bytes()).add_current_process()
        # numba's exception and reference-counting helpers live in numba's extension modules, which are not loaded
        # here. The kernel never reaches them (it raises nothing and holds no reference-counted memory), so they
        # are bound to abort() for the linker's sake.
        try:
            stub = ctypes.cast(ctypes.CDLL(None).abort, ctypes.c_void_p).value
        except (OSError, AttributeError):
            stub = ctypes.cast(ctypes.pythonapi.Py_FatalError, ctypes.c_void_p).value
        for name in meta["undefined"]:
            if name.startswith(("numba_", "NRT_")):
                builder.import_symbol(name, stub)
        builder.export_symbol(meta["entry"])
        self._tracker = builder.link(self._jit, "snowfast")
        self._fn = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p)(self._tracker[meta["entry"]])

    def __call__(self, ptrs: np.ndarray, lens: np.ndarray) -> int:
        """Run the kernel on the arrays at addresses ptrs with sizes lens (KERNEL_ARGS order)."""
        return int(self._fn(ptrs.ctypes.data, lens.ctypes.data))


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
        self.kernel_folder = ensure_kernel(root)
        try:
            self._kernel = _Kernel(self.kernel_folder)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise AnalysisError(f"cannot load the fast scorer's compiled code from {self.kernel_folder} ({exc}); "
                                "delete that folder to rebuild it, or use --scorer snownlp-reference") from None

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
