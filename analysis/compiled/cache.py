"""Cache folders built once, in a child process, and renamed into place when complete (`build_in_child`).

A folder is valid when its `meta.json` records the key it was built for; a damaged or outdated one is rebuilt.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .. import config
from ..errors import AnalysisError

log = logging.getLogger(__name__)

#: The folder that holds `analysis/` (put on the child's sys.path, so it imports this very package).
ROOT = Path(__file__).resolve().parents[2]


def valid(folder: Path, key: dict) -> bool:
    """Whether `folder` holds a complete build for `key` (its meta.json records that key)."""
    try:
        return json.loads((folder / "meta.json").read_text(encoding="utf-8")).get("key") == key
    except (OSError, ValueError):
        return False


def staging(parent: Path) -> Path:
    """A new temporary folder in parent, for a build that is renamed into place when complete."""
    try:
        parent.mkdir(parents=True, exist_ok=True)
        for stale in parent.glob(".build-*"):  # left by an interrupted build
            if time.time() - stale.stat().st_mtime > 3600:
                shutil.rmtree(stale, ignore_errors=True)
        return Path(tempfile.mkdtemp(prefix=".build-", dir=parent))
    except OSError as exc:
        raise AnalysisError(f"cannot write the cache in {parent} ({exc.strerror}); set {config.CACHE_DIR_ENV} to a "
                            "writable folder") from None


def publish(tmp: Path, folder: Path, key: dict) -> None:
    """Rename a complete build into place (atomic); another process having finished first is fine."""
    if folder.exists() and not valid(folder, key):
        shutil.rmtree(folder, ignore_errors=True)  # a damaged folder under our key
    try:
        tmp.rename(folder)
    except OSError:
        if not valid(folder, key):  # anything but another process having finished first
            raise


def write_meta(folder: Path, meta: dict) -> None:
    """Write meta.json (last, after everything it describes)."""
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                      encoding="utf-8")


def build_in_child(folder: Path, key: dict, module: str, args: list[str], what: str, hint: str) -> None:
    """Run `module.main([TMP, KEY_JSON, *args])` in a child process, then rename TMP to `folder` (atomic).

    `what` names the build in messages ("the fast scorer's kernel"); `hint` says what to do when it fails.
    """
    tmp = staging(folder.parent)
    log.info("building %s (once) into %s", what, folder)
    code = f"import sys; sys.path.insert(0, sys.argv[1]); from {module} import main; sys.exit(main(sys.argv[2:]))"
    try:
        r = subprocess.run([sys.executable, "-c", code, str(ROOT), str(tmp), json.dumps(key), *args],
                           capture_output=True, text=True)
        if r.returncode != 0:
            last = (r.stderr.strip().splitlines() or ["no message"])[-1]
            raise AnalysisError(f"could not build {what} ({last}); {hint}")
        publish(tmp, folder, key)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
