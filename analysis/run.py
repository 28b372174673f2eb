"""The `run` command: inputs → tables + manifest.json, written all together or not at all."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from tqdm import tqdm

from . import config
from .errors import AnalysisError
from .inputs import discover, verify_checksums
from .lexicon import load_lexicon
from .output import TABLE_FILES, check_writable, package_versions, sha256_file, swap_in, write_json, write_tables
from .pipeline import analyse_text, concat_tables
from .reading import read_text
from .script import check_converter
from .sentiment import get_scorer

log = logging.getLogger("analysis")
OUTPUT_FILES = {*TABLE_FILES.values(), "manifest.json"}


def run(args: argparse.Namespace) -> None:
    """Validate everything, analyse each document, then swap the complete set of outputs into place."""
    out: Path = args.out or config.PROCESSED_DATA_DIR
    lexicon = load_lexicon(args.lexicon or config.FRAMING_LEXICON)
    converter = check_converter(args.converter)
    check_writable(out, OUTPUT_FILES)
    if not args.inputs:
        verify_checksums(config.RAW_DATA_DIR, config.RAW_CHECKSUMS)
    docs = discover(args.inputs or [config.RAW_DATA_DIR])
    scorer = get_scorer(args.scorer)
    parts, inputs = [], []
    for doc, path in tqdm(docs, desc="documents", unit="doc", file=sys.stderr, disable=not sys.stderr.isatty()):
        text = read_text(path, args.encoding)
        parts.append(analyse_text(doc, text, lexicon, converter=converter, headings=args.headings, scorer=scorer))
        inputs.append({"document": doc, "file": doc + path.suffix, "sha256": sha256_file(path),
                       "bytes": path.stat().st_size, "chars": len(text)})
    tables = concat_tables(parts)
    manifest = {
        "versions": package_versions(),
        "parameters": {
            "converter": converter, "headings": args.headings, "scorer": scorer.name, "encoding": args.encoding,
            "bootstrap_resamples": config.BOOTSTRAP_RESAMPLES, "bootstrap_base_seed": config.BOOTSTRAP_BASE_SEED,
            "ci_level": config.CI_LEVEL, "kwic_window": config.KWIC_WINDOW,
            "max_sentence_chars": config.MAX_SENTENCE_CHARS,
        },
        "inputs": inputs,
        "lexicon": {
            "file": lexicon.file, "name": lexicon.name, "version": lexicon.version, "sha256": lexicon.sha256,
            "categories": [{"id": c.id, "label_zh": c.label_zh, "label_en": c.label_en} for c in lexicon.categories],
        },
        "tables": sorted(OUTPUT_FILES),
    }

    def write(folder: Path) -> None:
        write_tables(tables, folder)
        write_json(manifest, folder / "manifest.json")

    swap_in(out, write)
    log.info("analysed %d document(s), %d sentences; tables in %s", len(docs), len(tables.sentences), out)


__all__ = ["run", "AnalysisError"]
