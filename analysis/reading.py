"""Reading: bytes to the normalised text that every offset and every stored `text` refers to."""

from __future__ import annotations

from pathlib import Path

from .errors import AnalysisError


def normalise_text(raw: str) -> str:
    """Strip a BOM and turn CRLF / CR line endings into LF."""
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def decode_bytes(data: bytes, name: str, encoding: str = "utf-8") -> str:
    """Decode bytes (UTF-8 by default, BOM stripped) and normalise line endings."""
    try:
        text = data.decode("utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding)
    except UnicodeDecodeError as exc:
        raise AnalysisError(
            f"{name}: not valid {encoding} (byte {exc.start}); save it as UTF-8 or pass --encoding"
        ) from None
    except LookupError:
        raise AnalysisError(f"unknown encoding {encoding!r}; use a Python codec name such as big5 or gb18030") from None
    return normalise_text(text)


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """Read one article file into normalised text."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AnalysisError(f"cannot read {path}: {exc.strerror}") from None
    return decode_bytes(data, str(path), encoding)
