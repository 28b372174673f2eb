"""Figures: Chinese renders with the packaged font, renders are byte-identical, importing changes nothing; empty and
small inputs get notes, legends name only what is drawn, labels are cut with an ellipsis (Figure objects, not pixels)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import warnings

import matplotlib
import pandas as pd
import pytest
from matplotlib.text import Text

from analysis.analyse import analyse_text
from analysis.present import figures, palette, render, style
from analysis.present.fonts import CJK_FAMILY
from analysis.stats.groups import MIN_GROUP_DOCUMENTS

from .conftest import ROOT, run_cli


def test_figures_render_with_no_missing_glyph(article_run, tmp_path):
    from analysis.present.render import render_figures

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

    from analysis.present.fonts import register_cjk_font

    assert register_cjk_font() == CJK_FAMILY == "Noto Sans CJK TC"
    path = font_manager.findfont(font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False)
    assert path.endswith((".ttc", ".otc"))


def test_importing_the_package_changes_no_matplotlib_settings():
    code = (
        "import matplotlib, json; before = {k: repr(v) for k, v in matplotlib.rcParams.items()};"
        "backend = matplotlib.get_backend();"
        "import importlib, pkgutil, analysis;"
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(analysis.__path__, 'analysis.')"
        " if not m.name.endswith('__main__')];"
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


# --- Empty and small inputs, labels, legends (issue 12): the Figure objects are checked, not pixels. ---

ENGLISH = "This is an English article.\nIt has no Chinese characters at all.\n"
NO_HITS = "只有幾句話，沒有框架詞。\n今天天氣很好，大家都很開心。\n"


def _texts(fig) -> list[str]:
    """Every piece of text drawn in a figure: titles, axis and tick labels, notes, legend entries."""
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _legend_texts(fig) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    return [t.get_text() for leg in legends for t in leg.get_texts()]


@pytest.fixture(scope="module")
def english(lexicon):
    return analyse_text("en", ENGLISH, lexicon)


@pytest.fixture(scope="module")
def no_hits(lexicon):
    return analyse_text("zh", NO_HITS, lexicon)


def test_fit_keeps_what_fits_wraps_and_ends_a_cut_with_an_ellipsis():
    assert style.fit("甲報", 20, 2) == "甲報"
    name = "中華人民共和國國務院新聞辦公室主辦的一個非常長的網站名稱"  # 29 characters: two lines of 20
    assert style.fit(name, 20, 2) == name[:20] + "\n" + name[20:]
    cut = style.fit(name * 2, 20, 2)
    assert cut == name[:20] + "\n" + (name * 2)[20:39] + "…"
    assert style.fit("The Hong Kong Economic Journal online edition", 16, 2) == "The Hong Kong\nEconomic Journa…"
    assert style.fit("a_very_long_document_identifier_2026", 24) == "a_very_long_document_id…"


def test_a_section_label_cut_to_two_lines_ends_with_an_ellipsis(lexicon):
    long = "第一節：" + "中國人工智能產業在全球競爭中的地位與未來發展方向" * 2
    tables = analyse_text("doc", f"# 短標題\n\n第一句話很好。\n\n# {long}\n\n國產芯片實現自主可控，這是一次突圍。\n", lexicon,
                          headings="markdown")
    fig = figures.plot_sentiment_by_section(tables.sections, tables.sentences)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    cut = next(lab for lab in labels if "第一節" in lab)
    assert cut.endswith("…") and cut.count("\n") == 1
    assert cut.split("  ", 1)[1].replace("\n", "").removesuffix("…") in long
    assert not any(lab.endswith("…") for lab in labels if "短標題" in lab)
    heat = figures.plot_framing_by_section(tables.sections, tables.framing, _categories(lexicon))
    assert any(t.get_text().endswith("…") and "第一節" in t.get_text() for t in heat.axes[0].get_yticklabels())


def _categories(lexicon) -> list[dict]:
    return [{"id": c.id, "label_zh": c.label_zh, "label_en": c.label_en} for c in lexicon.categories]


def test_a_document_without_scores_gets_notes_not_empty_axes_legends_or_a_colour_bar(english, lexicon):
    assert english.sentences["sentiment"].notna().sum() == 0 and english.sections["n_cjk"].sum() == 0
    heat = figures.plot_framing_by_section(english.sections, english.framing, _categories(lexicon))
    assert len(heat.axes) == 1  # no colour-bar axes
    assert any(t.startswith("no framing hits: the document has no Chinese characters") for t in _texts(heat))
    for fig in (figures.plot_sentiment_by_section(english.sections, english.sentences),
                figures.plot_sentiment_arc(english.sentences, english.sections)):
        assert any(t.startswith("no scored sentences") for t in _texts(fig))
        assert fig.axes[0].get_legend() is None  # nothing drawn that a legend could name
        assert not fig.axes[0].collections  # no points


def test_a_chinese_document_without_hits_says_so_and_with_hits_gets_a_scale_from_zero_to_the_largest_density(
        no_hits, article_tables, lexicon):
    assert no_hits.framing["count"].sum() == 0 if len(no_hits.framing) else True
    heat = figures.plot_framing_by_section(no_hits.sections, no_hits.framing, _categories(lexicon))
    n_cjk = int(no_hits.sections["n_cjk"].sum())
    assert len(heat.axes) == 1
    assert f"no framing hits: none of the lexicon's terms counts in the document's {n_cjk} CJK characters" in \
        _texts(heat)
    heat = figures.plot_framing_by_section(article_tables.sections, article_tables.framing, _categories(lexicon))
    assert len(heat.axes) == 2  # the heatmap and its colour bar
    counts = article_tables.framing.groupby(["section", "category"])["count"].sum()
    n = article_tables.sections.set_index("section")["n_cjk"]
    densest = max(c / n[s] * 1000 for (s, _cat), c in counts.items())
    assert heat.axes[0].collections[0].get_clim() == pytest.approx((0, densest))


def test_render_figures_on_an_english_document_warns_nothing_and_changes_no_warning_filter(tmp_path):
    out = tmp_path / "run"
    table = tmp_path / "c.csv"
    table.write_text("id,text,outlet\nzh,國產芯片實現自主可控，這是一次突圍。市場反應平淡。,甲報\n"
                     f"en,\"{ENGLISH}\",乙網\n", encoding="utf-8")
    r = run_cli("run", str(table), "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr
    r = run_cli("figures", "--data", str(out), "--out", str(tmp_path / "cli"))
    assert r.returncode == 0, r.stderr
    assert "Warning" not in r.stderr and "site-packages" not in r.stderr and ".py:" not in r.stderr, r.stderr
    before = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render.render_figures(out, tmp_path / "figs")
    assert [str(w.message) for w in caught] == []
    assert warnings.filters == before


def test_an_unexpected_warning_while_drawing_reaches_the_caller(article_run, tmp_path, monkeypatch):
    original = figures.sns.heatmap

    def heatmap(*args, **kwargs):
        warnings.warn("something new went wrong", UserWarning, stacklevel=2)
        return original(*args, **kwargs)

    monkeypatch.setattr(figures.sns, "heatmap", heatmap)
    with pytest.warns(UserWarning, match="something new went wrong"):
        render.render_figures(article_run, tmp_path)


def test_no_figure_calls_half_neutral_and_the_dashed_line_is_named_as_the_readme_names_it(
        article_tables, lexicon):
    from analysis.stats import framing_effect as compare

    sen, sec = article_tables.sentences, article_tables.sections
    docs = pd.DataFrame({"document": ["a", "b"], "meta_outlet": ["甲", "乙"], "framing_per_1k_cjk": [3.0, 5.0],
                         "sentiment_mean": [0.6, 0.7], "sentiment_ci_low": [0.5, 0.6],
                         "sentiment_ci_high": [0.7, 0.8]})
    groups = _groups([("甲", 1, 0.6, 3.0), ("乙", 1, 0.7, 5.0)])
    figs = [figures.plot_sentiment_by_section(sec, sen), figures.plot_sentiment_arc(sen, sec),
            figures.plot_corpus_documents(docs, "meta_outlet"), figures.plot_corpus_groups(groups, docs, "meta_outlet"),
            figures.plot_score_distribution(sen),
            figures.plot_framing_comparison(sen, compare.compare_framing(sen, permutations=100))]
    for fig in figs:
        assert not any("neutral)" in t or "= neutral" in t for t in _texts(fig)), _texts(fig)
        assert style.HALF_LABEL in _legend_texts(fig)
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "0.5 = neutral" not in readme and f'labelled "{style.HALF_LABEL}"' in readme


def _groups(rows) -> pd.DataFrame:
    """A compare_groups-shaped table: (group, n_documents, sentiment_mean, framing_per_1k_cjk); CIs ±0.05."""
    from analysis.stats.groups import GROUP_COLUMNS

    out = []
    for g, n, s, f in rows:
        ci = (math.nan, math.nan) if n < 2 or math.isnan(s) else (s - 0.05, s + 0.05)
        fci = (math.nan, math.nan) if n < 2 or math.isnan(f) else (f - 0.5, f + 0.5)
        out.append({"group": g, "n_documents": n, "n_scored": 0 if math.isnan(s) else 10 * n,
                    "sentiment_mean": s, "sentiment_ci_low": ci[0], "sentiment_ci_high": ci[1],
                    "framing_hits": 0, "n_cjk": 0, "framing_per_1k_cjk": f, "framing_ci_low": fci[0],
                    "framing_ci_high": fci[1]})
    return pd.DataFrame(out, columns=GROUP_COLUMNS)


def _corpus(spec) -> pd.DataFrame:
    """documents with meta_outlet: spec is [(outlet, [(sentiment_mean, framing density), ...]), ...]."""
    rows = []
    for outlet, values in spec:
        for i, (s, f) in enumerate(values):
            rows.append({"document": f"{outlet}-{i:02d}", "meta_outlet": outlet, "sentiment_mean": s,
                         "sentiment_ci_low": s - 0.1, "sentiment_ci_high": s + 0.1, "framing_per_1k_cjk": f})
    return pd.DataFrame(rows)


def _markers(ax) -> dict[float, str]:
    """Face colour of each group's point, by row (y)."""
    from matplotlib.colors import to_hex

    return {float(c.lines[0].get_ydata()[0]): to_hex(c.lines[0].get_markerfacecolor()) for c in ax.containers}


def test_a_group_without_scores_sorting_first_keeps_every_legend_entry_and_says_why_its_row_is_empty():
    n_big = MIN_GROUP_DOCUMENTS
    docs = _corpus([("(none)", [(math.nan, math.nan)]), ("乙網", [(0.7, 4.0), (0.8, 6.0)]),
                    ("甲報", [(0.5 + 0.01 * i, 1.0 + i) for i in range(n_big)])])
    groups = _groups([("(none)", 1, math.nan, math.nan), ("乙網", 2, 0.75, 5.0), ("甲報", n_big, 0.55, 5.5)])
    fig = figures.plot_corpus_groups(groups, docs, "meta_outlet")
    legend = _legend_texts(fig)
    assert "group, 95% CI (documents resampled)" in legend and "document" in legend
    assert f"group of fewer than {MIN_GROUP_DOCUMENTS} documents: interval unreliable" in legend
    left, right = fig.axes[0], fig.axes[1]
    assert "no scored sentences" in [t.get_text() for t in left.texts]
    assert "no CJK characters" in [t.get_text() for t in right.texts]
    assert sorted(_markers(left)) == [1.0, 2.0]  # no point on the empty row 0


def test_small_groups_are_hollow_and_labelled_too_few_and_long_names_are_kept_or_cut_with_an_ellipsis():
    long = "中華人民共和國國務院新聞辦公室主辦的一個非常長的網站名稱"
    longer = long * 2
    docs = _corpus([(long, [(0.6, 2.0), (0.7, 3.0)]), (longer, [(0.6, 2.0)] * MIN_GROUP_DOCUMENTS),
                    ("甲報", [(0.5, 1.0)] * (MIN_GROUP_DOCUMENTS - 1))])
    groups = _groups([(long, 2, 0.65, 2.5), (longer, MIN_GROUP_DOCUMENTS, 0.6, 2.0),
                      ("甲報", MIN_GROUP_DOCUMENTS - 1, 0.5, 1.0)])
    fig = figures.plot_corpus_groups(groups, docs, "meta_outlet")
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    grp = groups.sort_values("group").reset_index(drop=True)
    by_name = dict(zip(grp["group"], ticks, strict=True))
    assert by_name[long].rsplit("\n", 1) == [long[:20] + "\n" + long[20:], "n=2 documents, too few"]
    name, n = by_name[longer].rsplit("\n", 1)
    assert name.endswith("…") and longer.startswith(name.replace("\n", "").removesuffix("…"))
    assert n == f"n={MIN_GROUP_DOCUMENTS} documents"
    assert by_name["甲報"].endswith(f"n={MIN_GROUP_DOCUMENTS - 1} documents, too few")
    for ax in fig.axes:
        faces = _markers(ax)
        for y, g in enumerate(grp["group"]):
            small = grp.loc[y, "n_documents"] < MIN_GROUP_DOCUMENTS
            assert faces[float(y)] == ("#ffffff" if small else palette.BLUE.lower()), (g, ax.get_xlabel())


def test_the_documents_legend_names_only_groups_with_a_point():
    docs = _corpus([("乙網", [(math.nan, math.nan)]), ("甲報", [(0.6, 2.0), (0.7, 3.0), (math.nan, 1.0)])])
    fig = figures.plot_corpus_documents(docs, "meta_outlet")
    legend = _legend_texts(fig)
    assert not any("乙網" in t for t in legend)
    assert "甲報 (n=3, 1 not shown)" in legend
    title = fig.axes[0].get_title(loc="left")
    assert "not shown: 2 documents without a sentiment score (乙網: 1, 甲報: 1)" in title
    assert sum(len(c.get_offsets()) for c in fig.axes[0].collections if c.get_label() != "_nolegend_") >= 2
