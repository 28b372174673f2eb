"""Reading view: seconds per page and page size for the demo (run by hand: .venv/bin/python benchmarks/reading_view.py).

Renders the page of every document in data/processed/ (the demo: one) a few times from the committed tables and
prints the time per page, the page's size, the embedded font's share of it, and the subset's size against the
whole Noto Sans CJK collection it is cut from.
"""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

from analysis import config
from analysis.io.tables import check_run_lexicon, load_run
from analysis.present.fonts import cjk_font_path, cjk_subset_woff
from analysis.present.html import build_page, render_page

REPEATS = 3


def main() -> None:
    run = load_run(config.PROCESSED_DATA_DIR)
    lexicon = check_run_lexicon(config.FRAMING_LEXICON, run.manifest)
    collection = Path(cjk_font_path()).stat().st_size
    for doc in run.documents["document"]:
        times_draft, times_font, times_page = [], [], []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            draft = render_page(run, doc, lexicon)
            t1 = time.perf_counter()
            font = cjk_subset_woff(draft)
            t2 = time.perf_counter()
            page = build_page(run, doc, lexicon)
            t3 = time.perf_counter()
            times_draft.append(t1 - t0)
            times_font.append(t2 - t1)
            times_page.append(t3 - t2)
        size = len(page.encode("utf-8"))
        embedded = len(re.search(r"base64,([A-Za-z0-9+/=]+)", page).group(1))
        chars = len(set(draft))
        print(f"document {doc}: {chars} distinct characters on the page")
        print(f"  HTML without font: {statistics.median(times_draft) * 1000:.0f} ms; font subset: "
              f"{statistics.median(times_font):.2f} s; whole page: {statistics.median(times_page):.2f} s "
              f"(median of {REPEATS})")
        print(f"  page {size / 1000:.0f} kB, of which the base64 font {embedded / 1000:.0f} kB "
              f"({embedded / size:.0%}); WOFF subset {len(font) / 1000:.0f} kB = "
              f"{len(font) / collection:.2%} of the {collection / 1e6:.1f} MB collection file")


if __name__ == "__main__":
    main()
