"""Figures of `python -m analysis compare`: differences between groups with their intervals, and each measure by
period. DataFrames in (`stats.differences`), a matplotlib Figure out, in the house style; groups of fewer than
`groups.MIN_GROUP_DOCUMENTS` documents are drawn hollow and marked "too few", as in `plot_corpus_groups`."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..stats.groups import MIN_GROUP_DOCUMENTS
from .figures import group_label
from .palette import BLUE, GREY, NOTE_GREY
from .style import SCORE_LABELS, axis_note, first_label, fit, legend_above, styled

FULL = "95% interval (documents resampled)"
SMALL = f"a group of fewer than {MIN_GROUP_DOCUMENTS} documents: interval unreliable"



def _one_legend(axes: object) -> None:
    """Every panel's legend entries in one legend above the first panel."""
    handles, labels = [], []
    for ax in axes:
        h, lab = ax.get_legend_handles_labels()
        handles, labels = handles + h, labels + lab
    legend_above(axes[0], ncols=1, handles=handles, labels=labels)


def p_label(p: float) -> str:
    """A p-value as the figures print it: three decimals, "p < 0.001" below that (a permutation p is never 0)."""
    if math.isnan(p):
        return ""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"

def measure_label(measure: str, score_label: str = SCORE_LABELS["sentiment"]) -> str:
    """How figures name a measure: the sentiment score, framing density, or a category's density."""
    if measure == "sentiment":
        return f"mean {score_label}"
    per = "hits per 1,000 CJK characters"
    return f"framing {per}" if measure == "framing" else f"{measure}: {per}"


def short_name(measure: str) -> str:
    """A measure's name in a tick label: sentiment, framing (all categories), or the category id."""
    return "framing (all categories)" if measure == "framing" else measure


def _voice_note(voice: str) -> str:
    return "; outlet's own voice only (quoted speech left out)" if voice == "own" else ""


def _interval(ax: Axes, x: float, y: float, low: float, high: float, few: bool, seen: set[str],
              horizontal: bool = True) -> None:
    err = None if math.isnan(low) else [[x - low], [high - x]] if horizontal else [[y - low], [high - y]]
    kw = {"xerr": err} if horizontal else {"yerr": err}
    ax.errorbar(x, y, fmt="o", color=BLUE, ms=7, capsize=4, lw=1.2 if few else 2, mfc="white" if few else BLUE,
                mec=BLUE, mew=1.5, label=first_label(seen, SMALL if few else FULL), **kw)


def _difference_tick(row: pd.Series) -> str:
    flag = ", too few" if row["too_few"] else ""
    return (f"{fit(row['level_a'], 18)} − {fit(row['level_b'], 18)}\n"
            f"n={int(row['n_a'])} vs {int(row['n_b'])} documents{flag}")


def _difference_panel(ax: Axes, rows: pd.DataFrame, seen: set[str], score_label: str) -> None:
    for y, (_i, row) in enumerate(rows.iterrows()):
        if math.isnan(row["difference"]):
            ax.text(0.01, y, "no documents with a value in a group", transform=ax.get_yaxis_transform(),
                    fontsize=8, color=NOTE_GREY, va="center")
            continue
        _interval(ax, row["difference"], y, row["ci_low"], row["ci_high"], bool(row["too_few"]), seen)
        p = p_label(row["permutation_p"])
        end = row["difference"] if math.isnan(row["ci_high"]) else row["ci_high"]
        ax.annotate(p, (end, y), xytext=(5, 0), textcoords="offset points", ha="left", va="center", fontsize=7,
                    color=NOTE_GREY)
    ax.axvline(0, color="black", lw=0.8, ls="--")
    several = rows["measure"].nunique() > 1
    ticks = [f"{fit(short_name(r['measure']), 30)}\n{_difference_tick(r)}" if several else _difference_tick(r)
             for _i, r in rows.iterrows()]
    ax.set_yticks(range(len(rows)), ticks, fontsize=7)
    ax.set_ylim(len(rows) - 0.5, -0.7)
    units = rows["measure"].unique()
    ax.set_xlabel("difference in " + (measure_label(units[0], score_label) if len(units) == 1
                                      else measure_label("framing", score_label).replace("framing ", "")))


def _note_figure(text: str) -> Figure:
    with styled():
        fig, ax = plt.subplots(figsize=(8, 1.6), layout="constrained")
        ax.set_axis_off()
        axis_note(ax, text)
    return fig


def plot_differences(differences: pd.DataFrame | None, score_label: str = SCORE_LABELS["sentiment"]) -> Figure:
    """Each measure's difference between groups (level A − level B) with its 95% cluster-bootstrap interval and
    permutation p; sentence scores and framing densities in separate panels (different scales). None or no rows:
    a figure that says there is nothing to compare."""
    if differences is None or differences.empty:
        return _note_figure("fewer than two groups of documents: nothing to compare")
    parts = [differences[differences["measure"] == "sentiment"],
             differences[differences["measure"] != "sentiment"]]
    parts = [p.reset_index(drop=True) for p in parts if len(p)]
    seen: set[str] = set()
    with styled():
        fig, axes = plt.subplots(len(parts), 1, figsize=(8.5, 1.4 + 0.75 * len(differences) + 0.6 * len(parts)),
                                 layout="constrained", squeeze=False,
                                 gridspec_kw={"height_ratios": [len(p) + 1 for p in parts]})
        for ax, rows in zip(axes[:, 0], parts, strict=True):
            _difference_panel(ax, rows, seen, score_label)
        first = differences.iloc[0]
        period = f" ({first['period']})" if first["period"] else ""
        axes[0, 0].set_title(f"Differences by {group_label(first['group_by'])}{period}: mean over documents, each "
                             f"counts once{_voice_note(first['voice'])}\np: two-sided permutation test over documents",
                             loc="left", fontsize=9)
        _one_legend(axes[:, 0])
    return fig


def _trend_panel(ax: Axes, rows: pd.DataFrame, x_of: dict[str, int], seen: set[str]) -> None:
    drawn = rows[rows["mean"].notna()]
    ax.plot([x_of[p] for p in drawn["level"]], drawn["mean"], "-", color=GREY, lw=0.8)
    for row in rows.itertuples():
        if not np.isnan(row.mean):
            _interval(ax, x_of[row.level], row.mean, row.ci_low, row.ci_high, bool(row.too_few), seen,
                      horizontal=False)
        below = row.mean if np.isnan(row.ci_low) else row.ci_low
        if np.isnan(below):  # no document of the period has a value: n is still shown
            ax.annotate(f"n={row.n_documents}", (x_of[row.level], 0.5), xycoords=("data", "axes fraction"),
                        ha="center", fontsize=7, color=NOTE_GREY)
        else:
            ax.annotate(f"n={row.n_documents}", (x_of[row.level], below), xytext=(0, -4), textcoords="offset points",
                        ha="center", va="top", fontsize=7, color=NOTE_GREY)
    ax.margins(x=0.08, y=0.18)


def plot_trend(levels: pd.DataFrame | None, score_label: str = SCORE_LABELS["sentiment"]) -> Figure:
    """Each measure by period: the mean over the period's documents with its 95% cluster-bootstrap interval and the
    number of documents (n); periods with fewer than `MIN_GROUP_DOCUMENTS` documents hollow. None or no rows: a
    figure that says there is no trend to draw."""
    if levels is None or levels.empty:
        return _note_figure("fewer than two periods: no trend to draw")
    measures = list(dict.fromkeys(levels["measure"]))
    periods = sorted(levels["level"].unique())
    x_of = {p: i for i, p in enumerate(periods)}
    seen: set[str] = set()
    with styled():
        fig, axes = plt.subplots(max(len(measures), 1), 1, sharex=True, layout="constrained", squeeze=False,
                                 figsize=(max(6.0, 1.2 + 0.7 * len(periods)), 0.8 + 2.1 * max(len(measures), 1)))
        for ax, measure in zip(axes[:, 0], measures, strict=True):
            _trend_panel(ax, levels[levels["measure"] == measure], x_of, seen)
            ax.set_ylabel(fit(measure_label(measure, score_label), 30, 3), fontsize=8)
        axes[-1, 0].set_xticks(range(len(periods)), periods, rotation=45 if len(periods) > 8 else 0, fontsize=8)
        first = levels.iloc[0]
        voice = _voice_note(first["voice"]).removeprefix("; ")
        axes[0, 0].set_title(f"By {first['period']} of {group_label(first['group_by'])}: mean over documents "
                             f"(n: documents per period)" + (f"\n{voice}" if voice else ""), loc="left", fontsize=9)
        _one_legend(axes[:, 0])
    return fig
