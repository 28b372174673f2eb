"""Boundary-check benchmark: the share of a `run` spent deciding whether framing candidates are words (issue 16).

Each scenario runs `python -m analysis run INPUT --quiet` in a fresh process (imports, lexicon, scorer and all, so
the lazily loaded parts of jieba's dictionary are counted) with two timers added around
`analysis.text.words.WordSegmenter.edges` and `.tokens` as the framing matcher calls them (the boundary check: its
first call also builds the private tokenizer) and around `analysis.text.voice.VoiceReader.quoted` (the voice rule,
reported beside it). The share is that time over the wall time of the whole process. Scenarios: the demo article
alone (one short document: start-up weighs most), and synthetic corpora of the demo's sentences
(`analysis.io.synthetic`, seeded). The one-off cost of writing jieba's dictionary into the cache folder (first run
on a machine) is timed separately. Run by hand:

    .venv/bin/python benchmarks/boundaries.py                     # demo + 200 and 1,000 synthetic articles
    .venv/bin/python benchmarks/boundaries.py --documents 100 --rounds 5
    .venv/bin/python benchmarks/boundaries.py --input data/dev/articles    # any folder of articles

Target: the boundary check costs at most 20% of a run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis import config
from analysis.io.synthetic import synthetic_articles
from analysis.text.decode import read_text

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from analysis.text import voice, words
from analysis.framing import match

spent = {"boundary": 0.0, "voice": 0.0}

def timed(key, fn):
    def wrapper(*a, **k):
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            spent[key] += time.perf_counter() - t
    return wrapper

# the matcher's segmenter only: voice has its own (WordSegmenter() in VoiceReader), timed through quoted()
class Timed(words.WordSegmenter):
    edges = timed("boundary", words.WordSegmenter.edges)
    tokens = timed("boundary", words.WordSegmenter.tokens)

match.WordSegmenter = Timed
voice.VoiceReader.quoted = timed("voice", voice.VoiceReader.quoted)
from analysis.cli import main
code = main(["run", *sys.argv[1:], "--quiet"])
total = time.perf_counter() - t0
print(json.dumps({"code": code, "total": total, **spent}))
"""


def child(inputs: list[str], out: Path) -> dict:
    """One run in a fresh process; its wall time (from interpreter start to exit of main) and the timed parts."""
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", CHILD, *inputs, "--out", str(out)], capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode not in (0, 1):
        raise SystemExit(f"run failed: {r.stderr.strip().splitlines()[-1:]}")
    result = json.loads(r.stdout.strip().splitlines()[-1])
    result["wall"] = wall  # process start-up included
    return result


def synthetic(folder: Path, n: int, seed: int = 1) -> tuple[Path, int]:
    chars = 0
    for a in synthetic_articles(read_text(config.DEMO_ARTICLE), n, seed=seed):
        d = folder / a["outlet"]
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{a['id']}.txt").write_text(a["text"], encoding="utf-8")
        chars += len(a["text"])
    return folder, chars


def dictionary_build() -> float:
    """Seconds to read jieba's dictionary and split it by first character (done once per machine, then cached)."""
    import jieba

    from analysis.text.words import _build_parts

    with jieba.Tokenizer().get_dict_file() as f:
        data = f.read()
    t = time.perf_counter()
    _build_parts(data)
    return time.perf_counter() - t


def main() -> int:
    """Run the scenarios and print the table (median over rounds)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--documents", type=int, nargs="*", default=[200, 1000], help="synthetic corpus sizes")
    p.add_argument("--rounds", type=int, default=3, help="runs per scenario (median reported)")
    p.add_argument("--input", default=None, help="also benchmark this folder of articles")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        scenarios = [("demo article (1 document)", [str(config.DEMO_ARTICLE)], len(read_text(config.DEMO_ARTICLE)))]
        for n in args.documents:
            folder, chars = synthetic(tmp / f"syn{n}", n)
            scenarios.append((f"{n} synthetic articles", [str(folder)], chars))
        if args.input:
            chars = sum(len(read_text(f)) for f in Path(args.input).rglob("*.txt"))
            scenarios.append((f"{args.input}", [args.input], chars))
        print(f"jieba dictionary split and cached once per machine: {dictionary_build():.2f} s\n")
        print("| scenario | characters | run, wall s | boundary check s | share | voice rule s | share |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, inputs, chars in scenarios:
            runs = [child(inputs, tmp / f"out{i}") for i in range(args.rounds)]
            wall = statistics.median(r["wall"] for r in runs)
            b = statistics.median(r["boundary"] for r in runs)
            v = statistics.median(r["voice"] for r in runs)
            print(f"| {name} | {chars:,} | {wall:.2f} | {b:.3f} | {b / wall:.1%} | {v:.3f} | {v / wall:.1%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
