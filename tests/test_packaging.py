"""Declared dependencies: every import of the package, notebooks, tests and benchmarks is declared in pyproject.toml
(deptry, as `make lint` runs it), every runtime dependency is used, and the check fails when one is missing."""

from __future__ import annotations

import re
import subprocess
import sys

from .conftest import ROOT

PACKAGE = ("analysis", "notebooks")
DEV = ("tests", "benchmarks", "--exclude", r"\.venv", "--ignore", "DEP002,DEP004")


def _deptry(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "deptry", "--no-ansi", *args], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)


def test_make_lint_runs_the_same_two_checks():
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(PY) -m deptry " + " ".join(PACKAGE) in recipe
    assert "$(PY) -m deptry " + " ".join(a if a != r"\.venv" else r"'\.venv'" for a in DEV) in recipe


def test_every_import_of_the_package_and_the_notebooks_is_a_declared_runtime_dependency_and_each_is_used():
    r = _deptry(*PACKAGE)
    assert r.returncode == 0, r.stdout


def test_every_import_of_the_tests_and_benchmarks_is_declared():
    r = _deptry(*DEV)
    assert r.returncode == 0, r.stdout


def test_the_check_fails_for_an_undeclared_import_and_for_an_unused_dependency(tmp_path):
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    without_scipy = re.sub(r'\n\s*"scipy",[^\n]*', "", text)
    assert without_scipy != text
    (tmp_path / "pyproject.toml").write_text(without_scipy, encoding="utf-8")
    r = _deptry(*PACKAGE, "--config", str(tmp_path / "pyproject.toml"))
    assert r.returncode != 0 and re.search(r"framing_effect\.py:\d+:\d+: DEP00[13] 'scipy'", r.stdout), r.stdout
    unused = text.replace('    "tqdm",\n', '    "tqdm",\n    "requests",\n', 1)
    assert unused != text
    (tmp_path / "pyproject.toml").write_text(unused, encoding="utf-8")
    r = _deptry(*PACKAGE, "--config", str(tmp_path / "pyproject.toml"))
    assert r.returncode != 0 and "DEP002 'requests' defined as a dependency but not used" in r.stdout, r.stdout


def test_make_lab_passes_allow_root_only_as_root_and_says_so():
    import os
    from pathlib import Path

    venv = Path(sys.executable).parent.parent
    r = subprocess.run(["make", "-s", "lab", "LAB_ARGS=--version", f"VENV={venv}"], cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr  # as root, JupyterLab would stop with "Running as root is not recommended"
    dry = subprocess.run(["make", "-n", "lab", f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "--allow-root" in dry
    assert ("running as root" in r.stdout) == (os.geteuid() == 0)
