"""Shared fixtures: the demo article and one in-process run of the pipeline on it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analysis import config
from analysis.analyse import analyse_text
from analysis.framing.lexicon import load_lexicon
from analysis.text.decode import read_text

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = config.DEMO_ARTICLE


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m analysis ...` in a subprocess and capture its output."""
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=900)


def lexicon_yaml(entries: str, name: str = "test", version: str = "0.1") -> str:
    """The YAML of a test lexicon with one category `c`, its `entries:` lines given as they are."""
    return (f'name: {name}\nversion: "{version}"\nreferences: []\ncategories:\n'
            "  c: {label_zh: 測試, label_en: Test, description: d}\nentries:\n" + entries)


@pytest.fixture(scope="session")
def article_text() -> str:
    return read_text(ARTICLE)


@pytest.fixture(scope="session")
def lexicon():
    return load_lexicon(config.FRAMING_LEXICON)


@pytest.fixture(scope="session")
def article_tables(article_text, lexicon):
    return analyse_text("article", article_text, lexicon)


@pytest.fixture(scope="session")
def article_run(tmp_path_factory) -> Path:
    """The command line run once on the article; its output folder."""
    out = tmp_path_factory.mktemp("run") / "out"
    r = run_cli("run", str(ARTICLE), "--out", str(out))
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="session")
def lexicon_run(tmp_path_factory) -> Path:
    """The command line run once on the article with `--second-scorer lexicon`; its output folder."""
    out = tmp_path_factory.mktemp("run_lexicon") / "out"
    r = run_cli("run", str(ARTICLE), "--out", str(out), "--second-scorer", "lexicon")
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="session")
def shipped_validation(tmp_path_factory) -> dict[str, Path]:
    """`validate score` run afresh with its defaults on the shipped codes of sentences and of framing hits, as
    `make validation` runs it: {"sentences": …, "sentences_revise": … (the news model's training codes), "kwic": …
    (lexicon 1.0.0, revise part), "kwic_evaluate": … (2.0.0)}."""
    folders = {}
    for unit, coded in (("sentences", ROOT / "data/dev/coding/sentiment-2400"),
                        ("sentences_revise", ROOT / "data/dev/coding/sentiment-revise"),
                        ("kwic", ROOT / "data/lexicons/audit/revise"),
                        ("kwic_evaluate", ROOT / "data/lexicons/audit/evaluate")):
        out = tmp_path_factory.mktemp(f"shipped_{unit}") / "validation"
        codes = coded / "codes"
        r = run_cli("validate", "score", "--sample", str(coded / "sample"), "--codes", str(codes / "coder_a.csv"),
                    str(codes / "coder_b.csv"), "--adjudicate", str(codes / "coder_c_adjudication.csv"),
                    "--out", str(out))
        assert r.returncode == 0, r.stderr
        folders[unit] = out
    return folders
