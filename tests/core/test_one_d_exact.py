"""The 1-D route's exact answer (issue 20): the sorted coupling walked in integers.

The exact problem on the line (emdkit.core.one_d.monotone_emd): weights and positions the
float64s they are, costs |x − y| or (x − y)² evaluated exactly on those positions (not the
float64 costs the kernel rounds). The oracles build those costs from Fractions of the points:
the rational LP of tests/core/oracle.py for small problems (it knows nothing of sorting), the
textbook closed forms (∫|F − G|, the quantile form) in Fractions at any size, and SciPy and
POT as float oracles. Each property test draws a seed (hypothesis, derandomized under the "ci"
profile) and builds inputs with ties, duplicated points and wide ranges from it.
"""
from fractions import Fraction

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

import emdkit
from emdkit.core import exact as exact_module
from emdkit.core.exact import exact_everywhere

from .oracle import line_costs_exact, line_work_exact, rational_emd_work

METRICS = ("euclidean", "sqeuclidean", "cityblock", "chebyshev")
SEEDS = st.integers(0, 2**32 - 1)
# The exact walk needs the compiled engine; the Numba reference engine answers in float.
EXACT = exact_everywhere()


def power(metric):
    return 2 if metric == "sqeuclidean" else 1


def rounded(value: Fraction) -> float:
    """A rational correctly rounded to float64 (CPython's int / int), ±inf past the range."""
    try:
        return float(value)
    except OverflowError:
        return float("inf")


def positions(rng, size, *, wide=False):
    """Points with ties and duplicates: a small lattice, normals, and (wide) magnitudes
    from 1e-300 to 1e300 of either sign."""
    kind = rng.integers(3) if not wide else 3
    if kind == 0:
        return rng.integers(-4, 5, size) / 8.0
    x = rng.normal(size=size) * 10.0 ** rng.integers(-3, 4)
    if kind == 1:
        x[rng.random(size) < 0.3] = x[0]
        return x
    if kind == 2:
        return np.round(x, 1)
    mags = 10.0 ** rng.uniform(-300, 300, size)
    x = np.where(rng.random(size) < 0.5, -mags, mags)
    x[rng.random(size) < 0.1] = 0.0
    return x


def equal_total_weights(rng, m, n, *, wide=False):
    """(wx, wy) with Σwx = Σwy exactly: integers split at random times one power of two, or
    weights (wide: spanning 1e-150…1e150) halved and dealt to both sides, n = 2m (halving and
    permuting keep the sum)."""
    if not wide and rng.random() < 0.5:
        wx = rng.integers(1, 50, m).astype(float) * n
        wy = 1.0 + rng.multinomial(int(wx.sum()) - n, np.full(n, 1.0 / n))
        scale = 2.0 ** int(rng.integers(-60, 60))
        return wx * scale, wy * scale
    wx = 10.0 ** rng.uniform(-150, 150, m) if wide else np.round(rng.random(m) + 0.01, 3)
    wy = np.concatenate([wx / 2, wx / 2])
    return wx, wy[rng.permutation(wy.size)]


def signature_problem(rng, m, *, wide=False):
    wx, wy = equal_total_weights(rng, m, int(rng.integers(1, 6)), wide=wide)
    return positions(rng, wx.size, wide=wide), wx, positions(rng, wy.size, wide=wide), wy


def assert_exact(r, work: Fraction, total: Fraction, float_rel=1e-12):
    """The correctly rounded optimum with the compiled engine; under the Numba reference
    engine (the float walk, exact False) within ``float_rel``, None: not checked (weights
    spanning 1e-150…1e150 leave the float walk's remainders off by up to ~1e-5)."""
    assert r.method == "monotone_1d"
    if EXACT:
        assert r.exact and r.gap == 0.0
        assert r.distance == rounded(work / total)
        assert r.work == rounded(work)
    else:
        assert not r.exact
        if float_rel is not None:
            assert r.distance == pytest.approx(rounded(work / total), rel=float_rel,
                                               abs=1e-300)


@given(seed=SEEDS, metric=st.sampled_from(METRICS))
def test_small_problems_equal_the_rational_lp_on_exact_costs(seed, metric):
    rng = np.random.default_rng(seed)
    m, n = (int(k) for k in rng.integers(1, 6, size=2))
    wx, wy = equal_total_weights(rng, m, n)
    x, y = positions(rng, wx.size), positions(rng, wy.size)
    r = emdkit.signature_emd(x, wx, y, wy, metric)
    work = rational_emd_work(wx, wy, line_costs_exact(x, y, power(metric)))
    assert_exact(r, work, sum(Fraction(w) for w in wx))


@given(seed=SEEDS, metric=st.sampled_from(METRICS), wide=st.booleans())
def test_larger_problems_equal_the_closed_form_in_fractions(seed, metric, wide):
    rng = np.random.default_rng(seed)
    m, n = (int(k) for k in rng.integers(1, 300, size=2))
    x, wx, y, wy = signature_problem(rng, m, wide=wide) if wide else (None,) * 4
    if not wide:
        wx, wy = equal_total_weights(rng, m, n)
        x, y = positions(rng, wx.size), positions(rng, wy.size)
    r = emdkit.signature_emd(x, wx, y, wy, metric)
    total = sum(Fraction(w) for w in wx)
    assert_exact(r, line_work_exact(x, wx, y, wy, power(metric)), total,
                 float_rel=None if wide else 1e-12)


@given(seed=SEEDS)
@settings(max_examples=30)
def test_flows_are_the_exact_staircase_rounded(seed):
    rng = np.random.default_rng(seed)
    x, wx, y, wy = signature_problem(rng, int(rng.integers(1, 40)), wide=bool(rng.random() < .3))
    r = emdkit.signature_emd(x, wx, y, wy, "sqeuclidean")
    F = r.flow
    ulps = np.spacing(np.maximum(wx.max(), wy.max())) * (wx.size + wy.size)
    np.testing.assert_allclose(F.sum(axis=1), wx, rtol=0, atol=ulps)
    np.testing.assert_allclose(F.sum(axis=0), wy, rtol=0, atol=ulps)
    assert np.all(F >= 0)


def test_weights_normalised_with_float_drift_are_exact_only_when_the_sums_agree():
    """w / w.sum() on each side: the exact totals differ in the last bits (40 of 40 draws
    here), and Rubner's problem is then a partial matching that the sorted coupling does not
    solve exactly: those answers stay float (exact False), within SciPy's tolerance. The same
    normalised weights permuted onto the other side have the same exact total: exact."""
    rng = np.random.default_rng(20)
    seen = set()
    for k in range(40):
        m, n = (int(t) for t in rng.integers(2, 60, size=2))
        wx = rng.random(m) + 0.01
        wx = wx / wx.sum()
        if k % 4 == 0:
            n, wy = m, wx[rng.permutation(m)]
        else:
            wy = rng.random(n) + 0.01
            wy = wy / wy.sum()
        x, y = positions(rng, m), positions(rng, n)
        r = emdkit.signature_emd(x, wx, y, wy, "euclidean")
        sa, sb = sum(map(Fraction, wx)), sum(map(Fraction, wy))
        seen.add(sa == sb)
        assert r.method == "monotone_1d" and r.exact == (EXACT and sa == sb)
        want = scipy.stats.wasserstein_distance(x, y, wx, wy)
        assert r.distance == pytest.approx(want, rel=1e-12, abs=1e-15)
        if sa == sb:
            assert_exact(r, line_work_exact(x, wx, y, wy, 1), sa)
    assert seen == {False, True}


def test_uniform_weights_of_equal_counts_are_exact():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=500), rng.normal(size=500) + 0.25
    w = np.full(500, 1 / 500)
    r = emdkit.signature_emd(x, w, y, w, "cityblock")
    assert_exact(r, line_work_exact(x, w, y, w, 1), sum(map(Fraction, w)))


@given(seed=SEEDS)
@settings(max_examples=20)
def test_scipy_and_pot_agree_within_their_tolerance(seed):
    ot = pytest.importorskip("ot")
    rng = np.random.default_rng(seed)
    x, wx, y, wy = signature_problem(rng, int(rng.integers(2, 200)))
    w1 = emdkit.signature_emd(x, wx, y, wy, "euclidean").distance
    assert w1 == pytest.approx(scipy.stats.wasserstein_distance(x, y, wx, wy), rel=1e-12,
                               abs=1e-15)
    w2 = emdkit.signature_emd(x, wx, y, wy, "sqeuclidean").distance
    pot = ot.wasserstein_1d(x, y, wx / wx.sum(), wy / wy.sum(), p=2)
    assert w2 == pytest.approx(float(pot), rel=1e-9, abs=1e-15)


def test_exact_ties_take_the_degenerate_cell():
    """Cumulative weights that meet exactly (A_i = B_j) step the row first, with a zero flow."""
    x, wx = np.array([0.0, 1.0, 2.0]), np.array([0.25, 0.5, 0.25])
    y, wy = np.array([0.5, 1.5]), np.array([0.75, 0.25])
    for metric in METRICS:
        r = emdkit.signature_emd(x, wx, y, wy, metric)
        assert_exact(r, line_work_exact(x, wx, y, wy, power(metric)), Fraction(1))
        assert r.flow_values.size == 3


def test_extreme_magnitudes():
    big = emdkit.signature_emd([-1e300, 1e300], [1.0, 1.0], [1e300, -1e300], [1.0, 1.0],
                               "sqeuclidean")
    assert big.distance == 0.0
    far = emdkit.signature_emd([-1e300], [1.0], [1e300], [1.0], "sqeuclidean")
    assert far.distance == float("inf")  # 4e600 rounds to inf, as the float walk gives
    # squares near the subnormals, where the float products lose their last bits
    x, y, w = np.array([0.0, 3e-160]), np.array([1e-160, 7e-160]), np.ones(2)
    tiny = emdkit.signature_emd(x, w, y, w, "sqeuclidean")
    assert_exact(tiny, line_work_exact(x, w, y, w, 2), Fraction(2))
    both_ends = emdkit.signature_emd([1e-300, 1e300], [1.0, 1.0], [-1e-300, 1e300], [1.0, 1.0])
    assert_exact(both_ends, 2 * Fraction(1e-300), Fraction(2))


def test_verification_switch_off_gives_the_float_walk(monkeypatch):
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=50), rng.normal(size=50)
    w = np.ones(50)
    monkeypatch.setattr(exact_module, "VERIFY_EVERY_ANSWER", False)
    r = emdkit.signature_emd(x, w, y, w)
    assert not r.exact and r.method == "monotone_1d"
    assert r.distance == pytest.approx(scipy.stats.wasserstein_distance(x, y), rel=1e-13)


@pytest.mark.slow
@pytest.mark.parametrize("metric", ["euclidean", "sqeuclidean"])
def test_a_hundred_thousand_points_equal_the_fraction_closed_form(metric):
    rng = np.random.default_rng(100_000)
    n = 100_000
    x, y = rng.normal(size=n), rng.normal(size=n) * 1.5 + 0.1
    x[: n // 10] = x[0]  # a block of ties
    wx = rng.integers(1, 100, n).astype(float)
    wy = wx[rng.permutation(n)]
    r = emdkit.signature_emd(x, wx, y, wy, metric)
    assert_exact(r, line_work_exact(x, wx, y, wy, power(metric)), sum(map(Fraction, wx)))


@given(seed=SEEDS)
@settings(max_examples=30)
def test_flows_above_64_bits_on_the_grid_round_correctly(seed):
    """Weights from 2**-100 to 1: the grid's unit is 2**-152, a flow of 0.5 is 2**151 units
    (beyond the one-limb conversion); positions stay in 128 bits (the narrow arithmetic)."""
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 30))
    wx = (rng.random(m) + 0.5) * 2.0 ** -rng.integers(0, 100, m)
    wy = np.concatenate([wx / 2, wx / 2])[rng.permutation(2 * m)]
    x, y = positions(rng, m), positions(rng, 2 * m)
    for metric in ("cityblock", "sqeuclidean"):
        r = emdkit.signature_emd(x, wx, y, wy, metric)
        assert_exact(r, line_work_exact(x, wx, y, wy, power(metric)), sum(map(Fraction, wx)))
        if EXACT:
            F = r.flow  # each flow the exact one rounded: the marginals hold to an ulp each
            assert np.all(np.abs(F.sum(axis=1) - wx) <= np.spacing(wx) * (2 * m))
