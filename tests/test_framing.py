"""Framing terms: counts on the article, script independence, leftmost-longest, KWIC, lexicon validation."""

from __future__ import annotations

import opencc
import pytest

from analysis.analyse import analyse_text
from analysis.errors import AnalysisError
from analysis.framing.lexicon import parse_lexicon


def _count(tables, term, section=None):
    f = tables.framing
    f = f[f["term"] == term]
    if section is not None:
        f = f[f["section"] == section]
    return int(f["count"].sum())


def test_article_counts_of_the_issue(article_tables):
    t = article_tables
    # 兩彈一星: title and lead (section 0) twice, once in 打通全鏈路底座 (section 2).
    assert _count(t, "兩彈一星") == 3
    assert _count(t, "兩彈一星", 0) == 2 and _count(t, "兩彈一星", 2) == 1
    # 集團軍: once, in 中國AI正在重寫全球規則 (section 3).
    assert _count(t, "集團軍") == 1 and _count(t, "集團軍", 3) == 1
    assert t.sections.loc[3, "heading"] == "中國AI正在重寫全球規則"


def test_counts_equal_plain_substring_counts_for_terms_not_nested(article_text, article_tables):
    # Independent check: for terms that no other entry contains or overlaps, hits = substring count in the
    # content (the credit "(觀察者網)" holds none of them).
    for term, expected in {"兩彈一星": 3, "集團軍": 1, "軍團": 2, "自主可控": 1, "算力主權": 1, "國產": 6}.items():
        assert article_text.count(term) == expected
        assert _count(article_tables, term) == expected


def test_kwic_matches_point_into_the_text(article_text, article_tables):
    k = article_tables.kwic
    counted = k[k["status"] == "counted"]
    assert len(counted) == article_tables.framing["count"].sum() == article_tables.documents.loc[0, "framing_hits"]
    for r in k.itertuples():
        assert article_text[r.start:r.end] == r.match
        assert article_text[max(0, r.start - 15):r.start].replace("\n", " ").endswith(r.left)
        assert len(r.left) <= 15 and len(r.right) <= 15
    # Hits in the title / headings have no sentence; the others lie inside their sentence.
    s = article_tables.sentences.set_index("sentence")
    for r in k.dropna(subset=["sentence"]).itertuples():
        assert s.loc[r.sentence, "start"] <= r.start < s.loc[r.sentence, "end"]
    # Title: 兩彈一星; heading 2: 重奪, 定價權, 算力主權; heading 3: 重寫全球規則.
    assert sorted(k.loc[k["sentence"].isna(), "term"]) == sorted(["兩彈一星", "重奪", "定價權", "算力主權", "重寫全球規則"])


def test_section_and_sentence_hits_add_up(article_tables):
    t = article_tables
    counted = t.kwic[t.kwic["status"] == "counted"]
    assert t.sections["framing_hits"].sum() == len(counted)
    assert t.sentences["framing_hits"].sum() == counted["sentence"].notna().sum()
    per = counted.groupby("section").size()
    for r in t.sections.itertuples():
        assert r.framing_hits == per.get(r.section, 0)
        assert r.framing_per_1k_cjk == pytest.approx(r.framing_hits / r.n_cjk * 1000)


def test_simplified_copy_gives_the_same_counts_and_scores(article_text, article_tables, lexicon):
    simplified = opencc.OpenCC("t2s").convert(article_text)
    assert simplified != article_text
    s = analyse_text("article", simplified, lexicon)
    cols = ["section", "category", "term", "count"]
    assert s.framing[cols].equals(article_tables.framing[cols])
    assert s.sentences["sentiment"].tolist() == article_tables.sentences["sentiment"].tolist()
    assert (s.sentences["text_scored"] == s.sentences["text"]).mean() > 0.95  # Simplified passes (nearly) unchanged


LEX = """name: t
version: "1"
references: [r]
categories:
  pride: {label_zh: 自豪, label_en: Pride, description: d}
entries:
  - {term: 崛起, category: pride, gloss: rise, rationale: r}
  - {term: 集體崛起, category: pride, gloss: collective rise, rationale: r}
"""


def test_leftmost_longest_non_overlapping(lexicon):
    lex = parse_lexicon(LEX.encode(), "t.yaml")
    t = analyse_text("d", "標題\n\n這是集體崛起,也是崛起。集体崛起!", lex)
    assert dict(zip(t.framing["term"], t.framing["count"], strict=True)) == {"崛起": 1, "集體崛起": 2}
    assert t.kwic["match"].tolist() == ["集體崛起", "崛起", "集体崛起"]


@pytest.mark.parametrize("edit, message", [
    (("  - {term: 崛起, category: pride, gloss: rise, rationale: r}",
      "  - {term: 崛起, category: pride, gloss: rise, rationale: r, weight: 2}"), r"line 7: entry 1 \('崛起'\) has unknown key 'weight'"),
    (("gloss: rise, rationale: r}", "rationale: r}"), r"line 7: entry 1 \('崛起'\) lacks gloss"),
    (("term: 崛起,", "term: '',"), r"line 7: term of entry 1 .* must be non-empty"),
    (("term: 集體崛起", "term: 崛起"), r"line 8: entry 2 \('崛起'\) duplicates '崛起'"),
    (("term: 集體崛起", "term: 集体崛起"), None),
    (("term: 集體崛起", "term: 崛起"), r"line 8"),
    (("category: pride, gloss: collective", "category: war, gloss: collective"), r"line 8: .*unknown category 'war'"),
    (("version: \"1\"", "version: [1"), r"YAML syntax error"),
    (("references: [r]\n", "references: [r]\nextra: 1\n"), r"unknown key 'extra'"),
])
def test_lexicon_errors_name_the_entry_and_line(edit, message):
    text = LEX.replace(*edit)
    if message is None:
        parse_lexicon(text.encode(), "t.yaml")  # a different term is fine
        return
    with pytest.raises(AnalysisError, match=message):
        parse_lexicon(text.encode(), "t.yaml")


def test_duplicate_after_t2s_is_an_error():
    text = LEX.replace("term: 集體崛起", "term: 集体崛起").replace("term: 崛起,", "term: 集體崛起,")
    with pytest.raises(AnalysisError, match=r"line 8: entry 2 \('集体崛起'\) duplicates '集體崛起'"):
        parse_lexicon(text.encode(), "t.yaml")


def test_shipped_lexicon_is_complete(lexicon):
    assert {c.id for c in lexicon.categories} >= {"militarized", "sovereignty", "rivalry", "pride"}
    assert len(lexicon.references) >= 5
    terms = {e.term for e in lexicon.entries}
    assert {"兩彈一星", "集團軍", "軍團", "之彈", "戰線", "突圍", "算力主權", "自主可控", "國產", "卡脖子"} <= terms
