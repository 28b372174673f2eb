"""Corpus benchmark: documents per second with 1 and 2 jobs, the speed-up, and peak memory.

Generates a corpus of synthetic articles made of the demo article's sentences (seeded, into a temporary folder),
runs `python -m analysis run CORPUS --jobs N --quiet` for each N, samples the memory of the whole process tree
(main process and workers; proportional set size) every 0.2 s, checks that every run wrote the same bytes, and
prints the numbers.
Run by hand (it takes minutes with the reference SnowNLP scorer):

    .venv/bin/python benchmarks/corpus.py --documents 1000 --halves                        # the issue's benchmark
    .venv/bin/python benchmarks/corpus.py --documents 200 --scorer snownlp-reference      # SnowNLP itself (slow)
    .venv/bin/python benchmarks/corpus.py --documents 1000 --sentences 12 36              # short articles
Target: speed-up >= 1.8x with 2 jobs on 2 cores. Throughput includes start-up (imports, reading the lexicon and
loading the scorer, about 1 s; forked workers inherit them), which weighs more the shorter the run.
On a shared machine the wall-clock speed-up depends on what else runs, so the modes run in rounds, back to back,
and speed-ups compare runs of one round. The CPU seconds of the process tree show what the parallel mode costs in
extra work (when two processes share the machine's two CPUs, each often runs slower than one alone); `--halves`
times the machine's own ceiling: two independent `--jobs 1` runs on half the corpus each, at the same time.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from analysis import config
from analysis.io.synthetic import synthetic_articles
from analysis.text.decode import read_text

ROOT = Path(__file__).resolve().parent.parent


def generate(folder: Path, n: int, seed: int, sentences: tuple[int, int]) -> tuple[int, int]:
    """Write n synthetic articles as OUTLET/ID.txt; returns (articles, characters)."""
    chars = 0
    for a in synthetic_articles(read_text(config.DEMO_ARTICLE), n, seed=seed, sentences=sentences):
        d = folder / a["outlet"]
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{a['id']}.txt").write_text(a["text"], encoding="utf-8")
        chars += len(a["text"])
    return n, chars


def sample_tree(proc: psutil.Process, cpu: dict[int, float]) -> tuple[int, int]:
    """Memory of a process (resident) and of it with all its descendants (bytes); records each one's CPU seconds.

    The tree's memory sums proportional set sizes (PSS: a page shared by k processes counts 1/k in each), since
    forked workers share the pages they inherit; where PSS is unavailable it sums resident sizes (an overcount).
    """
    main = total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for p in procs:
        try:
            with p.oneshot():
                info = p.memory_full_info()
                t = p.cpu_times()
        except psutil.Error:
            continue
        cpu[p.pid] = max(cpu.get(p.pid, 0.0), t.user + t.system)
        total += getattr(info, "pss", info.rss)
        if p.pid == proc.pid:
            main = info.rss
    return main, total


def measure(corpus: Path, out: Path, jobs: int, scorer: str) -> dict:
    """One run: wall time, CPU seconds of the process tree, peak RSS of the main process and of the whole tree."""
    cmd = [sys.executable, "-m", "analysis", "run", str(corpus), "--out", str(out), "--jobs", str(jobs), "--quiet",
           "--scorer", scorer]
    peak = {"main": 0, "tree": 0}
    cpu: dict[int, float] = {}
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    proc = psutil.Process(p.pid)
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            main, tree = sample_tree(proc, cpu)
            peak["main"], peak["tree"] = max(peak["main"], main), max(peak["tree"], tree)
            stop.wait(0.2)  # reading memory maps costs CPU; the peak lasts longer than this

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = p.communicate()
    wall = time.perf_counter() - t0
    stop.set()
    sampler.join()
    if p.returncode != 0:
        raise SystemExit(f"--jobs {jobs} failed with status {p.returncode}: {err.strip()[-500:]}")
    return {"jobs": jobs, "wall": wall, "cpu": sum(cpu.values()), "cpu_main": cpu.get(p.pid, 0.0),
            "peak_main": peak["main"], "peak_tree": peak["tree"]}


def independent_halves(corpus: Path, out: Path, scorer: str) -> float:
    """Wall time of two independent `--jobs 1` runs, one per half of the corpus, at the same time.

    The best two processes could do on this machine at this moment (no coordination, no shared work): comparing
    `--jobs 1` with it shows how much of a shortfall in speed-up is the machine rather than the program.
    """
    files = sorted(str(f) for f in corpus.rglob("*.txt"))
    halves = (files[::2], files[1::2])
    t0 = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "analysis", "run", *half, "--out", str(out / str(k)), "--quiet",
                               "--scorer", scorer], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True) for k, half in enumerate(halves)]
    for p in procs:
        _, err = p.communicate()
        if p.returncode != 0:
            raise SystemExit(f"a half-corpus run failed with status {p.returncode}: {err.strip()[-500:]}")
    return time.perf_counter() - t0


def main() -> None:
    """Parse options, generate the corpus, run each --jobs value, print the numbers."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=1000, help="articles to generate (default 1000)")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values to run (default 1 2)")
    ap.add_argument("--sentences", type=int, nargs=2, default=(40, 120), metavar=("MIN", "MAX"),
                    help="sentences per article, drawn uniformly (default 40 120: about the demo article's size)")
    ap.add_argument("--scorer", default="snownlp", help="sentence scorer (default snownlp)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="rounds: each runs every --jobs value once, back to back; speed-ups compare runs of one "
                         "round (default 3)")
    ap.add_argument("--halves", action="store_true",
                    help="also time two independent --jobs 1 runs on half the corpus each, at once (the ceiling)")
    ap.add_argument("--seed", type=int, default=config.BOOTSTRAP_BASE_SEED, help="corpus seed")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="corpus-bench-") as tmp:
        corpus = Path(tmp) / "corpus"
        n, chars = generate(corpus, args.documents, args.seed, tuple(args.sentences))
        print(f"corpus: {n} articles, {chars:,} characters ({chars / n:,.0f} per article), seed {args.seed}; "
              f"scorer {args.scorer}; {os.cpu_count()} CPUs; load average before {os.getloadavg()[0]:.2f}")
        rounds: list[dict] = []  # one per repeat: --jobs value (or "halves") -> that run's numbers
        for rep in range(args.repeat):  # interleaved: a busy spell on the machine hits every mode of one round
            rounds.append({})
            for jobs in args.jobs:
                r = rounds[-1][jobs] = measure(corpus, Path(tmp) / f"out{jobs}", jobs, args.scorer)
                print(f"round {rep + 1} --jobs {jobs}: {r['wall']:7.1f} s  {n / r['wall']:6.2f} documents/s  "
                      f"{chars / r['wall']:9,.0f} characters/s  CPU {r['cpu']:7.1f} s (main process "
                      f"{r['cpu_main']:.1f} s; {r['cpu'] / r['wall']:.2f} cores busy on average)  peak memory "
                      f"{r['peak_tree'] / 2**20:6.0f} MiB PSS (main process {r['peak_main'] / 2**20:.0f} MiB RSS)",
                      flush=True)
            if args.halves:
                wall = independent_halves(corpus, Path(tmp) / "halves", args.scorer)
                rounds[-1]["halves"] = {"wall": wall}
                print(f"round {rep + 1} two independent --jobs 1 runs on half the corpus each, at once: {wall:7.1f} s",
                      flush=True)
        base = args.jobs[0]
        for jobs in args.jobs[1:]:
            same = all(filecmp.cmp(Path(tmp) / f"out{base}" / f.name, f, shallow=False)
                       for f in (Path(tmp) / f"out{jobs}").iterdir())
            ratios = [r[base]["wall"] / r[jobs]["wall"] for r in rounds]
            cpu = [r[jobs]["cpu"] / r[base]["cpu"] for r in rounds]
            print(f"speed-up --jobs {jobs} vs --jobs {base}, per round: {', '.join(f'{x:.2f}x' for x in ratios)}; "
                  f"median {statistics.median(ratios):.2f}x, best {max(ratios):.2f}x (target >= 1.8x for 2 jobs on "
                  f"2 cores); CPU seconds ratio median {statistics.median(cpu):.2f}; outputs byte-identical: {same}")
        if args.halves:
            ceiling = [r[base]["wall"] / r["halves"]["wall"] for r in rounds]
            print(f"the machine's ceiling for 2 processes (--jobs {base} vs two independent half runs at once), per "
                  f"round: {', '.join(f'{x:.2f}x' for x in ceiling)}; median {statistics.median(ceiling):.2f}x")
        print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
