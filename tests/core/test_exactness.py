"""Issue 11: every valid input gets the exact optimum or a documented SolverError.

Judged against an independent rational-arithmetic LP (tests/core/oracle.py), since HiGHS itself
is wrong on some of these inputs.
"""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import emdkit
from emdkit.core.certificate import CERT_RTOL

from .families import wide_range_problem
from .oracle import rational_emd_work

EPS = np.finfo(float).eps
# the documented promise: within the certified gap of the exact optimum, plus the last rounding
REL = CERT_RTOL + 4 * EPS


def assert_duals_feasible(r, C):
    """u_i + v_j <= c_ij up to the rounding of the sum itself (a few ulps of its terms)."""
    C = np.asarray(C, float)
    slack = 4 * EPS * (np.abs(r.u)[:, None] + np.abs(r.v)[None, :] + C)
    assert np.all(r.u[:, None] + r.v[None, :] <= C + slack)


def exact_distance(a, b, C) -> float:
    work = rational_emd_work(a, b, C)
    from fractions import Fraction
    total = min(sum(map(Fraction, map(float, a))), sum(map(Fraction, map(float, b))))
    return float(work / total)


# ---------------------------------------------------------------- the repros

def test_wide_cost_range_repro_is_exact_with_feasible_duals():
    a, b = [2.0, 3.0, 1.0], [2.0, 1.0]
    C = np.array([[1e-6, 1e-5], [1e11, 1e-7], [1e-7, 1e-4]])
    r = emdkit.emd(a, b, C)
    assert r.distance == pytest.approx(4e-7, rel=1e-15)
    assert r.distance == pytest.approx(exact_distance(a, b, C), rel=1e-15)
    assert_duals_feasible(r, C)
    # the dummy sink measures the potentials: u <= 0 when Σa > Σb
    assert np.all(r.u <= 0)


@pytest.mark.parametrize("value", [0.0, 3.0])
def test_constant_costs_at_n_1000_solve(value):
    r = emdkit.emd(np.ones(1000), np.ones(1000), np.full((1000, 1000), value))
    assert r.distance == value
    assert r.total_flow == 1000.0
    assert r.flow.sum() == pytest.approx(1000.0)


def test_coincident_point_clouds_at_2000_solve():
    r = emdkit.signature_emd(np.zeros((2000, 2)), np.ones(2000), np.ones((2000, 2)),
                             np.ones(2000))
    assert r.distance == pytest.approx(np.sqrt(2.0), rel=1e-15)


def test_wasserstein_1d_ignores_zero_weight_atoms():
    assert emdkit.wasserstein_1d([0.0] * 10 + [1e15], [0.0], [0.1] * 10 + [0.0], None,
                                 p=1) == 0.0
    assert emdkit.wasserstein_1d([0.0] * 10 + [1.0], [0.0], [0.1] * 10 + [0.0], None,
                                 p=2) == 0.0


def test_sorted_1d_path_returns_feasible_tight_duals():
    X, wx, Y, wy = [0.0, 2.0, 9.0], [0.3, 1e-20, 1e-20], [8.0], [0.3]
    r = emdkit.signature_emd(X, wx, Y, wy)
    assert r.method == "monotone_1d" and r.distance == 8.0
    C = emdkit.ground_distance(X, Y)
    assert_duals_feasible(r, C)


def _gauss(n, mean, sd):
    x = np.arange(n, dtype=float)
    h = np.exp(-(x - mean) ** 2 / (2 * sd ** 2))
    return h / h.sum()


def test_pot_1d_gaussian_case_has_feasible_duals():
    # POT's own test: x = arange(500) against arange(600), Gaussian weights
    x, y = np.arange(500.0), np.arange(600.0)
    a, b = _gauss(500, 300, 5), _gauss(600, 400, 10)
    r = emdkit.signature_emd(x, a, y, b)
    C = emdkit.ground_distance(x, y)
    assert r.work == pytest.approx(emdkit.signature_emd(x, a, y, b, method="dense").work,
                                   rel=1e-12)
    assert_duals_feasible(r, C)
    assert a @ r.u + b @ r.v == pytest.approx(r.work, rel=1e-9)


def test_subnormal_weights_give_the_scaled_answer():
    C = [[1, 2], [3, 1], [0.5, 0.25]]
    expected = emdkit.emd([0.2, 0.3, 0.5], [1e-3, 1e-3], C).distance
    assert expected == pytest.approx(0.375)
    assert emdkit.emd([0.2, 0.3, 0.5], [5e-324, 5e-324], C).distance == expected


def test_weight_totals_that_overflow_solve():
    C = [[1, 2], [3, 1], [0.5, 0.25]]
    assert emdkit.emd([0.2, 0.3, 0.5], [1e308, 1e308], C).distance == pytest.approx(0.625)
    assert emdkit.wasserstein_1d([0, 1, 3], [0.5, 2], [1e308] * 3) == pytest.approx(0.75)


def test_distance_stays_finite_when_only_the_work_overflows():
    a, b = [0.2, 0.3, 0.5], [0.5, 0.5]
    C = np.array([[1.0, 0.6], [0.2, 1.0], [0.9, 0.1]]) * 1.7e308
    r = emdkit.emd(np.array(a) * 1e10, np.array(b) * 1e10, C)
    expected = emdkit.emd(a, b, C / 1.7e308).distance * 1.7e308
    assert np.isfinite(r.distance)
    assert r.distance == pytest.approx(expected, rel=1e-14)
    assert r.work == np.inf  # 1e10 × 1e308: the work itself is not a float


def test_tiny_equal_costs_keep_the_dual_objective_equal_to_the_work():
    rng = np.random.default_rng(0)
    for C in (np.full((30, 20), 1e-9), 1e-9 * rng.random((30, 20))):
        a, b = rng.random(30), rng.random(20)
        b *= a.sum() / b.sum()
        r = emdkit.emd(a, b, C)
        assert a @ r.u + b @ r.v == pytest.approx(r.work, rel=1e-12)


def test_pairwise_signature_emd_and_batches_agree_bit_for_bit():
    rng = np.random.default_rng(5)
    sigs = []
    for _ in range(6):
        k = int(rng.integers(2, 30))
        sigs.append((rng.random((k, 3)), rng.random(k)))
    D = emdkit.pairwise_emd(sigs)
    cross = emdkit.cdist_emd(sigs[:3], sigs[3:])
    for i in range(6):
        for j in range(i + 1, 6):
            single = emdkit.signature_emd(*sigs[i], *sigs[j])
            assert D[i, j] == single.distance
            C = emdkit.ground_distance(sigs[i][0], sigs[j][0])
            assert emdkit.emd(sigs[i][1], sigs[j][1], C).distance == single.distance
            if i < 3 <= j:
                assert cross[i, j - 3] == single.distance
    batch = emdkit.emd_batch([s[1] for s in sigs[:3]], [s[1] for s in sigs[3:]],
                             [emdkit.ground_distance(sigs[i][0], sigs[i + 3][0])
                              for i in range(3)])
    for i in range(3):
        assert batch[i].distance == D[i, i + 3]


# ---------------------------------------------------------------- wide ranges, rational oracle

def check_against_rational(a, b, C):
    """Exact to the rounding of the last division, or a documented SolverError."""
    try:
        r = emdkit.emd(a, b, C)
    except emdkit.SolverError as exc:
        assert "dynamic range" in str(exc)
        return "solver_error"
    expected = exact_distance(a, b, C)
    assert r.distance == pytest.approx(expected, rel=REL, abs=0), (a, b, C)
    assert_duals_feasible(r, C)
    return r.method


def test_wide_cost_range_random_problems_against_the_rational_oracle():
    rng = np.random.default_rng(20261126)
    methods = [check_against_rational(*wide_range_problem(rng)) for _ in range(150)]
    assert "solver_error" not in methods  # small problems refine exactly instead


@pytest.mark.slow
def test_thousand_wide_range_problems_against_the_rational_oracle():
    rng = np.random.default_rng(11)
    methods = [check_against_rational(*wide_range_problem(rng)) for _ in range(1000)]
    assert "solver_error" not in methods


@pytest.mark.slow
def test_thousand_wide_range_problems_up_to_200_points_are_certified():
    # issue 20: well past 2,500 pairs, where no rational refinement runs. Before, float64
    # refused these; the rebuilt phase-2 potentials and the float64-scale verdict settle all
    # 1,000 (measured: ~half need the verdict). Values: see the rational test above and
    # bench/RESULTS.md ('wide-range problems against the exact optimum').
    rng = np.random.default_rng(2020)
    for _ in range(1000):
        a, b, C = wide_range_problem(rng, (10, 201))
        r = emdkit.emd(a, b, C)
        assert r.gap <= CERT_RTOL
        assert_duals_feasible(r, C)


finite_costs = st.one_of(
    st.floats(1e-12, 1e12, allow_nan=False),
    st.sampled_from([0.0, 1.0, 1.0, 2.0]),            # massive ties
)
# weights: small integers times one scale per side, from subnormal to near overflow, so
# sums overflow and ratios between the sides reach 2**1600 (the rational oracle is exact)
scales = st.sampled_from([5e-324, 1e-300, 1e-3, 1.0, 1e300, 1e307])


def weight_vector(size):
    return st.tuples(scales, st.lists(st.integers(0, 10), min_size=size, max_size=size)).map(
        lambda t: np.array([max(t[1][0], 1)] + t[1][1:], float) * t[0])


@settings(max_examples=80)
@given(st.data())
def test_property_extreme_inputs_against_the_rational_oracle(data):
    m = data.draw(st.integers(1, 4), label="m")
    n = data.draw(st.integers(1, 4), label="n")
    a = data.draw(weight_vector(m), label="a")
    b = data.draw(weight_vector(n), label="b")
    C = np.array(data.draw(st.lists(finite_costs, min_size=m * n, max_size=m * n),
                           label="C")).reshape(m, n)
    r = emdkit.emd(a, b, C)
    assert r.distance == pytest.approx(exact_distance(a, b, C), rel=REL, abs=0)
    assert_duals_feasible(r, C)


# ---------------------------------------------------------------- degenerate stress

@pytest.mark.parametrize("n", [1000, 2000])
@pytest.mark.parametrize("kind", ["zero", "constant", "tied"])
def test_degenerate_dense_problems_solve(n, kind):
    rng = np.random.default_rng(n)
    if kind == "zero":
        C = np.zeros((n, n))
    elif kind == "constant":
        C = np.full((n, n), 2.5)
    else:
        C = rng.integers(0, 3, size=(n, n)).astype(float)
    r = emdkit.emd(np.ones(n), np.ones(n), C)
    expected = {"zero": 0.0, "constant": 2.5}.get(kind)
    if expected is not None:
        assert r.distance == expected
    else:  # every row has a zero-cost column with overwhelming probability: a 0-cost matching
        assert r.distance <= 1e-12 or r.gap <= 1e-11
        assert_duals_feasible(r, C)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["zero", "constant", "tied"])
def test_degenerate_dense_problems_solve_at_5000(kind):
    test_degenerate_dense_problems_solve(5000, kind)


@pytest.mark.parametrize("n", [1000, 2000])
def test_coincident_clouds_with_ties_solve(n):
    rng = np.random.default_rng(1)
    X = np.repeat(rng.random((5, 2)), n // 5, axis=0)
    Y = np.repeat(rng.random((4, 2)), n // 4, axis=0)
    w = np.ones(n)
    pc = emdkit.signature_emd(X, w, Y, w, method="pointcloud")
    small = emdkit.signature_emd(np.unique(X, axis=0), np.full(5, n // 5),
                                 np.unique(Y, axis=0), np.full(4, n // 4))
    assert pc.distance == pytest.approx(small.distance, rel=1e-12)


@pytest.mark.slow
def test_coincident_clouds_at_5000_solve():
    r = emdkit.signature_emd(np.zeros((5000, 3)), np.ones(5000), np.ones((5000, 3)),
                             np.ones(5000))
    assert r.distance == pytest.approx(np.sqrt(3.0), rel=1e-15)
