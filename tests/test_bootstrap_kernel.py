"""The compiled bootstrap (analysis/stats/bootstrap_kernel.py) draws numpy's own resamples: its means are checked,
bit for bit, against numpy's Generator (default_rng(seed).integers(0, n, (resamples, n)) and the row means), for
group sizes on both sides of every threshold of numpy's summation, and seeds of one and two 32-bit words."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from analysis.compiled.kernel import ensure_kernel, load_kernel
from analysis.errors import AnalysisError
from analysis.stats import bootstrap
from analysis.stats.bootstrap import bootstrap_means, bootstrap_means_of, derive_seed, numpy_bootstrap_means
from analysis.stats.summary import summarise

#: Sizes around numpy's summation thresholds (8: unrolled sums; 128: pairwise halves) and a long group.
SIZES = [2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 63, 127, 128, 129, 136, 255, 256, 257, 1000, 1031, 8193, 30_001]
SEEDS = [0, 1, 2**32 - 1, 2**32, 2**63, 2**64 - 1]


def numpy_means(x: np.ndarray, seed: int, resamples: int) -> np.ndarray:
    """The definition, in plain numpy: one (resamples × n) draw of indices, the row means."""
    idx = np.random.default_rng(seed).integers(0, x.size, size=(resamples, x.size))
    return x[idx].mean(axis=1)


def groups(rng: np.random.Generator) -> list[np.ndarray]:
    """Values of several kinds: scores in [0, 1], rounded scores (ties), wide-ranging and negative values."""
    out = []
    for k, n in enumerate(SIZES):
        kind = k % 3
        x = rng.random(n) if kind == 0 else np.round(rng.random(n), 2) if kind == 1 else rng.normal(0, 1e3, n)
        out.append(x)
    return out


def test_the_kernel_is_compiled_here() -> None:
    """Where the package is installed with its locked dependencies, the kernel compiles and loads."""
    assert bootstrap.compiled_kernel() is not None


def test_compiled_means_equal_numpys_draws_bit_for_bit() -> None:
    rng = np.random.default_rng(20260211)
    xs = groups(rng)
    seeds = [SEEDS[k % len(SEEDS)] if k < len(SEEDS) else derive_seed("doc", k) for k in range(len(xs))]
    got = bootstrap_means_of(xs, seeds, 300)
    for x, seed, row in zip(xs, seeds, got, strict=True):
        assert np.array_equal(row, numpy_means(x, seed, 300)), (x.size, seed)


def test_many_small_groups_in_one_call_equal_one_call_each() -> None:
    rng = np.random.default_rng(7)
    xs = [rng.random(int(n)) for n in rng.integers(2, 40, 400)]
    seeds = [derive_seed("doc", k, "own") for k in range(len(xs))]
    got = bootstrap_means_of(xs, seeds)
    for x, seed, row in zip(xs, seeds, got, strict=True):
        assert np.array_equal(row, numpy_bootstrap_means(x, seed))


def test_numpy_definition_in_blocks_equals_one_draw() -> None:
    """The fallback draws row blocks (bounded memory); the stream is the same as one (resamples × n) draw."""
    x = np.random.default_rng(3).random(3000)  # 2,000,000 // 3000 = 666 rows per block
    assert np.array_equal(numpy_bootstrap_means(x, 11, 2000), numpy_means(x, 11, 2000))


def test_seeding_is_numpys_seedsequence_and_pcg64() -> None:
    """The kernel's seeding (numba, run here as a plain jit function) gives PCG64's state and increment."""
    kernel = pytest.importorskip("analysis.stats.bootstrap_kernel")
    words = np.zeros(12, dtype=np.uint64)
    rng = np.random.default_rng(1)
    for seed in SEEDS + [int(v) for v in rng.integers(0, 2**63, 300)] + [int(v) for v in rng.integers(0, 2**32, 50)]:
        kernel.seed_pcg64(np.uint64(seed), words)
        state = np.random.PCG64(seed).state["state"]
        assert (int(words[8]) << 64 | int(words[9])) == state["state"], seed
        assert (int(words[10]) << 64 | int(words[11])) == state["inc"], seed


def test_one_group_and_fewer_than_two_values() -> None:
    x = np.array([0.2, 0.9, 0.4])
    assert np.array_equal(bootstrap_means(x, 5), numpy_means(x, 5, 2000))
    assert bootstrap_means([0.3], 5) is None
    with pytest.raises(ValueError, match="at least 2"):
        bootstrap_means_of([np.array([0.3])], [5])


def test_without_the_kernel_numpy_draws_the_same_numbers(monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    def unavailable(*args: object, **kwargs: object) -> None:
        raise AnalysisError("could not build the compiled bootstrap (no compiler)")

    rng = np.random.default_rng(9)
    xs = [rng.random(n) for n in (2, 9, 200)] + [np.array([0.7]), np.array([]), np.array([0.2, np.nan, 0.9])]
    compiled = bootstrap_means_of(xs[:3], [1, 2, 3])
    summaries = [summarise(x, k) for k, x in enumerate(xs)]
    monkeypatch.setattr(bootstrap, "_KERNEL", [])
    monkeypatch.setattr(bootstrap, "load_kernel", unavailable)
    with caplog.at_level(logging.WARNING, logger="analysis.stats.bootstrap"):
        assert np.array_equal(bootstrap_means_of(xs[:3], [1, 2, 3]), compiled)
        for k, x in enumerate(xs):
            want, got = summaries[k], summarise(x, k)
            assert list(want) == list(got)
            assert np.array_equal(np.array(list(want.values())), np.array(list(got.values())), equal_nan=True)
    assert "numpy computes the same intervals" in caplog.text


def test_compiled_summaries_equal_numpys_statistics() -> None:
    """n, mean, median, share above 0.5 and the percentile interval of many groups in one kernel call, against
    numpy group by group (np.mean, np.median, np.percentile of the numpy draws), for several levels and numbers
    of resamples (the ranks and weights of np.percentile change with both; the kernel reads short tails of the
    draws kept in order, and selects in long ones: 0.8 × 1,000 keeps 101 draws a tail, the most it keeps is 128,
    0.9 × 3,000 would need 151), groups with NaN, one value, none, and rounded values (ties)."""
    rng = np.random.default_rng(4)
    xs = []
    for n in [0, 1, *SIZES]:
        x = rng.random(n)
        if n > 3:
            x[rng.integers(0, n, 2)] = np.nan
        xs.append(x)
    xs += [np.round(rng.random(int(n)), 1) for n in rng.integers(0, 40, 200)]
    seeds = [derive_seed("section", k) for k in range(len(xs))]
    for level, resamples in [(0.95, 2000), (0.9, 7), (0.5, 1999), (0.99, 2), (0.8, 1000), (0.9, 3000)]:
        got = bootstrap.compiled_summaries(xs, seeds, resamples, level)
        for x, seed, row in zip(xs, seeds, got, strict=True):
            v = x[~np.isnan(x)]
            if v.size < 2:
                want = [v.size, *([v[0], v[0], float(v[0] > 0.5)] if v.size else [np.nan] * 3), np.nan, np.nan]
            else:
                means = numpy_means(v, seed, resamples)
                tail = (1 - level) / 2 * 100
                want = [v.size, np.mean(v), np.median(v), np.count_nonzero(v > 0.5) / v.size,
                        *np.percentile(means, [tail, 100 - tail])]
            assert np.array_equal(np.array(want, dtype=float), row, equal_nan=True), (level, resamples, v.size)


def test_a_damaged_kernel_folder_is_compiled_again(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A cache folder whose object file is damaged (meta.json intact) is compiled again once, then used."""
    args = ("analysis.stats.bootstrap_kernel", bootstrap.BOOTSTRAP_ARGS, "bootstrap", "the compiled bootstrap", "-")
    folder = ensure_kernel(*args, cache_root=tmp_path)
    (folder / "kernel.o").write_bytes(b"not an object file")
    with caplog.at_level(logging.WARNING, logger="analysis.compiled.kernel"):
        kernel = load_kernel(*args, cache_root=tmp_path)
    assert "damaged" in caplog.text
    assert kernel.folder == folder and (folder / "kernel.o").read_bytes() != b"not an object file"


def test_interval_equals_numpys_percentile_on_every_path() -> None:
    """The kernel's interval (run here by numba's JIT) against np.percentile on draws that take each of its paths:
    tails set apart at the sampled cuts (random draws); all the draws selected from when a cut leaves a tail too
    long (all draws equal: every one is at the cut) or too short (the sample's lowest draws are the lowest of all,
    far below the rest: the low cut leaves 11 draws)."""
    from analysis.stats import bootstrap_kernel

    rng = np.random.default_rng(11)
    random = rng.random(2000)
    tied = np.full(2000, 0.25)
    short = rng.random(2000)
    short[:11 * bootstrap.STRIDE:bootstrap.STRIDE] = -1 - rng.random(11)  # the sample's 11 lowest are the lowest
    for level in (0.95, 0.8):
        ranks, gammas = bootstrap.percentile_ranks(2000, level)
        params = np.array([2000, *ranks, 0], dtype=np.int64)
        for draws in (random, tied, short, -short):  # -short: the high tail too short
            want = np.array(bootstrap.percentile_interval(draws, level))  # np.percentile of the draws
            got = bootstrap_kernel.interval(draws.copy(), 0, 2000, params, np.array(gammas),
                                            np.empty(3 * bootstrap.CUT))
            assert np.array_equal(want, np.array(got)), (level, draws[:3])


def test_interval_at_the_extremes_only_when_the_ranks_are_there() -> None:
    """When the ranks the interval reads are all draws equal to the smallest and the largest draw (resamples of
    two or three values), the kernel takes the interval from the extremes without selecting: with 51 draws at each
    extreme (the ranks at 95% of 2,000 are 49, 50, 1949 and 1950) that is np.percentile's interval; with 50 at
    either end it declines, and the interval selects."""
    from analysis.stats import bootstrap_kernel

    ranks, gammas = bootstrap.percentile_ranks(2000, 0.95)
    params, weights = np.array([2000, *ranks, 0], dtype=np.int64), np.array(gammas)
    rng = np.random.default_rng(12)
    for at_low, at_high in ((51, 51), (50, 51), (51, 50)):
        draws = 0.1 + 0.8 * rng.random(2000)
        draws[:at_low], draws[-at_high:] = 0.05, 0.95
        draws = rng.permutation(draws)
        want = np.array(bootstrap.percentile_interval(draws, 0.95))  # np.percentile of the draws
        ends = bootstrap_kernel.extreme_ends(draws, 0, 2000, params, weights)
        if at_low == at_high == 51:
            assert ends is not None and np.array_equal(np.array(ends), want) and want.tolist() == [0.05, 0.95]
        else:
            assert ends is None and (want[0] > 0.05 or want[1] < 0.95)
        got = bootstrap_kernel.interval(draws.copy(), 0, 2000, params, weights, np.empty(3 * bootstrap.CUT))
        assert np.array_equal(np.array(got), want)
