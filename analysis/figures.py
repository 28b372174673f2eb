"""Figures from the tables (never re-scoring): one function per figure, styles applied inside each."""

from __future__ import annotations

import contextlib
import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from .errors import AnalysisError
from .fonts import register_cjk_font
from .output import read_table

FIGURE_NAMES = ("sentiment_by_section", "framing_by_section", "sentiment_arc")
FORMATS = ("png", "svg")
DPI = 200
#: Colour-vision-deficiency safe (Okabe–Ito).
BLUE, ORANGE, GREY, VERMILION = "#0072B2", "#E69F00", "#999999", "#D55E00"


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


def _label(section: int, heading: str, width: int = 16) -> str:
    heading = heading if isinstance(heading, str) and heading else "(untitled lead)"
    return f"{section}  " + "\n".join(textwrap.wrap(heading, width)[:2])


def _one(df: pd.DataFrame, document: str | None) -> pd.DataFrame:
    if document is None:
        docs = df["document"].unique()
        if len(docs) > 1:
            raise AnalysisError(f"the table holds {len(docs)} documents; pass document=")
        return df
    return df[df["document"] == document]


def plot_sentiment_by_section(
    sections: pd.DataFrame, sentences: pd.DataFrame, document: str | None = None
) -> Figure:
    """Per section: every sentence score (dots), the mean with its 95% bootstrap CI, and n."""
    sec = _one(sections, document).sort_values("section")
    sen = _one(sentences, document)
    with styled():
        fig, ax = plt.subplots(figsize=(8, 1.0 + 0.9 * len(sec)), layout="constrained")
        rng = np.random.default_rng(0)  # fixed jitter so renders are identical
        for y, row in enumerate(sec.itertuples()):
            scores = sen.loc[sen["section"] == row.section, "sentiment"].dropna().to_numpy()
            ax.scatter(scores, y + rng.uniform(-0.18, 0.18, scores.size), s=14, color=GREY, alpha=0.7,
                       linewidths=0, label="sentence score" if y == 0 else None)
            if not np.isnan(row.sentiment_mean):
                err = None
                if not np.isnan(row.sentiment_ci_low):
                    err = [[row.sentiment_mean - row.sentiment_ci_low], [row.sentiment_ci_high - row.sentiment_mean]]
                ax.errorbar(row.sentiment_mean, y, xerr=err, fmt="o", color=BLUE, ms=7, capsize=4, lw=2,
                            label="mean, 95% bootstrap CI" if y == 0 else None)
                ax.plot(row.sentiment_median, y, "D", color=ORANGE, ms=5, label="median" if y == 0 else None)
            ax.annotate(f"n={row.n_scored}", (1.02, y), xycoords=("axes fraction", "data"), va="center", fontsize=8)
        ax.axvline(0.5, color="black", lw=0.8, ls="--")
        ax.set_yticks(range(len(sec)), [_label(r.section, r.heading) for r in sec.itertuples()], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel("SnowNLP P(positive) per sentence (0.5 = neutral)")
        ax.set_title("Sentence sentiment by section", loc="left")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.06), ncols=3, fontsize=8, frameon=False)
    return fig


def plot_framing_by_section(
    sections: pd.DataFrame, framing: pd.DataFrame, categories: list[dict], document: str | None = None
) -> Figure:
    """Heatmap section × category: colour = hits per 1,000 CJK characters, label = hit count."""
    sec = _one(sections, document).sort_values("section")
    fr = _one(framing, document)
    counts = (fr.groupby(["section", "category"])["count"].sum().unstack(fill_value=0)
              .reindex(index=sec["section"], columns=[c["id"] for c in categories], fill_value=0))
    n_cjk = sec.set_index("section")["n_cjk"].replace(0, np.nan)
    density = counts.div(n_cjk, axis=0) * 1000
    with styled():
        fig, ax = plt.subplots(figsize=(8, 1.4 + 0.7 * len(sec)), layout="constrained")
        sns.heatmap(density, annot=counts.to_numpy(), fmt="d", cmap="Blues", vmin=0, linewidths=0.5,
                    linecolor="white", cbar_kws={"label": "hits per 1,000 CJK characters"}, ax=ax)
        ax.set_xticks(np.arange(len(categories)) + 0.5,
                      [f"{c['label_zh']}\n" + "\n".join(textwrap.wrap(c["label_en"], 16)) for c in categories],
                      rotation=0, fontsize=8)
        ax.set_yticks(np.arange(len(sec)) + 0.5, [_label(r.section, r.heading, 14) for r in sec.itertuples()],
                      rotation=0, fontsize=8)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_title("Framing terms by section (cell label = number of hits)", loc="left")
    return fig


def plot_sentiment_arc(sentences: pd.DataFrame, sections: pd.DataFrame, document: str | None = None) -> Figure:
    """Sentence-by-sentence score in reading order; sentences with framing hits marked; sections shaded."""
    sen = _one(sentences, document).sort_values("sentence")
    sec = _one(sections, document).sort_values("section")
    with styled():
        fig, ax = plt.subplots(figsize=(10, 4), layout="constrained")
        for k, row in enumerate(sec.itertuples()):
            idx = sen.loc[sen["section"] == row.section, "sentence"]
            if len(idx):
                if k % 2:
                    ax.axvspan(idx.min() - 0.5, idx.max() + 0.5, color="#F2F2F2", zorder=0)
                ax.text(idx.min() - 0.4, 1.04, f"§{row.section}", fontsize=8, va="bottom")
        ax.plot(sen["sentence"], sen["sentiment"], "-", color=GREY, lw=0.8, zorder=1)
        plain = sen[sen["framing_hits"] == 0]
        framed = sen[sen["framing_hits"] > 0]
        ax.scatter(plain["sentence"], plain["sentiment"], s=14, color=BLUE, zorder=2, label="sentence")
        ax.scatter(framed["sentence"], framed["sentiment"], s=46, marker="^", color=VERMILION, zorder=3,
                   label="sentence with framing term(s)")
        ax.axhline(0.5, color="black", lw=0.8, ls="--")
        ax.set_ylim(-0.03, 1.1)
        ax.set_xlabel("sentence (reading order); shaded bands and § mark sections")
        ax.set_ylabel("SnowNLP P(positive)")
        ax.set_title("Sentiment arc", loc="left")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.07), ncols=2, fontsize=8, frameon=False)
    return fig


#: Axis labels of the known score columns.
SCORE_LABELS = {
    "sentiment": "SnowNLP P(positive)",
    "sentiment_lexicon": "HowNet lexicon score (P+1)/(P+N+2)",
}


def plot_sentiment_agreement(
    sentences: pd.DataFrame, a: str = "sentiment", b: str = "sentiment_lexicon", document: str | None = None
) -> Figure:
    """Scatter of two scorers' sentence scores, neutral lines at 0.5, counts per quadrant, Spearman's rho."""
    from .agreement import sentence_agreement, side_table

    sen = _one(sentences, document)
    both = sen[sen[a].notna() & sen[b].notna()]
    stats = sentence_agreement(both, a, b).iloc[-1]
    counts = side_table(both, a, b)
    with styled():
        fig, ax = plt.subplots(figsize=(6.4, 5.6), layout="constrained")
        framed = both["framing_hits"] > 0 if "framing_hits" in both else pd.Series(False, index=both.index)
        ax.scatter(both.loc[~framed, a], both.loc[~framed, b], s=22, color=BLUE, alpha=0.6, linewidths=0,
                   label="sentence")
        ax.scatter(both.loc[framed, a], both.loc[framed, b], s=40, marker="^", color=VERMILION, alpha=0.7,
                   linewidths=0, label="sentence with framing term(s)")
        ax.axvline(0.5, color="black", lw=0.8, ls="--")
        ax.axhline(0.5, color="black", lw=0.8, ls="--")
        for (row, col), (x, y) in {("below", "below"): (0.02, 0.02), ("below", "above"): (0.02, 0.98),
                                   ("above", "below"): (0.98, 0.02), ("above", "above"): (0.98, 0.98)}.items():
            ax.text(x, y, f"n={counts.loc[row, col]}", transform=ax.transAxes, fontsize=8, color=GREY,
                    ha="left" if x < 0.5 else "right", va="bottom" if y < 0.5 else "top")
        on_line = int(counts.to_numpy().sum() - counts.loc[["below", "above"], ["below", "above"]].to_numpy().sum())
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel(SCORE_LABELS.get(a, a) + " per sentence")
        ax.set_ylabel(SCORE_LABELS.get(b, b) + " per sentence")
        ax.set_title(f"Two scorers, one article: Spearman ρ = {stats['spearman_rho']:.2f}, "
                     f"same side of 0.5: {stats['same_side_share']:.0%} (n={int(stats['n'])}; "
                     f"{on_line} exactly at 0.5)", loc="left", fontsize=9)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.06), ncols=2, fontsize=8, frameon=False)
    return fig


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


def read_tables(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Read the tables a figure needs from a run's output folder."""
    try:
        out = {name: read_table(data_dir / f"{name}.csv") for name in ("documents", "sections", "sentences", "framing")}
        manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise AnalysisError(f"{exc.filename} not found; run `python -m analysis run` first or pass --data") from None
    out["categories"] = manifest["lexicon"]["categories"]
    return out


def render_figures(data_dir: Path, out_dir: Path) -> list[Path]:
    """Render every figure for every document of a run: figures/NAME.* (one document) or figures/DOC/NAME.*."""
    t = read_tables(data_dir)
    docs = list(t["documents"]["document"].astype(str))
    written = []
    for doc in docs:
        folder = out_dir if len(docs) == 1 else out_dir / doc
        figs = {
            "sentiment_by_section": plot_sentiment_by_section(t["sections"], t["sentences"], doc),
            "framing_by_section": plot_framing_by_section(t["sections"], t["framing"], t["categories"], doc),
            "sentiment_arc": plot_sentiment_arc(t["sentences"], t["sections"], doc),
        }
        if "sentiment_lexicon" in t["sentences"].columns:  # only for runs with --second-scorer lexicon
            figs["sentiment_agreement"] = plot_sentiment_agreement(t["sentences"], document=doc)
        for name, fig in figs.items():
            written += save_figure(fig, folder / name)
    return written


# --- Figures of the notebooks (method checks, framing vs other sentences); same style, same rules. ---


def plot_script_comparison(comparison: pd.DataFrame, document: str | None = None) -> Figure:
    """Each sentence's score as written (x) against after conversion (y); sentences crossing 0.5 highlighted."""
    cmp = _one(comparison, document)
    cross = cmp["crosses_half"].astype(bool)
    with styled():
        fig, ax = plt.subplots(figsize=(6, 6), layout="constrained")
        ax.plot([0, 1], [0, 1], color=GREY, lw=0.8, label="same score")
        ax.axvline(0.5, color="black", lw=0.8, ls="--")
        ax.axhline(0.5, color="black", lw=0.8, ls="--")
        ax.scatter(cmp.loc[~cross, "score_as_written"], cmp.loc[~cross, "score_converted"], s=18, color=BLUE,
                   alpha=0.8, linewidths=0, label=f"same side of 0.5 (n={int((~cross).sum())})")
        ax.scatter(cmp.loc[cross, "score_as_written"], cmp.loc[cross, "score_converted"], s=30, marker="^",
                   color=VERMILION, linewidths=0, label=f"crosses 0.5 (n={int(cross.sum())})")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
        ax.set_aspect("equal")
        ax.set_xlabel("SnowNLP P(positive), sentence as written")
        ax.set_ylabel("SnowNLP P(positive), sentence after conversion")
        ax.set_title("The same sentences, two scripts", loc="left")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.06), ncols=2, fontsize=8, frameon=False)
    return fig


def plot_prefix_scores(prefixes: pd.DataFrame, document: str | None = None) -> Figure:
    """Score of the article's first k sentences as one text against its length: long texts saturate at 0 or 1."""
    pre = _one(prefixes, document)
    with styled():
        fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
        for (version, g), colour, marker in zip(pre.groupby("version", sort=False), (ORANGE, BLUE), ("s", "o"),
                                                strict=False):
            ax.plot(g["n_chars"], g["score"], "-", marker=marker, color=colour, ms=5, label=version)
        ax.axhline(0.5, color="black", lw=0.8, ls="--")
        ax.set_xscale("log")
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel("length of the prefix (characters, log scale)")
        ax.set_ylabel("SnowNLP P(positive) of the prefix as one text")
        ax.set_title("Growing prefixes of the article, scored as one text", loc="left")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.06), ncols=2, fontsize=8, frameon=False)
    return fig


def plot_score_distribution(sentences: pd.DataFrame, document: str | None = None) -> Figure:
    """Histogram of sentence scores (bins of 0.05) with the mean and median marked."""
    scores = _one(sentences, document)["sentiment"].dropna()
    with styled():
        fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
        ax.hist(scores, bins=np.linspace(0, 1, 21), color=BLUE, edgecolor="white")
        if len(scores):
            ax.axvline(scores.mean(), color=VERMILION, lw=1.5, label=f"mean {scores.mean():.2f}")
            ax.axvline(scores.median(), color=ORANGE, lw=1.5, ls="-.", label=f"median {scores.median():.2f}")
        ax.axvline(0.5, color="black", lw=0.8, ls="--")
        ax.set_xlim(0, 1)
        ax.set_xlabel("SnowNLP P(positive) per sentence")
        ax.set_ylabel("sentences")
        ax.set_title(f"Distribution of sentence scores (n={len(scores)})", loc="left")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.06), ncols=2, fontsize=8, frameon=False)
    return fig


def plot_framing_comparison(sentences: pd.DataFrame, comparison: pd.DataFrame, document: str | None = None) -> Figure:
    """Scores of sentences with and without framing terms (dots, fixed jitter), group means, and the test results."""
    sen = _one(sentences, document)
    row = _one(comparison, document).iloc[0]
    scored = sen[sen["sentiment"].notna()]
    groups = [("with framing terms", scored[scored["framing_hits"] > 0]["sentiment"], VERMILION),
              ("without", scored[scored["framing_hits"] == 0]["sentiment"], BLUE)]
    with styled():
        fig, ax = plt.subplots(figsize=(8, 3.4), layout="constrained")
        rng = np.random.default_rng(0)  # fixed jitter so renders are identical
        for y, (_name, scores, colour) in enumerate(groups):
            ax.scatter(scores, y + rng.uniform(-0.2, 0.2, scores.size), s=16, color=colour, alpha=0.6, linewidths=0)
            if len(scores):
                ax.plot(scores.mean(), y, "|", color="black", ms=26, mew=2.5, label="group mean" if y == 0 else None)
                ax.plot(scores.median(), y, "D", mfc="white", mec="black", ms=6, mew=1.5,
                        label="group median" if y == 0 else None)
        ax.axvline(0.5, color="black", lw=0.8, ls="--")
        ax.set_yticks([0, 1], [f"{name}\nn={len(s)}" for name, s, _c in groups], fontsize=9)
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(1.5, -0.5)
        ax.set_xlabel("SnowNLP P(positive) per sentence")
        summary = "one group is empty: nothing to compare" if np.isnan(row["mannwhitney_p"]) else (
            f"difference in means {row['difference']:+.3f}"
            + ("" if np.isnan(row["difference_ci_low"]) else
               f" ({row['ci_level']:.0%} CI {row['difference_ci_low']:+.3f} to {row['difference_ci_high']:+.3f})")
            + f"; permutation p = {row['permutation_p']:.3f}; Mann–Whitney p = {row['mannwhitney_p']:.3f}, "
            f"rank-biserial r = {row['rank_biserial']:+.2f}")
        ax.set_title("Sentences with and without framing terms\n" + "\n".join(textwrap.wrap(summary, 100)),
                     loc="left", fontsize=9)
        if len(scored):  # between the two rows of dots, where there are none
            ax.legend(loc="center left", bbox_to_anchor=(0, 0.5), ncols=2, fontsize=8, frameon=False)
    return fig
