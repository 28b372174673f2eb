"""Writing a command's outputs: into its own folder (never into the run it reads), all together or not at all."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from .. import config
from ..errors import AnalysisError
from ..io.files import check_not_protected, check_writable, output_lock, staged, swap_in

log = logging.getLogger(config.LOGGER)


def _inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def write_folder(out: Path, data: Path, files: set[str], write: Callable[[Path], None]) -> None:
    """Write `files` into the folder `out` (replaced as a whole, like `run`'s), refusing the run folder `data` itself,
    a folder inside it, and a folder holding files the command did not write."""
    out = Path(out)
    if _inside(out, Path(data)):
        raise AnalysisError(f"--out {out} is inside the run folder {data}; write the outputs to another folder")
    check_not_protected(out)
    check_writable(out, files)
    with output_lock(out):
        swap_in(out, write)
    log.info("wrote %s", out)


def write_file(path: Path, write: Callable[[Path], None], data: Path | None = None) -> None:
    """Write one file whole or not at all: `write(tmp_path)` writes it beside its place, then it is moved there."""
    path = Path(path)
    if data is not None and _inside(path, Path(data)):
        raise AnalysisError(f"--out {path} is inside the run folder {data}; write it somewhere else")
    if path.is_dir():
        raise AnalysisError(f"{path} is a folder; give a file name")
    with staged(path.absolute().parent) as tmp:
        write(tmp / path.name)
    log.info("wrote %s", path)
