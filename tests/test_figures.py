"""Figures: Chinese renders with the packaged font, renders are byte-identical, importing changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import matplotlib

from analysis.fonts import CJK_FAMILY

from .conftest import ROOT, run_cli


def test_figures_render_with_no_missing_glyph(article_run, tmp_path):
    from analysis.figures import render_figures

    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing")
        paths = render_figures(article_run, tmp_path)
    names = sorted(p.name for p in paths)
    assert names == sorted(f"{n}.{ext}" for n in ("framing_by_section", "sentiment_arc", "sentiment_by_section")
                           for ext in ("png", "svg"))
    from PIL import Image

    for p in paths:
        if p.suffix == ".png":
            assert Image.open(p).info["dpi"][0] >= 199


def test_the_cjk_face_is_the_traditional_noto_face():
    from matplotlib import font_manager

    from analysis.fonts import register_cjk_font

    assert register_cjk_font() == CJK_FAMILY == "Noto Sans CJK TC"
    path = font_manager.findfont(font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False)
    assert path.endswith((".ttc", ".otc"))


def test_importing_the_package_changes_no_matplotlib_settings():
    code = (
        "import matplotlib, json; before = {k: repr(v) for k, v in matplotlib.rcParams.items()};"
        "backend = matplotlib.get_backend();"
        "import importlib, pkgutil, analysis;"
        "[importlib.import_module('analysis.' + m.name) for m in pkgutil.iter_modules(analysis.__path__)"
        " if m.name != '__main__'];"
        "after = {k: repr(v) for k, v in matplotlib.rcParams.items()};"
        "print(json.dumps([k for k in before if before[k] != after[k]]))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
    assert matplotlib.rcParams["font.family"] != [CJK_FAMILY]


def test_two_renders_in_separate_processes_are_byte_identical(article_run, tmp_path):
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = tmp_path / f"f{seed}"
        r = run_cli("figures", "--data", str(article_run), "--out", str(out), env=env)
        assert r.returncode == 0, r.stderr
        outs.append(out)
    files = sorted(p.name for p in outs[0].iterdir())
    assert len(files) == 6
    for name in files:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
