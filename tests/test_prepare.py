"""Sentences are converted for scoring in one OpenCC call (`sentiment.scorers.prepare`): the same texts as one call
per sentence, checked on real news in both scripts with every conversion the package names, and on texts that
hold line breaks, empty texts and texts whose conversion changes their length."""

from __future__ import annotations

import pytest

from analysis.sentiment.scorers import prepare
from analysis.text.decode import read_text
from analysis.text.script import convert
from analysis.text.segment import segment

from .conftest import ROOT


def dev_sentences() -> list[str]:
    """Every sentence of the development corpus (Traditional and Simplified news)."""
    out = []
    for path in sorted((ROOT / "data" / "dev" / "articles").rglob("*.txt")):
        out += [s.text for s in segment(read_text(path)).sentences]
    return out


@pytest.mark.parametrize("converter", ["t2s", "s2t", "s2twp", "hk2s", "tw2sp", "none"])
def test_one_call_equals_one_call_per_sentence(converter: str) -> None:
    texts = dev_sentences()
    assert len(texts) > 5000
    assert prepare(texts, converter) == [convert(t, converter) for t in texts]


def test_line_breaks_empty_texts_and_phrases_that_change_length() -> None:
    texts = ["計算機軟件", "", "第一行\n第二行", "内存和U盘", "a\r\nb", "  ", "互联网字节"]
    for converter in ("s2twp", "tw2sp", "t2s"):
        assert prepare(texts, converter) == [convert(t, converter) for t in texts]
        assert prepare(texts[:2] + texts[3:4], converter) == [convert(t, converter) for t in texts[:2] + texts[3:4]]
    assert len(convert("内存和U盘", "s2twp")) != len("内存和U盘")  # phrases that change length (記憶體, 隨身碟)
