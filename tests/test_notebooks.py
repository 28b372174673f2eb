"""The notebooks: stored without outputs, thin, and executed top to bottom in a fresh kernel from another folder."""

from __future__ import annotations

import ast
import hashlib
import json
import math
import re

import nbformat
import pytest
from snownlp import SnowNLP

from analysis import config
from analysis.io.tables import read_table

from .conftest import ROOT, run_cli

NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
NAMES = [p.stem for p in NOTEBOOKS]
PARAMETERS = ["article", "lexicon", "converter", "output"]
#: Notebook 06 reads coded samples, not an article (README, Notebooks); the tests run it with `output` set.
VALIDATION = "06-validation"
VALIDATION_PARAMETERS = {"sample": None, "codes": None, "adjudicate": None, "kwic_sample": None, "kwic_codes": None,
                         "kwic_adjudicate": None, "resamples": 2000, "output": None}


def execute(path, cwd, **parameters):
    """Run a notebook with papermill in a fresh kernel, working folder `cwd`; return the executed notebook."""
    import papermill

    out = cwd / f"{path.stem}.executed.ipynb"
    papermill.execute_notebook(str(path), str(out), parameters=parameters, cwd=str(cwd), kernel_name="python3",
                               progress_bar=False, log_output=False)
    return nbformat.read(out, as_version=4)


def problems(nb) -> list[str]:
    """Errors and warnings a reader would see: error outputs, tracebacks and missing glyphs on stderr.

    Warnings raised while the inline backend draws a figure (after the cell) do not stop papermill, so the
    outputs are scanned rather than relying on the execution to fail.
    """
    found = []
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            if o.output_type == "error":
                found.append(f"cell {i}: {o.ename}: {o.evalue}")
            elif o.output_type == "stream" and o.name == "stderr":
                text = o.text
                if any(w in text for w in ("missing from font", "Glyph", "Traceback", "Error", "Warning")):
                    found.append(f"cell {i} stderr: {text[:300]}")
    return found


def images(nb) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def plot_calls(nb) -> int:
    """Calls of the package's plotting functions (`plot_NAME(`) in the code cells."""
    return sum(len(re.findall(r"\bplot_\w+\(", c.source)) for c in nb.cells if c.cell_type == "code")


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="session")
def validation_output(tmp_path_factory):
    """Where the run of notebook 06 in `executed` saves its tables and figures."""
    return tmp_path_factory.mktemp("validation_notebook") / "results"


@pytest.fixture(scope="session")
def executed(tmp_path_factory, validation_output):
    """Every notebook run once with its default parameters (the demo article; for notebook 06 the shipped codes, and
    an `output` folder elsewhere), from an unrelated folder."""
    cwd = tmp_path_factory.mktemp("elsewhere")
    before = _digest(config.PROCESSED_DATA_DIR)
    nbs = {p.stem: execute(p, cwd, **({"output": str(validation_output)} if p.stem == VALIDATION else {}))
           for p in NOTEBOOKS}
    assert _digest(config.PROCESSED_DATA_DIR) == before
    assert sorted(p.name for p in cwd.iterdir()) == sorted(f"{n}.executed.ipynb" for n in NAMES)
    return nbs


def test_the_numbered_notebooks_exist():
    assert {"00-method-checks", "01-sentiment-by-section", "02-framing-terms", "03-framing-and-sentiment"} <= set(NAMES)
    assert all(re.fullmatch(r"\d\d-[a-z0-9-]+", n) for n in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_without_outputs_and_opens_with_what_it_shows(name):
    raw = json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text(encoding="utf-8"))
    nb = nbformat.reads(json.dumps(raw), as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "strip outputs: make strip"
        assert "papermill" not in cell.metadata and "execution" not in cell.metadata
    assert "papermill" not in nb.metadata and nb.metadata.kernelspec.name == "python3"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert f"papermill notebooks/{name}.ipynb" in first.source


@pytest.mark.parametrize("name", NAMES)
def test_parameters_cell_has_exactly_the_four_parameters_and_code_holds_no_logic(name):
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    tree = ast.parse(tagged[0].source)
    assigned = {t.targets[0].id: ast.literal_eval(t.value) for t in tree.body}
    if name == "04-corpus":  # reads a finished run rather than one article (README, Notebooks)
        assert assigned == {"corpus": None, "group_by": None, "weight": "documents", "period": None, "output": None}
    elif name == VALIDATION:
        assert assigned == VALIDATION_PARAMETERS and list(assigned) == list(VALIDATION_PARAMETERS)
    else:
        assert list(assigned) == PARAMETERS
        assert assigned == {"article": None, "lexicon": None, "converter": "t2s", "output": None}
    for cell in nb.cells:
        if cell.cell_type == "code":
            source = "\n".join(line for line in cell.source.splitlines() if not line.startswith("%"))
            for node in ast.walk(ast.parse(source)):
                assert not isinstance(node, ast.FunctionDef | ast.Lambda | ast.ClassDef | ast.While), (
                    f"{name}: define functions in the analysis package, not in a notebook")


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_use_the_short_imports_and_save_only_through_the_api(name):
    import analysis

    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    code = "\n".join(line for c in nb.cells if c.cell_type == "code" for line in c.source.splitlines()
                     if not line.startswith("%"))
    imports = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Import | ast.ImportFrom)]
    ours = [n for n in imports if (n.module if isinstance(n, ast.ImportFrom) else n.names[0].name).startswith("analysis")]
    assert ours and all(isinstance(n, ast.ImportFrom) and n.module == "analysis" for n in ours), name
    assert {a.name for n in ours for a in n.names} <= {"api", *analysis.SHORT_NAMES}, name
    assert "api.save_outputs(" in code
    assert not re.search(r"\.to_csv\(|savefig\(|save_figure\(|write_\w+\(|open\(", code), name


def test_every_short_name_is_the_module_it_stands_for():
    import importlib

    import analysis

    for short, module in analysis.SHORT_NAMES.items():
        assert getattr(analysis, short) is importlib.import_module(module)
    from analysis import figures, groups

    assert figures.__name__ == "analysis.present.figures" and groups.__name__ == "analysis.stats.groups"
    with pytest.raises(ImportError):
        from analysis import corpus  # noqa: F401  (the old flat name is gone)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_clean_on_the_demo_article_and_shows_every_figure(executed, name):
    nb = executed[name]
    assert problems(nb) == []
    if name == VALIDATION:  # per scorer of the sample: confusion, calibration, score by code; and term precision
        meta = json.loads((ROOT / "data/dev/coding/sentiment-2400/sample/sample.json").read_text(encoding="utf-8"))
        assert images(nb) == 3 * len(meta["scorers"]) + 1 and plot_calls(nb) == 4
    else:
        assert images(nb) == plot_calls(nb) > 0


def test_the_problem_scan_catches_a_missing_glyph(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "%matplotlib inline\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.set_title('中文')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "glyph.ipynb"
    nbformat.write(nb, path)
    found = problems(execute(path, tmp_path))
    assert found and "missing from font" in found[0]


def test_a_simplified_article_without_headings_through_papermill_parameters(tmp_path):
    sentences = ["国产芯片实现自主可控，这是一次历史性的突围。", "市场反应平淡，投资者仍然担心差距。",
                 "专家认为，这款产品的质量很好，价格也便宜。", "但是也有人批评它的功耗太高，体验很差。"]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "simplified.txt").write_text("\n".join(sentences) + "\n", encoding="utf-8")
    nb = execute(NOTEBOOK_DIR / "01-sentiment-by-section.ipynb", tmp_path, article="in/simplified.txt",
                 output="results")
    assert problems(nb) == [] and images(nb) == plot_calls(nb) == 2
    sections = read_table(tmp_path / "results" / "01_sections.csv")
    assert len(sections) == 1 and sections.loc[0, "document"] == "simplified"
    scores = [SnowNLP(s).sentiments for s in sentences]  # t2s leaves these Simplified sentences unchanged
    assert sections.loc[0, "n_scored"] == 4
    assert sections.loc[0, "sentiment_mean"] == pytest.approx(sum(scores) / 4, rel=1e-12)
    extremes = read_table(tmp_path / "results" / "01_extremes.csv")
    assert extremes.loc[extremes["which"] == "most positive", "sentiment"].max() == max(scores)
    assert {p.name for p in (tmp_path / "results").iterdir()} == {
        "01_sections.csv", "01_sentences.csv", "01_extremes.csv", "01_sentiment_by_section.png",
        "01_sentiment_by_section.svg", "01_sentiment_arc.png", "01_sentiment_arc.svg"}


def test_notebook_03_refuses_statistics_for_one_framing_sentence_and_says_why(tmp_path):
    # one sentence holds framing terms (国产, 自主可控), five do not
    sentences = ["国产芯片实现自主可控。", "市场反应平淡，投资者仍然担心价格。", "专家认为，这款产品的质量很好，价格也便宜。",
                 "但是也有人批评它的功耗太高，体验很差。", "消费者说，这个手机的屏幕很漂亮。", "商店里的顾客很多。"]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "short.txt").write_text("\n".join(sentences) + "\n", encoding="utf-8")
    nb = execute(NOTEBOOK_DIR / "03-framing-and-sentiment.ipynb", tmp_path, article="in/short.txt", output="results")
    assert problems(nb) == [] and images(nb) == plot_calls(nb) == 1
    row = read_table(tmp_path / "results" / "03_framing_comparison.csv").iloc[0]
    assert (row["n_framing"], row["n_other"]) == (1, 5)
    for col in ("difference_ci_low", "permutation_p", "mannwhitney_p", "rank_biserial", "prob_superiority"):
        assert math.isnan(row[col]), col
    assert "too few" in row["reason"] and "at least 5 in each group" in row["reason"]
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.output_type == "stream")
    assert "No interval, test or effect size: too few scored sentences" in printed
    assert "p =" not in printed


def _same_picture(a, b) -> bool:
    """Two PNGs show the same picture: same size, no pixel differs by more than anti-aliasing does (a figure that is
    displayed inline before it is saved lays out again and moves a few edges by a fraction of a pixel)."""
    import numpy as np
    from PIL import Image

    x, y = (np.asarray(Image.open(p).convert("RGB"), dtype=int) for p in (a, b))
    return x.shape == y.shape and int(np.abs(x - y).max()) <= 32


def test_notebook_06_tables_and_figures_are_those_of_validate_score(executed, validation_output, shipped_validation):
    """Same inputs, same defaults: every table the notebook saves equals, byte for byte, the CSV `validate score`
    writes; every figure shows the same picture (SVG identical when the layout has settled)."""
    saved = {p.name for p in validation_output.iterdir()}
    expected = set()
    for prefix, folder in (("06_", shipped_validation["sentences"]), ("06_kwic_", shipped_validation["kwic"])):
        for csv in folder.glob("*.csv"):
            expected.add(prefix + csv.name)
            assert (validation_output / (prefix + csv.name)).read_bytes() == csv.read_bytes(), prefix + csv.name
        for png in (folder / "figures").glob("*.png"):
            name = prefix + png.name
            expected |= {name, name.replace(".png", ".svg")}
            assert _same_picture(validation_output / name, png), name
    assert saved == expected
    assert problems(executed[VALIDATION]) == []


def test_the_picture_check_tells_two_scorers_apart(shipped_validation):
    figures = shipped_validation["sentences"] / "figures"
    assert _same_picture(figures / "calibration_sentiment.png", figures / "calibration_sentiment.png")
    assert not _same_picture(figures / "calibration_sentiment.png", figures / "calibration_sentiment_lexicon.png")


def _blind_sheet(sample, folder) -> None:
    """The coding.csv `validate sample` writes beside the key (the test samples are built without one)."""
    sheet = sample[["unit", "text"]].assign(context_before="", context_after="", code="")
    sheet.to_csv(folder / "coding.csv", index=False, lineterminator="\n")


def test_notebook_06_on_samples_of_your_own_with_relative_paths_and_one_kwic_coder(tmp_path):
    from .validation_fixtures import coder, kwic_sample, sentence_sample, write_codes

    inp = tmp_path / "in"
    sentences = sentence_sample(inp / "sample", n=80)
    _blind_sheet(sentences, inp / "sample")
    units = list(sentences["unit"])
    codes = [write_codes(inp / "ann.csv", units, coder(sentences["truth"], 0.1, 1)),
             write_codes(inp / "bo.xlsx", units, coder(sentences["truth"], 0.2, 2))]
    hits = kwic_sample(inp / "ksample")
    _blind_sheet(hits, inp / "ksample")
    kcodes = [write_codes(inp / "k1.csv", list(hits["unit"]), coder(hits["truth"], 0.1, 3, ("yes", "no")))]
    nb = execute(NOTEBOOK_DIR / f"{VALIDATION}.ipynb", tmp_path, sample="in/sample",
                 codes=["in/ann.csv", "in/bo.xlsx"], kwic_sample="in/ksample", kwic_codes=["in/k1.csv"],
                 resamples=100, output="results")
    assert problems(nb) == [] and images(nb) == 3 * 2 + 1
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.output_type == "stream")
    assert "who coded: coded by the users of this package; state who they were" in printed
    assert "Only one coder: agreement between coders cannot be measured" in printed
    for prefix, sample, files in (("06_", "sample", codes), ("06_kwic_", "ksample", kcodes)):
        out = tmp_path / f"cli_{sample}"
        r = run_cli("validate", "score", "--sample", str(inp / sample), "--codes", *map(str, files), "--out",
                    str(out), "--resamples", "100")
        assert r.returncode == 0, r.stderr
        for csv in sorted(out.glob("*.csv")):
            assert (tmp_path / "results" / (prefix + csv.name)).read_bytes() == csv.read_bytes(), prefix + csv.name


@pytest.mark.parametrize("name", NAMES)
def test_every_notebook_prefixes_the_files_it_saves_with_its_number(name):
    """README (Notebooks) and CODEBOOK say so: `01_sections.csv`, `04_groups_by_COLUMN.csv`, …"""
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    save = next(c.source for c in nb.cells if c.cell_type == "code" and "api.save_outputs(" in c.source)
    keys = []
    for node in ast.walk(ast.parse(save)):
        if isinstance(node, ast.Dict):
            keys += [k for k in node.keys if k is not None]  # None: a `**mapping` (06: named by a prefix argument)
        elif isinstance(node, ast.DictComp) and not isinstance(node.key, ast.Name):
            keys.append(node.key)
    first = [k.value if isinstance(k, ast.Constant) else k.values[0].value for k in keys
             if isinstance(k, ast.Constant | ast.JoinedStr)]
    assert first and all(str(f).startswith(name[:2] + "_") for f in first), (name, first)
