"""Which figures a run gets, drawn and saved: one set per document, and for a corpus the documents figure and, with a
grouping column, the groups figure (its statistics computed here by `stats.groups`, the figure only draws them)."""

from __future__ import annotations

import re
from pathlib import Path

from matplotlib.figure import Figure

from ..io.tables import RunTables, load_run
from ..stats.groups import compare_groups, group_column
from .figures import (
    group_label,
    plot_corpus_documents,
    plot_corpus_groups,
    plot_framing_by_section,
    plot_sentiment_agreement,
    plot_sentiment_arc,
    plot_sentiment_by_section,
)
from .labels import score_label
from .style import save_figure


def document_figures(run: RunTables, document: str) -> dict[str, Figure]:
    """The figures of one document, by file name stem (the agreement of two scorers only for a run that has both)."""
    label = score_label(run.manifest.get("parameters", {}))  # names the trained model that scored, if any
    figs = {
        "sentiment_by_section": plot_sentiment_by_section(run.sections, run.sentences, document, label),
        "framing_by_section": plot_framing_by_section(run.sections, run.framing, run.categories, document),
        "sentiment_arc": plot_sentiment_arc(run.sentences, run.sections, document, label),
    }
    if "sentiment_lexicon" in run.sentences.columns:  # only for runs with --second-scorer lexicon
        figs["sentiment_agreement"] = plot_sentiment_agreement(run.sentences, document=document, score_label=label)
    return figs


def group_slug(column: str) -> str:
    """The grouping column as it appears in a file name: corpus_by_SLUG."""
    return re.sub(r"[^0-9A-Za-z_-]+", "_", group_label(column)).strip("_") or "group"


def render_figures(data_dir: Path, out_dir: Path, group_by: str | None = None, per_document: bool = True) -> list[Path]:
    """Render every figure of a run: figures/NAME.* (one document), or figures/DOC/NAME.* per document plus the
    corpus figures figures/corpus_documents.* and, with a grouping column, figures/corpus_by_COLUMN.*."""
    run = load_run(data_dir)
    docs = list(run.documents["document"].astype(str))
    column = group_column(run.documents, group_by)  # an unknown column is an error before any drawing
    written = []
    for doc in docs if per_document or len(docs) == 1 else []:
        folder = out_dir if len(docs) == 1 else out_dir / doc
        for name, fig in document_figures(run, doc).items():
            written += save_figure(fig, folder / name)
    if len(docs) > 1:
        label = score_label(run.manifest.get("parameters", {}))
        written += save_figure(plot_corpus_documents(run.documents, column, label), out_dir / "corpus_documents")
        if column is not None:
            groups = compare_groups(run.documents, run.sentences, column)
            written += save_figure(plot_corpus_groups(groups, run.documents, column, label),
                                   out_dir / f"corpus_by_{group_slug(column)}")
    return written
