"""Voice: quoted speech vs the outlet's own words, on constructed sentences (each case read by hand) and on the demo
article; the own-voice columns recomputed independently from sentences.csv and kwic.csv."""

from __future__ import annotations

import math

import numpy as np
import opencc
import pytest

from analysis.analyse import analyse_text
from analysis.framing.lexicon import parse_lexicon
from analysis.text.script import to_simplified_aligned
from analysis.text.voice import default_reader, quotations

from .conftest import lexicon_yaml

#: (line, the parts a reader takes as quoted speech, in order).
CASES = [
    # quotation marks holding reported speech
    ("他說：「我們不會屈服於霸權。」", ["「我們不會屈服於霸權。」"]),
    ("開發者直言:“中美的差距已經大到有些難堪。”", ["“中美的差距已經大到有些難堪。”"]),
    ("“中國會贏。”他說。", ["“中國會贏。”"]),
    ("「這是歷史性突破」，外交部發言人表示。", ["「這是歷史性突破」"]),
    ("從業者感嘆“領先兩代”，讓同行汗顏。", ["“領先兩代”"]),
    ("網友留言“要是你沒說這是AI我都要去查演員了”", ["“要是你沒說這是AI我都要去查演員了”"]),  # long: speech
    # quotation marks for a term, a name, emphasis: the outlet's own voice
    ("2026春節:中國AI的“兩彈一星”時刻", []),
    ("數字時代的“兩彈一星”戰略部署。", []),
    ("關於“智譜新模型全球登頂”的話題迅速霸佔榜首。", []),
    ("中國AI重奪“定價權”與“算力主權”", []),
    # a clause after a reporting verb, without quotation marks
    ("外交部發言人表示，中方堅決反對美方制裁。", ["中方堅決反對美方制裁。"]),
    ("專家認為中美脫鉤將延續多年。", ["中美脫鉤將延續多年。"]),
    ("美國的遏制不會成功，他說。", ["美國的遏制不會成功"]),
    ("據介紹，該晶片完全國產。", ["該晶片完全國產。"]),
    # not reporting: part of a longer word, the outlet's own judgement, a plain action
    ("這部小說寫了很多。", []),
    ("他被稱為天才。", []),
    ("可以說，中國已經崛起。", []),
    ("本報評論員認為，中美關係很重要。", []),
    ("我們認為這是歷史性的一步。", []),
    ("兩家公司都在新版本中重點強調同一個詞。", []),
    ("中國介紹了新產品。", []),
    # nesting, and a quotation running over paragraphs (no closing mark on this line)
    ("他說：「美國所謂『脫鉤』只會傷害自己」。", ["「美國所謂『脫鉤』只會傷害自己」"]),
    ("「我們要自力更生，突破卡脖子的技術", ["「我們要自力更生，突破卡脖子的技術"]),
]


def quoted_parts(line: str) -> list[str]:
    spans = default_reader().quoted(to_simplified_aligned(line))
    return [line[a:b] for a, b in spans]


@pytest.mark.parametrize("line, want", CASES)
def test_quoted_parts_of_constructed_lines(line, want):
    assert quoted_parts(line) == want


@pytest.mark.parametrize("line, want", CASES)
def test_either_script_reads_the_same(line, want):
    simple = opencc.OpenCC("t2s").convert(line)
    assert quoted_parts(simple) == [opencc.OpenCC("t2s").convert(w) for w in want]


def test_quotation_marks_pair_up():
    line = "他說“A‘B’C”，又說「D『E』F」，再說\"G\"。"
    assert [line[q.start:q.end] for q in quotations(line)] == ["“A‘B’C”", "「D『E』F」", '"G"']
    # an apostrophe (a closing mark with no opening one) opens nothing
    assert [line2[q.start:q.end] for line2 in ["China’s “chip” war"] for q in quotations(line2)] == ["“chip”"]


LEXICON = parse_lexicon(lexicon_yaml("  - {term: 脫鉤, category: c, gloss: g, rationale: r}\n"
                                     "  - {term: 崛起, category: c, gloss: g, rationale: r}\n").encode(), "test.yaml")
TEXT = ("大國正在崛起。\n"
        "白宮發言人表示，美國不尋求與中國脫鉤。「脫鉤不符合任何一方的利益。」他說。\n"
        "所謂“脫鉤”，本報認為並不現實。\n")


def test_sentences_and_hits_carry_their_voice():
    t = analyse_text("doc", TEXT, LEXICON, headings="none", title="none")
    assert list(t.sentences["voice"]) == ["own", "quoted", "quoted", "own", "own"]
    assert list(zip(t.kwic["match"], t.kwic["voice"], strict=True)) == [
        ("崛起", "own"), ("脫鉤", "quoted"), ("脫鉤", "quoted"), ("脫鉤", "own")]


def test_own_voice_columns_recomputed_from_the_tables():
    t = analyse_text("doc", TEXT, LEXICON, headings="none", title="none")
    doc, sen, k = t.documents.iloc[0], t.sentences, t.kwic
    assert doc["framing_hits_own"] == ((k["status"] == "counted") & (k["voice"] == "own")).sum() == 2
    # own-voice CJK characters: the text's Han characters minus those of the quoted parts read by hand
    quoted = "美國不尋求與中國脫鉤。" + "「脫鉤不符合任何一方的利益。」"
    han = sum(1 for ch in TEXT if "\u4e00" <= ch <= "\u9fff")
    assert doc["n_cjk_own"] == han - sum(1 for ch in quoted if "\u4e00" <= ch <= "\u9fff")
    assert math.isclose(doc["framing_per_1k_cjk_own"], 2 / doc["n_cjk_own"] * 1000)
    own = sen.loc[sen["voice"] == "own", "sentiment"]
    assert doc["n_scored_own"] == 3 and math.isclose(doc["sentiment_mean_own"], float(np.mean(own)))
    assert doc["sentiment_ci_low_own"] <= doc["sentiment_mean_own"] <= doc["sentiment_ci_high_own"]
    sec = t.sections.iloc[0]
    assert sec["framing_hits_own"] == 2 and sec["n_cjk_own"] == doc["n_cjk_own"]


def test_voice_does_not_depend_on_the_lexicon(lexicon):
    a = analyse_text("doc", TEXT, LEXICON, headings="none", title="none").sentences["voice"]
    b = analyse_text("doc", TEXT, lexicon, headings="none", title="none").sentences["voice"]
    assert list(a) == list(b)


def test_demo_article_voices(article_text, article_tables):
    k = article_tables.kwic
    lsyx = k[k["term"] == "兩彈一星"]
    assert len(lsyx) == 3 and set(lsyx["voice"]) == {"own"}  # the title's and the body's “兩彈一星” are the outlet's
    # the overseas developer's words after 直言: every candidate inside them (中美, 領先) is quoted speech
    a = article_text.index("直言:“") + 3
    b = article_text.index("”", a)
    inside = k[(k["start"] > a) & (k["start"] < b)]
    assert len(inside) >= 2 and set(inside["voice"]) == {"quoted"}
    assert set(k.loc[(k["start"] < a) | (k["start"] > b), "voice"]) >= {"own"}
    s = article_tables.sentences
    said = s[s["text"].str.contains("表示:“我對AI視訊")]
    assert list(said["voice"]) == ["quoted"]
