"""`python -m analysis kwic`: every occurrence of any string in a finished run, as kwic.csv rows."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..framing.lookup import check_queries, find_in_section, kwic_table, section_lines
from ..io.tables import load_run, write_csv
from ..present.layout import heading_starts
from .output import write_file


def add_kwic_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `kwic` to the commands; the handler is the parser's `handler` default."""
    p = sub.add_parser(
        "kwic", parents=[common], help="keyword in context: every occurrence of any string in a run",
        description="Find every occurrence of each QUERY (any text, in either script: compared through the "
                    "Simplified copy like the lexicon's terms) in the titles, headings and body sentences of a run, "
                    "and write them with kwic.csv's columns (category empty, status query) to --out.")
    p.add_argument("queries", nargs="+", metavar="QUERY", help="the strings to look up")
    p.add_argument("--data", type=Path, required=True, metavar="RUN", help="output folder of `python -m analysis run`")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.csv", help="the CSV file to write")
    p.set_defaults(handler=_kwic)


def _kwic(args: argparse.Namespace) -> int:
    queries = check_queries(args.queries)
    run = load_run(args.data)
    rows: list[dict] = []
    sentences_by_doc = dict(tuple(run.sentences.groupby("document", sort=False)))
    for document, sections in run.sections.groupby("document", sort=True):
        sentences = sentences_by_doc.get(document, run.sentences.iloc[0:0])
        starts = heading_starts(sections, sentences)
        by_section = dict(tuple(sentences.groupby("section", sort=False)))
        for sec in sections.itertuples():
            heading = sec.heading if isinstance(sec.heading, str) else ""
            lines = section_lines(heading, starts.get(int(sec.section)),
                                  by_section.get(sec.section, sentences.iloc[0:0]))
            rows += find_in_section(str(document), int(sec.section), lines, queries)
    table = kwic_table(rows)
    write_file(args.out, lambda path: write_csv(table, path), data=args.data)
    return 0
