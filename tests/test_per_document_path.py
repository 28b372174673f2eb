"""The per-document path made fast (issue 17) gives the same numbers as the plain computations it replaced: each
shortcut is checked against a direct computation (numpy's own mean, median and percentiles, a scan over the
characters, a mask over the sentence table), on many random cases and on documents with many sections and quotes."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest

from analysis.analyse import analyse_text, concat_tables
from analysis.config import BOOTSTRAP_RESAMPLES
from analysis.schema import Tables
from analysis.stats.bootstrap import derive_seed, row_means
from analysis.stats.summary import Summaries, summarise
from analysis.text.script import count_cjk, has_scorable_chars, is_chinese, which_chinese
from analysis.text.voice import QuotedIndex, han_inside, in_spans, quotations, quoted_han_share
from analysis.text.words import han_run, is_han


def direct_summary(values: list[float], seed: int) -> dict:
    """The statistics as plain numpy computes them: one (resamples × n) draw, row means, np.percentile."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return {"sentiment_mean": math.nan, "sentiment_median": math.nan, "sentiment_ci_low": math.nan,
                "sentiment_ci_high": math.nan, "share_positive": math.nan}
    if x.size < 2:
        low = high = math.nan
    else:
        means = x[np.random.default_rng(seed).integers(0, x.size, size=(BOOTSTRAP_RESAMPLES, x.size))].mean(axis=1)
        low, high = (float(v) for v in np.percentile(means, [2.5000000000000022, 97.5]))
    return {"sentiment_mean": float(x.mean()), "sentiment_median": float(np.median(x)), "sentiment_ci_low": low,
            "sentiment_ci_high": high, "share_positive": float((x > 0.5).mean())}


def same(a: dict, b: dict) -> bool:
    """Equal to the last bit, NaN equal to NaN."""
    return a.keys() == b.keys() and all(
        (math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k] for k in a)


def test_row_means_are_numpys_to_the_last_bit():
    rng = np.random.default_rng(17)
    for n in [*range(1, 40), 127, 128, 129, 1000, 4097]:
        for rows in (1, 7, 2000):
            values = rng.random((rows, n)) * rng.choice([1e-3, 1.0, 1e6])
            assert np.array_equal(row_means(values), values.mean(axis=1)), (rows, n)


def test_summaries_of_many_groups_equal_the_direct_computation():
    """Groups of 0 to 60 scores (NaN among them), summarised together (the percentiles of all groups in one call,
    flushed in chunks), equal each group's statistics computed on its own with numpy."""
    rng = random.Random(17)
    summaries, outs, groups = Summaries(), [], []
    for k in range(600):
        n = rng.choice([0, 1, 1, 2, 3, 4, 5, 7, 8, 9, 16, 60])
        values = [rng.random() if rng.random() > 0.1 else math.nan for _ in range(n)]
        out: dict = {}
        summaries.add(out, values, derive_seed("doc", k))
        outs.append(out)
        groups.append(values)
    summaries.finish()
    for k, (out, values) in enumerate(zip(outs, groups, strict=True)):
        assert same(out, direct_summary(values, derive_seed("doc", k))), values
        assert same(summarise(values, derive_seed("doc", k)), out)


def test_summary_keys_carry_a_prefix_and_a_suffix():
    out: dict = {}
    s = Summaries()
    s.add(out, [0.2, 0.9, 0.7], 5, prefix="sentiment_lexicon", share="share_positive_lexicon", suffix="_own")
    s.finish()
    assert set(out) == {"sentiment_lexicon_mean_own", "sentiment_lexicon_median_own", "sentiment_lexicon_ci_low_own",
                        "sentiment_lexicon_ci_high_own", "share_positive_lexicon_own"}
    assert out["share_positive_lexicon_own"] == 2 / 3


def random_text(rng: random.Random, n: int) -> str:
    alphabet = "中國说話「」『』“”‘’\"＂﹁﹂ab，。：\n\u3400\u4dbf\u9fff\u9fa6あア한ㄱ"
    return "".join(rng.choice(alphabet) for _ in range(n))


def test_han_runs_by_regex_are_those_a_character_scan_finds():
    """`han_run` (a regex to the right) against a scan with `is_han` both ways, within random bounds, with the
    characters on either side of each Han block's ends."""
    rng = random.Random(23)
    alphabet = "中國a，\u3400\u33ff\u4dbf\u4dc0\u4e00\u4dff\u9fff\ua000"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16)))
        lo = rng.randint(0, len(text) - 1)
        hi = rng.randint(lo + 1, len(text))
        start = rng.randint(lo, hi)
        end = rng.randint(start, hi)
        a, b = start, end
        while a > lo and is_han(text[a - 1]):
            a -= 1
        while b < hi and is_han(text[b]):
            b += 1
        assert han_run(text, start, end, lo, hi) == (a, b), (text, start, end, lo, hi)
        if (lo, hi) == (0, len(text)):
            assert han_run(text, start, end) == (a, b)


def test_quoted_index_counts_as_the_span_functions_do():
    rng = random.Random(17)
    for _ in range(200):
        text = random_text(rng, rng.randint(0, 80))
        cuts = sorted(rng.sample(range(len(text) + 1), k=min(len(text) + 1, 2 * rng.randint(0, 5))))
        spans = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a]
        index = QuotedIndex(text, spans)
        for _ in range(20):
            a = rng.randint(0, len(text))
            b = rng.randint(a, len(text))
            assert index.han(a, b) == sum(1 for ch in text[a:b] if is_han(ch))
            assert index.han_inside(a, b) == han_inside(spans, text, a, b)
            assert index.quoted_shares([a], [b]) == [quoted_han_share(spans, text, a, b)]
        assert [index.in_spans(p) for p in range(len(text))] == [in_spans(spans, p) for p in range(len(text))]


def test_character_classes_by_regex_equal_the_character_scan():
    rng = random.Random(17)
    for _ in range(500):
        text = random_text(rng, rng.randint(0, 30))
        assert count_cjk(text) == sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf")
        assert has_scorable_chars(text) == any("\u4e00" <= ch <= "\u9fa5" for ch in text)
        kana_hangul = sum(1 for ch in text if ch in "あア한ㄱ")
        assert is_chinese(text) == (has_scorable_chars(text) and kana_hangul <= count_cjk(text))
    texts = [random_text(rng, rng.randint(0, 30)) for _ in range(300)]
    plain = [t for t in texts if not any(ch in "あア한ㄱ" for ch in t)]  # none has kana or Hangul: the shortcut
    for group in (texts, plain, plain[:1], []):
        assert which_chinese(group) == [is_chinese(t) for t in group]


def scan_quotations(line: str) -> list[tuple[int, int, bool]]:
    """Quotations found by visiting every character (as the rule was first written)."""
    pairs = {"「": "」", "『": "』", "“": "”", "‘": "’", "﹁": "﹂", "﹃": "﹄", '"': '"', "＂": "＂"}
    openers = {v: k for k, v in pairs.items() if k != v}
    spans, stack = [], []
    for i, ch in enumerate(line):
        if stack and ch == pairs[stack[-1][0]]:
            _, start = stack.pop()
        elif ch in openers and any(mark == openers[ch] for mark, _ in stack):
            while stack[-1][0] != openers[ch]:
                stack.pop()
            _, start = stack.pop()
        elif ch in pairs:
            stack.append((ch, i))
            continue
        else:
            continue
        if not stack:
            spans.append((start, i + 1, True))
    if stack and stack[0][0] in "「“﹁\"＂":
        spans.append((stack[0][1], len(line), False))
    return spans


def test_quotations_read_only_the_marks_and_find_what_a_full_scan_finds():
    rng = random.Random(17)
    for _ in range(2000):
        line = random_text(rng, rng.randint(0, 25)).replace("\n", "")
        assert [(q.start, q.end, q.closed) for q in quotations(line)] == scan_quotations(line), line


TEXT = "\n\n".join([
    "標題",
    "他說：「我們不會屈服。」這是好事。",
    "一、第一節",
    "外交部發言人表示，中方堅決反對。專家認為前景光明。很好。",
    "二、第二節",
    "沒有引語的一句。",
    "三、第三節",
    "四、第四節",
    "“中國會贏。”他說。真的嗎？",
])


def test_section_rows_equal_a_mask_over_the_sentence_table(lexicon):
    """Each section's statistics, recomputed with a boolean mask over the sentence table and numpy (as before the
    sections read their sentences as a slice), and its Han counts by scanning its lines."""
    t = analyse_text("d", TEXT, lexicon)
    assert len(t.sections) == 5
    for _, row in t.sections.iterrows():
        part = t.sentences[t.sentences["section"] == row["section"]]
        want = direct_summary(part["sentiment"].tolist(), derive_seed("d", row["section"]))
        assert same({k: row[k] for k in want}, want)
        own = part.loc[part["voice"] == "own", "sentiment"]
        assert (row["n_scored"], row["n_scored_own"]) == (part["sentiment"].notna().sum(), own.notna().sum())
        own_want = direct_summary(own.tolist(), derive_seed("d", row["section"], "own"))
        assert same({"m": row["sentiment_mean_own"], "lo": row["sentiment_ci_low_own"]},
                    {"m": own_want["sentiment_mean"], "lo": own_want["sentiment_ci_low"]})
        content = TEXT[row["start"]:row["end"]]
        assert row["n_cjk"] == sum(1 for ch in content if is_han(ch))
    doc = t.documents.iloc[0]
    want = direct_summary(t.sentences["sentiment"].tolist(), derive_seed("d", "document"))
    assert same({k: doc[k] for k in want}, want)


def test_one_documents_tables_out_of_order_are_still_sorted():
    rows = pd.DataFrame({"document": ["d", "d", "d"], "start": [5, 1, 3]})
    empty = pd.DataFrame({"document": [], "section": []})
    tables = Tables(documents=pd.DataFrame({"document": ["d"]}), sections=empty, sentences=empty.rename(
        columns={"section": "sentence"}), framing=empty, kwic=rows)
    assert concat_tables([tables]).kwic["start"].tolist() == [1, 3, 5]
    ordered = rows.sort_values("start")
    tables = Tables(documents=tables.documents, sections=empty, sentences=tables.sentences, framing=empty,
                    kwic=ordered)
    assert concat_tables([tables]).kwic.index.tolist() == [0, 1, 2]


@pytest.mark.parametrize("chunk", [10_000, 7])
def test_csv_rows_are_the_bytes_to_csv_writes(monkeypatch, chunk):
    from analysis.batch import worker
    from analysis.batch.worker import csv_rows

    monkeypatch.setattr(worker, "CSV_CHUNK", chunk)

    rng = np.random.default_rng(17)
    n = 6000
    floats = np.concatenate([rng.random(n // 2), rng.random(n // 2 - 14) * 10.0 ** rng.integers(-30, 30, n // 2 - 14),
                             [0.0, 1.0, 1e16, 1e15, 123456789012345678.0, 1e-5, 1e-4, 0.5, np.nan, np.inf, -np.inf,
                              -0.0, 5e-324, 1.7976931348623157e308]])
    df = pd.DataFrame({
        "f": floats, "i": np.arange(n), "b": floats > 0.5,
        "o": (["a,b", 'q"x', None, "line\nbreak", np.nan, "中文", pd.NA, " lead"] * n)[:n],
        "I": pd.array(([1, None, -3] * n)[:n], dtype="Int64"),
    })
    assert csv_rows(df) == df.to_csv(index=False, header=False, lineterminator="\n").encode("utf-8")
    assert csv_rows(df.iloc[0:0]) == b""
    dates = pd.DataFrame({"d": pd.to_datetime(["2026-02-11", None])})  # a dtype it leaves to pandas
    assert csv_rows(dates) == dates.to_csv(index=False, header=False, lineterminator="\n").encode("utf-8")


def test_csv_rows_of_the_tables_of_a_document_need_no_pandas(article_tables, monkeypatch):
    """Every column of every table has a dtype csv_rows writes itself (pandas' str dtype included), the same bytes."""
    from analysis.batch.worker import csv_rows

    expected = {name: getattr(article_tables, name).to_csv(index=False, header=False, lineterminator="\n")
                for name in ("documents", "sections", "sentences", "framing", "kwic")}
    monkeypatch.setattr(pd.DataFrame, "to_csv", lambda *a, **k: pytest.fail("fell back to to_csv"))
    for name, text in expected.items():
        assert csv_rows(getattr(article_tables, name)) == text.encode("utf-8")


def test_counting_a_long_documents_han_characters_holds_no_list_of_them():
    """The worker counts a whole document's Han characters: a list of 1-character matches would take tens of bytes a
    character (a 5-million-character document: hundreds of MiB)."""
    import tracemalloc

    text = "中文，" * 400_000
    tracemalloc.start()
    try:
        assert count_cjk(text) == 800_000
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < len(text) * 8  # the code points (4 bytes each) and a few flags, not a list of matches
    index_peak = _peak(lambda: QuotedIndex(text, [(0, 10)]))
    assert index_peak < len(text) * 16  # prefix sums of 4 bytes, flags of 1, and the code points while they are read


def _peak(fn) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _to_csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, header=False, lineterminator="\n").encode("utf-8") if len(df) else b""


STRINGS = ["a,b", 'q"x', "line\nbreak", "cr\rreturn", "中文，標點", " lead", "", "trail ", "|", "1.0", "nan"]
FLOATS = [0.1 + 0.2, 1e-17, 1e16, 1e15, 123456789012345678.0, 1e-5, 1e-4, 0.5, 0.0, -0.0, 1.0, math.nan, math.inf,
          -math.inf, 5e-324, 1.7976931348623157e308, 2 / 3, np.float64(0.1) * 3, np.float64(math.nan)]
INTS = [0, 1, -3, 2**53 + 1, 10**15, np.int64(7), np.int64(-2**40)]


@pytest.mark.parametrize("chunk", [10_000, 3])
def test_csv_bytes_of_plain_columns_are_the_bytes_pandas_writes(monkeypatch, chunk):
    """Columns of the values the tables hold (text with quotes, commas, line breaks and CJK; None; ints; floats with
    NaN, infinities and the awkward reprs; mixtures of them), written straight from the lists, give the bytes of
    pandas' to_csv of the DataFrame pandas builds from the same rows (one dict per row, as the tables were built)."""
    from analysis.batch import worker
    from analysis.batch.worker import csv_bytes
    from analysis.schema import Rows, records

    monkeypatch.setattr(worker, "CSV_CHUNK", chunk)
    rng = random.Random(17)
    pools = {"text": STRINGS, "text_none": [*STRINGS, None], "int": INTS, "float": FLOATS,
             "int_float": INTS + FLOATS, "int_none": [*INTS, None], "float_none": [*FLOATS, None], "none": [None],
             "bool": [True, False], "text_int": STRINGS + INTS}  # the last two: pandas' own writer (fallback)
    for _ in range(300):
        n = rng.choice([1, 2, 5, 9])
        kinds = rng.sample(list(pools), k=rng.randint(1, 4))
        rows = [{k: rng.choice(pools[k]) for k in kinds} for _ in range(n)]
        if rng.random() < 0.3:  # a column of one kind that shows only one of its values in a chunk
            for r in rows[1:]:
                r[kinds[0]] = rows[0][kinds[0]]
        want = _to_csv(pd.DataFrame(rows, columns=kinds))
        assert csv_bytes(records(rows, kinds)) == want, rows
        constant = Rows(["document", *kinds], {"document": "d,1", **records(rows, kinds).data})
        assert csv_bytes(constant) == _to_csv(pd.DataFrame([{"document": "d,1", **r} for r in rows])), rows


def test_csv_bytes_of_columns_of_a_given_dtype_are_the_bytes_pandas_writes():
    """A column given a pandas dtype (float, object, Int64, int64) is written as pandas writes that dtype."""
    from analysis.batch.worker import csv_bytes
    from analysis.schema import Rows

    cases = {"float": ([1, 2.5, None, math.nan, 0.1 + 0.2, 1e-17, np.float64(1 / 3), 0.0, -0.0, 0.0, -0.0, 1.0, 2.5,
                       np.float64(2.5), 1], float),
             "object": (["a", None, "b,c", "中\n文"], object), "Int64": ([1, None, -3, 2**53 + 1], "Int64"),
             "int64": ([0, 5, -7, 10**15], "int64")}
    for name, (values, dtype) in cases.items():
        rows = Rows(["x", name], {"x": list(range(len(values))), name: values}, {name: dtype})
        assert csv_bytes(rows) == _to_csv(pd.DataFrame({"x": range(len(values)),
                                                         name: pd.Series(values, dtype=dtype)})), name
    assert csv_bytes(Rows(["a"], {"a": []}, {"a": float})) == b""


EDGE_TEXTS = [
    "", "abc", "標題", "標題\n\n小節\n\n", "Only English. 2026!\n\nMore English here.",
    "日本語の文章です。これはテストです。\n\n中文一句。",
    '# 標題, with "quotes" and, commas\n\n他說：「我們不會屈服，\n絕不。」這是好事。\n\n## 小節|管道\n\n“中國會贏。”他說。真的嗎？',
    "標題\n\n【記者 王小明】\n\n新华社北京2月8日电（记者 张三）国产芯片实现自主可控，这是一次突围。\n\n（完）",
    TEXT,
]


@pytest.mark.parametrize("options", [{}, {"neutral_band": (0.3, 0.7), "title": "none"},
                                     {"second_scorer": "lexicon", "headings": "none", "converter": "none"}])
def test_the_rows_a_run_writes_are_pandas_bytes_of_analyse_texts_tables(lexicon, article_text, options):
    """The worker's CSV rows of a document (plain columns, written without pandas) are the bytes pandas' to_csv writes
    of analyse_text's DataFrames, stacked by concat_tables as a run stacks them, for documents with and without
    sentences, hits, headings, metadata, quotes and Chinese, with a neutral band, a second scorer or neither."""
    from analysis.analyse import document_rows
    from analysis.batch.worker import csv_bytes, in_order
    from analysis.schema import SORT_KEYS, TABLE_FILES
    from analysis.sentiment.polarity import NeutralBand
    from analysis.sentiment.scorers import get_scorer

    kw = dict(options)
    if "neutral_band" in kw:
        kw["neutral_band"] = NeutralBand(*kw["neutral_band"])
    if "second_scorer" in kw:
        kw["second_scorer"] = get_scorer(kw["second_scorer"])
    for k, text in enumerate([*EDGE_TEXTS, article_text]):
        rows = document_rows(f"d{k}", text, lexicon, **kw)
        tables = concat_tables([analyse_text(f"d{k}", text, lexicon, **kw)])
        for name in TABLE_FILES:
            assert csv_bytes(in_order(rows[name], SORT_KEYS[name])) == _to_csv(getattr(tables, name)), (k, name)
            assert list(rows[name].names) == list(getattr(tables, name).columns)


def test_one_documents_rows_out_of_order_are_sorted_as_concat_tables_sorts_them():
    from analysis.batch.worker import in_order
    from analysis.schema import records

    rows = [{"document": "d", "start": s, "x": x} for s, x in [(5, "a"), (1, "b"), (3, "c"), (1, "d")]]
    got = in_order(records(rows, ["document", "start", "x"]), ["document", "start"])
    want = pd.DataFrame(rows).sort_values(["document", "start"], kind="stable")
    assert got.data == {c: want[c].tolist() for c in want.columns}
    ordered = records(sorted(rows, key=lambda r: r["start"]), ["document", "start", "x"])
    assert in_order(ordered, ["document", "start"]) is ordered


def test_voice_helpers_by_regex_find_what_a_character_scan_finds():
    """Where reporting verbs may start, where sentences start and end, and whether a quotation holds clause
    punctuation: by regex and rfind, the same as visiting every character."""
    from analysis.text import voice

    rng = random.Random(17)
    reader = voice.default_reader()
    alphabet = "表示指出称说道认为强调介绍据回应中国，,。！？!?；;：:“”「」 ab\u3000"
    for _ in range(3000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert [m.start() for m in voice._VERB_START_RE.finditer(line)] == [
            i for i in range(len(line)) if any(line.startswith(v, i) for v in voice.REPORTING_VERBS)], line
        for pos in range(len(line) + 2):
            assert voice._sentence_end(line, pos) == next(
                (i + 1 for i in range(pos, len(line)) if line[i] in voice.SENTENCE_END), len(line)), (line, pos)
            assert voice._sentence_start(line, min(pos, len(line))) == next(
                (i + 1 for i in range(min(pos, len(line)) - 1, -1, -1) if line[i] in voice.SENTENCE_END), 0)
        assert (voice._CLAUSE_RE.search(line) is not None) == any(c in voice.CLAUSE_PUNCTUATION for c in line)
        assert (voice._COMMA_COLON_RE.search(line) is not None) == any(c in voice.COMMAS + voice.COLONS for c in line)
        if voice._ANYTHING_RE.search(line) is None:  # `quoted` returns at once: there is nothing it could find
            assert voice.quotations(line) == [] and reader.reporting_verbs(line) == []
        for m in voice._VERB_START_RE.finditer(line):
            assert [v for v in voice._VERBS_BY_FIRST[line[m.start()]] if line.startswith(v, m.start())] == [
                v for v in voice._VERBS_LONGEST_FIRST if line.startswith(v, m.start())]


def test_a_long_texts_simplified_copy_by_code_points_is_the_character_by_character_one():
    """Long texts are mapped as an array of code points: the same copy as converting each character on its own
    (`str.translate` with OpenCC's t2s of each character), Traditional, Simplified, astral, emoji and ASCII alike."""
    import opencc

    from analysis.text.script import LONG_TEXT, to_simplified_aligned

    t2s = opencc.OpenCC("t2s")
    rng = random.Random(17)
    alphabet = ("國說話們與為發應當這體強調認為經濟實現學習鬥爭后裡乾髮麵" "国说话们与为发应当这体强调认为经济实现"
                "abc ,.\n\t「」“”，。😀𠀀𠮷\u3000\u2e7f\u2e80\uf900\uffef")
    for n in (LONG_TEXT, LONG_TEXT + 1, 5000):
        for _ in range(5):
            text = "".join(rng.choice(alphabet) for _ in range(n))
            want = "".join(c if ord(c) <= 0x2E7F or len(s := t2s.convert(c)) != 1 else s for c in text)
            assert to_simplified_aligned(text) == want
    assert to_simplified_aligned("國" * LONG_TEXT + "裡") == "国" * LONG_TEXT + "里"


def test_section_sizes_count_every_line_as_a_scan_over_its_characters(article_text):
    """Characters, Han characters and quoted Han characters of each section (its lines counted all at once) equal a
    scan over the characters of its lines, for a document of many short sections and for the demo article."""
    from analysis.analyse import quoted_spans, section_sizes
    from analysis.text.script import to_simplified_aligned
    from analysis.text.segment import segment

    for text in (TEXT, article_text, "", "標題"):
        seg = segment(text)
        spans = quoted_spans(seg, to_simplified_aligned(seg.text))
        want = [(sum(ln.end - ln.start for ln in sec.lines),
                 sum(1 for ln in sec.lines for ch in text[ln.start:ln.end] if is_han(ch)),
                 sum(han_inside(spans, text, ln.start, ln.end) for ln in sec.lines)) for sec in seg.sections]
        assert section_sizes(seg, QuotedIndex(text, spans)) == want


def _sentences_as_first_written(span, section: int, max_chars: int) -> list:
    from analysis.text.segment import _SENTENCE_RE, Sentence, _sub

    out = []
    for m in _SENTENCE_RE.finditer(span.text):
        piece = _sub(span, m.start(), m.end())
        if piece is None:
            continue
        while len(piece.text) > max_chars:
            window = piece.text[:max_chars]
            cut = max(window.rfind(","), window.rfind("，")) + 1 or max_chars
            head = _sub(piece, 0, cut)
            if head is not None:
                out.append(Sentence(section, head.start, head.end, head.text))
            piece = _sub(piece, cut, len(piece.text))
            if piece is None:
                break
        if piece is not None:
            out.append(Sentence(section, piece.start, piece.end, piece.text))
    return out


def _metadata_as_first_written(lines: list) -> tuple[list, list]:
    from analysis.text.segment import _META_LINE_RES, _META_PREFIX_RES, _META_SUFFIX_RE, _sub

    content, meta = [], []
    for line in lines:
        if any(r.match(line.text) for r in _META_LINE_RES):
            meta.append(line)
            continue
        if any((m := r.match(line.text)) and m.end() == len(line.text) for r in _META_PREFIX_RES):
            meta.append(line)
            continue
        for r in _META_PREFIX_RES:
            m = r.match(line.text)
            if m and m.end() < len(line.text):
                meta.append(_sub(line, 0, m.end()))
                line = _sub(line, m.end(), len(line.text))
                break
        content.append(line)
    if content:
        m = _META_SUFFIX_RE.search(content[-1].text)
        if m:
            meta.append(_sub(content[-1], m.start(1), m.end(1)))
            rest = _sub(content[-1], 0, m.start())
            content[-1:] = [rest] if rest else []
    meta.sort(key=lambda s: s.start)
    return content, meta


def test_sentences_and_metadata_are_split_as_first_written():
    """split_sentences (short sentences made at once) and split_metadata (each dateline pattern tried once a line)
    give what their first versions gave, on random paragraphs and lines (white space, sentence ends, commas, over-long
    runs cut at a small limit, bylines, datelines and credits)."""
    from analysis.text.segment import _lines, split_metadata, split_sentences

    rng = random.Random(17)
    pieces = ["中國", "經濟", "，", ",", "。", "！", "？", "；", "」", "”", "）", " ", "\u3000", "\ufeff", "ab",
              "【記者 王小明】", "新华社北京2月8日电（记者 张三）", "央视网消息（新闻联播）：", "本报讯 ", "（完）",
              "(觀察者網)", "作者：李四", "\n"]
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        lines = _lines(text)
        assert split_metadata(lines) == _metadata_as_first_written(lines), text
        for line in lines:
            for max_chars in (3, 8, 200):
                assert split_sentences(line, 2, max_chars) == _sentences_as_first_written(line, 2, max_chars), text


def test_a_run_leaves_what_was_loaded_out_of_the_collectors_passes_and_gives_it_back(tmp_path, monkeypatch):
    """While documents run, the objects loaded before (modules, models) are frozen (gc.freeze: the collector's full
    passes skip them) and the youngest generation is collected less often; after the run nothing stays frozen and the
    thresholds are Python's again; a process that froze objects itself keeps its own."""
    import gc

    from analysis.batch import run as run_module
    from analysis.cli import main

    (tmp_path / "a.txt").write_text("標題\n\n中國經濟穩定增長。\n", encoding="utf-8")
    seen = []
    here = run_module.analyse_here

    def spy(task, opts):
        seen.append(gc.get_freeze_count())
        thresholds.append(gc.get_threshold())
        return here(task, opts)

    thresholds = []
    monkeypatch.setattr(run_module, "analyse_here", spy)
    assert gc.get_freeze_count() == 0
    before = gc.get_threshold()
    assert main(["run", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert seen and seen[0] > 0 and gc.get_freeze_count() == 0
    # the youngest generation is collected less often while documents run, and as before afterwards
    assert thresholds[0] == (run_module.YOUNG_OBJECTS, *before[1:]) and gc.get_threshold() == before
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert main(["run", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out2"), "--quiet"]) == 0
        assert gc.get_freeze_count() > frozen // 2  # still frozen (less what was freed meanwhile), not given back
    finally:
        gc.unfreeze()
    assert (tmp_path / "out" / "sentences.csv").read_bytes() == (tmp_path / "out2" / "sentences.csv").read_bytes()


def test_the_fields_written_without_the_csv_module_are_those_it_would_not_quote():
    """csv_bytes quotes a field itself when it holds a character of _CSV_QUOTE_RE: exactly the characters for which
    this Python's csv module quotes a field (every code point tried), so every other field is written as it is."""
    import csv
    import io

    from analysis.batch.worker import _CSV_QUOTE_RE

    quoted = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([f"a{chr(cp)}b", "x"])
        if buf.getvalue() != f"a{chr(cp)}b,x\n":
            quoted.append(chr(cp))
            assert buf.getvalue() == '"' + f"a{chr(cp)}b".replace('"', '""') + '",x\n'
    assert quoted and all(_CSV_QUOTE_RE.search(ch) for ch in quoted)
    assert sum(1 for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF and _CSV_QUOTE_RE.search(chr(cp))) == len(
        quoted)


def test_rows_from_tuples_or_dicts_are_the_frames_pandas_builds_from_them():
    from analysis.schema import records, tuples

    names = ["document", "section", "sentence", "text"]
    rows = [("d", 0, None, "a,b"), ("d", 1, 3, "中文")]
    for got in (tuples(rows, names).frame(), records([dict(zip(names, r, strict=True)) for r in rows], names).frame()):
        pd.testing.assert_frame_equal(got, pd.DataFrame(rows, columns=names))
    for empty in (tuples([], names, {"sentence": "Int64"}), records([], names, {"sentence": "Int64"})):
        pd.testing.assert_frame_equal(empty.frame(), pd.DataFrame([], columns=names).astype({"sentence": "Int64"}))
    with pytest.raises(ValueError):
        tuples([("d", 0)], names)
