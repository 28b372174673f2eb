"""Per-document warnings: warnings.csv (document, kind, message) in every mode, one stderr line per kind, and the
count of documents without a score in the summary line."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.io.tables import read_table

from .conftest import run_cli
from .test_corpus import _local_cluster

GOOD = "國產晶片的突圍\n\n這是一篇很好的新聞。我們非常高興!\n\n第二節\n\n兩彈一星的精神仍在;市場不好。\n"
ENGLISH = "A Title\n\nThis is English. Nothing else here!\n"
HEADINGS = "# 國產晶片的突圍這是一篇很好的新聞\n\n## 我們非常高興兩彈一星的精神仍在\n\n## 市場不好第二節的標題\n"
#: file → (bytes, the warnings it must give, in order). Made so that the kinds are known without running anything.
CORPUS = {
    "en1.txt": (ENGLISH.encode(), ["no_chinese"]),
    "en2.txt": (ENGLISH.replace("Title", "Headline").encode(), ["no_chinese"]),
    "en3.txt": (b"Only English.\n", ["no_chinese"]),
    "h1.md": ("# 標題\n\n## 第一節\n\n## 第二節\n".encode(), ["no_body_sentences"]),
    "h2.md": (HEADINGS.encode(), ["no_body_sentences"]),
    "h3.md": (HEADINGS.encode("big5"), ["legacy_encoding", "no_body_sentences"]),  # two, in this order
    "mixed.txt": ("國產晶片的突圍\n\nThis is all English. Really!\n".encode(), ["no_scored_sentences"]),
    "good.txt": (GOOD.encode(), []),
    "good_big5.txt": (GOOD.encode("big5"), ["legacy_encoding"]),
}
KINDS = {kind for _, kinds in CORPUS.values() for kind in kinds}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("warnings")
    (root / "in").mkdir()
    for name, (data, _) in CORPUS.items():
        (root / "in" / name).write_bytes(data)
    return root


@pytest.fixture(scope="module")
def runs(corpus):
    """The corpus run here (--jobs 1), in two worker processes and on a Dask cluster: (out folder, stderr)."""
    results = {}
    for mode, extra in (("1", ["--jobs", "1"]), ("2", ["--jobs", "2"])):
        r = run_cli("run", "in", "--out", f"out{mode}", *extra, cwd=corpus)
        assert r.returncode == 0, r.stderr
        results[mode] = (corpus / f"out{mode}", r.stderr)
    with _local_cluster() as cluster:
        r = run_cli("run", "in", "--out", "outd", "--scheduler", cluster.scheduler_address, cwd=corpus)
    assert r.returncode == 0, r.stderr
    results["dask"] = (corpus / "outd", r.stderr)
    return results


def test_warnings_csv_lists_every_warning_by_document_then_occurrence(runs):
    out, _ = runs["1"]
    w = read_table(out / "warnings.csv")
    assert list(w.columns) == ["document", "kind", "message"]
    expected = [(name.rsplit(".", 1)[0], kind) for name in sorted(CORPUS) for kind in CORPUS[name][1]]
    assert list(zip(w["document"], w["kind"], strict=True)) == expected
    for row in w.itertuples():  # each message names its file as given
        assert row.message.startswith("in/" + next(n for n in CORPUS if n.rsplit(".", 1)[0] == row.document) + ": ")


@pytest.mark.parametrize("mode", ["2", "dask"])
def test_warnings_csv_and_stderr_are_the_same_in_every_mode(runs, mode):
    out, err = runs[mode]
    assert (out / "warnings.csv").read_bytes() == (runs["1"][0] / "warnings.csv").read_bytes()
    assert err.replace(f"out{'d' if mode == 'dask' else mode}", "OUT") == runs["1"][1].replace("out1", "OUT")


def test_stderr_has_one_line_per_kind_and_counts_documents_without_a_score(runs):
    out, err = runs["1"]
    lines = err.strip().splitlines()
    counts = {kind: len({n for n, (_, kinds) in CORPUS.items() if kind in kinds}) for kind in KINDS}
    assert counts == {"no_chinese": 3, "no_body_sentences": 3, "legacy_encoding": 2, "no_scored_sentences": 1}
    path = f"{out.name}/warnings.csv"  # --out as given
    assert f"3 documents had no Chinese text (framing counts 0, sentiment NaN): see {path}" in lines
    assert f"3 documents had no body sentences (only a title or headings; sentiment NaN): see {path}" in lines
    assert ("2 documents were not UTF-8 and were decoded from a detected encoding (--encoding NAME confirms it): "
            f"see {path}") in lines
    # A kind only one document has is shown as the warning itself.
    assert "in/mixed.txt: no body sentence has Chinese text to score; sentiment is NaN" in lines
    assert not [line for line in lines if line.startswith("in/") and "mixed.txt" not in line]
    # The summary counts, from documents.csv, the documents without a score; each has a warning saying why.
    docs = read_table(out / "documents.csv")
    unscored = set(docs.loc[docs["n_scored"] == 0, "document"])
    assert len(unscored) == 7
    assert unscored <= set(read_table(out / "warnings.csv")["document"])
    assert lines[-1] == f"analysed 9 of 9 documents; {len(unscored)} have no sentiment score (see warnings.csv); " \
                        f"tables in {out.name}"
    assert len(lines) == len(KINDS) + 1


def test_debug_shows_each_warning_as_it_arrives(corpus):
    r = run_cli("run", "in", "--out", "outdebug", "--debug", cwd=corpus)
    assert r.returncode == 0, r.stderr
    for name in ("en1.txt", "en2.txt", "en3.txt"):
        assert f"WARNING: in/{name}: no Chinese text" in r.stderr


def test_a_run_without_warnings_writes_the_header_and_reruns_into_the_same_folder(corpus, runs):
    r = run_cli("run", "in/good.txt", "--out", "clean", cwd=corpus)
    assert r.returncode == 0, r.stderr
    assert (corpus / "clean" / "warnings.csv").read_text(encoding="utf-8") == "document,kind,message\n"
    assert r.stderr.strip().splitlines() == ["analysed 1 of 1 document; tables in clean"]
    # The output-folder check knows warnings.csv as this program's own file: a rerun replaces it.
    out, _ = runs["1"]
    r = run_cli("run", "in/en1.txt", "--out", str(out), cwd=corpus)
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines()[0] == "in/en1.txt: no Chinese text; framing counts are 0 and sentiment is NaN"
    assert read_table(out / "warnings.csv")["document"].tolist() == ["en1"]
    assert "warnings.csv" in __import__("json").loads((out / "manifest.json").read_text(encoding="utf-8"))["tables"]


def test_a_table_of_rows_reports_warnings_by_row_id(tmp_path):
    rows = ["Only English here."] * 4 + ["國產晶片再次突圍。這是好消息。"]
    pd.DataFrame({"id": [f"r{k}" for k in range(5)], "text": rows}).to_csv(tmp_path / "t.csv", index=False)
    r = run_cli("run", "t.csv", "--out", "o", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    w = read_table(tmp_path / "o" / "warnings.csv")
    assert w["document"].tolist() == ["r0", "r1", "r2", "r3"] and set(w["kind"]) == {"no_chinese"}
    assert w["message"].tolist() == [f"t.csv#{k}: no Chinese text; framing counts are 0 and sentiment is NaN"
                                     for k in range(1, 5)]
    assert "4 documents had no Chinese text" in r.stderr
    assert "analysed 5 of 5 documents; 4 have no sentiment score (see warnings.csv)" in r.stderr
