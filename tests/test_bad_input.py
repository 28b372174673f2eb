"""Bad input through the command line: exit status, one-line message, and what is (not) written."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli, config
from analysis.io import files as output
from analysis.io.tables import read_table

from .conftest import ARTICLE, ROOT, run_cli

SHORT = "國產晶片的突圍\n\n這是一篇很好的新聞。我們非常高興!\n\n第二節\n\n兩彈一星的精神仍在;市場不好。\n"


def _one_line_error(r, status=2):
    assert r.returncode == status, r.stderr
    assert "Traceback" not in r.stderr
    lines = [line for line in r.stderr.strip().splitlines() if line.startswith("error")]
    assert len(lines) == 1, r.stderr
    return lines[0]


def _tables(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("short")
    (d / "short.txt").write_text(SHORT, encoding="utf-8")
    r = run_cli("run", str(d / "short.txt"), "--out", str(d / "out"))
    assert r.returncode == 0, r.stderr
    return d / "out"


@pytest.mark.parametrize("content", [b"", b"  \n\r\n\t \xe3\x80\x80\n"])
def test_empty_and_whitespace_files_say_no_text(tmp_path, content):
    f = tmp_path / "empty.txt"
    f.write_bytes(content)
    line = _one_line_error(run_cli("run", str(f), "--out", str(tmp_path / "o")))
    assert "no text" in line and "empty.txt" in line
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("transform", [
    lambda b: b"\xef\xbb\xbf" + b,
    lambda b: b.replace(b"\n", b"\r\n"),
    lambda b: b.replace(b"\n", b"\r"),
])
def test_bom_and_line_endings_give_the_same_tables(tmp_path, short_run, transform):
    f = tmp_path / "short.txt"
    f.write_bytes(transform(SHORT.encode("utf-8")))
    r = run_cli("run", str(f), "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    for name in ("documents.csv", "sections.csv", "sentences.csv", "framing.csv", "kwic.csv"):
        assert (tmp_path / "o" / name).read_bytes() == (short_run / name).read_bytes(), name


def test_mixed_width_punctuation_segments_and_counts_the_same(article_tables, lexicon):
    from snownlp import SnowNLP

    from analysis.analyse import analyse_text
    from analysis.text.script import convert

    text = config.DEMO_ARTICLE.read_text(encoding="utf-8")
    # Make every other sentence-ending / comma mark full-width: a one-to-one character swap keeps offsets.
    swap = {"?": "？", ";": "；", ",": "，", ":": "："}
    mixed = "".join(swap.get(ch, ch) if i % 2 else ch for i, ch in enumerate(text))
    assert mixed != text and len(mixed) == len(text)
    t = analyse_text("article", mixed, lexicon)
    cols = ["section", "sentence", "start", "end", "framing_hits"]
    assert t.sentences[cols].equals(article_tables.sentences[cols])
    assert t.framing.equals(article_tables.framing)
    assert t.sections[["section", "start", "end", "n_sentences", "framing_hits"]].equals(
        article_tables.sections[["section", "start", "end", "n_sentences", "framing_hits"]])
    # Scores are SnowNLP's own for the text as written (SnowNLP itself weighs "," and "，" differently).
    for r in t.sentences.head(20).itertuples():
        assert r.sentiment == SnowNLP(convert(r.text, "t2s")).sentiments


@pytest.mark.parametrize("encoding", ["big5", "gb18030"])
def test_legacy_chinese_encodings_are_detected_with_a_warning_or_given(tmp_path, short_run, encoding):
    f = tmp_path / "short.txt"
    f.write_bytes(SHORT.encode(encoding))
    r = run_cli("run", str(f), "--out", str(tmp_path / "auto"))
    assert r.returncode == 0, r.stderr
    assert f"decoded as {encoding}" in r.stderr
    r = run_cli("run", str(f), "--out", str(tmp_path / "given"), "--encoding", encoding)
    assert r.returncode == 0 and "decoded as" not in r.stderr
    for out in ("auto", "given"):
        for name in ("sentences.csv", "framing.csv", "sections.csv"):
            assert (tmp_path / out / name).read_bytes() == (short_run / name).read_bytes()


def test_article_in_big5_equals_the_utf8_article(tmp_path, article_run):
    f = tmp_path / ARTICLE.name
    f.write_bytes(ARTICLE.read_text(encoding="utf-8").encode("big5"))
    sidecar = ARTICLE.with_name(ARTICLE.stem + ".meta.yaml")  # its metadata (documents.csv meta_ columns)
    shutil.copy(sidecar, tmp_path / sidecar.name)
    r = run_cli("run", str(f), "--out", str(tmp_path / "o"), "--encoding", "big5")
    assert r.returncode == 0, r.stderr
    for name in ("sentences.csv", "sections.csv", "framing.csv", "kwic.csv", "documents.csv"):
        assert (tmp_path / "o" / name).read_bytes() == (article_run / name).read_bytes()


def test_wrong_encoding_and_undetectable_bytes_are_errors(tmp_path):
    f = tmp_path / "short.txt"
    f.write_bytes(SHORT.encode("gb18030"))
    line = _one_line_error(run_cli("run", str(f), "--out", str(tmp_path / "o"), "--encoding", "utf-8"))
    assert "not valid utf-8" in line and "--encoding" in line
    line = _one_line_error(run_cli("run", str(f), "--out", str(tmp_path / "o"), "--encoding", "klingon"))
    assert "unknown encoding" in line


@pytest.mark.parametrize("content, kind", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "PNG"),
    (bytes(range(256)) * 4, "binary"),
])
def test_binary_files_are_errors(tmp_path, content, kind):
    f = tmp_path / "scan.txt"
    f.write_bytes(content)
    line = _one_line_error(run_cli("run", str(f), "--out", str(tmp_path / "o")))
    assert kind in line and "scan.txt" in line


def test_english_only_completes_with_a_warning_and_mixed_scores_chinese_only(tmp_path):
    (tmp_path / "en.txt").write_text("A Title\n\nThis is English. Nothing else here!\n", encoding="utf-8")
    (tmp_path / "mixed.txt").write_text("標題\n\nThis is English!這是中文,很好。Another English line?\n",
                                        encoding="utf-8")
    r = run_cli("run", str(tmp_path / "en.txt"), str(tmp_path / "mixed.txt"), "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    assert "en.txt: no Chinese text" in r.stderr
    docs = read_table(tmp_path / "o" / "documents.csv").set_index("document")
    assert docs.loc["en", "framing_hits"] == 0 and pd.isna(docs.loc["en", "sentiment_mean"])
    assert docs.loc["en", "n_scored"] == 0
    s = read_table(tmp_path / "o" / "sentences.csv")
    m = s[s["document"] == "mixed"]
    assert m["text"].tolist() == ["This is English!", "這是中文,很好。", "Another English line?"]
    assert m["sentiment"].notna().tolist() == [False, True, False]


def test_a_single_line_is_body_text_and_only_headings_gives_a_clear_result(tmp_path):
    from snownlp import SnowNLP

    (tmp_path / "title.txt").write_text("只有一行\n", encoding="utf-8")
    (tmp_path / "heads.md").write_text("# 標題\n\n## 第一節\n\n## 第二節\n", encoding="utf-8")
    r = run_cli("run", str(tmp_path / "title.txt"), str(tmp_path / "heads.md"), "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    assert "heads.md: no body sentences" in r.stderr and "title.txt" not in r.stderr
    docs = read_table(tmp_path / "o" / "documents.csv").set_index("document")
    # a line with nothing after it is not a title: it is the text, and it is scored
    assert docs.loc["title", "n_sentences"] == 1 and pd.isna(docs.loc["title", "title"])
    assert docs.loc["title", "sentiment_mean"] == SnowNLP("只有一行").sentiments
    assert docs.loc["heads", "n_sections"] == 3 and pd.isna(docs.loc["heads", "sentiment_mean"])


def test_document_over_the_size_limit_is_an_error(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("標題\n\n" + "很好。" * 400, encoding="utf-8")
    line = _one_line_error(run_cli("run", str(f), "--out", str(tmp_path / "o"), "--max-chars", "1000"))
    assert "--max-chars" in line and "1,000" in line
    line = _one_line_error(run_cli("run", str(f), "--out", str(tmp_path / "o"), "--max-chars", "100"))
    assert "--max-chars" in line and "bytes" in line  # refused from its size, before reading


def test_missing_inputs_and_empty_folder_are_errors(tmp_path):
    line = _one_line_error(run_cli("run", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "o")))
    assert "nope.txt" in line and "no such file" in line
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "notes.docx").write_bytes(b"x")
    line = _one_line_error(run_cli("run", str(tmp_path / "folder"), "--out", str(tmp_path / "o")))
    assert "no .txt or .md files" in line
    line = _one_line_error(run_cli("run", "--headings", "sideways"))
    assert "--headings" in line


LEXICON = """name: t
version: "1"
references: [r]
categories:
  pride: {label_zh: 自豪, label_en: Pride, description: d}
  war: {label_zh: 戰爭, label_en: War, description: d}
entries:
  - {term: 崛起, category: pride, gloss: rise, rationale: r}
  - {term: 突圍, category: war, gloss: break out, rationale: r}
"""


@pytest.mark.parametrize("edit, expected", [
    (("entries:", "entries: ["), "YAML syntax error"),
    (("gloss: rise, ", ""), "line 8: entry 1 ('崛起') lacks gloss"),
    (("term: 突圍", "term: ' '"), "line 9: term of entry 2"),
    (("term: 突圍, category: war", "term: 崛起, category: war"), "line 9: entry 2 ('崛起') duplicates '崛起'"),
    (("term: 突圍", "term: 崛起"), "duplicates"),
    (("rationale: r}\n  - {term: 突圍", "rationale: r, note: x}\n  - {term: 突圍"), "unknown key 'note'"),
    (("category: war", "category: peace"), "line 9: entry 2 ('突圍') has unknown category 'peace'"),
])
def test_malformed_lexicon_is_an_error_naming_entry_and_line(tmp_path, edit, expected):
    lex = tmp_path / "lex.yaml"
    lex.write_text(LEXICON.replace(*edit), encoding="utf-8")
    (tmp_path / "a.txt").write_text(SHORT, encoding="utf-8")
    line = _one_line_error(run_cli("run", str(tmp_path / "a.txt"), "--lexicon", str(lex), "--out",
                                   str(tmp_path / "o")))
    assert "lex.yaml" in line and expected in line
    assert not (tmp_path / "o").exists()


def test_unwritable_output_is_an_error_before_any_work(tmp_path):
    (tmp_path / "a.txt").write_text(SHORT, encoding="utf-8")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for out in (tmp_path / "file" / "out", tmp_path / "file"):
        t0 = time.monotonic()
        line = _one_line_error(run_cli("run", str(tmp_path / "a.txt"), "--out", str(out)))
        assert "--out" in line
        assert time.monotonic() - t0 < 30
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_text("precious", encoding="utf-8")
    line = _one_line_error(run_cli("run", str(tmp_path / "a.txt"), "--out", str(tmp_path / "mine")))
    assert "did not write" in line
    assert (tmp_path / "mine" / "thesis.docx").read_text(encoding="utf-8") == "precious"


def test_some_documents_fail_the_rest_complete_with_status_1(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(SHORT, encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "scan.txt").write_bytes(b"%PDF-1.4 ...")
    r = run_cli("run", str(d), "--out", str(tmp_path / "o"))
    assert r.returncode == 1, r.stderr
    assert "2 document(s) failed" in r.stderr and "Traceback" not in r.stderr
    f = read_table(tmp_path / "o" / "failures.csv")
    assert f["document"].tolist() == ["empty", "scan"]
    assert "no text" in f.loc[0, "reason"] and "PDF" in f.loc[1, "reason"]
    assert read_table(tmp_path / "o" / "documents.csv")["document"].tolist() == ["good"]
    # All documents failing is status 2 with nothing written.
    (d / "good.txt").unlink()
    shutil.rmtree(tmp_path / "o")
    _one_line_error(run_cli("run", str(d), "--out", str(tmp_path / "o")))
    assert not (tmp_path / "o").exists()


def test_debug_shows_a_traceback(tmp_path):
    r = run_cli("run", str(tmp_path / "nope.txt"), "--debug", "--out", str(tmp_path / "o"))
    assert r.returncode != 0 and "Traceback" in r.stderr and "AnalysisError" in r.stderr


def test_input_order_and_hash_seed_do_not_change_bytes(tmp_path):
    (tmp_path / "b.txt").write_text(SHORT, encoding="utf-8")
    (tmp_path / "a.txt").write_text(SHORT.replace("很好", "不好"), encoding="utf-8")
    outs = []
    for seed, order in (("0", ["a.txt", "b.txt"]), ("12345", ["b.txt", "a.txt"])):
        out = tmp_path / f"o{seed}"
        r = run_cli("run", *[str(tmp_path / n) for n in order], "--out", str(out),
                    env={**os.environ, "PYTHONHASHSEED": seed})
        assert r.returncode == 0, r.stderr
        outs.append(_tables(out))
    assert outs[0] == outs[1]


def test_raw_checksum_mismatch_stops_the_default_run(tmp_path, monkeypatch, capsys):
    raw = tmp_path / "raw"
    shutil.copytree(config.RAW_DATA_DIR, raw)
    monkeypatch.setattr(config, "RAW_DATA_DIR", raw)
    monkeypatch.setattr(config, "RAW_CHECKSUMS", raw / "SHA256SUMS")
    with open(raw / ARTICLE.name, "ab") as f:
        f.write("多一句。".encode())
    assert cli.main(["run", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert ARTICLE.name in err and "make checksums" in err
    assert not (tmp_path / "o").exists()


def test_an_interrupted_swap_keeps_the_previous_outputs_and_is_recovered(tmp_path, short_run, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(short_run, out)
    before = _tables(out)
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)  # the portable two-step swap
    calls = []
    real_replace = os.replace

    def crash_after_first(src, dst):
        calls.append((src, dst))
        real_replace(src, dst)
        if len(calls) == 1:
            raise KeyboardInterrupt("killed between the two renames")

    monkeypatch.setattr(output.os, "replace", crash_after_first)
    with pytest.raises(KeyboardInterrupt):
        output.swap_in(out, lambda folder: (folder / "documents.csv").write_text("new", encoding="utf-8"))
    assert not out.exists() and _tables(tmp_path / ".out.previous") == before  # previous set intact
    monkeypatch.setattr(output.os, "replace", real_replace)
    output.recover(out)
    assert _tables(out) == before and not (tmp_path / ".out.previous").exists()


def test_runs_killed_at_several_moments_leave_the_previous_outputs(tmp_path, short_run):
    src = tmp_path / "in.txt"
    src.write_text(SHORT.replace("很好", "很糟"), encoding="utf-8")  # a run that would change every table
    out = tmp_path / "out"
    shutil.copytree(short_run, out)
    before = _tables(out)
    for delay in (0.3, 1.0, 2.0, 3.0):
        p = subprocess.Popen([sys.executable, "-m", "analysis", "run", str(src), "--out", str(out)],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        output.recover(out)
        now = _tables(out)
        assert now == before or set(now) == set(before), f"killed after {delay}s: {sorted(now)}"
        if now != before:  # the run finished before the kill: a complete new set
            break
    # And a run that is not killed still completes normally afterwards.
    assert run_cli("run", str(src), "--out", str(out)).returncode == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_several_megabyte_input_completes_in_bounded_memory(tmp_path):
    body = ARTICLE.read_text(encoding="utf-8").split("\n", 2)[2]
    big = tmp_path / "big.txt"
    big.write_text("大文件\n\n" + "\n".join([body] * 200), encoding="utf-8")
    assert big.stat().st_size > 2_500_000
    # The child's own peak: VmHWM (per address space, reset by exec). ru_maxrss is not: on Linux a forked child
    # inherits the parent's maximum, so it would report this test process's size (565 MiB after SnowNLP is loaded).
    code = ("import resource, sys; from analysis.cli import main; rc = main(sys.argv[1:]);"
            "hwm = [int(x.split()[1]) // 1024 for x in open('/proc/self/status') if x.startswith('VmHWM')];"
            "print('peak_rss_mib', hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,"
            " file=sys.stderr); sys.exit(rc)")
    r = subprocess.run([sys.executable, "-c", code, "run", str(big), "--out", str(tmp_path / "o")],
                       capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert r.returncode == 0, r.stderr
    peak = int(r.stderr.split("peak_rss_mib")[1].split()[0])
    # About 200 MiB here; a bootstrap that materialises 2,000 × n resamples at once would need over 800 MiB.
    assert peak < 450, f"peak RSS {peak} MiB"
    docs = read_table(tmp_path / "o" / "documents.csv")
    # 104 body sentences per copy; the closing credit is metadata only at the very end, so the 199 inner copies of
    # "(觀察者網)" are sentences. Each copy brings its 3 headings.
    assert docs.loc[0, "n_sentences"] == 200 * 104 + 199 and docs.loc[0, "n_sections"] == 1 + 200 * 3
