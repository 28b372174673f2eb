"""Short texts, table titles, foreign scripts and hostile inputs (issue 12): nothing lost, one-line errors."""

from __future__ import annotations

import json
import logging
import math
import re

import opencc
import pandas as pd
import pytest
from snownlp import SnowNLP

from analysis import api
from analysis.analyse import analyse_text
from analysis.batch.worker import RunOptions, analyse_loaded
from analysis.errors import AnalysisError
from analysis.framing.lexicon import parse_lexicon
from analysis.io.inputs import MAX_ID_BYTES, collect
from analysis.io.tables import read_table

from .conftest import run_cli

HAN = re.compile(r"[\u4e00-\u9fff]")


def _one_line_error(r, status=2):
    assert r.returncode == status, r.stderr
    assert "Traceback" not in r.stderr
    lines = [line for line in r.stderr.strip().splitlines() if line.startswith("error")]
    assert len(lines) == 1, r.stderr
    return lines[0]


def _error(exc: pytest.ExceptionInfo) -> str:
    message = str(exc.value)
    assert "\n" not in message, message
    return message


# --- item 1: short texts are body text; a table's title column is its title ---

SHORT_ROWS = [
    ("r1", "卷饼", "卷饼好吃。外卖小哥服务态度好。各种赞"),
    ("r2", "", "各种赞"),
    ("r3", "", "味道一般般吧"),
    ("r4", "", "开心\nhaha"),
    ("r5", "", "人工智能会取代记者吗？"),
    ("r6", "崛起的一年", "今天的天气不错"),  # the title holds a framing term, the text does not
    ("r7", "", "Nothing Chinese here"),
]


@pytest.fixture(scope="module")
def short_table_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("short_texts")
    pd.DataFrame(SHORT_ROWS, columns=["id", "title", "text"]).to_csv(d / "posts.csv", index=False)
    r = run_cli("run", "posts.csv", "--out", "out", cwd=d)
    assert r.returncode == 0, r.stderr
    return d / "out"


def test_every_row_of_short_texts_with_chinese_gets_a_score(short_table_run):
    docs = read_table(short_table_run / "documents.csv").set_index("document")
    with_chinese = {doc for doc, _, text in SHORT_ROWS if HAN.search(text)}
    assert with_chinese == {"r1", "r2", "r3", "r4", "r5", "r6"}
    for doc in with_chinese:
        assert docs.loc[doc, "n_scored"] >= 1 and not math.isnan(docs.loc[doc, "sentiment_mean"]), doc
    assert math.isnan(docs.loc["r7", "sentiment_mean"])
    # every character of every row is in a body sentence (line breaks aside): nothing became a title or heading
    sentences = read_table(short_table_run / "sentences.csv")
    for doc, _, text in SHORT_ROWS:
        assert "".join(sentences.loc[sentences["document"] == doc, "text"]) == text.replace("\n", ""), doc
    assert (read_table(short_table_run / "sections.csv")["section"] == 0).all()
    # a one-line text's score is SnowNLP's score of that text
    assert docs.loc["r2", "sentiment_mean"] == SnowNLP("各种赞").sentiments


def test_a_tables_title_column_is_the_title_not_metadata_nor_analysed_text(short_table_run):
    docs = read_table(short_table_run / "documents.csv").set_index("document")
    assert docs.loc["r1", "title"] == "卷饼" and docs.loc["r6", "title"] == "崛起的一年"
    assert pd.isna(docs.loc["r2", "title"])
    assert not [c for c in docs.columns if c.startswith("meta_")]  # no meta_title
    # the title is not part of the text: no framing hit for 崛起, no offsets into it
    assert docs.loc["r6", "framing_hits"] == 0
    assert read_table(short_table_run / "kwic.csv").query("document == 'r6'").empty
    sections = read_table(short_table_run / "sections.csv").set_index("document")
    assert sections.loc["r6", "start"] == 0 and sections.loc["r6", "end"] == len("今天的天气不错")
    params = json.loads((short_table_run / "manifest.json").read_text(encoding="utf-8"))["parameters"]
    assert params["title"] == {"files": "auto", "tables": "none"}
    assert params["headings"] == {"files": "auto", "tables": "none"}


def test_title_and_headings_options_apply_to_tables_and_files(tmp_path):
    text = "国产芯片的突围\n\n市场很好。\n\n第二节\n\n前景光明。"
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    pd.DataFrame({"id": ["row"], "text": [text]}).to_csv(tmp_path / "t.csv", index=False)
    r = run_cli("run", "a.txt", "t.csv", "--out", "o", "--title", "auto", "--headings", "auto", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    docs = read_table(tmp_path / "o" / "documents.csv").set_index("document")
    assert docs.loc["row", "title"] == docs.loc["a", "title"] == "国产芯片的突围"
    assert docs.loc["row", "n_sections"] == docs.loc["a", "n_sections"] == 2
    r = run_cli("run", "a.txt", "--out", "o2", "--title", "none", "--headings", "none", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    docs = read_table(tmp_path / "o2" / "documents.csv")
    assert pd.isna(docs.loc[0, "title"]) and docs.loc[0, "n_sentences"] == 4
    # the notebook API takes the same option
    tables = api.analyse_file(tmp_path / "a.txt", title="none", headings="none")
    assert tables.documents.loc[0, "title"] == "" and len(tables.sentences) == 4


# --- item 3: a run's output folder is never read as input ---


def test_an_output_folder_inside_the_input_folder_is_not_read_back(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("国产芯片的突围\n\n今天很好。\n", encoding="utf-8")
    for _ in range(2):  # the second run finds sections.md of the first in corpus/results/
        r = run_cli("run", "corpus", "--out", "corpus/results", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert read_table(corpus / "results" / "documents.csv")["document"].tolist() == ["a"]
    assert (corpus / "results" / "sections.md").is_file()
    assert "corpus/results: skipped" in r.stderr
    assert [s.document for s in collect([tmp_path / "corpus/**/*.md"]).sources] == ["a"]
    for given in ("corpus/results/sections.md", "corpus/results/sentences.csv", "corpus/results"):
        line = _one_line_error(run_cli("run", given, "--out", "o", cwd=tmp_path))
        assert given in line and "run" in line


# --- item 4: Japanese and Korean are not scored as Chinese ---


def test_japanese_and_korean_sentences_are_not_scored(lexicon):
    text = "今日はとても良い天気です。\n오늘은 大韓民國 날씨가 정말 좋습니다.\n오늘은 날씨가 좋습니다.\n这家の奶茶很好喝。今天天气很好。"
    s = analyse_text("x", text, lexicon).sentences.set_index("text")["sentiment"]
    assert math.isnan(s["今日はとても良い天気です。"])
    assert math.isnan(s["오늘은 大韓民國 날씨가 정말 좋습니다."]) and math.isnan(s["오늘은 날씨가 좋습니다."])
    # one kana character in a Chinese sentence does not stop it being scored
    assert s["这家の奶茶很好喝。"] == SnowNLP(opencc.OpenCC("t2s").convert("这家の奶茶很好喝。")).sentiments
    assert s["今天天气很好。"] == SnowNLP("今天天气很好。").sentiments
    from analysis.sentiment.scorers import get_scorer

    lex = get_scorer("lexicon")
    assert math.isnan(lex.score_one("今日はとても良い天気です。")) and not math.isnan(lex.score_one("今天天气很好。"))


def test_a_japanese_document_is_reported_as_not_chinese(lexicon, caplog):
    opts = RunOptions(lexicon=lexicon)
    with caplog.at_level(logging.WARNING, logger="analysis"):
        rows = analyse_loaded("ja", "今日はとても良い天気です。\n明日も晴れるでしょう。", "ja.txt", opts)
        analyse_loaded("zh", "今天天气很好。这家の奶茶很好喝。", "zh.txt", opts)
    assert rows["documents"].frame().loc[0, "n_scored"] == 0
    assert [r.getMessage().split(":")[0] for r in caplog.records] == ["ja.txt"]
    assert "not Chinese" in caplog.records[0].getMessage()


# --- items 5 and 12: lexicon terms with line breaks and YAML tags are one-line errors ---

LEXICON = """name: t
version: "1"
references: [r]
categories:
  pride: {label_zh: 自豪, label_en: Pride, description: d}
entries:
  - {term: 崛起, category: pride, gloss: rise, rationale: r}
  - term: TERM
    category: pride
    gloss: g
    rationale: r
"""


@pytest.mark.parametrize("term", ['"突\\n圍"', '"突\\r\\n圍"', '"突\\u2028圍"', "|-\n      突\n      圍"])
def test_a_lexicon_term_with_a_line_break_is_refused_with_its_line(term):
    with pytest.raises(AnalysisError) as exc:
        parse_lexicon(LEXICON.replace("TERM", term).encode(), "lex.yaml")
    assert "lex.yaml line 8" in _error(exc) and "line break" in _error(exc)
    parse_lexicon(LEXICON.replace("TERM", '"突圍\\n"').encode(), "lex.yaml")  # surrounding breaks are stripped


def test_a_lexicon_with_a_python_tag_is_a_one_line_error(tmp_path):
    marker = tmp_path / "executed"
    lex = tmp_path / "lex.yaml"
    lex.write_text(LEXICON.replace("TERM", f"!!python/object/apply:os.system ['touch {marker}']"), encoding="utf-8")
    (tmp_path / "a.txt").write_text("今天很好。", encoding="utf-8")
    line = _one_line_error(run_cli("run", "a.txt", "--lexicon", "lex.yaml", "--out", "o", cwd=tmp_path))
    assert "lex.yaml line 8" in line and "!!python/object/apply:os.system" in line
    assert not marker.exists() and not (tmp_path / "o").exists()


# --- items 12 and 13: sidecars are flat mappings of single values, errors in one line ---


@pytest.mark.parametrize("sidecar, expected", [
    ("outlet: x\n  date: [\n", "line 2"),  # malformed YAML
    ("outlet: x\ndate: 2026-02-01\n  bad: value\n", "line 3"),
    ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
     "c: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n", "line 1: 'a' uses a YAML anchor or alias"),
    ("outlet: &o 觀察者網\nsource: *o\n", "line 1: 'outlet' uses a YAML anchor or alias"),
    ("outlet: x\ntags: [a, b]\n", "line 2: 'tags' has a list or mapping"),
    ("outlet: x\nauthor:\n  name: y\n", "line 2: 'author' has a list or mapping"),
    ("outlet: !!python/object/apply:os.system ['true']\n", "line 1: 'outlet' has the YAML tag !!python"),
    ("- a\n- b\n", "line 1: a metadata file is a flat mapping"),
])
def test_a_bad_sidecar_is_a_one_line_error_naming_file_line_and_key(tmp_path, sidecar, expected):
    (tmp_path / "a.txt").write_text("今天很好。", encoding="utf-8")
    (tmp_path / "a.meta.yaml").write_text(sidecar, encoding="utf-8")
    with pytest.raises(AnalysisError) as exc:
        collect([tmp_path / "a.txt"])
    assert "a.meta.yaml" in _error(exc) and expected in _error(exc)


def test_a_flat_sidecar_is_read_as_before(tmp_path):
    (tmp_path / "a.txt").write_text("今天很好。", encoding="utf-8")
    (tmp_path / "a.meta.yaml").write_text(
        "# provenance\noutlet: 觀察者網\ndate: 2026-02-01\nn: 3\nurl: null\nnotes: >-\n  two\n  lines\n",
        encoding="utf-8")
    doc = next(collect([tmp_path / "a.txt"]).documents())
    assert doc.meta == {"outlet": "觀察者網", "date": "2026-02-01", "n": "3", "url": None, "notes": "two lines"}


# --- item 8: a lone surrogate fails its row only ---


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_lone_surrogate_in_a_jsonl_row_fails_that_row_only(tmp_path, jobs):
    rows = ['{"id": "a", "text": "\\ud800"}', '{"id": "b", "text": "今天很好。"}',
            '{"id": "c", "text": "很好。", "outlet": "x\\udc00"}', '{"id": "d", "text": "好。", "title": "\\udfff"}',
            '{"id": "e", "text": "\\ud83d\\ude00 真开心。"}']  # e: a valid surrogate pair, an emoji
    (tmp_path / "t.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    r = run_cli("run", "t.jsonl", "--out", "o", "--jobs", jobs, cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    fail = read_table(tmp_path / "o" / "failures.csv")
    assert fail["document"].tolist() == ["a", "c", "d"]
    assert all("surrogate" in reason and "\n" not in reason for reason in fail["reason"])
    assert fail["reason"].str.contains("'outlet'").tolist() == [False, True, False]
    docs = read_table(tmp_path / "o" / "documents.csv")
    assert docs["document"].tolist() == ["b", "e"] and docs["sentiment_mean"].notna().all()


# --- item 11: ids longer than file names allow ---


def test_ids_over_200_bytes_are_refused_naming_the_row_or_file(tmp_path):
    ok, long = "长" * (MAX_ID_BYTES // 3) + "xx", "长" * (MAX_ID_BYTES // 3) + "xxx"
    assert len(ok.encode()) == MAX_ID_BYTES == 200 and len(long.encode()) == 201
    (tmp_path / "t.jsonl").write_text(json.dumps({"id": ok, "text": "好。"}) + "\n"
                                      + json.dumps({"id": long, "text": "好。"}) + "\n", encoding="utf-8")
    line = _one_line_error(run_cli("run", "t.jsonl", "--out", "o", cwd=tmp_path))
    assert "t.jsonl row 2" in line and "201 bytes" in line and not (tmp_path / "o").exists()
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / (long + ".txt")).write_text("好。", encoding="utf-8")
    with pytest.raises(AnalysisError, match="201 bytes") as exc:
        collect([tmp_path / "d"])
    assert ".txt" in _error(exc)
    (tmp_path / "d" / (long + ".txt")).rename(tmp_path / "d" / (ok + ".txt"))
    assert [s.document for s in collect([tmp_path / "d"]).sources] == [ok]
