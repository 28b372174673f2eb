"""The keyness figure, like quanteda's `textplot_keyness`: the most key terms of the target (positive statistic) and
of the reference (negative), as horizontal bars of the signed statistic."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .palette import BLUE, GREY
from .style import axis_note, legend_above, styled

#: Terms shown per side.
KEYNESS_TOP = 20
STATISTIC_LABELS = {"chi2": "χ² (Yates), signed", "lr": "likelihood ratio G², signed"}


def plot_keyness(table: pd.DataFrame, target: str, reference: str = "reference", measure: str = "chi2",
                 n: int = KEYNESS_TOP) -> Figure:
    """Bars of the `n` terms most key to the target (top, blue) and to the reference (bottom, grey): keyness.csv."""
    top = table[table["statistic"] > 0].head(n)
    bottom = table[table["statistic"] < 0].sort_values(["statistic", "term"], kind="stable").head(n)
    rows = pd.concat([top, bottom.iloc[::-1]])
    with styled():
        fig, ax = plt.subplots(figsize=(7, 1.2 + 0.22 * max(len(rows), 4)), layout="constrained")
        y = list(range(len(rows)))[::-1]
        colours = [BLUE if s > 0 else GREY for s in rows["statistic"]]
        ax.barh(y, rows["statistic"], color=colours, height=0.75)
        for yi, (term, stat) in zip(y, zip(rows["term"], rows["statistic"], strict=True), strict=True):
            ax.annotate(term, (stat, yi), xytext=(3 if stat > 0 else -3, 0), textcoords="offset points",
                        ha="left" if stat > 0 else "right", va="center", fontsize=7)
        ax.set_yticks([])
        ax.axvline(0, color=GREY, lw=0.8)
        ax.margins(x=0.15)  # room for the labels at the ends of the bars
        if rows.empty:
            axis_note(ax, "no term reaches --min-count")
        labels = [f"target: {target}", f"reference: {reference}"]
        ax.set_xlabel(STATISTIC_LABELS.get(measure, measure))
        ax.set_title(f"Keyness: {target} against {reference}", loc="left")
        legend_above(ax, ncols=2, handles=[Patch(color=BLUE), Patch(color=GREY)], labels=labels)
    return fig
