"""Build the fast scorer's model cache (`model.py`): SnowNLP's model as arrays (the kernel is compiled by
`analysis.compiled`).

This is the only module that imports snownlp for the fast scorer. It runs once per cache key, in a child process
(`compiled.cache.build_in_child`), so the scoring process never pays snownlp's 2 s and 400 MiB, and the model is
read pristine (not as user code in the parent may have changed it in memory). Every log-probability is computed by
SnowNLP's own code (`CharacterBasedGenerativeModel.log_prob`, `AddOneProb.freq` with `math.log`), so the fast
tagger only adds and compares the very same doubles.

Layout of a model folder (native-endian .npy; `C` = 20,902 characters U+4E00–U+9FA5, id = code point - 0x4E00,
id `C` = the begin-of-sentence pseudo character ('', 'BOS'); tags b, m, e, s = 0..3, BOS = 4):

* `known[C]` (0/1) — the character has a unigram count under some tag (else SnowNLP's "not found" rule applies);
* `uni_lp[C, 4]` — `log_prob` when neither the bigram nor the trigram ending here is in the model;
* pairs of characters (c1, c0), sorted, in CSR form by c1: `pair_ptr[C + 2]`, `pair_c0`; their bigram entries
  `pe_ptr`, `pe_code` (a * 4 + b), `pe_val` (`log_prob` without a trigram);
* triples (c2, c1, c0), in CSR form by pair id: `tri_ptr`, `tri_c2`; their entries `te_ptr`, `te_code`
  (z * 20 + a * 4 + b), `te_val` (`log_prob` of the trigram);
* naive Bayes: `bayes_base[K]` (log prior per class), `bayes_default[K]` (log frequency of an unseen word),
  `bayes_vals[W, K]` (log frequency of each known word);
* every known word and stopword in a hash table over code points: `word_slots` (word id or -1), `word_ptr`,
  `word_cps` (its code points), `word_code` (its row in `bayes_vals`, or -2 for a stopword);
* `stopwords.txt` (SnowNLP's stopword set, for `SnowNLPFast.tokens`) and `meta.json` (key, classes, counts).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from ...compiled.cache import write_meta

CJK_FIRST, CJK_LAST = 0x4E00, 0x9FA5
N_CHARS = CJK_LAST - CJK_FIRST + 1
BOS_ID = N_CHARS
BOS_TAG = 4
TAGS = ("b", "m", "e", "s")
#: A (character, tag) pair that is in none of SnowNLP's tables: log_prob(DUMMY, s2, s3) drops the trigram term.
DUMMY = ("", "<none>")
#: word_code of a stopword (dropped before the sum); other words have their row in bayes_vals.
STOP = -2


def word_hash(word: str) -> int:
    """Hash of a word's code points; `analysis.sentiment.snowfast.kernel.word_id` computes the same."""
    h = 0
    for c in word:
        h = (h * 1000003 + ord(c)) & 0x7FFFFFFF
    return h


def _pair(item: tuple[str, str]) -> tuple[int, int] | None:
    """(character id, tag id) of a model key item, or None when the tagger can never reach it."""
    ch, tag = item
    if ch == "" and tag == "BOS":
        return BOS_ID, BOS_TAG
    if len(ch) == 1 and CJK_FIRST <= ord(ch) <= CJK_LAST and tag in TAGS:
        return ord(ch) - CJK_FIRST, TAGS.index(tag)
    return None


def _csr(keys: np.ndarray, n_groups: int) -> np.ndarray:
    """Row pointers for sorted group keys 0..n_groups-1 (ptr[g]..ptr[g+1] are the rows of group g)."""
    return np.searchsorted(keys, np.arange(n_groups + 1), side="left").astype(np.int32)


def _check_segmenter(model: object) -> None:
    """Refuse a SnowNLP segmentation model that is not the one the kernel mirrors."""
    if tuple(model.status) != TAGS:
        raise RuntimeError(f"unexpected SnowNLP tag set {model.status!r}; the fast scorer supports {TAGS}")
    for table in (model.uni, model.bi, model.tri):
        if table.exists(DUMMY) or table.none != 0:
            raise RuntimeError("unexpected SnowNLP segmentation model (placeholder key present or non-zero default)")


def _unigrams(model: object) -> dict[str, np.ndarray]:
    """Known characters, and the log-probability of each tag when no bigram or trigram applies."""
    known = np.zeros(N_CHARS, dtype=np.uint8)
    uni_lp = np.empty((N_CHARS, 4), dtype=np.float64)
    for c in range(N_CHARS):
        ch = chr(CJK_FIRST + c)
        not_found = True
        for s in model.status:  # the tagger's own test
            if model.uni.freq((ch, s)) != 0:
                not_found = False
                break
        known[c] = 0 if not_found else 1
        for t, s in enumerate(TAGS):
            uni_lp[c, t] = model.log_prob(DUMMY, DUMMY, (ch, s))
    return {"known": known, "uni_lp": uni_lp}


def _ngram_rows(model: object) -> tuple[list[tuple[int, int, int, float]], list[tuple[int, int, int, int, float]]]:
    """Bigram rows (c1, c0, code, value) and trigram rows (c2, c1, c0, code, value) reachable inside a run of
    U+4E00–U+9FA5 characters."""
    pair_rows = []
    for s2, s3 in model.bi.d:
        a, b = _pair(s2), _pair(s3)
        if a is None or b is None or b[0] == BOS_ID:
            continue
        pair_rows.append((a[0], b[0], a[1] * 4 + b[1], model.log_prob(DUMMY, s2, s3)))
    tri_rows = []
    for s1, s2, s3 in model.tri.d:
        z, a, b = _pair(s1), _pair(s2), _pair(s3)
        if z is None or a is None or b is None or b[0] == BOS_ID:
            continue
        tri_rows.append((z[0], a[0], b[0], z[1] * 20 + a[1] * 4 + b[1], model.log_prob(s1, s2, s3)))
    return pair_rows, tri_rows


def _ngram_tables(pair_rows: list[tuple], tri_rows: list[tuple]) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """The CSR tables of pairs, their bigram entries, triples and their trigram entries (see the module docstring)."""
    pc1 = np.array([r[0] for r in pair_rows], dtype=np.int64)
    pc0 = np.array([r[1] for r in pair_rows], dtype=np.int64)
    tc2 = np.array([r[0] for r in tri_rows], dtype=np.int64)
    tc1 = np.array([r[1] for r in tri_rows], dtype=np.int64)
    tc0 = np.array([r[2] for r in tri_rows], dtype=np.int64)
    stride = N_CHARS + 1
    # Every pair of characters that has a bigram entry or ends a trigram gets a pair id.
    pair_keys = np.unique(np.concatenate([pc1 * stride + pc0, tc1 * stride + tc0]))
    pair_c1, pair_c0 = pair_keys // stride, pair_keys % stride
    pid = np.searchsorted(pair_keys, pc1 * stride + pc0)
    order = np.lexsort((np.array([r[2] for r in pair_rows]), pid))
    tpid = np.searchsorted(pair_keys, tc1 * stride + tc0)
    tri_keys = np.unique(tpid * stride + tc2)
    tri_pid, tri_c2 = tri_keys // stride, tri_keys % stride
    qid = np.searchsorted(tri_keys, tpid * stride + tc2)
    tri_order = np.lexsort((np.array([r[3] for r in tri_rows]), qid))
    arrays = {
        "pair_ptr": _csr(pair_c1, N_CHARS + 1), "pair_c0": pair_c0.astype(np.uint16),
        "pe_ptr": _csr(pid[order], len(pair_keys)),
        "pe_code": np.array([pair_rows[i][2] for i in order], dtype=np.int8),
        "pe_val": np.array([pair_rows[i][3] for i in order], dtype=np.float64),
        "tri_ptr": _csr(tri_pid, len(pair_keys)), "tri_c2": tri_c2.astype(np.uint16),
        "te_ptr": _csr(qid[tri_order], len(tri_keys)),
        "te_code": np.array([tri_rows[i][3] for i in tri_order], dtype=np.int8),
        "te_val": np.array([tri_rows[i][4] for i in tri_order], dtype=np.float64),
    }
    counts = {"pairs": len(pair_keys), "pair_entries": len(arrays["pe_val"]), "triples": len(tri_keys),
              "triple_entries": len(arrays["te_val"])}
    return arrays, counts


def _bayes(bayes: object) -> tuple[list[str], list[str], dict[str, np.ndarray]]:
    """Naive Bayes: the classes, the known words, and SnowNLP's own expressions class by class in its order."""
    from math import log

    classes = list(bayes.d)
    words = sorted(set().union(*(bayes.d[k].d for k in classes)))
    unseen = "\x00<unseen>"
    if any(unseen in bayes.d[k].d for k in classes):
        raise RuntimeError("unexpected SnowNLP sentiment model (the placeholder word is in it)")
    base = np.array([log(bayes.d[k].getsum()) - log(bayes.total) for k in classes], dtype=np.float64)
    default = np.array([log(bayes.d[k].freq(unseen)) for k in classes], dtype=np.float64)
    vals = np.array([[log(bayes.d[k].freq(w)) for k in classes] for w in words], dtype=np.float64)
    vals = vals.reshape(len(words), len(classes))
    return classes, words, {"bayes_base": base, "bayes_default": default, "bayes_vals": vals}


def bayes_of(model: object) -> tuple[list[str], list[str], dict[str, np.ndarray]]:
    """The naive Bayes arrays of a trained model (`naive_bayes.NaiveBayes`), with the very expressions SnowNLP's
    `Bayes.classify` evaluates (`log(getsum) - log(total)`; `log(freq(word))`, freq = float(count) / total, an unseen
    word counting `none` = 1), so that they are the doubles `_bayes` gets from SnowNLP's own objects."""
    from math import log

    classes = list(model.classes)
    words = sorted(set().union(*(model.counts[k] for k in classes)))
    base = np.array([log(model.totals[k]) - log(model.total) for k in classes], dtype=np.float64)
    default = np.array([log(float(1) / model.totals[k]) for k in classes], dtype=np.float64)
    vals = np.array([[log(float(model.counts[k].get(w, 1)) / model.totals[k]) for k in classes] for w in words],
                    dtype=np.float64).reshape(len(words), len(classes))
    return classes, words, {"bayes_base": base, "bayes_default": default, "bayes_vals": vals}


def build_trained(dest: Path, model: object, stop: list[str]) -> dict:
    """Write the arrays of a trained model's classifier (naive Bayes and the word table, the segmenter's stay with
    SnowNLP's model) into dest (an empty folder); return meta."""
    classes, words, bayes = bayes_of(model)
    table = _word_table(words, stop)
    arrays = {**table, **bayes}
    for name, arr in arrays.items():
        np.save(dest / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
    return {"classes": classes, "positive": "pos", "arrays": sorted(arrays),
            "counts": {"bayes_words": len(words), "stopwords": len(stop), "hash_slots": len(table["word_slots"])}}


def _word_table(words: list[str], stop: list[str]) -> dict[str, np.ndarray]:
    """Every word the classifier knows, stopword or not, in an open-addressing hash table over code points."""
    row = {w: i for i, w in enumerate(words)}
    stopset = set(stop)
    table_words = sorted(set(words) | stopset)
    word_code = np.array([STOP if w in stopset else row[w] for w in table_words], dtype=np.int32)
    word_ptr = np.zeros(len(table_words) + 1, dtype=np.int64)
    word_ptr[1:] = np.cumsum([len(w) for w in table_words])
    word_cps = np.array([ord(c) for w in table_words for c in w], dtype=np.int32)
    size = 1 << max(4, (2 * len(table_words)).bit_length())
    word_slots = np.full(size, -1, dtype=np.int32)
    for i, w in enumerate(table_words):
        j = word_hash(w) & (size - 1)
        while word_slots[j] >= 0:
            j = (j + 1) & (size - 1)
        word_slots[j] = i
    return {"word_slots": word_slots, "word_ptr": word_ptr, "word_cps": word_cps, "word_code": word_code}


def build(dest: Path) -> dict:
    """Write the arrays for the snownlp imported in this process into dest (an empty folder); return meta."""
    import snownlp  # noqa: F401  (loads the models exactly as SnowNLP(text) uses them)
    from snownlp import normal, seg, sentiment

    model = seg.segger.segger
    _check_segmenter(model)
    ngrams, counts = _ngram_tables(*_ngram_rows(model))
    classes, words, bayes = _bayes(sentiment.classifier.classifier)
    stop = sorted(normal.stop)
    if any("\n" in w for w in stop):
        raise RuntimeError("unexpected SnowNLP stopword list (a word contains a newline)")
    table = _word_table(words, stop)
    arrays = {**_unigrams(model), **ngrams, **table, **bayes}
    for name, arr in arrays.items():
        np.save(dest / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
    (dest / "stopwords.txt").write_text("\n".join(stop), encoding="utf-8")
    return {
        "classes": classes, "positive": "pos", "arrays": sorted(arrays),
        "counts": {**counts, "bayes_words": len(words), "stopwords": len(stop),
                   "hash_slots": len(table["word_slots"])},
    }


def main(argv: list[str]) -> int:
    """Child-process entry (`compiled.cache.build_in_child`): `DEST KEY_JSON PACKAGE_DIR`; meta.json is written last."""
    dest, key, package_dir = Path(argv[0]), json.loads(argv[1]), Path(argv[2]).resolve()
    sys.path.insert(0, str(package_dir.parent))
    import snownlp

    found = Path(snownlp.__file__).resolve().parent
    if found != package_dir:
        print(f"imported snownlp from {found}, expected {package_dir}", file=sys.stderr)
        return 1
    write_meta(dest, {**build(dest), "key": key})
    return 0
