"""The house style of every figure: the CJK font and deterministic SVG (applied inside each plotting function, never
globally), the legend above the plot, notes where there is nothing to show, and saving PNG + SVG byte-identically."""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib import transforms
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .fonts import register_cjk_font
from .labels import SCORE_LABELS, score_label  # noqa: F401  (re-exported: figures name scores through style)
from .palette import NOTE_GREY

FORMATS = ("png", "svg")
DPI = 200
#: How the dashed line at 0.5 is named: SnowNLP's class boundary, not a neutral tone (README, Caveats: compare scores
#: with each other, not with 0.5).
HALF_LABEL = "0.5: the model's class boundary, not a neutral tone"
#: Notes drawn where a figure or a row has nothing to show.
NO_SCORES = "no scored sentences"
NO_HITS = "no framing hits"
def style() -> dict:
    """rcParams used inside every plotting function (never set globally): CJK font, deterministic SVG."""
    family = register_cjk_font()
    return {
        "font.family": [family],
        "axes.unicode_minus": False,
        "svg.hashsalt": "zh-news-framing",
        "svg.fonttype": "path",
        "figure.dpi": 100,
        "savefig.dpi": DPI,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


@contextlib.contextmanager
def styled() -> Iterator[None]:
    """Apply the package style for the duration of a block."""
    with plt.rc_context(style()):
        yield


def save_figure(fig: Figure, stem: Path) -> list[Path]:
    """Save a figure as PNG (200 dpi) and SVG with no timestamps, so renders are byte-identical."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    with styled():
        for fmt in FORMATS:
            path = stem.with_suffix(f".{fmt}")
            meta = {"Date": None} if fmt == "svg" else {}
            fig.savefig(path, format=fmt, dpi=DPI, metadata=meta)
            paths.append(path)
    plt.close(fig)
    return paths


def legend_above(ax: Axes, ncols: int = 2, handles: list | None = None, labels: list | None = None,
                 **kwargs: object) -> None:
    """The house legend: small, unframed, in a row above the plot (and above its left title), so that it never
    covers data; the offset is in points, so it clears the title however short the figure is."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return  # nothing drawn that a legend could name
    title = ax.get_title(loc="left")
    pad = (plt.rcParams["axes.titlepad"] + 1.3 * ax.title.get_fontsize() * (title.count("\n") + 1) + 4
           if title else 4)
    offset = transforms.offset_copy(ax.transAxes, fig=ax.figure, y=pad, units="points")
    ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0, 1), bbox_transform=offset, ncols=ncols,
              fontsize=8, frameon=False, **kwargs)


def finish(ax: Axes, title: str, xlabel: str, ylabel: str, ncols: int = 2, **title_kw: object) -> None:
    """The house ending of a plot: its axis labels, its title on the left, and the legend above it."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left", **title_kw)
    legend_above(ax, ncols=ncols)


def first_label(seen: set[str], label: str) -> str:
    """`label` the first time it is asked for, then matplotlib's "no legend entry" label."""
    if label in seen:
        return "_nolegend_"
    seen.add(label)
    return label


def half_line(ax: Axes, vertical: bool = True, label: str | None = HALF_LABEL) -> None:
    """The dashed line at 0.5 (vertical by default), named in the legend as the model's class boundary."""
    (ax.axvline if vertical else ax.axhline)(0.5, color="black", lw=0.8, ls="--", label=label or "_nolegend_")


def axis_note(ax: Axes, text: str) -> None:
    """Say in the middle of an axis why it has nothing to show (instead of an empty axis)."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=10, color=NOTE_GREY,
            wrap=True)


def row_note(ax: Axes, y: float, text: str) -> None:
    """Say in a row of an axis why the row is empty."""
    ax.text(0.01, y, text, transform=transforms.blended_transform_factory(ax.transAxes, ax.transData),
            ha="left", va="center", fontsize=8, color=NOTE_GREY, style="italic")


def fit(text: str, width: int, lines: int = 1) -> str:
    """`text` in at most `lines` lines of at most `width` characters (words broken where needed); "…" ends it when
    the text had to be cut."""
    wrapped = textwrap.wrap(str(text), width) or [""]
    if len(wrapped) <= lines:
        return "\n".join(wrapped)
    kept = wrapped[:lines]
    kept[-1] = kept[-1][: width - 1].rstrip() + "…"
    return "\n".join(kept)
