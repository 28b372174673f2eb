"""Reading: bytes to the normalised text that every offset and every stored `text` refers to."""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

from ..config import MAX_CHARS
from ..errors import AnalysisError

log = logging.getLogger(__name__)

#: Legacy Chinese encodings we decode when a statistical detector names them (with a warning).
CHINESE_ENCODINGS = {"big5", "big5hkscs", "cp950", "gb18030", "gbk", "gb2312", "cp936", "hz", "euc_tw"}
#: File signatures of common binary formats that arrive with a .txt name.
_MAGIC = {b"%PDF": "PDF", b"\x89PNG": "PNG image", b"\xff\xd8\xff": "JPEG image", b"GIF8": "GIF image",
          b"PK\x03\x04": "ZIP/Office document", b"\xd0\xcf\x11\xe0": "Word/Excel document", b"{\\rtf": "RTF document"}


def normalise_text(raw: str) -> str:
    """Strip a BOM and turn CRLF / CR line endings into LF."""
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise AnalysisError(f"unknown encoding {name!r}; use a codec name such as utf-8, big5 or gb18030") from None


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    head = data[:8192]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "binary"
    return None


def detect_encoding(data: bytes) -> str | None:
    """The most likely encoding of non-UTF-8 bytes by a statistical detector (charset-normalizer), or None."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    return _codec(best.encoding) if best is not None else None


def decode_bytes(data: bytes, name: str, encoding: str | None = None) -> str:
    """Decode an article's bytes and normalise line endings.

    With `encoding` None: UTF-8 (BOM allowed; UTF-16 with a BOM too); otherwise a detector guesses, a legacy Chinese
    encoding (Big5, GB18030, …) is decoded with a warning naming it, anything else is an error naming the likely
    encoding and `--encoding`. Binary files and files with no text are errors.
    """
    kind = _binary_kind(data)
    if kind:
        raise AnalysisError(f"{name}: looks like a {kind} file, not text; export the article as UTF-8 text")
    if encoding is not None:
        codec = _codec(encoding)
        try:
            text = data.decode("utf-8-sig" if codec == "utf-8" else codec)
        except UnicodeDecodeError as exc:
            raise AnalysisError(f"{name}: not valid {codec} at byte {exc.start}; check --encoding") from None
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            guess = detect_encoding(data)
            if guess in CHINESE_ENCODINGS:
                text = data.decode(guess, errors="strict")
                log.warning("%s: not UTF-8; decoded as %s (detected). Pass --encoding %s to confirm, or convert the "
                            "file to UTF-8", name, guess, guess, extra={"kind": "legacy_encoding"})
            else:
                likely = f"it looks like {guess}" if guess else "its encoding could not be detected"
                raise AnalysisError(
                    f"{name}: not valid UTF-8 (byte {exc.start}) and {likely}; pass --encoding NAME "
                    "(e.g. big5, gb18030) or convert the file to UTF-8"
                ) from None
    text = normalise_text(text)
    if not text.strip():
        raise AnalysisError(f"{name}: no text (the file is empty or only white space)")
    return text


def read_bytes(path: Path, max_chars: int = MAX_CHARS, name: str | None = None) -> bytes:
    """An article file's bytes, refusing (from its size, before reading) files that must exceed max_chars."""
    path = Path(path)
    name = str(path) if name is None else name
    try:
        size = path.stat().st_size
        if size > 4 * max_chars:  # no UTF-8 / legacy CJK character takes more than 4 bytes
            raise AnalysisError(f"{name}: {size:,} bytes, over the --max-chars limit of {max_chars:,} characters; "
                                "split the file or raise --max-chars")
        return path.read_bytes()
    except OSError as exc:
        raise AnalysisError(f"cannot read {name}: {exc.strerror}") from None


def text_of_bytes(data: bytes, name: str, encoding: str | None = None, max_chars: int = MAX_CHARS) -> str:
    """An article file's bytes as normalised text (see decode_bytes), refusing texts over max_chars characters."""
    text = decode_bytes(data, name, encoding)
    if len(text) > max_chars:
        raise AnalysisError(f"{name}: {len(text):,} characters, over the --max-chars limit of {max_chars:,}; "
                            "split the file or raise --max-chars")
    return text


def read_text(path: Path, encoding: str | None = None, max_chars: int = MAX_CHARS, name: str | None = None) -> str:
    """Read one article file into normalised text, refusing files over max_chars characters.

    `name` is how messages refer to the file (default: the path).
    """
    name = str(path) if name is None else name
    return text_of_bytes(read_bytes(path, max_chars, name), name, encoding, max_chars)
