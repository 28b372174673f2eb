"""The compiled part of the fast SnowNLP scorer, written for numba and compiled ahead of time into an object file.

`compile_object()` runs once per machine and kernel version, in the child process that builds the cache
(`analysis.compiled`); the scoring process loads the object file with llvmlite (`model.py`) and never imports
numba (whose import and first call cost about 2 s and 70 MiB).

Everything here mirrors SnowNLP 0.12.3 (see `model.py` for the rules). The kernel only compares, adds and
indexes: every logarithm was computed by SnowNLP's own code when the model arrays were built, and the sums are
plain left-to-right float64 additions in SnowNLP's order (no fastmath, no vectorised reductions, error_model
'numpy': no exception paths), so the results are the same doubles. It allocates nothing: the caller passes every
array, scratch space included (`abi.KERNEL_ARGS`, in this order).
"""

from __future__ import annotations

import numba
import numpy as np

from .abi import KERNEL_ARGS

CJK_FIRST, CJK_LAST = 0x4E00, 0x9FA5  # snownlp.seg.re_zh
STOP = -2  # word_code of a stopword

_jit = numba.njit(error_model="numpy")


@_jit
def find_sorted(a: np.ndarray, lo: int, hi: int, key: int) -> int:
    """Index of key in the sorted a[lo:hi] (its keys distinct, as build.py writes them), or -1."""
    if lo >= hi:
        return -1
    # halve the range without branches (the comparisons are unpredictable): base ends at the last key <= `key`
    base, n = lo, hi - lo
    while n > 1:
        half = n >> 1
        base = base + half if a[base + half] <= key else base
        n -= half
    return base if a[base] == key else -1


@_jit
def word_id(cps: np.ndarray, s: int, e: int, slots: np.ndarray, word_ptr: np.ndarray, word_cps: np.ndarray) -> int:
    """Id of the word cps[s:e] in the hash table, or -1 (hash as in build.word_hash)."""
    h = 0
    for i in range(s, e):
        h = (h * 1000003 + cps[i]) & 0x7FFFFFFF
    mask = slots.shape[0] - 1
    j = h & mask
    while True:
        w = slots[j]
        if w < 0:
            return -1
        lo = word_ptr[w]
        if word_ptr[w + 1] - lo == e - s:
            same = True
            for k in range(e - s):
                if word_cps[lo + k] != cps[s + k]:
                    same = False
                    break
            if same:
                return w
        j = (j + 1) & mask


@_jit
def tag_run(
    cps: np.ndarray, r0: int, n: int,
    known: np.ndarray, uni_lp: np.ndarray, pair_ptr: np.ndarray, pair_c0: np.ndarray, pe_ptr: np.ndarray,
    pe_code: np.ndarray, pe_val: np.ndarray, tri_ptr: np.ndarray, tri_c2: np.ndarray, te_ptr: np.ndarray,
    te_code: np.ndarray, te_val: np.ndarray,
    lp2: np.ndarray, lp3: np.ndarray, first: np.ndarray, score: np.ndarray, new: np.ndarray, back: np.ndarray,
    tags: np.ndarray,
) -> None:
    """CharacterBasedGenerativeModel.tag on the run cps[r0:r0+n]: tags (b, m, e, s = 0..3) into tags[:n].

    uni_lp is [character * 4 + tag]; back is [position * 16 + previous tag * 4 + tag].
    """
    bos = known.shape[0]
    for i in range(n):
        c0 = cps[r0 + i] - CJK_FIRST
        if known[c0] == 0:  # "not found": scores carried over; SnowNLP's dict keeps the last writer, z = s
            if i == 0:
                for b in range(4):
                    first[b] = 0.0
            elif i == 1:
                for a in range(4):
                    for b in range(4):
                        score[a * 4 + b] = first[a]
            else:
                for a in range(4):
                    for b in range(4):
                        new[a * 4 + b] = score[3 * 4 + a]
                        back[i * 16 + a * 4 + b] = 3
                for k in range(16):
                    score[k] = new[k]
            continue
        c1 = bos if i == 0 else cps[r0 + i - 1] - CJK_FIRST
        c2 = bos if i <= 1 else cps[r0 + i - 2] - CJK_FIRST
        # log_prob(s1, s2, s3) for every tag triple: unigram value, overwritten by bigram, then trigram entries
        for b in range(4):
            u = uni_lp[c0 * 4 + b]
            for a in range(5):
                lp2[a * 4 + b] = u
        p = find_sorted(pair_c0, pair_ptr[c1], pair_ptr[c1 + 1], c0)
        if p >= 0:
            for k in range(pe_ptr[p], pe_ptr[p + 1]):
                lp2[pe_code[k]] = pe_val[k]
        z_lo = 4 if i <= 1 else 0
        z_hi = 5 if i <= 1 else 4
        width = 20 if i <= 1 else 16  # from the third character on, no tag is the start (row 4) of lp2
        for z in range(z_lo, z_hi):
            for j in range(width):
                lp3[z * 20 + j] = lp2[j]
        if p >= 0:
            q = find_sorted(tri_c2, tri_ptr[p], tri_ptr[p + 1], c2)
            if q >= 0:
                for k in range(te_ptr[q], te_ptr[q + 1]):
                    lp3[te_code[k]] = te_val[k]
        if i == 0:
            for b in range(4):
                first[b] = 0.0 + lp3[4 * 20 + 4 * 4 + b]
        elif i == 1:
            for a in range(4):
                for b in range(4):
                    score[a * 4 + b] = first[a] + lp3[4 * 20 + a * 4 + b]
        else:
            # best predecessor of state (a, b): the first maximum over z = b, m, e, s, strict >
            for a in range(4):
                s0, s1, s2, s3 = score[a], score[4 + a], score[8 + a], score[12 + a]
                for b in range(4):
                    # written as selects, not branches: which z wins is unpredictable, a branch mispredicts
                    best = s0 + lp3[a * 4 + b]
                    v = s1 + lp3[20 + a * 4 + b]
                    up = v > best
                    best, best_z = (v, 1) if up else (best, 0)
                    v = s2 + lp3[40 + a * 4 + b]
                    up = v > best
                    best, best_z = (v, 2) if up else (best, best_z)
                    v = s3 + lp3[60 + a * 4 + b]
                    up = v > best
                    best, best_z = (v, 3) if up else (best, best_z)
                    new[a * 4 + b] = best
                    back[i * 16 + a * 4 + b] = best_z
            for k in range(16):
                score[k] = new[k]
    # max(now, key=score): the first maximum in SnowNLP's list order (tag b, m, e, s; then previous tag)
    if n == 1:
        best_b = 0
        for b in range(1, 4):
            if first[b] > first[best_b]:
                best_b = b
        tags[0] = best_b
    else:
        best_a, best_b = 0, 0
        for b in range(4):
            for a in range(4):
                if score[a * 4 + b] > score[best_a * 4 + best_b]:
                    best_a, best_b = a, b
        tags[n - 1] = best_b
        tags[n - 2] = best_a
        for i in range(n - 1, 1, -1):
            tags[i - 2] = back[i * 16 + tags[i - 1] * 4 + tags[i]]


@_jit
def analyse(
    cps: np.ndarray, text_bounds: np.ndarray, space: np.ndarray,
    known: np.ndarray, uni_lp: np.ndarray, pair_ptr: np.ndarray, pair_c0: np.ndarray, pe_ptr: np.ndarray,
    pe_code: np.ndarray, pe_val: np.ndarray, tri_ptr: np.ndarray, tri_c2: np.ndarray, te_ptr: np.ndarray,
    te_code: np.ndarray, te_val: np.ndarray,
    word_slots: np.ndarray, word_ptr: np.ndarray, word_cps: np.ndarray, word_code: np.ndarray, base: np.ndarray,
    default: np.ndarray, vals: np.ndarray,
    sums: np.ndarray, tok_start: np.ndarray, tok_end: np.ndarray,
    back: np.ndarray, tags: np.ndarray, lp2: np.ndarray, lp3: np.ndarray, first: np.ndarray, score: np.ndarray,
    new: np.ndarray, acc: np.ndarray,
) -> int:
    """Segment, drop stopwords and sum log frequencies for each text cps[text_bounds[t]:text_bounds[t+1]].

    sums[t * K + k] = log prior of class k + the log frequencies of the text's words, added in order as
    Bayes.classify does (vals is [word * K + k]). When tok_start is not empty, the (start, end) offsets of every
    word, stopwords included, go to tok_start/tok_end. Returns the number of words.
    """
    n_texts = text_bounds.shape[0] - 1
    n_classes = base.shape[0]
    want_tokens = tok_start.shape[0] > 0
    n_space = space.shape[0]
    n_tok = 0
    for t in range(n_texts):
        for k in range(n_classes):
            acc[k] = base[k]
        pos, hi = text_bounds[t], text_bounds[t + 1]
        while pos < hi:
            cjk = CJK_FIRST <= cps[pos] <= CJK_LAST
            end = pos + 1
            while end < hi and (CJK_FIRST <= cps[end] <= CJK_LAST) == cjk:
                end += 1
            if cjk:  # a run of U+4E00–U+9FA5: tag it, cut it into words
                tag_run(cps, pos, end - pos, known, uni_lp, pair_ptr, pair_c0, pe_ptr, pe_code, pe_val, tri_ptr,
                        tri_c2, te_ptr, te_code, te_val, lp2, lp3, first, score, new, back, tags)
            i = pos
            while i < end:
                if cjk:  # a word starts at b or s, and after e
                    j = i + 1
                    while j < end and not (tags[j - pos] == 0 or tags[j - pos] == 3 or tags[j - pos - 1] == 2):
                        j += 1
                else:  # other text: split on whitespace, as str.split() does
                    if cps[i] < n_space and space[cps[i]] != 0:
                        i += 1
                        continue
                    j = i + 1
                    while j < end and not (cps[j] < n_space and space[cps[j]] != 0):
                        j += 1
                if want_tokens:
                    tok_start[n_tok] = i
                    tok_end[n_tok] = j
                n_tok += 1
                w = word_id(cps, i, j, word_slots, word_ptr, word_cps)
                code = -1 if w < 0 else word_code[w]
                if code == -1:  # a word the classifier has not seen
                    for k in range(n_classes):
                        acc[k] += default[k]
                elif code != STOP:
                    for k in range(n_classes):
                        acc[k] += vals[code * n_classes + k]
                i = j
            pos = end
        for k in range(n_classes):
            sums[t * n_classes + k] = acc[k]
    return n_tok


def compile_object() -> tuple[bytes, dict]:
    """Compile the kernel for this machine (`analysis.compiled.aot`): the object file and what loading it needs."""
    from ...compiled.aot import compile_object as compile_kernel

    return compile_kernel(analyse, KERNEL_ARGS)
