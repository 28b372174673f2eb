"""Notebook 05 runs top to bottom with papermill, shows no missing glyph, and writes only when asked."""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import pytest

from .conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "05-sentiment-agreement.ipynb"


def test_notebook_is_stored_without_outputs_and_has_the_parameter_convention():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and "papermill" in nb.cells[0].source
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    names = [line.split("=")[0].strip() for line in params[0].source.splitlines() if "=" in line]
    assert names == ["article", "lexicon", "converter", "output"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_notebook_executes_without_errors_or_missing_glyphs(tmp_path):
    papermill = pytest.importorskip("papermill")
    (tmp_path / "in").mkdir()
    article = tmp_path / "in" / "short.txt"
    article.write_text("標題\n\n這部電影非常精彩。質量太差了。今天是星期三。\n\n小節\n\n我們很滿意。這個計劃徹底失敗了。\n",
                       encoding="utf-8")
    out = tmp_path / "executed.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={"article": "in/short.txt", "output": "res"},
                               cwd=str(tmp_path), kernel_name="python3", progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    text = json.dumps([o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])], ensure_ascii=False)
    assert '"output_type": "error"' not in text
    assert "Glyph" not in text and "missing from font" not in text
    assert "image/png" in text
    res = tmp_path / "res"
    assert {p.name for p in res.iterdir()} == {"05_agreement.csv", "05_agreement_sides.csv", "05_disagreements.csv",
                                               "05_sections_side_by_side.csv", "05_sentiment_agreement.png",
                                               "05_sentiment_agreement.svg"}  # prefixed like every notebook's
    agreement = pd.read_csv(res / "05_agreement.csv")
    assert agreement.loc[0, "document"] == "short" and agreement.loc[0, "n"] == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["executed.ipynb", "in", "res"]
