"""Figures from the tables (never re-scoring): one function per figure, DataFrames in, a matplotlib Figure out, in
the house style (`style.styled`). `render.render_figures` decides which figures a run gets and saves them."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..errors import AnalysisError
from ..stats.agreement import sentence_agreement, side_table
from ..stats.framing_effect import too_few_reason
from ..stats.groups import MIN_GROUP_DOCUMENTS
from .palette import BAND_GREY, BLUE, GREY, GROUP_COLOURS, NOTE_GREY, ORANGE, VERMILION
from .style import (
    NO_HITS,
    NO_SCORES,
    SCORE_LABELS,
    axis_note,
    finish,
    first_label,
    fit,
    half_line,
    legend_above,
    row_note,
    styled,
)

#: The figures of one document, by file name stem.
FIGURE_NAMES = ("sentiment_by_section", "framing_by_section", "sentiment_arc")


def _label(section: int, heading: str, width: int = 16) -> str:
    heading = heading if isinstance(heading, str) and heading else "(untitled lead)"
    return f"{section}  " + fit(heading, width, 2)


def _one(df: pd.DataFrame, document: str | None) -> pd.DataFrame:
    if document is None:
        docs = df["document"].unique()
        if len(docs) > 1:
            raise AnalysisError(f"the table holds {len(docs)} documents; pass document=")
        return df
    return df[df["document"] == document]


def plot_sentiment_by_section(
    sections: pd.DataFrame, sentences: pd.DataFrame, document: str | None = None,
    score_label: str = SCORE_LABELS["sentiment"],
) -> Figure:
    """Per section: every sentence score (dots), the mean with its 95% bootstrap CI, and n. `score_label` names the
    score (`style.score_label`: e.g. the trained model that scored)."""
    sec = _one(sections, document).sort_values("section")
    sen = _one(sentences, document)
    any_scores = sen["sentiment"].notna().any()
    with styled():
        fig, ax = plt.subplots(figsize=(8, 1.0 + 0.9 * max(len(sec), 1)), layout="constrained")
        rng = np.random.default_rng(0)  # fixed jitter so renders are identical
        seen: set[str] = set()
        for y, row in enumerate(sec.itertuples()):
            scores = sen.loc[sen["section"] == row.section, "sentiment"].dropna().to_numpy()
            jitter = rng.uniform(-0.18, 0.18, scores.size)
            if scores.size:
                ax.scatter(scores, y + jitter, s=14, color=GREY, alpha=0.7, linewidths=0,
                           label=first_label(seen, "sentence score"))
            elif any_scores:
                row_note(ax, y, NO_SCORES)
            if not np.isnan(row.sentiment_mean):
                err = None
                if not np.isnan(row.sentiment_ci_low):
                    err = [[row.sentiment_mean - row.sentiment_ci_low], [row.sentiment_ci_high - row.sentiment_mean]]
                ax.errorbar(row.sentiment_mean, y, xerr=err, fmt="o", color=BLUE, ms=7, capsize=4, lw=2,
                            label=first_label(seen, "mean, 95% bootstrap CI"))
                ax.plot(row.sentiment_median, y, "D", color=ORANGE, ms=5, label=first_label(seen, "median"))
            ax.annotate(f"n={row.n_scored}", (1.02, y), xycoords=("axes fraction", "data"), va="center", fontsize=8)
        if any_scores:
            half_line(ax)
        else:
            axis_note(ax, f"{NO_SCORES}: no sentence has a Chinese character to score"
                  if len(sen) else f"{NO_SCORES}: the document has no body sentences")
        ax.set_yticks(range(len(sec)), [_label(r.section, r.heading) for r in sec.itertuples()], fontsize=8)
        ax.set_ylim(max(len(sec), 1) - 0.5, -0.5)
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel(f"{score_label} per sentence")
        ax.set_title("Sentence sentiment by section", loc="left")
        legend_above(ax, ncols=2)
    return fig


def plot_framing_by_section(
    sections: pd.DataFrame, framing: pd.DataFrame, categories: list[dict], document: str | None = None,
    voice: str = "all",
) -> Figure:
    """Heatmap section × category: colour = hits per 1,000 CJK characters, label = hit count. With `voice="own"`,
    pass `explore.framing_in_voice(kwic, "own")` as `framing`: the outlet's own words, per 1,000 of their characters."""
    if voice not in ("all", "own"):
        raise AnalysisError(f"unknown voice {voice!r}; use all or own")
    chars = "n_cjk" if voice == "all" else "n_cjk_own"
    sec = _one(sections, document).sort_values("section")
    fr = _one(framing, document)
    counts = (fr.groupby(["section", "category"])["count"].sum().unstack(fill_value=0)
              .reindex(index=sec["section"], columns=[c["id"] for c in categories], fill_value=0))
    n_cjk = sec.set_index("section")[chars].replace(0, np.nan)
    density = counts.div(n_cjk, axis=0) * 1000
    total_cjk, total_hits = int(sec[chars].sum()), int(counts.to_numpy().sum())
    with styled():
        fig, ax = plt.subplots(figsize=(8, max(3.2, 1.4 + 0.7 * len(sec))), layout="constrained")
        title = ("Framing terms by section (cell label = number of hits)" if voice == "all" else
                 "Framing terms by section, the outlet's own voice (quoted speech left out)")
        if total_hits == 0:  # no heatmap, so no colour bar without a scale
            ax.set_axis_off()
            whose = "" if voice == "all" else " own-voice"
            why = (f"the document has no{whose} Chinese characters" if total_cjk == 0 else
                   f"none of the lexicon's terms counts in the document's {total_cjk:,}{whose} CJK characters")
            axis_note(ax, f"{NO_HITS}: {why}")
            ax.set_title(title, loc="left")
            return fig
        per = "hits per 1,000 CJK characters" + ("" if voice == "all" else "\nof the outlet's own voice")
        sns.heatmap(density, annot=counts.to_numpy(), fmt="d", cmap="Blues", vmin=0, linewidths=0.5,
                    linecolor="white", cbar_kws={"label": per}, ax=ax)
        ax.set_xticks(np.arange(len(categories)) + 0.5,
                      [f"{c['label_zh']}\n" + "\n".join(textwrap.wrap(c["label_en"], 16)) for c in categories],
                      rotation=0, fontsize=8)
        ax.set_yticks(np.arange(len(sec)) + 0.5, [_label(r.section, r.heading, 14) for r in sec.itertuples()],
                      rotation=0, fontsize=8)
        ax.set_xlabel("blank cell: a section without CJK characters" if n_cjk.isna().any() else "", fontsize=8)
        ax.set_ylabel("")
        ax.set_title(title, loc="left")
    return fig


def plot_sentiment_arc(sentences: pd.DataFrame, sections: pd.DataFrame, document: str | None = None,
                       score_label: str = SCORE_LABELS["sentiment"]) -> Figure:
    """Sentence-by-sentence score in reading order; sentences with framing hits marked; sections shaded."""
    sen = _one(sentences, document).sort_values("sentence")
    sec = _one(sections, document).sort_values("section")
    scored = sen[sen["sentiment"].notna()]
    with styled():
        fig, ax = plt.subplots(figsize=(10, 4), layout="constrained")
        for k, row in enumerate(sec.itertuples()):
            idx = sen.loc[sen["section"] == row.section, "sentence"]
            if len(idx):
                if k % 2:
                    ax.axvspan(idx.min() - 0.5, idx.max() + 0.5, color=BAND_GREY, zorder=0)
                ax.text(idx.min() - 0.4, 1.04, f"§{row.section}", fontsize=8, va="bottom")
        ax.plot(sen["sentence"], sen["sentiment"], "-", color=GREY, lw=0.8, zorder=1)
        plain = scored[scored["framing_hits"] == 0]
        framed = scored[scored["framing_hits"] > 0]
        if len(plain):
            ax.scatter(plain["sentence"], plain["sentiment"], s=14, color=BLUE, zorder=2, label="sentence")
        if len(framed):
            ax.scatter(framed["sentence"], framed["sentiment"], s=46, marker="^", color=VERMILION, zorder=3,
                       label="sentence with framing term(s)")
        if len(scored):
            half_line(ax, vertical=False)
        else:
            axis_note(ax, f"{NO_SCORES}: no sentence has a Chinese character to score"
                  if len(sen) else f"{NO_SCORES}: the document has no body sentences")
        if len(sen):  # room for the § labels however few sentences; sentence numbers are whole
            left, right = ax.get_xlim()
            ax.set_xlim(min(left, sen["sentence"].min() - 0.6), max(right, sen["sentence"].max() + 0.6))
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        else:
            ax.set_xticks([])
        ax.set_ylim(-0.03, 1.1)
        finish(ax, "Sentiment arc", "sentence (reading order); shaded bands and § mark sections",
               fit(score_label, 40, 3), ncols=3)
    return fig


#: Markers of groups of documents: the colours (palette.GROUP_COLOURS) cycle, the marker changes every eight groups.
GROUP_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def _group_styles(values: list[str]) -> dict[str, tuple[str, str]]:
    return {v: (GROUP_COLOURS[i % len(GROUP_COLOURS)], GROUP_MARKERS[(i // len(GROUP_COLOURS)) % len(GROUP_MARKERS)])
            for i, v in enumerate(values)}


def group_label(column: str) -> str:
    """How figures name a grouping column: without the `meta_` prefix."""
    return column.removeprefix("meta_")


def plot_corpus_documents(documents: pd.DataFrame, group: str | None = None,
                          score_label: str = SCORE_LABELS["sentiment"]) -> Figure:
    """Per document: framing density (x) against the mean sentence score with its 95% CI (y), coloured by group."""
    docs = documents.sort_values("document")
    keys = docs[group].astype("string").fillna("(none)") if group else pd.Series("all", index=docs.index)
    styles = _group_styles(sorted(keys.unique()))
    drawable = docs["framing_per_1k_cjk"].notna() & docs["sentiment_mean"].notna()
    with_bars = len(docs) <= 60
    with styled():
        fig, ax = plt.subplots(figsize=(8, 5.5), layout="constrained")
        for value, (colour, marker) in styles.items():
            d = docs[(keys == value) & drawable]
            n, missing = int((keys == value).sum()), int(((keys == value) & ~drawable).sum())
            if d.empty:
                continue  # a legend entry would name a group with no point; the title counts these documents
            if with_bars:
                has_ci = d["sentiment_ci_low"].notna()
                ax.errorbar(d.loc[has_ci, "framing_per_1k_cjk"], d.loc[has_ci, "sentiment_mean"],
                            yerr=[d.loc[has_ci, "sentiment_mean"] - d.loc[has_ci, "sentiment_ci_low"],
                                  d.loc[has_ci, "sentiment_ci_high"] - d.loc[has_ci, "sentiment_mean"]],
                            fmt="none", ecolor=colour, alpha=0.35, lw=1, capsize=2)
            counts = f"n={n}" + (f", {missing} not shown" if missing else "")
            ax.scatter(d["framing_per_1k_cjk"], d["sentiment_mean"], s=30, color=colour, marker=marker,
                       alpha=0.85, linewidths=0,
                       label=f"{fit(value, 20)} ({counts})" if group else f"document ({counts})")
        if len(docs) <= 12:
            for r in docs[drawable].itertuples():
                ax.annotate(fit(r.document, 24), (r.framing_per_1k_cjk, r.sentiment_mean), xytext=(4, 3),
                            textcoords="offset points", fontsize=7, color=NOTE_GREY)
        if drawable.any():
            half_line(ax, vertical=False)
        else:
            axis_note(ax, f"{NO_SCORES}: no document has a sentiment score")
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlim(left=0)
        ax.set_xlabel("framing hits per 1,000 CJK characters")
        ax.set_ylabel(fit(f"mean {score_label} of the sentences", 50, 2))
        note = "; bars: 95% bootstrap CI over the document's sentences" if with_bars else ""
        hidden = int((~drawable).sum())
        hidden_note = ""
        if hidden:
            by_group = keys[~drawable].value_counts().sort_index()
            which = ", ".join(f"{fit(v, 16)}: {n}" for v, n in by_group.head(3).items()) + (
                ", …" if len(by_group) > 3 else "")
            hidden_note = (f"\nnot shown: {hidden} document{'s' if hidden != 1 else ''} without a sentiment score"
                           + (f" ({which})" if group else ""))
        ax.set_title(f"Documents: framing density and sentiment ({len(docs)} documents{note}){hidden_note}",
                     loc="left", fontsize=10)
        legend_above(ax, ncols=2, title=group_label(group) if group else None, title_fontsize=8)
    return fig


def _group_tick(name: object, n_documents: int, minimum: int) -> str:
    n = f"n={n_documents} document{'s' if n_documents != 1 else ''}"
    return f"{fit(name, 20, 2)}\n{n}" + (", too few" if n_documents < minimum else "")


def plot_corpus_groups(groups: pd.DataFrame, documents: pd.DataFrame, column: str,
                       score_label: str = SCORE_LABELS["sentiment"]) -> Figure:
    """Per group: each document's value (dots, fixed jitter) and the group value with its 95% CI from resampling
    documents, for mean sentence sentiment and framing density. Groups of fewer than `groups.MIN_GROUP_DOCUMENTS`
    documents are drawn hollow and labelled "too few"."""
    grp = groups.sort_values("group").reset_index(drop=True)
    keys = documents[column].astype("string").fillna("(none)")
    panels = (("sentiment_mean", "sentiment_ci_low", "sentiment_ci_high", "sentiment_mean",
               fit(f"mean {score_label} of the sentences", 60, 2), NO_SCORES),
              ("framing_per_1k_cjk", "framing_ci_low", "framing_ci_high", "framing_per_1k_cjk",
               "framing hits per 1,000 CJK characters", "no CJK characters"))
    full = "group, 95% CI (documents resampled)"
    small = f"group of fewer than {MIN_GROUP_DOCUMENTS} documents: interval unreliable"
    seen: set[str] = set()
    with styled():
        fig, axes = plt.subplots(1, 2, figsize=(10, 1.6 + 0.65 * max(len(grp), 1)), sharey=True,
                                 layout="constrained")
        rng = np.random.default_rng(0)  # fixed jitter so renders are identical
        for ax, (value_col, low_col, high_col, doc_col, xlabel, empty) in zip(axes, panels, strict=True):
            for y, row in grp.iterrows():
                vals = documents.loc[keys == row["group"], doc_col].dropna().to_numpy()
                jitter = rng.uniform(-0.2, 0.2, vals.size)
                if vals.size:
                    ax.scatter(vals, y + jitter, s=12, color=GREY, alpha=0.6, linewidths=0,
                               label=first_label(seen, "document"))
                if np.isnan(row[value_col]):
                    row_note(ax, y, empty)
                    continue
                err = None
                if not np.isnan(row[low_col]):
                    err = [[row[value_col] - row[low_col]], [row[high_col] - row[value_col]]]
                few = row["n_documents"] < MIN_GROUP_DOCUMENTS
                ax.errorbar(row[value_col], y, xerr=err, fmt="o", color=BLUE, ms=7, capsize=4,
                            lw=1.2 if few else 2, mfc="white" if few else BLUE, mec=BLUE, mew=1.5,
                            label=first_label(seen, small if few else full))
            ax.set_xlabel(xlabel)
            if value_col == "sentiment_mean":
                if grp[value_col].notna().any():
                    half_line(ax)
                ax.set_xlim(-0.02, 1.02)
            else:
                ax.set_xlim(left=0)
        axes[0].set_yticks(range(len(grp)), [_group_tick(g, n, MIN_GROUP_DOCUMENTS) for g, n in
                                             zip(grp["group"], grp["n_documents"], strict=True)], fontsize=8)
        axes[0].set_ylim(max(len(grp), 1) - 0.5, -0.5)
        handles, labels = [], []
        for ax in axes:  # an element first drawn in the right-hand panel is named too
            h, lab = ax.get_legend_handles_labels()
            handles, labels = handles + h, labels + lab
        legend_above(axes[0], ncols=1, handles=handles, labels=labels)  # one column: narrower than the panel
        fig.suptitle(f"By {group_label(column)}: each document counts once", x=0.01, ha="left", fontsize=10)
    return fig


def plot_sentiment_agreement(
    sentences: pd.DataFrame, a: str = "sentiment", b: str = "sentiment_lexicon", document: str | None = None,
    score_label: str | None = None, label_b: str | None = None,
) -> Figure:
    """Scatter of two scorers' sentence scores, lines at 0.5, counts per quadrant, Spearman's rho. `score_label` and
    `label_b` name the two scores (default: `style.SCORE_LABELS`)."""
    sen = _one(sentences, document)
    both = sen[sen[a].notna() & sen[b].notna()]
    stats = sentence_agreement(both, a, b).iloc[-1]
    counts = side_table(both, a, b)
    with styled():
        fig, ax = plt.subplots(figsize=(6.4, 5.6), layout="constrained")
        framed = both["framing_hits"] > 0 if "framing_hits" in both else pd.Series(False, index=both.index)
        if (~framed).any():
            ax.scatter(both.loc[~framed, a], both.loc[~framed, b], s=22, color=BLUE, alpha=0.6, linewidths=0,
                       label="sentence")
        if framed.any():
            ax.scatter(both.loc[framed, a], both.loc[framed, b], s=40, marker="^", color=VERMILION, alpha=0.7,
                       linewidths=0, label="sentence with framing term(s)")
        if both.empty:
            axis_note(ax, f"{NO_SCORES}: no sentence is scored by both scorers")
        if not both.empty:  # lines and quadrant counts only where there is something to divide
            ax.axvline(0.5, color="black", lw=0.8, ls="--")
            ax.axhline(0.5, color="black", lw=0.8, ls="--")
            for (row, col), (x, y) in {("below", "below"): (0.02, 0.02), ("below", "above"): (0.02, 0.98),
                                       ("above", "below"): (0.98, 0.02), ("above", "above"): (0.98, 0.98)}.items():
                ax.text(x, y, f"n={counts.loc[row, col]}", transform=ax.transAxes, fontsize=8, color=GREY,
                        ha="left" if x < 0.5 else "right", va="bottom" if y < 0.5 else "top")
        on_line = int(counts.to_numpy().sum() - counts.loc[["below", "above"], ["below", "above"]].to_numpy().sum())
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel(fit((score_label or SCORE_LABELS.get(a, a)) + " per sentence", 70, 2))
        ax.set_ylabel(fit((label_b or SCORE_LABELS.get(b, b)) + " per sentence", 60, 2))
        rho = "not defined" if np.isnan(stats["spearman_rho"]) else f"= {stats['spearman_rho']:.2f}"
        same = "" if np.isnan(stats["same_side_share"]) else f", same side of 0.5: {stats['same_side_share']:.0%}"
        ax.set_title(f"Two scorers, one article: Spearman ρ {rho}{same} "
                     f"(n={int(stats['n'])}; {on_line} exactly at 0.5)", loc="left", fontsize=9)
        legend_above(ax)
    return fig


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
        finish(ax, "The same sentences, two scripts", "SnowNLP P(positive), sentence as written",
               "SnowNLP P(positive), sentence after conversion")
    return fig


def plot_prefix_scores(prefixes: pd.DataFrame, document: str | None = None) -> Figure:
    """Score of the article's first k sentences as one text against its length: long texts saturate at 0 or 1."""
    pre = _one(prefixes, document)
    with styled():
        fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
        for (version, g), colour, marker in zip(pre.groupby("version", sort=False), (ORANGE, BLUE), ("s", "o"),
                                                strict=False):
            ax.plot(g["n_chars"], g["score"], "-", marker=marker, color=colour, ms=5, label=version)
        half_line(ax, vertical=False)
        ax.set_xscale("log")
        ax.set_ylim(-0.03, 1.03)
        finish(ax, "Growing prefixes of the article, scored as one text",
               "length of the prefix (characters, log scale)", "SnowNLP P(positive) of the prefix as one text", ncols=3)
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
            half_line(ax)
        else:
            axis_note(ax, f"{NO_SCORES}: no sentence has a Chinese character to score")
        ax.set_xlim(0, 1)
        finish(ax, f"Distribution of sentence scores (n={len(scores)})", "SnowNLP P(positive) per sentence",
               "sentences", ncols=3)
    return fig


def plot_framing_comparison(sentences: pd.DataFrame, comparison: pd.DataFrame, document: str | None = None) -> Figure:
    """Scores of sentences with and without framing terms (dots, fixed jitter), group means, and the test results;
    below `framing_effect.MIN_GROUP_SENTENCES` per group the title says why there are no tests."""
    sen = _one(sentences, document)
    row = _one(comparison, document).iloc[0]
    scored = sen[sen["sentiment"].notna()]
    groups = [("with framing terms", scored[scored["framing_hits"] > 0]["sentiment"], VERMILION),
              ("without", scored[scored["framing_hits"] == 0]["sentiment"], BLUE)]
    seen: set[str] = set()
    with styled():
        fig, ax = plt.subplots(figsize=(8, 3.4), layout="constrained")
        rng = np.random.default_rng(0)  # fixed jitter so renders are identical
        for y, (_name, scores, colour) in enumerate(groups):
            jitter = rng.uniform(-0.2, 0.2, scores.size)
            if len(scores):
                ax.scatter(scores, y + jitter, s=16, color=colour, alpha=0.6, linewidths=0)
                ax.plot(scores.mean(), y, "|", color="black", ms=26, mew=2.5, label=first_label(seen, "group mean"))
                ax.plot(scores.median(), y, "D", mfc="white", mec="black", ms=6, mew=1.5,
                        label=first_label(seen, "group median"))
            else:
                row_note(ax, y, NO_SCORES)
        if len(scored):
            half_line(ax)
        ax.set_yticks([0, 1], [f"{name}\nn={len(s)}" for name, s, _c in groups], fontsize=9)
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(1.5, -0.5)
        ax.set_xlabel("SnowNLP P(positive) per sentence")
        reason = too_few_reason(int(row["n_framing"]), int(row["n_other"]))
        difference = "" if np.isnan(row["difference"]) else f"difference in means {row['difference']:+.3f}; "
        summary = f"{difference}no interval, test or effect size: {reason}" if reason is not None else (
            f"difference in means {row['difference']:+.3f}"
            + ("" if np.isnan(row["difference_ci_low"]) else
               f" ({row['ci_level']:.0%} CI {row['difference_ci_low']:+.3f} to {row['difference_ci_high']:+.3f})")
            + f"; permutation p = {row['permutation_p']:.3f}; Mann–Whitney p = {row['mannwhitney_p']:.3f}, "
            f"rank-biserial r = {row['rank_biserial']:+.2f}")
        ax.set_title("Sentences with and without framing terms\n" + "\n".join(textwrap.wrap(summary, 100)),
                     loc="left", fontsize=9)
        handles, labels = ax.get_legend_handles_labels()
        if handles:  # between the two rows of dots, where there are none; opaque, so the dashed line stops at it
            ax.legend(handles, labels, loc="center left", bbox_to_anchor=(0, 0.5), ncols=3, fontsize=8,
                      frameon=True, facecolor="white", edgecolor="none", framealpha=1)
    return fig


#: How the cross-validation figure names the models of a cv.csv.
CV_MODEL_LABELS = {"stock": "SnowNLP's own model", "trained": "trained model", "sentiment_lexicon": "HowNet lexicon"}
CV_MEASURE_LABELS = {"accuracy_binary": "binary accuracy", "macro_f1_binary": "macro-F1 (binary)",
                     "spearman": "Spearman ρ with the codes"}


def plot_cross_validation(cv: pd.DataFrame, weight: int | None = None) -> Figure:
    """A model's cross-validation (`validate train`'s cv.csv): per measure, each model's value on each held-out fold
    (dots) and over all folds with its 95% interval. `weight`: which trained weight to show (default: the only one)."""
    rows = cv.copy()
    trained = rows["model"] == "trained"
    if weight is None and trained.any():
        weights = rows.loc[trained, "weight"].dropna().unique()
        if len(weights) > 1:
            raise AnalysisError(f"cv.csv has several trained weights ({', '.join(map(str, weights))}); pass weight=")
        weight = weights[0] if len(weights) else None
    rows = rows[~trained | (rows["weight"] == weight)]
    models = [m for m in CV_MODEL_LABELS if m in set(rows["model"])] + sorted(set(rows["model"]) - set(CV_MODEL_LABELS))
    measures = [m for m in CV_MEASURE_LABELS if m in set(rows["measure"])]
    colours = dict(zip(models, (GREY, VERMILION, BLUE, ORANGE), strict=False))
    seen: set[str] = set()
    with styled():
        fig, axes = plt.subplots(1, len(measures), figsize=(3.4 * len(measures), 1.6 + 0.6 * len(models)),
                                 sharey=True, layout="constrained", squeeze=False)
        for ax, measure in zip(axes[0], measures, strict=True):
            for y, model in enumerate(models):
                part = rows[(rows["model"] == model) & (rows["measure"] == measure)]
                folds = part[part["fold"].astype(str) != "all"]["value"].to_numpy(float)
                ax.scatter(folds, np.full(folds.size, y + 0.25), s=14, color=colours.get(model, GREY), alpha=0.6,
                           linewidths=0, label=first_label(seen, "one held-out fold"))
                pooled = part[part["fold"].astype(str) == "all"]
                if len(pooled) and not np.isnan(pooled["value"].iloc[0]):
                    r = pooled.iloc[0]
                    err = None if np.isnan(r["ci_low"]) else [[r["value"] - r["ci_low"]], [r["ci_high"] - r["value"]]]
                    ax.errorbar(r["value"], y, xerr=err, fmt="o", color=colours.get(model, GREY), ms=7, capsize=4,
                                lw=2, label=first_label(seen, "all folds, 95% interval"))
                    ax.annotate(f"{r['value']:.2f}", (r["value"], y), xytext=(0, 6), textcoords="offset points",
                                ha="center", va="bottom", fontsize=8)
            ax.set_xlabel(CV_MEASURE_LABELS[measure])
            ax.set_xlim(-0.05 if measure == "spearman" else 0.3, 1.0)
        axes[0][0].set_yticks(range(len(models)), [CV_MODEL_LABELS.get(m, m) for m in models], fontsize=9)
        axes[0][0].set_ylim(len(models) - 0.4, -0.6)
        folds = sorted(set(rows["fold"].astype(str)) - {"all"})
        n = rows[(rows["fold"].astype(str) == "all") & (rows["measure"] == "accuracy_binary")]["n"]
        fig.suptitle(f"Cross-validation: {len(folds)} held-out folds"
                     + (f", {int(n.iloc[0])} positive/negative sentences" if len(n) else "")
                     + (f"; trained weight {weight}" if weight is not None else ""), x=0.01, ha="left", fontsize=10)
        legend_above(axes[0][0], ncols=2)
    return fig
