"""manifest.json records the lexicon's path as given and its sha256; `html` uses it (one-line error when it changed);
`html --documents`; `run --help` names every scorer."""

from __future__ import annotations

import json
import shutil

from analysis import config

from .conftest import ARTICLE, run_cli


def test_run_help_lists_every_scorer_the_readme_documents():
    out = run_cli("run", "--help").stdout
    assert "snownlp-reference" in out and "lexicon (the HowNet" in out


def test_the_shipped_lexicon_is_recorded_by_its_place_in_the_project(article_run):
    lex = json.loads((article_run / "manifest.json").read_text(encoding="utf-8"))["lexicon"]
    assert lex["path"] == "data/lexicons/framing.yaml" and lex["shipped"] is True


def test_html_uses_the_lexicon_the_manifest_records_and_refuses_a_changed_one(tmp_path):
    shutil.copy(config.FRAMING_LEXICON, tmp_path / "lex.yaml")
    shutil.copy(ARTICLE, tmp_path / "a.txt")
    r = run_cli("run", "a.txt", "--lexicon", "lex.yaml", "--out", "run", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    lex = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))["lexicon"]
    assert lex["path"] == "lex.yaml" and lex["shipped"] is False
    r = run_cli("html", "--data", "run", "--out", "pages", "--documents", "a", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "pages").iterdir()) == ["a.html"]
    r = run_cli("html", "--data", "run", "--out", "pages", "--documents", "b", cwd=tmp_path)
    assert r.returncode == 2 and "no document 'b'" in r.stderr
    with open(tmp_path / "lex.yaml", "a", encoding="utf-8") as f:
        f.write("# edited after the run\n")
    r = run_cli("html", "--data", "run", "--out", "pages2", cwd=tmp_path)
    assert r.returncode == 2 and "lexicon lex.yaml has changed since the run" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and not (tmp_path / "pages2").exists()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = run_cli("html", "--data", str(tmp_path / "run"), "--out", "pages", cwd=elsewhere)
    assert r.returncode == 2 and "the run's lexicon lex.yaml (recorded in manifest.json) is not found" in r.stderr
