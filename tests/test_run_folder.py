"""Every command that reads a finished run reads it one way (`io.tables.load_run`): the same checks, the same
one-line errors, whether it draws figures, writes reading views or draws a validation sample."""

from __future__ import annotations

import shutil

import pytest

from analysis.io.tables import read_table, write_csv

from .conftest import run_cli

READERS = {
    "figures": lambda data, out: ("figures", "--data", str(data), "--out", str(out)),
    "html": lambda data, out: ("html", "--data", str(data), "--out", str(out)),
    "validate sample": lambda data, out: ("validate", "sample", "--data", str(data), "--out", str(out)),
}


def _one_line_error(r) -> str:
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


@pytest.fixture(scope="module")
def broken(article_run, tmp_path_factory):
    """Copies of a run: one whose sections.csv lacks a column, one without manifest.json, one without kwic.csv."""
    root = tmp_path_factory.mktemp("broken")
    out = {}
    for name in ("column", "manifest", "table"):
        out[name] = shutil.copytree(article_run, root / name)
    sections = read_table(out["column"] / "sections.csv")
    write_csv(sections.drop(columns="n_cjk"), out["column"] / "sections.csv")
    (out["manifest"] / "manifest.json").unlink()
    (out["table"] / "kwic.csv").unlink()
    return out


@pytest.mark.parametrize("command", READERS)
def test_a_table_without_a_column_of_the_schema_is_the_same_one_line_error_everywhere(broken, command, tmp_path):
    line = _one_line_error(run_cli(*READERS[command](broken["column"], tmp_path / "out")))
    assert "sections.csv lacks column(s) n_cjk" in line and "python -m analysis run" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", READERS)
def test_a_folder_without_a_manifest_is_not_a_run_folder_everywhere(broken, command, tmp_path):
    line = _one_line_error(run_cli(*READERS[command](broken["manifest"], tmp_path / "out")))
    assert "is not a run folder (manifest.json not found)" in line and "python -m analysis run" in line


@pytest.mark.parametrize("command", READERS)
def test_a_missing_table_is_named_everywhere(broken, command, tmp_path):
    line = _one_line_error(run_cli(*READERS[command](broken["table"], tmp_path / "out")))
    assert "kwic.csv not found" in line and "not a complete run folder" in line
