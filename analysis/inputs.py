"""Input discovery: files and folders on the command line → (document id, path) pairs."""

from __future__ import annotations

from pathlib import Path

from .errors import AnalysisError
from .output import sha256_file

SUFFIXES = (".txt", ".md")


def discover(inputs: list[Path]) -> list[tuple[str, Path]]:
    """Documents to analyse: a file's id is its stem; a folder's files (recursive) are ids relative to it."""
    found: list[tuple[str, Path]] = []
    for given in inputs:
        if given.is_dir():
            files = sorted(
                p for p in given.rglob("*")
                if p.is_file() and p.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(given).parts)
            )
            if not files:
                raise AnalysisError(f"{given}: no .txt or .md files in this folder")
            found += [(p.relative_to(given).with_suffix("").as_posix(), p) for p in files]
        elif given.is_file():
            found.append((given.stem, given))
        else:
            raise AnalysisError(f"{given}: no such file or folder")
    seen: dict[str, Path] = {}
    for doc, path in found:
        if doc in seen:
            raise AnalysisError(f"two inputs have the document id {doc!r} ({seen[doc]} and {path}); rename one")
        seen[doc] = path
    return sorted(found)


def read_checksums(path: Path) -> dict[str, str]:
    """Parse a sha256sum-style list: {file name: hex digest}."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            out[name.lstrip("*")] = digest
    return out


def verify_checksums(folder: Path, listing: Path) -> None:
    """Stop if a file listed in the checksum list is missing or changed (data/raw is never written by code)."""
    for name, digest in read_checksums(listing).items():
        path = folder / name
        if not path.exists():
            raise AnalysisError(f"{path} is listed in {listing.name} but missing; restore it from git")
        if sha256_file(path) != digest:
            raise AnalysisError(
                f"{path} does not match its checksum in {listing}; restore it (git checkout) or, after a "
                "deliberate change, run `make checksums`"
            )
