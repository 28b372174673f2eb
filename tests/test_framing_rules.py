"""The lexicon's context rules: word boundaries (`boundary`), `exclude` phrases, `exclude_regex` patterns, the status
of every candidate in kwic.csv, and the YAML checks of those keys (line numbers in errors).

Expected statuses come from reading the constructed sentences (國產 in 中國產品 is not the word 國產), not from the
code's output; counts are checked against kwic.csv's counted rows recomputed by hand.
"""

from __future__ import annotations

import re
import textwrap

import opencc
import pytest

from analysis.analyse import analyse_text
from analysis.errors import AnalysisError
from analysis.framing.lexicon import parse_lexicon
from analysis.framing.match import Matcher

from .conftest import lexicon_yaml


def lexicon(entries: str):
    return parse_lexicon(lexicon_yaml(textwrap.dedent(entries)).encode("utf-8"), "test.yaml")


def entry(term: str, extra: str = "") -> str:
    return f"  - term: {term}\n    category: c\n    gloss: g\n    rationale: r\n" + extra


LEX = lexicon(
    entry("國產")
    + entry("主權")
    + entry("中美")
    + entry("之彈", "    boundary: none\n")
    + entry("壟斷", "    exclude: [反壟斷, 垄断法]\n")
    + entry("集團軍", "    exclude_regex: ['[0-9０-９一二三四五六七八九十百]+集團軍']\n"
                     "    literal_note: a numbered unit (第76集團軍) is a real army\n")
)
TEXT = ("中國產品與跨國產業都改用國產晶片。\n民主權利與芯片主權。\n一擊中美國要害，中美貿易戰升級。\n"
        "視覺之彈。\n反壟斷調查打破壟斷地位，違反垄断法。\n第76集團軍演習，中國集團軍出海。\n")
#: (match, status) in reading order, as a reader of the sentences sees them.
EXPECTED = [
    ("國產", "not_word"),  # 中國|產品
    ("國產", "not_word"),  # 跨國|產業
    ("國產", "counted"),  # 國產|晶片
    ("主權", "not_word"),  # 民主權利
    ("主權", "counted"),  # 芯片|主權
    ("中美", "not_word"),  # 擊中|美國
    ("中美", "counted"),  # 中美|貿易戰
    ("之彈", "counted"),  # boundary: none
    ("壟斷", "excluded"),  # 反壟斷
    ("壟斷", "counted"),  # 壟斷|地位
    ("垄断", "excluded"),  # 垄断法 (the phrase written in Simplified, matched in either script)
    ("集團軍", "excluded"),  # 76集團軍: the pattern
    ("集團軍", "counted"),  # 中國|集團軍
]


def simplified(text: str) -> str:
    return opencc.OpenCC("t2s").convert(text)


@pytest.mark.parametrize("script", ["traditional", "simplified"])
def test_every_candidate_has_the_status_a_reader_gives_it(script):
    text = TEXT if script == "traditional" else simplified(TEXT)
    k = analyse_text("doc", text, LEX, headings="none", title="none").kwic
    got = list(zip(k["match"], k["status"], strict=True))
    want = [(m if script == "traditional" else simplified(m), s) for m, s in EXPECTED]
    assert got == want
    # offsets point at the term itself, also for a hit inside an exclude phrase
    assert all(text[a:b] == m for a, b, m in zip(k["start"], k["end"], k["match"], strict=True))


def test_counts_hold_only_counted_hits():
    t = analyse_text("doc", TEXT, LEX, headings="none", title="none")
    counted = [m for m, s in EXPECTED if s == "counted"]
    assert int(t.framing["count"].sum()) == len(counted) == int(t.documents["framing_hits"].iloc[0])
    assert int(t.sentences["framing_hits"].sum()) == len(counted)
    per_term = t.framing.groupby("term")["count"].sum().to_dict()
    assert per_term == {"國產": 1, "主權": 1, "中美": 1, "之彈": 1, "壟斷": 1, "集團軍": 1}
    # the sentence holding only set-aside hits has no framing hit
    first = t.sentences.iloc[0]
    assert first["text"].startswith("中國產品") and first["framing_hits"] == 1  # only 國產晶片


def test_prefix_boundary_needs_only_the_start():
    word = lexicon(entry("國產"))
    prefix = lexicon(entry("國產", "    boundary: prefix\n"))
    text = "推動晶片國產化。中國產品。"
    for lex, statuses in ((word, ["not_word", "not_word"]), (prefix, ["counted", "not_word"])):
        k = analyse_text("doc", text, lex, headings="none", title="none").kwic
        assert list(k["status"]) == statuses  # 國產化 is one word; 中國|產品 does not start at 國


def test_where_no_rule_applies_the_hits_are_plain_leftmost_longest_matches():
    # independent computation: regex alternation of the terms, longest first, over the Simplified copy
    lex = lexicon(entry("集體崛起") + entry("崛起") + entry("兩彈一星", "    boundary: none\n"))
    text = "中國集體崛起，兩彈一星精神，科技崛起。"
    k = analyse_text("doc", text, lex, headings="none", title="none").kwic
    terms = sorted(("集体崛起", "崛起", "两弹一星"), key=len, reverse=True)
    want = [(m.start(), m.end()) for m in re.finditer("|".join(terms), simplified(text))]
    assert list(zip(k["start"], k["end"], strict=True)) == want
    assert set(k["status"]) == {"counted"}


def test_an_exclude_phrase_competes_leftmost_longest_with_the_terms():
    # the phrase 反壟斷 starts before 壟斷, so it wins; elsewhere 壟斷 stands alone and counts
    lex = lexicon(entry("壟斷", "    exclude: [反壟斷]\n") + entry("反制"))
    k = analyse_text("doc", "反壟斷與反制，壟斷。", lex, headings="none", title="none").kwic
    assert list(zip(k["match"], k["status"], strict=True)) == [
        ("壟斷", "excluded"), ("反制", "counted"), ("壟斷", "counted")]


def test_the_matcher_names_the_rule_behind_each_status():
    m = Matcher(LEX)
    text = "反壟斷，第76集團軍，中國產品。"
    rules = {h.match: (h.status, h.rule) for h in m.find(text, simplified(text), 0, len(text))}
    assert rules["壟斷"] == ("excluded", "exclude: 反壟斷")
    assert rules["集團軍"] == ("excluded", "exclude_regex: [0-9０-９一二三四五六七八九十百]+集團軍")
    assert rules["國產"][0] == "not_word" and "中国/产品" in rules["國產"][1]


def test_the_private_tokenizer_leaves_jiebas_global_one_alone():
    import jieba

    before = jieba.dt.FREQ.get("國產") if jieba.dt.initialized else None
    analyse_text("doc", TEXT, LEX, headings="none", title="none")
    assert not jieba.dt.initialized or jieba.dt.FREQ.get("國產") == before
    assert "之弹" not in (jieba.dt.FREQ if jieba.dt.initialized else {})


@pytest.mark.parametrize("extra, message", [
    ("    boundary: words\n", "line 11: boundary of entry 1 ('壟斷') is 'words'; use one of word, prefix, none"),
    ("    exclude: [市場]\n", "line 11: exclude phrase '市場' of entry 1 ('壟斷') does not contain the term"),
    ("    exclude: [垄断]\n", "line 11: exclude phrase '垄断' of entry 1 ('壟斷') is the term itself"),
    ("    exclude: [壟斷與壟斷]\n", "contains the term more than once"),
    ("    exclude: []\n", "line 11: exclude of entry 1 ('壟斷') is an empty list"),
    ("    exclude:\n      - 反壟斷\n      - {regex: x}\n", "line 13: exclude of entry 1 ('壟斷') must be non-empty text"),
    ("    exclude_regex: ['[0-9']\n", "line 11: exclude_regex '[0-9' of entry 1 ('壟斷') is not a valid regular"),
    ("    exclude_regex: ['\\d*']\n", "matches an empty text"),
    ("    literal_note: ''\n", "line 11: literal_note of entry 1 ('壟斷') must be non-empty text"),
    ("    excludes: [反壟斷]\n", "unknown key 'excludes'"),
])
def test_rule_errors_name_the_file_the_line_and_the_entry(extra, message):
    with pytest.raises(AnalysisError, match=re.escape(message)) as exc:
        lexicon(entry("壟斷", extra))
    assert str(exc.value).startswith("test.yaml line ")


def test_an_exclude_phrase_may_not_hide_another_term_or_repeat():
    with pytest.raises(AnalysisError, match=r"line 11: exclude phrase '中美壟斷' of entry 1 \('壟斷'\) also contains "
                                            r"the term '中美' \(line 12\)"):
        lexicon(entry("壟斷", "    exclude: [中美壟斷]\n") + entry("中美"))
    with pytest.raises(AnalysisError, match=r"is the term of another entry \('反制', line 12\)"):
        lexicon(entry("制", "    exclude: [反制]\n") + entry("反制"))
    with pytest.raises(AnalysisError, match=r"line 11: exclude phrase '反垄断' of entry 1 \('壟斷'\) repeats an "
                                            r"exclude phrase of '壟斷' \(line 7\)"):
        lexicon(entry("壟斷", "    exclude: [反壟斷, 反垄断]\n"))
    # a longer term holding the entry's term is fine inside its own term's place (集體崛起 ⊃ 崛起)
    ok = lexicon(entry("集體崛起", "    exclude: [非集體崛起]\n") + entry("崛起"))
    assert ok.entries[0].exclude == ("非集體崛起",)


def test_a_lines_exclude_patterns_found_once_give_each_candidate_the_status_found_alone():
    """Matcher.find keeps each exclude pattern's matches in a line for the line's next candidates: every candidate's
    status is the one `status` gives it on its own (the pattern run over the line for that candidate alone)."""
    import random

    from analysis.text.script import to_simplified_aligned

    m = Matcher(LEX)
    rng = random.Random(17)
    pieces = ["集團軍", "第76集團軍", "七十集團軍", "國產", "中國產品", "反壟斷", "壟斷", "，", "。", "百", "3", "a"]
    for _ in range(300):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        simple = to_simplified_aligned(line)  # matching reads the aligned Simplified copy
        hits = m.find(line, simple, 0, len(line))
        alone = []
        for x in m.pattern.finditer(simple):
            key = m.by_key[x.group()]
            a = x.start() + key.offset
            alone.append((a, m.status(simple, a, a + key.length, key, 0, len(line))))
        assert [(h.start, (h.status, h.rule)) for h in hits] == alone, line


def test_word_boundaries_of_a_han_run_are_those_of_jiebas_own_cut(article_text):
    """The boundary check segments a run of Han characters with jieba's dictionary walk written out in one pass
    (`WordSegmenter._route`); its boundaries are those of the private tokenizer's own `cut(run, HMM=False)`, with and
    without words added to the dictionary, on every Han run of the demo article (Simplified) and on random runs of
    its characters (fragments that are prefixes of words, words alone, characters the dictionary lacks)."""
    import random

    from analysis.text.script import to_simplified_aligned
    from analysis.text.words import WordSegmenter

    def by_jieba(segmenter: WordSegmenter, run: str) -> frozenset[int]:
        cuts, pos = {0}, 0
        for token in segmenter.tokens(run):
            pos += len(token)
            cuts.add(pos)
        return frozenset(cuts)

    text = to_simplified_aligned(article_text)
    runs = re.findall("[\u4e00-\u9fd5]+", text)
    chars = sorted(set("".join(runs))) + ["\u9fd5", "\u4e00"]
    rng = random.Random(5)
    runs += ["".join(rng.choice(chars) for _ in range(rng.randint(1, 30))) for _ in range(400)]
    for segmenter in (WordSegmenter(), WordSegmenter(["两弹一星", "算力主权", "人工智能时刻"])):
        for run in runs:
            assert segmenter._route(run) == by_jieba(segmenter, run), run
            assert segmenter.boundaries(run) == by_jieba(segmenter, run), run


def test_the_one_pass_walk_breaks_ties_and_scores_unknown_characters_as_jieba_does():
    """On a small dictionary built so that two routes score exactly the same (log 2 + log 2 = log 4: jieba's max of
    (score, end) tuples takes the longer word) and a character the dictionary lacks decides between two routes, the
    one-pass walk and jieba's own `cut` find the same boundaries."""
    import itertools
    import marshal
    import math

    import jieba

    from analysis.text.words import WordSegmenter, _Frequencies

    words = {"甲": 1, "乙": 1, "丙": 2, "甲乙": 2, "甲乙丙": 4, "乙丁": 3}  # 丁 alone is not a word
    assert math.log(2) + math.log(2) == math.log(4)
    parts: dict[str, dict[str, int]] = {}
    for word, freq in words.items():
        parts.setdefault(word[0], {})[word] = freq
    segmenter = WordSegmenter()
    tk = jieba.Tokenizer()
    tk.FREQ, tk.total, tk.initialized = _Frequencies({c: marshal.dumps(p) for c, p in parts.items()}), 1, True
    segmenter._tokenizer = tk
    assert segmenter.tokens("甲乙丙") == ["甲乙丙"] and segmenter.tokens("甲乙丁") == ["甲", "乙丁"]
    for n in range(1, 7):
        for chars in itertools.product("甲乙丙丁", repeat=n):
            run = "".join(chars)
            cuts, pos = {0}, 0
            for token in segmenter.tokens(run):
                pos += len(token)
                cuts.add(pos)
            assert segmenter._route(run) == frozenset(cuts), run
