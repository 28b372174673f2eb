"""Script conversion with OpenCC: whole-text conversion for scoring, character-aligned copies for matching."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import opencc

from ..errors import AnalysisError

#: Converter names accepted besides OpenCC's own configurations; "none" scores text as it is.
NO_CONVERSION = "none"


@lru_cache(maxsize=16)
def _opencc(name: str) -> opencc.OpenCC:
    try:
        return opencc.OpenCC(name)
    except RuntimeError:
        raise AnalysisError(
            f"unknown OpenCC converter {name!r}; use t2s, tw2s, tw2sp, hk2s, s2t, ... or 'none'"
        ) from None


def check_converter(name: str) -> str:
    """Return the converter name if OpenCC (or 'none') knows it, else raise AnalysisError."""
    if name != NO_CONVERSION:
        _opencc(name)
    return name


def convert(text: str, converter: str) -> str:
    """Convert text with an OpenCC configuration (phrase-level, as OpenCC does it); 'none' returns it unchanged."""
    if converter == NO_CONVERSION or not text:
        return text
    return _opencc(converter).convert(text)


@lru_cache(maxsize=65536)
def _char_t2s(ch: str) -> str:
    out = _opencc("t2s").convert(ch)
    # Keep the alignment: a character whose conversion is not a single character stays as it is.
    return out if len(out) == 1 else ch


def to_simplified_aligned(text: str) -> str:
    """Character-level t2s: a Simplified copy of the same length, so offsets into it are offsets into `text`."""
    if len(text) >= LONG_TEXT:
        return _aligned_by_code_points(text)
    table = {ord(ch): _char_t2s(ch) for ch in set(text) if ord(ch) > 0x2E7F}
    return text.translate(table)


#: From this length on, `to_simplified_aligned` maps the text's code points as an array (`str.translate` looks each
#: character up in a dict, several times slower on a whole document).
LONG_TEXT = 1024
#: Code point → the code point `_char_t2s` gives it (itself below U+2E80), and which entries are filled: each
#: character is converted once per process, when a text first has it.
_T2S: list[np.ndarray] = []


def _aligned_by_code_points(text: str) -> str:
    if not _T2S:
        known = np.zeros(0x110000, dtype=bool)
        known[:0x2E80] = True
        _T2S.extend([np.arange(0x110000, dtype=np.uint32), known])
    table, known = _T2S
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    for cp in np.unique(cps[~known[cps]]).tolist():
        table[cp] = ord(_char_t2s(chr(cp)))
        known[cp] = True
    return table[cps].tobytes().decode("utf-32-le", "surrogatepass")


_SCORABLE = re.compile("[\u4e00-\u9fa5]")
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")


def has_scorable_chars(text: str) -> bool:
    """True if the text has at least one character in U+4E00–U+9FA5."""
    return _SCORABLE.search(text) is not None


#: Japanese kana (Hiragana, Katakana and its extensions, half-width Katakana) and Korean Hangul (syllables, Jamo,
#: compatibility and half-width Jamo). U+30FB (・), also used in Chinese names, is not counted.
_KANA_HANGUL = re.compile(
    "[\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f"
    "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff\uffa0-\uffdc]"
)


def count_kana_hangul(text: str) -> int:
    """Count Japanese kana and Korean Hangul characters."""
    return len(_KANA_HANGUL.findall(text))


def is_chinese(text: str) -> bool:
    """Whether a sentence is scored as Chinese: it has a character in U+4E00–U+9FA5 and no more kana or Hangul
    characters than Chinese characters (Japanese and Korean sentences are not Chinese)."""
    if not has_scorable_chars(text):
        return False
    kana_hangul = count_kana_hangul(text)
    return kana_hangul == 0 or kana_hangul <= count_cjk(text)


def which_chinese(texts: Sequence[str]) -> list[bool]:
    """`is_chinese` of each text, with one search for kana and Hangul over all of them first: where there is none (most
    Chinese news), a text is Chinese when it has a character in U+4E00–U+9FA5."""
    if _KANA_HANGUL.search("\n".join(texts)) is None:
        return [_SCORABLE.search(t) is not None for t in texts]
    return [is_chinese(t) for t in texts]


def count_cjk(text: str) -> int:
    """Count CJK unified ideographs (basic block and extension A, U+3400–U+4DBF, U+4E00–U+9FFF)."""
    if len(text) < 4096:
        return len(_CJK.findall(text))
    # a whole document: count code points in an array rather than build a list of every match
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return int(np.count_nonzero(((cps >= 0x4E00) & (cps <= 0x9FFF)) | ((cps >= 0x3400) & (cps <= 0x4DBF))))
