"""Corpus mode: folders, globs and CSV / JSONL inputs with metadata; --jobs and Dask give the same bytes; failures
are reported by id; group comparisons resample documents."""

from __future__ import annotations

import fcntl
import json
import operator
import os
import pty
import struct
import subprocess
import sys
import termios
import warnings

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis.analyse import analyse_text, concat_tables
from analysis.io.synthetic import synthetic_articles
from analysis.io.tables import read_table, write_csv
from analysis.present import report
from analysis.stats.bootstrap import bootstrap_ci
from analysis.stats.groups import cluster_bootstrap_ci, compare_groups
from analysis.text.decode import read_text
from analysis.text.script import convert

from .conftest import ROOT, run_cli

TABLES = ("documents.csv", "sections.csv", "sentences.csv", "framing.csv", "kwic.csv")
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def _bytes(out):
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.fixture(scope="module")
def articles():
    """Three short articles made from the demo article's sentences, with outlet and date."""
    return list(synthetic_articles(read_text(config.DEMO_ARTICLE), 3, seed=7, sentences=(3, 5)))


@pytest.fixture(scope="module")
def folder(tmp_path_factory, articles):
    """corpus/OUTLET/ID.txt (one .md), one sidecar, and one corrupt file (a PDF named .txt)."""
    root = tmp_path_factory.mktemp("corpus")
    for k, a in enumerate(articles):
        d = root / "corpus" / a["outlet"]
        d.mkdir(parents=True, exist_ok=True)
        (d / (a["id"] + (".md" if k == 2 else ".txt"))).write_text(a["text"], encoding="utf-8")
    a0 = articles[0]
    (root / "corpus" / a0["outlet"] / f"{a0['id']}.meta.yaml").write_text(
        f"outlet: {a0['outlet']}\ndate: {a0['date']}\nurl: null\n", encoding="utf-8")
    (root / "corpus" / articles[1]["outlet"] / "scan.txt").write_bytes(PDF)
    return root


@pytest.fixture(scope="module")
def run_one(folder):
    """The folder analysed in this process's usual way (--jobs 1): status 1 because of the corrupt file."""
    r = run_cli("run", "corpus", "--out", "out1", cwd=folder)
    assert r.returncode == 1, r.stderr
    return folder / "out1", r


def test_a_corrupt_document_is_reported_by_id_and_the_rest_complete(run_one, articles):
    out, r = run_one
    bad = f"{articles[1]['outlet']}/scan"
    assert "1 document(s) failed" in r.stderr and bad in r.stderr and "Traceback" not in r.stderr
    failures = read_table(out / "failures.csv")
    assert failures["document"].tolist() == [bad] and "PDF" in failures.loc[0, "reason"]
    docs = read_table(out / "documents.csv")
    assert sorted(docs["document"]) == sorted(f"{a['outlet']}/{a['id']}" for a in articles)


def test_reports_are_written_chunk_by_chunk_as_the_whole_table_would_be(tmp_path, monkeypatch, run_one):
    """Streaming (2 rows at a time) gives the same files as formatting the whole sections table at once."""
    out, _ = run_one
    sections = read_table(out / "sections.csv")
    documents = sections["document"].nunique()
    assert documents > 1 and len(sections) > 2
    monkeypatch.setattr(report, "CHUNK_ROWS", 2)
    report.write_section_reports(out / "sections.csv", tmp_path, documents)
    whole = report.section_report(sections)
    assert "document" in whole.columns
    assert (tmp_path / "sections.md").read_text(encoding="utf-8") == report.to_markdown(whole)
    assert (tmp_path / "sections.tex").read_text(encoding="utf-8") == report.to_latex(whole)
    assert (out / "sections.md").read_bytes() == (tmp_path / "sections.md").read_bytes()


def test_tables_equal_the_pipeline_run_document_by_document(run_one, articles, lexicon):
    """Independent path: analyse each text in memory, stack with concat_tables, compare values and bytes."""
    out, _ = run_one
    parts = [analyse_text(f"{a['outlet']}/{a['id']}", a["text"], lexicon) for a in articles]
    expected = concat_tables(parts)
    for name in ("sections", "sentences", "framing", "kwic"):
        tmp = out.parent / f"expected_{name}.csv"
        write_csv(getattr(expected, name), tmp)
        assert tmp.read_bytes() == (out / f"{name}.csv").read_bytes(), name
    write_csv(expected.documents, out.parent / "expected_documents.csv")
    want = read_table(out.parent / "expected_documents.csv")
    docs = read_table(out / "documents.csv")
    assert list(docs.columns) == [*want.columns, "meta_outlet", "meta_date", "meta_url"]
    pd.testing.assert_frame_equal(docs[list(want.columns)], want, check_exact=True)
    first = docs.set_index("document").loc[f"{articles[0]['outlet']}/{articles[0]['id']}"]
    assert first["meta_outlet"] == articles[0]["outlet"] and first["meta_date"] == articles[0]["date"]
    assert docs["meta_outlet"].isna().sum() == 2  # no sidecar: empty cells


def test_two_jobs_give_the_same_bytes(run_one, folder):
    out, _ = run_one
    r = run_cli("run", "corpus", "--out", "out2", "--jobs", "2", cwd=folder)
    assert r.returncode == 1, r.stderr
    assert _bytes(folder / "out2") == _bytes(out)


def test_a_warning_from_a_worker_is_shown_once(folder, tmp_path):
    """Forked workers inherit the command's log handler; the warning must still appear once, as with --jobs 1."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for k, a in enumerate(synthetic_articles(read_text(config.DEMO_ARTICLE), 4, seed=3, sentences=(3, 4))):
        (corpus / f"{k}.txt").write_text(a["text"], encoding="utf-8")
    (corpus / "english.txt").write_text("Only English here.\n", encoding="utf-8")
    lines = {}
    for jobs in ("1", "2"):
        r = run_cli("run", "corpus", "--out", f"out{jobs}", "--jobs", jobs, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        lines[jobs] = [line for line in r.stderr.splitlines() if "no Chinese text" in line]
    assert len(lines["1"]) == 1 and lines["2"] == lines["1"]


def test_workers_start_fresh_while_other_threads_run():
    """Forking a process with other threads can copy a held lock; then run_local must start fresh workers."""
    import threading

    from analysis.batch.executors import _pool_context, run_local

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert _pool_context().get_start_method() != "fork"
        assert sorted(run_local(operator.add, range(20), 1000, jobs=2)) == [i + 1000 for i in range(20)]
    finally:
        stop.set()
        other.join()


def test_a_corpus_in_both_scripts_gives_the_same_numbers_for_each_pair(articles, tmp_path):
    """Each article as written (Traditional) and converted to Simplified by OpenCC: same sections, sentences, scores
    and framing counts (run with --jobs 2); only the texts and titles differ."""
    for a in articles:
        for script, text in (("trad", a["text"]), ("simp", convert(a["text"], "t2s"))):
            (tmp_path / "corpus" / script).mkdir(parents=True, exist_ok=True)
            (tmp_path / "corpus" / script / f"{a['id']}.txt").write_text(text, encoding="utf-8")
    assert convert(articles[0]["text"], "t2s") != articles[0]["text"]
    r = run_cli("run", "corpus", "--out", "out", "--jobs", "2", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for name, drop in (("documents", ["title"]), ("sentences", ["text"]), ("sections", ["heading"]),
                       ("framing", []), ("kwic", ["left", "match", "right"])):
        table = read_table(tmp_path / "out" / f"{name}.csv").drop(columns=drop)
        script = table["document"].str.split("/").str[0]
        table["document"] = table["document"].str.split("/").str[1]
        trad, simp = (table[script == s].reset_index(drop=True) for s in ("trad", "simp"))
        assert len(trad) == len(simp) > 0, name
        if name in ("documents", "sections"):  # bootstrap seeds derive from the document id
            seeded = ["sentiment_ci_low", "sentiment_ci_high", "sentiment_ci_low_own", "sentiment_ci_high_own"]
            trad, simp = (t.drop(columns=seeded) for t in (trad, simp))
        pd.testing.assert_frame_equal(trad, simp, check_exact=True, obj=name)


def _local_cluster():
    distributed = pytest.importorskip("distributed")
    return distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                    host="127.0.0.1", dashboard_address=None)


def test_a_dask_cluster_gives_the_same_bytes_without_opening_the_files(run_one, folder, monkeypatch):
    """The worker runs in this test's process; here it cannot open files, so the run passes only if the command
    sends each file's bytes (workers on other machines need not see the corpus)."""

    def no_files(*args, **kwargs):
        raise AssertionError("a Dask worker opened an input file")

    monkeypatch.setattr("analysis.batch.worker.read_bytes", no_files)
    out, _ = run_one
    with _local_cluster() as cluster:
        r = run_cli("run", "corpus", "--out", "outd", "--scheduler", cluster.scheduler_address, cwd=folder)
    assert r.returncode == 1, r.stderr
    assert "scan" in r.stderr  # the failure summary
    assert _bytes(folder / "outd") == _bytes(out)


def test_a_dask_worker_with_other_package_versions_is_refused(folder, monkeypatch):
    from analysis.io.provenance import package_versions

    real = package_versions()
    monkeypatch.setattr("analysis.io.provenance.package_versions", lambda: {**real, "snownlp": "0.0.1"})  # the worker's
    with _local_cluster() as cluster:
        r = run_cli("run", "corpus", "--out", "outv", "--scheduler", cluster.scheduler_address, cwd=folder)
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert f"snownlp 0.0.1 there, {real['snownlp']} here" in r.stderr
    assert not (folder / "outv").exists()


def test_files_travel_as_bytes_to_a_cluster_and_unreadable_ones_as_failures(tmp_path, lexicon):
    from analysis.batch.run import _tasks
    from analysis.batch.worker import RunOptions, analyse_document
    from analysis.io.inputs import collect

    (tmp_path / "a.txt").write_text("標題\n\n國產晶片再次突圍。\n", encoding="utf-8")
    (tmp_path / "big.txt").write_text("長" * 50, encoding="utf-8")
    tasks = {t.document: t for t in _tasks(collect([tmp_path]), {}, {}, ship=True, max_chars=20)}
    assert tasks["a"].path is None and tasks["a"].data == (tmp_path / "a.txt").read_bytes()
    assert tasks["big"].data is None and "over the --max-chars limit" in tasks["big"].error
    opts = RunOptions(lexicon=lexicon, max_chars=20)
    assert analyse_document(tasks["big"], opts).failure == tasks["big"].error
    read_there = next(_tasks(collect([tmp_path / "a.txt"]), {}, {}))  # as --jobs has a worker read the file
    assert read_there.path == str(tmp_path / "a.txt") and read_there.data is None
    shipped, read_there = analyse_document(tasks["a"], opts), analyse_document(read_there, opts)
    assert shipped.failure is None and shipped.rows == read_there.rows and shipped.record == read_there.record


def test_an_unreachable_scheduler_is_a_one_line_error(folder):
    r = run_cli("run", "corpus", "--out", "outx", "--scheduler", "tcp://127.0.0.1:9", cwd=folder,
                env={**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "cannot connect to the Dask scheduler" in r.stderr
    assert not (folder / "outx").exists()


def test_a_glob_pattern_selects_files_and_ids_are_relative_to_its_folder(folder, articles):
    r = run_cli("run", "corpus/**/*.txt", "--out", "outg", "--quiet", cwd=folder)
    assert r.returncode == 1, r.stderr  # scan.txt matches the pattern and fails
    docs = read_table(folder / "outg" / "documents.csv")["document"].tolist()
    assert docs == sorted(f"{a['outlet']}/{a['id']}" for a in articles[:2])  # the third is a .md
    assert "analysed" not in r.stderr  # --quiet: no summary line, only the failure report


@pytest.fixture(scope="module")
def tables_in(tmp_path_factory, articles):
    """The same articles as a CSV and a JSONL table, with the folder run's ids, metadata and a row with no text."""
    d = tmp_path_factory.mktemp("tables")
    rows = [{"id": f"{a['outlet']}/{a['id']}", "title": a["title"], "outlet": a["outlet"], "date": a["date"],
             "text": a["text"]} for a in articles]
    rows.append({"id": "zz-empty", "title": "空", "outlet": "丁報", "date": "2026-03-01", "text": ""})
    pd.DataFrame(rows).to_csv(d / "articles.csv", index=False)
    with open(d / "articles.jsonl", "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return d


@pytest.fixture(scope="module")
def csv_run(tables_in):
    """The table of articles (texts with their title lines and headings), read as the folder's files are read."""
    r = run_cli("run", "articles.csv", "--out", "outc", "--title", "auto", "--headings", "auto", cwd=tables_in)
    assert r.returncode == 1, r.stderr
    return tables_in / "outc"


def test_csv_and_jsonl_inputs_carry_metadata_and_equal_the_folder_run(csv_run, tables_in, run_one, articles):
    r = run_cli("run", "articles.jsonl", "--out", "outj", "--title", "auto", "--headings", "auto", cwd=tables_in)
    assert r.returncode == 1, r.stderr
    for name in TABLES:
        assert (csv_run / name).read_bytes() == (tables_in / "outj" / name).read_bytes(), name
    for name in ("sections.csv", "sentences.csv", "framing.csv", "kwic.csv"):  # same texts, same ids
        assert (csv_run / name).read_bytes() == (run_one[0] / name).read_bytes(), name
    docs = read_table(csv_run / "documents.csv")
    assert docs.columns[-2:].tolist() == ["meta_outlet", "meta_date"]  # the title column is not metadata
    assert docs["title"].tolist() == [a["title"] for a in sorted(articles, key=lambda a: f"{a['outlet']}/{a['id']}")]
    folder_docs = read_table(run_one[0] / "documents.csv")
    assert docs["title"].tolist() == folder_docs["title"].tolist()  # the title lines the segmenter found
    fail = read_table(csv_run / "failures.csv")
    assert fail["document"].tolist() == ["zz-empty"] and fail.loc[0, "file"] == "articles.csv#4"
    assert "no text" in fail.loc[0, "reason"]
    manifest = json.loads((csv_run / "manifest.json").read_text(encoding="utf-8"))
    inputs = manifest["inputs"]
    assert sorted(i["file"] for i in inputs) == ["articles.csv#1", "articles.csv#2", "articles.csv#3"]
    assert [i["document"] for i in inputs] == sorted(docs["document"])


def test_metadata_joins_every_table_by_document(csv_run):
    docs = read_table(csv_run / "documents.csv")
    sentences = read_table(csv_run / "sentences.csv")
    joined = sentences.merge(docs[["document", "meta_outlet"]], on="document", how="left", validate="many_to_one")
    assert joined["meta_outlet"].notna().all() and len(joined) == len(sentences)


def test_rows_without_ids_are_numbered_and_duplicate_ids_are_an_error(tmp_path):
    with open(tmp_path / "t.jsonl", "w", encoding="utf-8") as f:
        for i in range(10):
            f.write(json.dumps({"text": f"國產晶片第{i}次突圍。" if i != 3 else None, "outlet": "甲"},
                               ensure_ascii=False) + "\n")
    r = run_cli("run", "t.jsonl", "--out", "o", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    docs = read_table(tmp_path / "o" / "documents.csv")
    assert docs["document"].tolist() == [f"{i:02d}" for i in range(1, 11) if i != 4]
    assert read_table(tmp_path / "o" / "failures.csv")["document"].tolist() == ["04"]
    pd.DataFrame({"id": ["a", "b", "a"], "text": ["好。", "好。", "好。"]}).to_csv(tmp_path / "d.csv", index=False)
    r = run_cli("run", "d.csv", "--out", "o2", cwd=tmp_path)
    assert r.returncode == 2 and "'a'" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and not (tmp_path / "o2").exists()
    pd.DataFrame({"body": ["好。"]}).to_csv(tmp_path / "n.csv", index=False)
    r = run_cli("run", "n.csv", "--out", "o3", cwd=tmp_path)
    assert r.returncode == 2 and "no 'text' column" in r.stderr


def test_progress_bar_only_on_a_terminal_and_not_with_quiet(tmp_path):
    (tmp_path / "a.txt").write_text("標題\n\n國產晶片。\n", encoding="utf-8")

    def stderr_on_a_terminal(*extra):
        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 wide
        p = subprocess.run([sys.executable, "-m", "analysis", "run", "a.txt", "--out", "o", *extra], cwd=tmp_path,
                           stdout=subprocess.DEVNULL, stderr=follower, timeout=300)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        assert p.returncode == 0
        return b"".join(chunks).decode("utf-8", "replace")

    assert "documents: 100%" in stderr_on_a_terminal()
    assert "documents:" not in stderr_on_a_terminal("--quiet")


def test_no_progress_bar_when_stderr_is_not_a_terminal(run_one):
    assert "documents:" not in run_one[1].stderr and "doc/s" not in run_one[1].stderr


# --- Group comparisons: documents are resampled, not sentences. ---


def test_single_sentence_documents_reduce_to_the_ordinary_bootstrap():
    x = np.random.default_rng(1).uniform(size=25)
    assert cluster_bootstrap_ci(x, np.ones_like(x), seed=42) == bootstrap_ci(x, seed=42)


def test_cluster_bootstrap_agrees_with_scipy_on_a_ratio():
    from scipy import stats as sps

    rng = np.random.default_rng(3)
    n = rng.integers(1, 30, size=40).astype(float)
    sums = n * rng.uniform(0.2, 0.9, size=40)
    ours = cluster_bootstrap_ci(sums, n, seed=5, resamples=20_000)

    def ratio(i, axis=-1):
        i = i.astype(int)
        return sums[i].sum(axis=axis) / n[i].sum(axis=axis)

    ref = sps.bootstrap((np.arange(40),), ratio, n_resamples=20_000, method="percentile", vectorized=True,
                        rng=np.random.default_rng(9)).confidence_interval
    assert abs(ours[0] - ref.low) < 0.01 and abs(ours[1] - ref.high) < 0.01


def _toy(repeat: int = 1):
    """Six documents in two outlets; each document's sentences all have one score."""
    doc_scores = {"d1": 0.9, "d2": 0.6, "d3": 0.3, "e1": 0.8, "e2": 0.75, "e3": 0.7}
    n_sent = {"d1": 5, "d2": 2, "d3": 8, "e1": 3, "e2": 3, "e3": 6}
    sentences = pd.DataFrame([{"document": d, "sentiment": s} for d, s in doc_scores.items()
                              for _ in range(n_sent[d] * repeat)])
    documents = pd.DataFrame({"document": list(doc_scores), "meta_outlet": ["甲"] * 3 + ["乙"] * 3,
                              "sentiment_mean": list(doc_scores.values()), "framing_hits": [1, 0, 4, 2, 2, 2],
                              "n_cjk": [500, 200, 800, 300, 300, 600]})
    return documents, sentences


def test_group_intervals_do_not_depend_on_how_many_sentences_a_document_repeats():
    documents, sentences = _toy()
    once = compare_groups(documents, sentences, "outlet")
    tenfold = compare_groups(documents, _toy(repeat=10)[1], "outlet")
    cols = ["sentiment_mean", "sentiment_ci_low", "sentiment_ci_high", "framing_ci_low", "framing_ci_high"]
    pd.testing.assert_frame_equal(once[cols], tenfold[cols], rtol=1e-12)
    # Resampling sentences instead would narrow the interval with every repetition.
    s = _toy(repeat=10)[1].merge(documents[["document", "meta_outlet"]])
    lo, hi = bootstrap_ci(s.loc[s["meta_outlet"] == "甲", "sentiment"].to_numpy(), seed=1)
    row = once.set_index("group").loc["甲"]
    assert hi - lo < (row["sentiment_ci_high"] - row["sentiment_ci_low"]) / 2


def test_group_values_are_means_of_documents_or_pooled():
    documents, sentences = _toy()
    g = compare_groups(documents, sentences, "meta_outlet").set_index("group")
    assert g.loc["甲", "sentiment_mean"] == pytest.approx(np.mean([0.9, 0.6, 0.3]))
    assert g.loc["甲", "framing_per_1k_cjk"] == pytest.approx(np.mean([2.0, 0.0, 5.0]))
    p = compare_groups(documents, sentences, "outlet", weight="pooled").set_index("group")
    assert p.loc["甲", "sentiment_mean"] == pytest.approx((0.9 * 5 + 0.6 * 2 + 0.3 * 8) / 15)
    assert p.loc["甲", "framing_per_1k_cjk"] == pytest.approx(5 / 1500 * 1000)
    assert g.loc["甲", "n_documents"] == 3 and g.loc["乙", "n_scored"] == 12


def test_group_results_do_not_depend_on_row_order():
    documents, sentences = _toy()
    a = compare_groups(documents, sentences, "outlet")
    b = compare_groups(documents.iloc[::-1], sentences.sample(frac=1, random_state=0), "outlet")
    pd.testing.assert_frame_equal(a, b)


def test_corpus_figures_render_without_missing_glyphs(csv_run, tmp_path):
    from analysis.present.render import render_figures

    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing")
        paths = render_figures(csv_run, tmp_path, per_document=False)
    assert sorted(p.name for p in paths) == sorted(f"corpus_{n}.{e}" for n in ("documents", "by_outlet")
                                                   for e in ("png", "svg"))
    r = run_cli("figures", "--data", str(csv_run), "--out", str(tmp_path / "f"), "--group-by", "weather")
    assert r.returncode == 2 and "no column 'weather'" in r.stderr


def test_the_corpus_notebook_runs_on_a_generated_corpus(csv_run, tmp_path):
    papermill = pytest.importorskip("papermill")
    nb = ROOT / "notebooks" / "04-corpus.ipynb"
    stored = json.loads(nb.read_text(encoding="utf-8"))
    assert all(not c.get("outputs") and not c.get("execution_count") for c in stored["cells"]
               if c["cell_type"] == "code"), "store the notebook with outputs stripped"
    before = {p: p.stat().st_mtime_ns for p in config.PROCESSED_DATA_DIR.iterdir()}
    done = papermill.execute_notebook(str(nb), str(tmp_path / "out.ipynb"), cwd=str(tmp_path), progress_bar=False,
                                      parameters={"corpus": str(csv_run), "group_by": "outlet", "output": "written"})
    texts = [json.dumps(o, ensure_ascii=False) for c in done["cells"] for o in c.get("outputs", [])]
    assert not any("Glyph" in t and "missing" in t for t in texts)
    assert not any(o.get("output_type") == "error" for c in done["cells"] for o in c.get("outputs", []))
    printed = "".join(o.get("text", "") for c in done["cells"] for o in c.get("outputs", []))
    assert "C(group)[T." in printed and "length_k" in printed  # the regression on the document × category table
    written = sorted(p.name for p in (tmp_path / "written").iterdir())
    assert written == sorted(["04_corpus_documents.png", "04_corpus_documents.svg", "04_corpus_by_outlet.png",
                              "04_corpus_by_outlet.svg", "04_documents.csv", "04_groups_by_outlet.csv",
                              "04_interval_widths_by_outlet.csv", "04_groups_by_month.csv",
                              "04_differences_by_outlet.csv", "04_differences_by_outlet.png",
                              "04_differences_by_outlet.svg", "04_document_categories.csv"])
    # the notebook's differences and document × category table are those `compare` writes
    r = run_cli("compare", "--data", str(csv_run), "--out", str(tmp_path / "compared"), "--group-by", "outlet")
    assert r.returncode == 0, r.stderr
    for name in ("differences", "document_categories"):
        assert (tmp_path / "compared" / f"{name}.csv").read_bytes() == \
            (tmp_path / "written" / f"04_{name}{'_by_outlet' if name == 'differences' else ''}.csv").read_bytes()
    groups = read_table(tmp_path / "written" / "04_groups_by_outlet.csv")
    docs = read_table(csv_run / "documents.csv")
    assert groups["n_documents"].sum() == len(docs)
    write_csv(compare_groups(docs, read_table(csv_run / "sentences.csv"), "outlet"), tmp_path / "expected.csv")
    assert (tmp_path / "expected.csv").read_bytes() == (tmp_path / "written" / "04_groups_by_outlet.csv").read_bytes()
    assert {p: p.stat().st_mtime_ns for p in config.PROCESSED_DATA_DIR.iterdir()} == before


def test_work_is_submitted_a_few_documents_ahead_not_all_at_once():
    """Bounded memory: the pool pulls jobs × AHEAD_PER_WORKER items before the first result, not the whole corpus."""
    from analysis.batch.executors import AHEAD_PER_WORKER, run_local

    produced = []

    def items():
        for i in range(60):
            produced.append(i)
            yield i

    results = run_local(operator.add, items(), 1000, jobs=2)
    first = next(results)
    assert len(produced) == 2 * AHEAD_PER_WORKER
    assert sorted([first, *results]) == [i + 1000 for i in range(60)]


def test_spool_keeps_every_documents_rows_when_writing_and_adding_alternate(tmp_path):
    """The spool appends without seeking to its end each time: rows added after a table was written still go after
    everything stored, and every table holds each document's rows, sorted by id."""
    from analysis.batch.spool import Spool

    rows = {f"d{i}": {"a": f"d{i},a{i}\n".encode() * (i + 1), "b": f"d{i},b\n".encode()} for i in range(6)}
    with Spool(tmp_path / "spool", ["a", "b"]) as spool:
        for i in (5, 3, 0):  # d5, read last, lies first in the file: writing leaves the position there
            spool.add(f"d{i}", rows[f"d{i}"])
        spool.write("b", tmp_path / "b1.csv", "h\n")
        for i in (1, 4, 2):
            spool.add(f"d{i}", rows[f"d{i}"])
        spool.write("a", tmp_path / "a.csv", "h\n")
        spool.write("b", tmp_path / "b.csv", "h\n")
    assert (tmp_path / "b1.csv").read_bytes() == b"h\n" + b"".join(rows[d]["b"] for d in ("d0", "d3", "d5"))
    assert (tmp_path / "a.csv").read_bytes() == b"h\n" + b"".join(rows[f"d{i}"]["a"] for i in range(6))
    assert (tmp_path / "b.csv").read_bytes() == b"h\n" + b"".join(rows[f"d{i}"]["b"] for i in range(6))


def test_small_documents_travel_to_workers_in_bundles_and_large_ones_alone():
    """Bundles keep the items' order, hold at most BUNDLE_ITEMS items of at most BUNDLE_SIZE in all, and an item larger
    than that goes alone; without sizes every item goes alone (and the pool still takes only a few ahead)."""
    from analysis.batch.executors import BUNDLE_ITEMS, BUNDLE_SIZE, bundles, run_local

    sizes = [10] * 20 + [BUNDLE_SIZE + 5, 10, BUNDLE_SIZE // 2, BUNDLE_SIZE // 2, 1, BUNDLE_SIZE, 3]
    got = list(bundles(iter(range(len(sizes))), sizes.__getitem__))
    assert [i for b in got for i in b] == list(range(len(sizes)))
    assert all(len(b) <= BUNDLE_ITEMS and (len(b) == 1 or sum(sizes[i] for i in b) <= BUNDLE_SIZE) for b in got)
    assert [20] in got and [25] in got  # too large to share a trip
    assert got[:3] == [list(range(0, 8)), list(range(8, 16)), list(range(16, 20))]
    assert list(bundles(iter("abc"), None)) == [["a"], ["b"], ["c"]]
    results = run_local(operator.add, iter(range(40)), 1000, jobs=2, size=lambda i: 1)
    assert sorted(results) == [i + 1000 for i in range(40)]
