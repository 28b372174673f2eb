"""Files and folders: paths as the user gives them, the folders only `make figures` writes, sha256, JSON, and writing
a set of outputs all or nothing (a whole folder swapped in, or files staged and moved into a folder)."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path

from .. import config
from ..errors import AnalysisError

#: Folders that only `make figures` / `make checksums` write; notebooks and scripts never do.
PROTECTED_DIRS = (config.RAW_DATA_DIR, config.PROCESSED_DATA_DIR, config.FIGURES_DIR)


def resolve_path(path: str | os.PathLike) -> Path:
    """An absolute path: `~` expanded, a relative path taken from the current working folder."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else Path.cwd() / p


def _inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def check_not_protected(out: Path) -> None:
    """Refuse an output folder inside data/raw/, data/processed/ or figures/ (the committed demo inputs and outputs)."""
    for folder in PROTECTED_DIRS:
        if _inside(out, folder):
            raise AnalysisError(
                f"output {out} is inside {folder.relative_to(config.PROJ_ROOT)}/, which only `make figures` "
                "writes; choose another output folder"
            )


def package_text(package: str, name: str) -> str:
    """A text file shipped inside the package (templates, style sheets), e.g. ("analysis.present", "x.css")."""
    return files(package).joinpath(name).read_text(encoding="utf-8")


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_json(obj: object, path: Path) -> None:
    """Deterministic JSON: sorted keys, UTF-8, trailing newline."""
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _old(out: Path) -> Path:
    return out.with_name(f".{out.name}.previous")


def _owner_alive(pid: int) -> bool:
    """Whether process pid (on this machine) still runs; a zombie (dead, not yet reaped) does not."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    try:  # Linux: a killed process stays listed until its parent reaps it
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        return stat.rsplit(")", 1)[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _owned_tmp(parent: Path, prefix: str) -> Path:
    """A new temporary folder PREFIXPID-RANDOM in parent: its name says which process owns it."""
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))


def _remove_orphans(parent: Path, prefix: str) -> None:
    """Remove temporary folders PREFIX* in parent whose owning process is gone (a run killed while writing)."""
    for stale in [p for p in parent.iterdir() if p.name.startswith(prefix)]:
        owner = stale.name[len(prefix):].split("-", 1)[0]
        if owner.isdigit() and _owner_alive(int(owner)):
            continue  # another process is still writing it
        shutil.rmtree(stale, ignore_errors=True)


def recover(out: Path) -> None:
    """Finish or undo an interrupted swap (restore the previous outputs if the new ones never arrived), and remove
    the temporary folders of runs that were killed; call it holding `output_lock(out)`."""
    old = _old(out)
    if old.exists():
        if out.exists():
            shutil.rmtree(old)
        else:
            os.replace(old, out)
    _remove_orphans(out.resolve().parent, f".{out.name}.tmp-")  # where swap_in makes them


def lock_path(out: Path) -> Path:
    """The lock file of an output folder: .NAME.lock beside it."""
    out = out.resolve()  # one lock whichever way the folder is named
    return out.parent / f".{out.name}.lock"


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output folder out while writing it; a second run is refused in one line.

    The lock is an `flock` on `.NAME.lock` beside out, holding the owner's pid; the kernel releases it when the
    owner exits, however it ends. The file is removed when the lock is released (a run that opened the removed
    file notices and retries on a new one). Without `fcntl` (Windows) runs are not locked.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    path = lock_path(out)
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise AnalysisError(f"cannot create the lock file {path} ({exc.strerror}); choose another --out"
                                ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", errors="replace").strip() or "unknown"
            os.close(fd)
            raise AnalysisError(f"another run (process {holder}) is writing {out}; wait for it to finish or "
                                "choose another --out") from None
        except OSError:  # a file system without locks: go on unlocked rather than refuse every run
            break
        try:
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                break  # locked the file that is in place
        except FileNotFoundError:
            pass
        os.close(fd)  # the previous owner removed this file meanwhile: lock the new one
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # while still locked, so no other run can hold a lock on this file
        os.close(fd)


#: errno values of a failed write that are the output's, not the program's: disk full, quota, file too large,
#: read-only file system, I/O error.
WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO}
_WRITE_HINTS = {errno.ENOSPC: "free space or choose another", errno.EDQUOT: "free space or choose another"}


def write_error(out: Path, exc: OSError, option: str = "--out") -> AnalysisError:
    """The one-line error for a failed write of the outputs to out (disk full, file too large, read-only, I/O)."""
    hint = _WRITE_HINTS.get(exc.errno, "choose another")
    return AnalysisError(f"cannot write the outputs to {out}: {exc.strerror or exc}; {hint} {option}")


def check_writable(out: Path, expected: set[str]) -> None:
    """Fail before any work if out cannot be created or written, or holds files this program did not write."""
    if out.exists() and not out.is_dir():
        raise AnalysisError(f"output {out} exists and is not a folder; choose another --out")
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        probe = Path(tempfile.mkdtemp(prefix=f".{out.name}.probe-", dir=parent))
        probe.rmdir()
    except OSError as exc:
        raise AnalysisError(f"cannot create or write folder {out} ({exc.strerror}); choose another --out") from None
    if out.exists():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in expected)
        if foreign:
            raise AnalysisError(
                f"output folder {out} holds files this program did not write ({', '.join(foreign[:3])}); "
                "use an empty or new folder for --out"
            )


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two folders (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def swap_in(out: Path, write: Callable[[Path], None]) -> None:
    """Write all outputs into a temporary folder beside out, then swap it in: all appear together or none.

    Where the system can exchange two folders atomically (Linux), the old and new sets swap in one step; elsewhere
    the old set is first renamed to `.NAME.previous`, and the next run restores it if the swap was interrupted.
    A write that fails for want of space (or a read-only or failing disk) is an AnalysisError; the previous outputs
    stay. Call it holding `output_lock(out)`.
    """
    recover(out)
    tmp: Path | None = None
    try:
        tmp = _owned_tmp(out.resolve().parent, f".{out.name}.tmp-")
        write(tmp)
        os.chmod(tmp, 0o755)
        if out.exists() and _exchange(tmp, out):
            return  # tmp now holds the previous outputs and is removed below
        old = _old(out)
        if out.exists():
            os.replace(out, old)
        os.replace(tmp, out)
        if old.exists():
            shutil.rmtree(old)
    except OSError as exc:
        if exc.errno in WRITE_ERRNOS:
            raise write_error(out, exc) from exc
        raise
    finally:
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def staged(out: Path, option: str = "--out") -> Iterator[Path]:
    """A temporary folder inside out to write files into; when the block ends, its files move into out (replacing
    files of the same names, leaving others), so a failure leaves out as it was and a temporary folder never stays.

    Fails in one line (AnalysisError naming `option`) when out is a file or cannot be created, or when writing fails
    for want of space (or a read-only or failing disk). Temporary folders of killed writers are removed.
    """
    if out.exists() and not out.is_dir():
        raise AnalysisError(f"output {out} exists and is not a folder; choose another {option}")
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        _remove_orphans(out, ".partial-")
        tmp = _owned_tmp(out, ".partial-")
    except OSError as exc:
        raise AnalysisError(f"cannot create or write folder {out} ({exc.strerror}); choose another {option}") from None
    try:
        yield tmp
        files = sorted(p.relative_to(tmp) for p in tmp.rglob("*") if not p.is_dir())
        for rel in files:  # check every destination before moving any file
            for parent in reversed((out / rel).parents):
                if parent.exists() and not parent.is_dir():
                    raise AnalysisError(f"{parent} is a file where a folder is needed; choose another {option}")
            if (out / rel).is_dir():
                raise AnalysisError(f"{out / rel} is a folder where a file is needed; choose another {option}")
        for rel in files:
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / rel, out / rel)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if created:  # leave no empty folder behind
            with contextlib.suppress(OSError):
                out.rmdir()
        if isinstance(exc, OSError) and exc.errno in WRITE_ERRNOS:
            raise write_error(out, exc, option) from exc
        raise
    shutil.rmtree(tmp, ignore_errors=True)


#: The creation and modification time written into .xlsx workbooks, so that the same table gives the same bytes.
XLSX_TIME = "2026-01-01T00:00:00Z"


def deterministic_xlsx(data: bytes) -> bytes:
    """An .xlsx workbook's zip rewritten with fixed entry times and fixed times in its properties."""
    import io
    import re
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>"
                              + XLSX_TIME.encode() + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body)
    return buf.getvalue()
