"""The bootstrap of the mean, compiled (numba, ahead of time: `analysis.compiled`): numpy's own draws, faster.

For each group of values and its seed, `kernel` computes the means of `resamples` resamples exactly as
`bootstrap.numpy_bootstrap_means` does with numpy, to the last bit:

* the generator is `np.random.default_rng(seed)`: numpy's SeedSequence (pool of four 32-bit words, hashmix and mix)
  then PCG64 seeded from `generate_state(4, uint64)` (state and increment, XSL-RR output, the 128-bit LCG);
* `integers(0, n)` draws from the 32-bit half-words of the 64-bit outputs, low half first, with Lemire's rejection
  (numpy's `buffered_bounded_lemire_uint32`), row after row of the (resamples × n) matrix;
* a row's mean is `bootstrap.row_means`'s: its sum left to right below 8 values, else in numpy's pairwise order
  (`pairwise_sum`: eight running sums up to 128 values, halves at a multiple of 8 above), divided by n;
* the interval is `np.percentile`'s of those means (method "linear": the two order statistics found by selection
  among the draws beyond a cut, `interval`, or read off the smallest and largest draws when the ranks are all
  there, `extreme_ends`; numpy's `_lerp` between them), and the group's n, mean, median and share above 0.5 are
  `summary.numpy_summary`'s.

The numpy functions mirrored are those of the locked numpy (requirements.lock); `tests/test_bootstrap_kernel.py`
compares with numpy itself, so a numpy that computes differently fails there. It allocates nothing: the caller
passes every array (`bootstrap.BOOTSTRAP_ARGS`, in this order).
"""

from __future__ import annotations

import numba
import numpy as np

from ..compiled.aot import compile_object as compile_kernel
from ..compiled.aot import mulhi
from .bootstrap import BOOTSTRAP_ARGS, CUT, STRIDE

U = np.uint64
MASK32 = U(0xFFFFFFFF)
#: PCG64's 128-bit LCG multiplier.
MULTIPLIER = 2549297995355413924 << 64 | 4865540595714422341


def _split(v: int) -> tuple[np.uint64, np.uint64]:
    return U(v >> 64), U(v & ((1 << 64) - 1))


MH, ML = _split(MULTIPLIER)

_jit = numba.njit(error_model="numpy", inline="always")


@_jit
def mul128(ah: np.uint64, al: np.uint64, bh: np.uint64, bl: np.uint64) -> tuple[np.uint64, np.uint64]:
    """(a · b) mod 2^128, as (high, low) words."""
    return mulhi(al, bl) + ah * bl + al * bh, al * bl


@_jit
def add128(ah: np.uint64, al: np.uint64, bh: np.uint64, bl: np.uint64) -> tuple[np.uint64, np.uint64]:
    """(a + b) mod 2^128, as (high, low) words."""
    lo = al + bl
    return ah + bh + (U(1) if lo < al else U(0)), lo


@_jit
def xsl_rr(h: np.uint64, low: np.uint64) -> np.uint64:
    """PCG64's output function of a state."""
    x = h ^ low
    rot = h >> U(58)
    return (x >> rot) | (x << ((U(64) - rot) & U(63)))


@_jit
def hashmix(value: np.uint64, const: np.uint64) -> tuple[np.uint64, np.uint64]:
    """SeedSequence's hashmix on 32-bit words: (mixed value, next hash constant)."""
    value = (value ^ const) & MASK32
    const = (const * U(0x931E8875)) & MASK32
    value = (value * const) & MASK32
    return value ^ (value >> U(16)), const


@_jit
def mix(x: np.uint64, y: np.uint64) -> np.uint64:
    """SeedSequence's mix of two 32-bit words."""
    r = (((U(0xCA01F9DD) * x) & MASK32) - ((U(0x4973F715) * y) & MASK32)) & MASK32
    return r ^ (r >> U(16))


@_jit
def seed_pcg64(seed: np.uint64, words: np.ndarray) -> None:
    """`np.random.default_rng(seed)`'s PCG64 state (seed < 2^64) into words[8:12]: state high, low, increment
    high, low. words[0:8] is scratch."""
    n_entropy = 2 if (seed >> U(32)) != U(0) else 1
    const = U(0x43B0D7E5)
    for i in range(4):  # the pool: the seed's 32-bit words, least significant first, then zeros
        v = (seed & MASK32) if i == 0 else ((seed >> U(32)) if i == 1 and n_entropy == 2 else U(0))
        words[i], const = hashmix(v, const)
    for src in range(4):
        for dst in range(4):
            if src != dst:
                h, const = hashmix(words[src], const)
                words[dst] = mix(words[dst], h)
    const = U(0x8B51F9DD)
    for i in range(8):  # generate_state(4, uint64): eight 32-bit words, little-endian pairs (pool read cyclically)
        d = words[i % 4] ^ const
        const = (const * U(0x58F38DED)) & MASK32
        d = (d * const) & MASK32
        words[4 + i] = d ^ (d >> U(16))  # words[4:12]: i < 4 has read pool word i already
    v0, v1 = words[4] | (words[5] << U(32)), words[6] | (words[7] << U(32))
    v2, v3 = words[8] | (words[9] << U(32)), words[10] | (words[11] << U(32))
    inc_h, inc_l = (v2 << U(1)) | (v3 >> U(63)), (v3 << U(1)) | U(1)
    sh, sl = add128(inc_h, inc_l, v0, v1)  # state 0, one step (= inc), plus the seed, one more step
    sh, sl = mul128(sh, sl, MH, ML)
    sh, sl = add128(sh, sl, inc_h, inc_l)
    words[8], words[9], words[10], words[11] = sh, sl, inc_h, inc_l


@numba.njit(error_model="numpy")
def block_sum(a: np.ndarray, lo: int, n: int) -> float:
    """numpy's sum of a[lo:lo+n] for n <= 128: left to right below 8 values, else eight running sums."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i, end = 8, n - n % 8
    while i < end:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@numba.njit(error_model="numpy")
def pairwise_sum(a: np.ndarray, n: int, stack: np.ndarray, partial: np.ndarray) -> float:
    """numpy's pairwise sum of a[:n] (DOUBLE_pairwise_sum, PW_BLOCKSIZE 128): above 128 values, the sum of the
    halves split at a multiple of 8, left then right. The recursion runs on `stack` (3 × 64 int64: start, size,
    step of each open node) and `partial` (64 sums), so that nothing is allocated."""
    if n <= 128:
        return block_sum(a, 0, n)
    top, done = 0, 0
    stack[0], stack[64], stack[128] = 0, n, 0
    while top >= 0:
        lo, m, step = stack[top], stack[64 + top], stack[128 + top]
        if m <= 128:  # a leaf
            partial[done] = block_sum(a, lo, m)
            done += 1
            top -= 1
            continue
        half = m // 2
        half -= half % 8
        if step == 2:  # both halves done: combine them
            partial[done - 2] = partial[done - 2] + partial[done - 1]
            done -= 1
            top -= 1
            continue
        stack[128 + top] = step + 1
        top += 1
        stack[top], stack[64 + top], stack[128 + top] = (lo, half, 0) if step == 0 else (lo + half, m - half, 0)
    return partial[0]


@_jit
def draw(x: np.ndarray, sh: np.uint64, sl: np.uint64, ih: np.uint64, il: np.uint64, have: bool, spare: np.uint64,
         nn: np.uint64, threshold: np.uint64) -> tuple[float, np.uint64, np.uint64, bool, np.uint64]:
    """The value of x at the next index `integers(0, n)` draws (n = nn), and the generator's state after it: PCG64's
    state (sh, sl; increment ih, il) and the high half of its last output when not drawn yet (numpy's has_uint32)."""
    while True:
        if have:
            v, have = spare, False
        else:
            sh, sl = mul128(sh, sl, MH, ML)
            sh, sl = add128(sh, sl, ih, il)
            o = xsl_rr(sh, sl)
            v, spare, have = o & MASK32, o >> U(32), True
        m = v * nn
        if (m & MASK32) >= threshold:  # Lemire: reject the few draws that would bias the index
            break
    return x[np.int64(m >> U(32))], sh, sl, have, spare


@_jit
def draw8(x: np.ndarray, sh: np.uint64, sl: np.uint64, ih: np.uint64, il: np.uint64, have: bool, spare: np.uint64,
          nn: np.uint64, threshold: np.uint64) -> tuple:
    """The values of x at the next eight indices drawn (`draw`), then the generator's state."""
    v0, sh, sl, have, spare = draw(x, sh, sl, ih, il, have, spare, nn, threshold)
    v1, sh, sl, have, spare = draw(x, sh, sl, ih, il, have, spare, nn, threshold)
    v2, sh, sl, have, spare = draw(x, sh, sl, ih, il, have, spare, nn, threshold)
    v3, sh, sl, have, spare = draw(x, sh, sl, ih, il, have, spare, nn, threshold)
    v4, sh, sl, have, spare = draw(x, sh, sl, ih, il, have, spare, nn, threshold)
    v5, sh, sl, have, spare = draw(x, sh, sl, ih, il, have, spare, nn, threshold)
    v6, sh, sl, have, spare = draw(x, sh, sl, ih, il, have, spare, nn, threshold)
    v7, sh, sl, have, spare = draw(x, sh, sl, ih, il, have, spare, nn, threshold)
    return v0, v1, v2, v3, v4, v5, v6, v7, sh, sl, have, spare


@_jit
def drawn_block(x: np.ndarray, m: int, sh: np.uint64, sl: np.uint64, ih: np.uint64, il: np.uint64, have: bool,
                spare: np.uint64, nn: np.uint64, threshold: np.uint64
                ) -> tuple[float, np.uint64, np.uint64, bool, np.uint64]:
    """`block_sum` of the next m values drawn (8 <= m <= 128), summed as they are drawn (eight running sums, kept in
    registers: numpy's order), and the generator's state."""
    r0, r1, r2, r3, r4, r5, r6, r7, sh, sl, have, spare = draw8(x, sh, sl, ih, il, have, spare, nn, threshold)
    i, end = 8, m - m % 8
    while i < end:
        v0, v1, v2, v3, v4, v5, v6, v7, sh, sl, have, spare = draw8(x, sh, sl, ih, il, have, spare, nn, threshold)
        r0, r1, r2, r3, r4, r5, r6, r7 = r0 + v0, r1 + v1, r2 + v2, r3 + v3, r4 + v4, r5 + v5, r6 + v6, r7 + v7
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < m:
        v, sh, sl, have, spare = draw(x, sh, sl, ih, il, have, spare, nn, threshold)
        res += v
        i += 1
    return res, sh, sl, have, spare


@numba.njit(error_model="numpy")
def resample_means(x: np.ndarray, n: int, seed: np.uint64, n_resamples: int, means: np.ndarray, at: int,
                   words: np.ndarray, stack: np.ndarray, partial: np.ndarray) -> None:
    """means[at + b] for b < n_resamples: the mean of resample b of x[:n] (n >= 2) drawn from default_rng(seed).

    Each resample is summed as it is drawn, in the order numpy sums a row (`bootstrap.row_means`): left to right
    below 8 values; else `pairwise_sum`'s blocks, each summed as drawn (`drawn_block`), combined as `pairwise_sum`
    combines them (the same walk of its halves, on `stack` and `partial`). Scratch: `words`, `stack`, `partial`."""
    seed_pcg64(seed, words)
    sh, sl, ih, il = words[8], words[9], words[10], words[11]
    have, spare = False, U(0)
    nn = U(n)
    threshold = (U(0x100000000) - nn) % nn
    for b in range(n_resamples):
        if n < 8:
            total, sh, sl, have, spare = draw(x, sh, sl, ih, il, have, spare, nn, threshold)
            for _ in range(1, n):
                v, sh, sl, have, spare = draw(x, sh, sl, ih, il, have, spare, nn, threshold)
                total += v
        elif n <= 128:
            total, sh, sl, have, spare = drawn_block(x, n, sh, sl, ih, il, have, spare, nn, threshold)
        else:  # pairwise_sum's walk, a leaf's values drawn when the walk reaches it (leaves left to right)
            top, done = 0, 0
            stack[0], stack[64], stack[128] = 0, n, 0
            while top >= 0:
                lo, m, step = stack[top], stack[64 + top], stack[128 + top]
                if m <= 128:
                    partial[done], sh, sl, have, spare = drawn_block(x, m, sh, sl, ih, il, have, spare, nn,
                                                                     threshold)
                    done += 1
                    top -= 1
                    continue
                half = m // 2
                half -= half % 8
                if step == 2:
                    partial[done - 2] = partial[done - 2] + partial[done - 1]
                    done -= 1
                    top -= 1
                    continue
                stack[128 + top] = step + 1
                top += 1
                stack[top], stack[64 + top], stack[128 + top] = (lo, half, 0) if step == 0 else (lo + half, m - half, 0)
            total = partial[0]
        means[at + b] = total / n


@numba.njit(error_model="numpy")
def select(a: np.ndarray, lo: int, hi: int, k: int) -> float:
    """The k-th smallest of a[lo:hi] (lo <= k < hi), moved to a[k], smaller ones before it and larger after it
    (Wirth's selection, in place)."""
    left, right = lo, hi - 1
    while left < right:
        pivot = a[(left + right) // 2]
        i, j = left, right
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if j < k:
            left = i
        if k < i:
            right = j
    return a[k]


@numba.njit(error_model="numpy")
def smallest(a: np.ndarray, lo: int, hi: int) -> float:
    """The smallest of a[lo:hi] (hi > lo)."""
    v = a[lo]
    for i in range(lo + 1, hi):
        if a[i] < v:
            v = a[i]
    return v


@numba.njit(error_model="numpy")
def percentile(a: np.ndarray, lo: int, hi: int, k: int, step: int, gamma: float, rest: float) -> float:
    """np.percentile (method "linear") of draws whose ranks k and k + step (step 0 or 1, `bootstrap.percentile_ranks`)
    are in a[lo:hi] at those positions once sorted, with weights gamma and rest = 1 - gamma: numpy's `_lerp`, as
    written there. a[lo:hi] is reordered (a[k] in place, smaller draws before it, larger after)."""
    a_prev = select(a, lo, hi, k)
    return lerp(a_prev, smallest(a, k + 1, hi) if step else a_prev, gamma, rest)


@numba.njit(error_model="numpy")
def lerp(a_prev: float, b_next: float, gamma: float, rest: float) -> float:
    """numpy's `_lerp` between two order statistics with weights gamma and rest = 1 - gamma, as written there."""
    diff = b_next - a_prev
    return b_next - diff * rest if gamma >= 0.5 else a_prev + diff * gamma


@numba.njit(error_model="numpy")
def beyond(a: np.ndarray, lo: int, hi: int, low_cut: float, high_cut: float, buf: np.ndarray) -> tuple[int, int]:
    """The draws of a[lo:hi] at or below low_cut into buf[:count], and those at or above high_cut into buf[CUT:CUT +
    count], in one pass without branches (each draw is written, and kept by counting it); the two counts (a count
    of CUT or more means the tail did not fit)."""
    n_low, n_high = 0, 0
    for i in range(lo, hi):
        v = a[i]
        buf[min(n_low, CUT - 1)] = v
        n_low += 1 if v <= low_cut else 0
        buf[CUT + min(n_high, CUT - 1)] = v
        n_high += 1 if v >= high_cut else 0
    return n_low, n_high


@numba.njit(error_model="numpy")
def interval(a: np.ndarray, lo: int, hi: int, params: np.ndarray, gammas: np.ndarray, buf: np.ndarray
             ) -> tuple[float, float]:
    """`percentile_interval` of the draws a[lo:hi] (ranks and weights in params[1:5] and gammas, relative to lo).

    A selection among all the draws costs several unpredictable comparisons a draw. So the draws beyond two cuts
    are set apart first (`beyond`), the cuts being order statistics of every STRIDE-th draw placed to leave a tail
    a little longer than the ranks need (about 175 of 2,000 draws at 95%), and the ranks are selected among those.
    Exact: every draw not set apart is beyond the cut, so the ranks of the tail are the ranks of all the draws;
    when a tail came out too short or too long, all the draws are selected from (a[lo:hi] is then reordered)."""
    k_low, k_low2, k_high, k_high2 = params[1], params[2], params[3], params[4]
    n = hi - lo
    m = n // STRIDE
    # the sample rank of each cut: twice the draws the ranks need, and four sample draws more (the tails expected
    # to come out well under CUT)
    r_low, r_high = 2 * (k_low2 + 1) // STRIDE + 4, 2 * (n - k_high) // STRIDE + 4
    if 8 <= m <= CUT and r_low < m and r_high < m and STRIDE * (max(r_low, r_high) + 1) <= 5 * CUT // 8:
        sample = 2 * CUT
        for i in range(m):
            buf[sample + i] = a[lo + i * STRIDE]
        low_cut = select(buf, sample, sample + m, sample + r_low)
        high_cut = select(buf, sample, sample + m, sample + m - 1 - r_high)
        n_low, n_high = beyond(a, lo, hi, low_cut, high_cut, buf)
        if k_low2 < n_low < CUT and n - k_high <= n_high < CUT:
            low = percentile(buf, 0, n_low, k_low, k_low2 - k_low, gammas[0], gammas[1])
            # rank k of all the draws is rank k - (n - n_high) of the high tail
            top = k_high - (n - n_high)
            return low, percentile(buf, CUT, CUT + n_high, CUT + top, k_high2 - k_high, gammas[2], gammas[3])
    low = percentile(a, lo, hi, lo + k_low, k_low2 - k_low, gammas[0], gammas[1])
    # the draws above rank k_low are now after it: the high percentile is among them
    start = lo + k_low + 1 if k_high > k_low else lo
    return low, percentile(a, start, hi, lo + k_high, k_high2 - k_high, gammas[2], gammas[3])


@numba.njit(error_model="numpy")
def extremes(a: np.ndarray, lo: int, hi: int) -> tuple[float, int, float, int]:
    """The smallest of a[lo:hi] and how many times it occurs, then the largest and how many times (hi > lo)."""
    lowest, highest = smallest(a, lo, hi), largest(a, lo, hi)
    n_lowest, n_highest = 0, 0
    for i in range(lo, hi):
        n_lowest += 1 if a[i] == lowest else 0
        n_highest += 1 if a[i] == highest else 0
    return lowest, n_lowest, highest, n_highest


@numba.njit(error_model="numpy")
def few_means(x: np.ndarray, n: int, params: np.ndarray) -> bool:
    """Whether the resamples of x[:n] that repeat its smallest value (and those that repeat its largest) are
    expected to be a fifth more than the draws a tail of the interval reads (`extreme_ends`): groups of two or three
    values, or more with many ties."""
    _, n_lowest, _, n_highest = extremes(x, 0, n)
    resamples = params[0]
    return (resamples * (n_lowest / n) ** n >= 1.2 * (params[2] + 1)
            and resamples * (n_highest / n) ** n >= 1.2 * (resamples - params[3]))


@numba.njit(error_model="numpy")
def extreme_ends(a: np.ndarray, lo: int, hi: int, params: np.ndarray, gammas: np.ndarray
                 ) -> tuple[float, float] | None:
    """`percentile_interval` of the draws a[lo:hi] when the low ranks it reads are all draws equal to the smallest
    draw and the high ranks all draws equal to the largest (two passes, no selection: the interval is [smallest,
    largest]); None when either is not."""
    lowest, n_lowest, highest, n_highest = extremes(a, lo, hi)
    if params[2] < n_lowest and params[3] >= hi - lo - n_highest:
        return (lerp(lowest, lowest, gammas[0], gammas[1]), lerp(highest, highest, gammas[2], gammas[3]))
    return None


@numba.njit(error_model="numpy")
def largest(a: np.ndarray, lo: int, hi: int) -> float:
    """The largest of a[lo:hi] (hi > lo)."""
    v = a[lo]
    for i in range(lo + 1, hi):
        if a[i] > v:
            v = a[i]
    return v


@numba.njit(error_model="numpy")
def summary(x: np.ndarray, n: int, stats: np.ndarray, at: int, stack: np.ndarray, partial: np.ndarray) -> None:
    """stats[at:at+4] = n, mean, median, share above 0.5 of x[:n], as `summary.Summaries` defines them (numpy's
    mean: its pairwise sum / n; the median: the middle value, or the two middle ones' sum halved; NaN without
    values); x is reordered."""
    stats[at] = n
    if n == 0:
        stats[at + 1], stats[at + 2], stats[at + 3] = np.nan, np.nan, np.nan
        return
    above = 0
    for i in range(n):
        above += 1 if x[i] > 0.5 else 0
    stats[at + 1] = pairwise_sum(x, n, stack, partial) / n
    stats[at + 3] = above / n
    half = n // 2
    middle = select(x, 0, n, half)
    stats[at + 2] = middle if n % 2 else (largest(x, 0, half) + middle) / 2


@numba.njit(error_model="numpy")
def kernel(values: np.ndarray, offsets: np.ndarray, seeds: np.ndarray, params: np.ndarray, gammas: np.ndarray,
           means: np.ndarray, stats: np.ndarray, clean: np.ndarray, words: np.ndarray,
           stack: np.ndarray, partial: np.ndarray, buf: np.ndarray) -> int:
    """For each group g (values[offsets[g]:offsets[g + 1]], NaN left out): stats[6g:6g+6] = n, mean, median, share
    above 0.5, and the percentile interval of the means of B = params[0] resamples drawn from default_rng(seeds[g])
    (NaN for fewer than 2 values); when params[5] is 1 the means stay in means[g * B:(g + 1) * B], in the order
    drawn, and the interval is left NaN (else means is one group's scratch). params[1:5] and gammas: the
    interval's ranks and weights (`bootstrap.percentile_ranks`).
    Scratch: `clean` (the largest group's size), `words` (12), `stack` (192), `partial` (64), `buf` (3 CUT)."""
    n_resamples, keep = params[0], params[5]
    for g in range(offsets.shape[0] - 1):
        n = 0
        for i in range(offsets[g], offsets[g + 1]):
            if not np.isnan(values[i]):
                clean[n] = values[i]
                n += 1
        at = g * n_resamples if keep else 0
        low, high = np.nan, np.nan
        if n >= 2:
            resample_means(clean, n, seeds[g], n_resamples, means, at, words, stack, partial)
        if n >= 2 and not keep:  # (the interval may reorder the means)
            ends = extreme_ends(means, at, at + n_resamples, params, gammas) if few_means(clean, n, params) else None
            low, high = ends if ends is not None else interval(means, at, at + n_resamples, params, gammas, buf)
        summary(clean, n, stats, 6 * g, stack, partial)
        stats[6 * g + 4], stats[6 * g + 5] = low, high
    return 0


def compile_object() -> tuple[bytes, dict]:
    """Compile the kernel for this machine (`analysis.compiled.aot`): the object file and what loading it needs."""
    return compile_kernel(kernel, BOOTSTRAP_ARGS)
