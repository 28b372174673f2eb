"""Validation figures (confusion, calibration, score by code, term precision), drawn from the tables of a
`validate score` folder in the package's style (style.styled, style.save_figure: byte-identical re-renders)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from ..errors import AnalysisError
from ..io.tables import read_table
from ..present.palette import BLUE, CODE_COLOURS, GREY, ORANGE, VERMILION
from ..present.style import SCORE_LABELS, finish, legend_above, save_figure, styled
from .performance import BINARY, LABELS, PRECISION_FLOOR, UNDECIDED, wilson
from .report import scorer_name

CALIBRATION_BINS = np.linspace(0, 1, 11)


def plot_confusion(confusion: pd.DataFrame, scorer: str) -> Figure:
    """Heatmap of gold code × predicted class per rule (0.5 cut; cross-validated neutral band): count in each cell,
    colour = share of the gold row."""
    conf = confusion[confusion["scorer"] == scorer]
    rules = [(r, t) for r, t in (("binary", "score above/below 0.5"), ("3way_cv", "neutral band, cross-validated"))
             if (conf["rule"] == r).any()]
    with styled():
        fig, axes = plt.subplots(1, len(rules), figsize=(4.2 * len(rules) + 1, 3.6), layout="constrained",
                                 squeeze=False)
        for ax, (rule, title) in zip(axes[0], rules, strict=True):
            predicted = (*BINARY, UNDECIDED) if rule == "binary" else LABELS
            counts = (conf[conf["rule"] == rule].pivot(index="gold", columns="predicted", values="n")
                      .reindex(index=list(LABELS), columns=list(predicted)).fillna(0).astype(int))
            shares = counts.div(counts.sum(axis=1).replace(0, np.nan), axis=0)
            sns.heatmap(shares, annot=counts.to_numpy(), fmt="d", cmap="Blues", vmin=0, vmax=1, linewidths=0.5,
                        linecolor="white", cbar=rule == rules[-1][0], cbar_kws={"label": "share of the gold row"},
                        ax=ax)
            ax.set_xlabel("predicted")
            ax.set_ylabel("gold code" if ax is axes[0][0] else "")
            ax.set_title(title, loc="left", fontsize=9)
            ax.tick_params(axis="y", rotation=0)
        fig.suptitle(f"{scorer_name(scorer)}: gold code against prediction (cell label = sentences)", x=0.01,
                     ha="left", fontsize=10)
    return fig


def plot_calibration(gold: pd.DataFrame, scorer: str) -> Figure:
    """Per score bin (width 0.1): the share of sampled sentences coded positive with its Wilson 95% interval, and n."""
    g = gold[gold[scorer].notna()]
    bins = pd.cut(g[scorer], CALIBRATION_BINS, include_lowest=True)
    with styled():
        fig, ax = plt.subplots(figsize=(6.4, 5), layout="constrained")
        ax.plot([0, 1], [0, 1], color=GREY, lw=0.8, ls=":", label="share = score")
        for i, (interval, part) in enumerate(g.groupby(bins, observed=True)):
            k, n = int((part["code"] == "positive").sum()), len(part)
            low, high = wilson(k, n)
            x, share = interval.mid, k / n
            ax.errorbar(x, share, yerr=[[max(share - low, 0)], [max(high - share, 0)]], fmt="o", color=BLUE, ms=6,
                        capsize=3, label="share coded positive, Wilson 95% CI" if i == 0 else None)
            ax.annotate(f"n={n}", (x, high), xytext=(0, 4), textcoords="offset points", ha="center", fontsize=7)
        ax.axvline(0.5, color="black", lw=0.8, ls="--")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.08)
        finish(ax, f"{scorer_name(scorer)}: calibration against the gold (unweighted, n = {len(g)})",
               f"{SCORE_LABELS.get(scorer, scorer)} (bins of 0.1)", "share of the bin's sentences coded positive",
               fontsize=10)
    return fig


def plot_score_by_code(gold: pd.DataFrame, scorer: str, band: tuple[float, float] | None = None) -> Figure:
    """Every gold sentence's score (dots, fixed jitter) by its gold code, 0.5 marked, the tuned neutral band shaded."""
    g = gold[gold[scorer].notna()]
    with styled():
        fig, ax = plt.subplots(figsize=(8, 3.4), layout="constrained")
        if band is not None and not np.isnan(band[0]):
            ax.axvspan(band[0], band[1], color=ORANGE, alpha=0.15, lw=0,
                       label=f"neutral band tuned on all gold units [{band[0]:.3f}, {band[1]:.3f}]")
        rng = np.random.default_rng(0)  # fixed jitter so renders are identical
        for y, code in enumerate(LABELS):
            scores = g.loc[g["code"] == code, scorer].to_numpy(float)
            ax.scatter(scores, y + rng.uniform(-0.2, 0.2, scores.size), s=14, color=CODE_COLOURS[code], alpha=0.6,
                       linewidths=0)
            if scores.size:
                ax.plot(np.median(scores), y, "D", mfc="white", mec="black", ms=6, mew=1.5,
                        label="median score" if y == 0 else None)
        ax.axvline(0.5, color="black", lw=0.8, ls="--")
        ax.set_yticks(range(len(LABELS)), [f"{c}\nn={int((g['code'] == c).sum())}" for c in LABELS], fontsize=9)
        ax.set_ylim(len(LABELS) - 0.5, -0.5)
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel(f"{SCORE_LABELS.get(scorer, scorer)} per sentence")
        ax.set_title(f"{scorer_name(scorer)}: score by gold code", loc="left", fontsize=10)
        if ax.get_legend_handles_labels()[0]:  # nothing to label without gold sentences
            legend_above(ax)
    return fig


def plot_term_precision(precision: pd.DataFrame) -> Figure:
    """Per framing term: precision (yes / (yes + no)) with its Wilson 95% interval; flagged terms marked."""
    terms = precision[precision["level"] == "term"].sort_values(["category", "term"], kind="stable")
    terms = terms.reset_index(drop=True)
    with styled():
        fig, ax = plt.subplots(figsize=(8, 1.4 + 0.32 * max(len(terms), 1)), layout="constrained")
        for y, row in terms.iterrows():
            flagged = isinstance(row["flag"], str) and bool(row["flag"])
            colour, marker = (VERMILION, "^") if flagged else (BLUE, "o")
            if not np.isnan(row["precision"]):
                ax.errorbar(row["precision"], y, xerr=[[max(row["precision"] - row["ci_low"], 0)],
                                                      [max(row["ci_high"] - row["precision"], 0)]],
                            fmt=marker, color=colour, ms=6, capsize=3, lw=1.5)
            ax.annotate(f"n={row['n_coded']}" + (f", unsure {row['n_unsure']}" if row["n_unsure"] else ""),
                        (1.02, y), xycoords=("axes fraction", "data"), va="center", fontsize=7)
        ax.errorbar([], [], xerr=[], fmt="o", color=BLUE, label="precision, Wilson 95% CI")
        ax.errorbar([], [], xerr=[], fmt="^", color=VERMILION, label=f"flagged (< {PRECISION_FLOOR} or n_coded < 5)")
        ax.axvline(PRECISION_FLOOR, color="black", lw=0.8, ls="--")
        ax.set_yticks(range(len(terms)), [f"{textwrap.shorten(str(r.category), 18, placeholder='…')} · {r.term}"
                                          for r in terms.itertuples()], fontsize=8)
        ax.set_ylim(max(len(terms), 1) - 0.5, -0.5)
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel("precision: hits coded yes / (yes + no)")
        ax.set_title("Framing terms: is the hit used in its category's sense?", loc="left", fontsize=10)
        legend_above(ax)
    return fig


def neutral_band(thresholds: pd.DataFrame, scorer: str) -> tuple[float, float] | None:
    """The neutral band [low, high] of thresholds.csv for a scorer (for `plot_score_by_code`); None if not listed."""
    band = thresholds.loc[thresholds["scorer"] == scorer, ["low", "high"]].to_numpy(float)
    return (float(band[0][0]), float(band[0][1])) if len(band) else None


def _read(folder: Path, name: str) -> pd.DataFrame:
    try:
        return read_table(folder / name)
    except FileNotFoundError:
        raise AnalysisError(f"{folder / name} not found; pass a folder written by `validate score`") from None


def render_validation_figures(folder: Path, out_dir: Path) -> list[Path]:
    """Draw every validation figure from the tables in folder into out_dir (PNG and SVG); returns the paths."""
    try:
        info = json.loads((folder / "validation.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AnalysisError(f"{folder} holds no validation.json; pass a folder written by `validate score`") from None
    gold = _read(folder, "gold.csv")
    written = []
    if info["sample"]["unit"] == "kwic":
        return save_figure(plot_term_precision(_read(folder, "precision.csv")), out_dir / "term_precision")
    confusion, thresholds = _read(folder, "confusion.csv"), _read(folder, "thresholds.csv")
    for scorer in info["scorers"]:
        written += save_figure(plot_confusion(confusion, scorer), out_dir / f"confusion_{scorer}")
        written += save_figure(plot_calibration(gold, scorer), out_dir / f"calibration_{scorer}")
        written += save_figure(plot_score_by_code(gold, scorer, neutral_band(thresholds, scorer)),
                               out_dir / f"score_by_code_{scorer}")
    return written
