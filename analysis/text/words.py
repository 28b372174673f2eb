"""Word boundaries: jieba's dictionary segmentation of a short run of Han characters, with a private tokenizer.

Framing terms are matched on characters (segmenters split terms such as 兩彈一星), and then checked against word
boundaries here: the run of Han characters that holds a candidate is segmented with a private `jieba.Tokenizer`
(jieba's own dictionary, plus words the caller must never see split, e.g. every lexicon term) in dictionary-only
mode (no HMM guessing of new words, so the same run always gives the same tokens). Segmenting only that run gives the
same tokens as segmenting the whole sentence (a run ends where a non-Han character is, and jieba never joins across
one) and is far cheaper.

jieba's process-wide tokenizer, dictionary, cache file and logger are left alone. Its dictionary (about 500,000
entries) is read once into a file of the package's cache folder, split by first character, and each part is loaded
only when a run needs it: a run costs milliseconds, not the second it takes to load the whole dictionary.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import math
import os
import re
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .. import config

log = logging.getLogger(__name__)

#: Bumped when the cache file's layout changes.
FORMAT_VERSION = 1
#: How many segmented runs a segmenter remembers (runs repeat within and across documents: headings, names).
RUN_CACHE = 8192


def is_han(ch: str) -> bool:
    """A CJK unified ideograph (basic block and extension A), as `script.count_cjk` counts them."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


#: A run jieba's `cut` reads as one block and segments by its dictionary alone: Han characters of its `re_han_default`
#: (U+4E00–U+9FD5; its Latin letters and digits are handled apart, and other Han characters split the block).
_JIEBA_HAN_RE = re.compile("[\u4e00-\u9fd5]+")
#: Han characters as `is_han` reads them (zero or more: a match from any position).
_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]*")


def han_run(text: str, start: int, end: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """The run of Han characters around text[start:end] (the span itself always included), within [lo, hi)."""
    hi = len(text) if hi is None else hi
    a = start
    while a > lo and ("\u4e00" <= text[a - 1] <= "\u9fff" or "\u3400" <= text[a - 1] <= "\u4dbf"):  # is_han
        a -= 1
    return a, _HAN_RE.match(text, end, hi).end() if end < hi else end


class _Frequencies:
    """jieba's word → frequency mapping, loaded one first character at a time (what `Tokenizer.FREQ` must do)."""

    def __init__(self, parts: dict[str, bytes]) -> None:
        self._parts = parts
        self._loaded: dict[str, dict[str, int]] = {}

    def _part(self, word: str) -> dict[str, int]:
        ch = word[:1]
        part = self._loaded.get(ch)
        if part is None:
            raw = self._parts.get(ch)
            part = marshal.loads(raw) if raw is not None else {}
            self._loaded[ch] = part
        return part

    def __contains__(self, word: str) -> bool:
        return word in self._part(word)

    def __getitem__(self, word: str) -> int:
        return self._part(word)[word]

    def get(self, word: str, default: int | None = None) -> int | None:
        """The frequency of a word (0 for a prefix of a longer word only), or `default`."""
        return self._part(word).get(word, default)

    def __setitem__(self, word: str, freq: int) -> None:
        self._part(word)[word] = freq


def _jieba_version() -> str:
    try:
        return version("jieba")
    except PackageNotFoundError:
        return "unknown"


def _dictionary_key(dict_bytes: bytes) -> str:
    source = f"{FORMAT_VERSION}\x1f{_jieba_version()}\x1f".encode() + dict_bytes
    return hashlib.sha256(source).hexdigest()[:16]


def _build_parts(dict_bytes: bytes) -> tuple[dict[str, bytes], int]:
    """jieba's prefix dictionary (`gen_pfdict`), split by first character, each part marshalled."""
    import io

    import jieba

    freq, total = jieba.Tokenizer.gen_pfdict(io.BytesIO(dict_bytes))
    parts: dict[str, dict[str, int]] = {}
    for word, n in freq.items():
        parts.setdefault(word[:1], {})[word] = n
    return {ch: marshal.dumps(part) for ch, part in parts.items()}, total


def _read_cache(path: Path, key: str) -> tuple[dict[str, bytes], int] | None:
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    return data["parts"], data["total"]


def _write_cache(path: Path, key: str, parts: dict[str, bytes], total: int) -> None:
    """Write the cache file atomically (a temporary file renamed into place); an unwritable cache is only logged."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".dict-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(marshal.dumps({"key": key, "parts": parts, "total": total}))
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        log.debug("could not cache jieba's dictionary in %s (%s); it is rebuilt in each process", path, exc)


@lru_cache(maxsize=1)
def _dictionary() -> tuple[dict[str, bytes], int]:
    """jieba's dictionary by first character, and its total frequency: from the cache, built there when missing."""
    import jieba

    with jieba.Tokenizer().get_dict_file() as f:
        dict_bytes = f.read()
    key = _dictionary_key(dict_bytes)
    path = config.cache_dir() / "jieba" / f"dict-{key}.marshal"
    cached = _read_cache(path, key)
    if cached is not None:
        return cached
    parts, total = _build_parts(dict_bytes)
    _write_cache(path, key, parts, total)
    return parts, total


class WordSegmenter:
    """Token boundaries of Han runs under jieba's dictionary plus `words` (never split when they stand alone)."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.words = tuple(sorted({w for w in words if w}))
        self._tokenizer: object | None = None
        self._boundaries = lru_cache(maxsize=RUN_CACHE)(self._cut)

    @property
    def tokenizer(self) -> object:
        """The private jieba tokenizer, built at first use (no cache file of jieba's, no log lines)."""
        if self._tokenizer is None:
            import jieba

            parts, total = _dictionary()
            tk = jieba.Tokenizer()
            tk.FREQ, tk.total = _Frequencies(parts), total
            tk.initialized = True  # what initialize() would do, minus its cache file in /tmp and its log lines
            for w in self.words:  # sorted: each addition changes the total, so the order is fixed
                if tk.lcut(w, HMM=False) != [w]:  # split when it stands alone: add it with the frequency jieba
                    tk.add_word(w, tk.suggest_freq(w, tune=False))  # suggests to keep it whole (never 0)
            self._tokenizer = tk
        return self._tokenizer

    def _cut(self, run: str) -> frozenset[int]:
        if _JIEBA_HAN_RE.fullmatch(run):
            return self._route(run)
        cuts, pos = {0}, 0
        for token in self.tokenizer.cut(run, HMM=False):
            pos += len(token)
            cuts.add(pos)
        return frozenset(cuts)

    def _route(self, run: str) -> frozenset[int]:
        """The token boundaries of jieba's `cut(run, HMM=False)` for a run it reads as one block of Han characters:
        its `get_DAG` and `calc` as written there, in one pass (the same lookups and the same sums, so the same
        route), with the part of the dictionary of each start looked up once."""
        tk = self.tokenizer
        n = len(run)
        logtotal = math.log(tk.total)
        score, last = [0.0] * (n + 1), [0] * (n + 1)  # jieba's route[idx] = (score[idx], last[idx]); route[n] = (0, 0)
        for idx in range(n - 1, -1, -1):
            part = tk.FREQ._part(run[idx])  # every fragment starting at idx starts with run[idx]
            best, best_x = 0.0, -1
            i, frag = idx, run[idx]
            while i < n and (freq := part.get(frag)) is not None:  # get_DAG: the fragments in the dictionary,
                if freq:  # those with a frequency end a word (DAG[idx]); calc: the best of them, the last on a tie
                    s = math.log(freq) - logtotal + score[i + 1]  # (jieba: max of (score, x) tuples, x increasing)
                    if best_x < 0 or s >= best:
                        best, best_x = s, i
                i += 1
                frag = run[idx:i + 1]
            if best_x < 0:  # no word starts here: the character alone, at jieba's frequency `or 1`
                best, best_x = math.log(1) - logtotal + score[idx + 1], idx
            score[idx], last[idx] = best, best_x
        cuts, x = {0}, 0
        while x < n:  # __cut_DAG_NO_HMM: each token runs from x to route[x]'s last character
            x = last[x] + 1
            cuts.add(x)
        return frozenset(cuts)

    def tokens(self, run: str) -> list[str]:
        """The tokens of a run (for explanations and tests)."""
        return list(self.tokenizer.cut(run, HMM=False))

    def boundaries(self, run: str) -> frozenset[int]:
        """Offsets in `run` where a token starts or ends (0 and len(run) included)."""
        return self._boundaries(run)

    def edges(self, text: str, start: int, end: int, lo: int = 0, hi: int | None = None) -> tuple[bool, bool]:
        """Whether text[start:end] starts and ends on a token boundary of its Han run (within [lo, hi))."""
        a, b = han_run(text, start, end, lo, hi)
        cuts = self.boundaries(text[a:b])
        return start - a in cuts, end - a in cuts
