"""Issue 20: inputs the float certificate used to refuse — big-M costs, optima of 0 — return
the right value.

The strict certificate (work within 1e-11 of a proven lower bound, relative to the work) cannot
hold when the optimum vanishes, or when a residual of a few ulps is priced at a 1e12 cost; the
float64-scale verdict (certificate.py) settles them. Values are judged against the rational LP
(tests/core/oracle.py) at small sizes and HiGHS beyond; POT where it is installed.
"""
import numpy as np
import pytest

import emdkit
from emdkit.core.certificate import CERT_RTOL, certify, judge

from .families import BIG_COSTS, big_m_family, big_m_problem, split_copies, split_copies_family
from .oracle import lp_emd_work
from .test_exactness import assert_duals_feasible, exact_distance

# HiGHS solves with feasibility tolerances of 1e-10 (oracle.py): agreement to 1e-9 relative
HIGHS_REL = 1e-9
# The rational LP's size limit in these tests (its dense tableau grows as (m·n)²)
RATIONAL_MAX_PAIRS = 30
# scipy.stats' own tolerance for a distribution moved onto itself (test_same_distribution_nD)
SCIPY_ZERO_ATOL = 1e-15


def assert_exact_when_said(a, b, C, r):
    """An answer that says it is exact EQUALS the rational optimum rounded to nearest: the
    optimum of an independent exact solve whose basis is checked in Fraction arithmetic (tree
    flows >= 0, every reduced cost >= 0)."""
    if not r.exact:
        return
    from fractions import Fraction

    from .test_exact_integer import assert_exact_certificate, solve_native
    work = assert_exact_certificate(a, b, C, solve_native(a, b, C))
    assert r.distance == float(work / min(sum(map(Fraction, a)), sum(map(Fraction, b))))


def check_big_m(a, b, C):
    r = emdkit.emd(a, b, C)
    assert r.gap <= CERT_RTOL
    if C.size <= RATIONAL_MAX_PAIRS:
        assert r.distance == pytest.approx(exact_distance(a, b, C), rel=CERT_RTOL, abs=0)
        if r.exact:
            assert r.distance == exact_distance(a, b, C)
    else:
        assert r.work == pytest.approx(lp_emd_work(a, b, C), rel=HIGHS_REL)
    assert_duals_feasible(r, C)
    return r


# ---------------------------------------------------------------- the repros

def pot_sparse_test_matrix(n1, n2, k, seed):
    """The dense matrix of POT's test_emd2_sparse_vs_dense: rand(n1, n2), k allowed arcs per
    row and per column, 1e8 added elsewhere (numpy's legacy RandomState, as POT draws it)."""
    rng = np.random.RandomState(seed)
    M = rng.rand(n1, n2)
    mask = np.zeros((n1, n2))
    for i in range(n1):
        mask[i, rng.choice(n2, min(k, n2), replace=False)] = 1
    for j in range(n2):
        mask[rng.choice(n1, min(k, n1), replace=False), j] = 1
    return M + 1e8 * (1 - mask)


def test_pot_sparse_test_big_m_matrix_returns_the_optimum():
    M = pot_sparse_test_matrix(100, 150, 2, seed=43)
    a, b = np.full(100, 1 / 100), np.full(150, 1 / 150)
    r = emdkit.emd(a, b, M)
    expected = lp_emd_work(a, b, M)
    assert r.work == pytest.approx(expected, rel=HIGHS_REL)
    assert r.gap <= CERT_RTOL
    assert_exact_when_said(a, b, M, r)
    ot = pytest.importorskip("ot")
    assert r.work == pytest.approx(ot.emd2(a, b, M), rel=1e-7)  # POT's own tolerance


def test_scipy_same_distribution_35_points_against_188_copies_in_4d():
    # SciPy's seed; split_copies draws in SciPy's order (n_value=35, ndim=4, max_repeats=10)
    X, wx, Y, wy = split_copies(np.random.default_rng(363836384995579937222333), 35, 4, 10)
    assert Y.shape == (188, 4)
    r = emdkit.signature_emd(X, wx, Y, wy)
    assert r.distance == pytest.approx(0.0, abs=SCIPY_ZERO_ATOL)
    assert r.gap <= CERT_RTOL
    assert_duals_feasible(r, emdkit.ground_distance(X, Y))
    assert_exact_when_said(wx, wy, emdkit.ground_distance(X, Y), r)


@pytest.mark.slow
def test_forty_big_m_problems_of_50_to_300_points_match_highs():
    # the repro: 32 of these 40 raised SolverError before
    rng = np.random.default_rng(2020)
    for _ in range(40):
        m, n = (int(x) for x in rng.integers(50, 301, size=2))
        check_big_m(*big_m_problem(rng, m, n, float(rng.choice(BIG_COSTS))))


def test_forty_split_copy_signatures_have_distance_zero():
    # the other repro: 24 of 40 such signatures raised SolverError before
    rng = np.random.default_rng(2021)
    for _ in range(40):
        X, wx, Y, wy = split_copies(rng, int(rng.integers(4, 36)), int(rng.integers(3, 8)), 10)
        r = emdkit.signature_emd(X, wx, Y, wy)
        assert r.distance == pytest.approx(0.0, abs=SCIPY_ZERO_ATOL)


def test_split_copies_on_the_matrix_free_path_have_distance_zero():
    # 500 points against ~1,450 copies: past 250,000 pairs, the point-cloud path, whose
    # certificate refused every such signature before; where the strict certificate fails,
    # the compiled engine solves it exactly on the kernel's costs
    X, wx, Y, wy = split_copies(np.random.default_rng(5), 500, 5, 6)
    r = emdkit.signature_emd(X, wx, Y, wy)
    assert r.method in ("pointcloud", "exact_integer")
    assert r.distance == pytest.approx(0.0, abs=SCIPY_ZERO_ATOL)
    assert r.gap <= CERT_RTOL


# ---------------------------------------------------------------- seeded families

@pytest.mark.parametrize("sizes", [(2, 6), (10, 61)], ids=["rational", "highs"])
def test_big_m_family_matches_the_oracles(sizes):
    for a, b, C in big_m_family(20, 30, sizes):
        check_big_m(a, b, C)


def check_split_copies(X, wx, Y, wy):
    r = emdkit.signature_emd(X, wx, Y, wy)
    assert r.distance == pytest.approx(0.0, abs=SCIPY_ZERO_ATOL)
    assert r.gap <= CERT_RTOL
    C = emdkit.ground_distance(X, Y)
    if C.size <= RATIONAL_MAX_PAIRS:  # the exact optimum: the weights' rounding, moved
        assert r.distance == pytest.approx(exact_distance(wx, wy, C), abs=SCIPY_ZERO_ATOL)
        if r.exact:
            assert r.distance == exact_distance(wx, wy, C)
    assert_duals_feasible(r, C)


def test_split_copies_family_is_zero_and_matches_the_rational_oracle():
    for signatures in split_copies_family(21, 60, 2):
        check_split_copies(*signatures)


@pytest.mark.slow
def test_thousand_big_m_problems_up_to_300_points_raise_no_solver_error():
    # every one is certified; HiGHS checks one in 25 (it takes ~1 s at 300×300)
    for k, (a, b, C) in enumerate(big_m_family(22, 1000, (10, 301))):
        if k % 25 == 0:
            check_big_m(a, b, C)
        else:
            assert emdkit.emd(a, b, C).gap <= CERT_RTOL


@pytest.mark.slow
def test_thousand_split_copy_signatures_are_zero():
    for signatures in split_copies_family(23, 1000, 4):
        check_split_copies(*signatures)


# ---------------------------------------------------------------- the verdicts themselves

def test_judge_scales_the_gap_by_the_dual_objective_not_the_work():
    # an optimum near 0: W = 1e-17 with duals of order 1 is settled on the float64 scale
    ok, gap = judge(1e-17, 0.0, 5.0, 10, 1e-16, 1.0, 1.0)
    assert not ok and gap <= CERT_RTOL
    # a real shortfall (LB 1e-9 below W = 1) fails on both scales
    ok, gap = judge(1.0, 1.0 - 1e-9, 2.0, 10, 0.0, 1.0, 1.0)
    assert not ok and gap > CERT_RTOL
    # a flow that misses its marginals by more than MARGINAL_RTOL is never accepted
    assert judge(1e-17, 0.0, 5.0, 10, 1e-9, 1.0, 1.0) == (False, np.inf)


def test_a_suboptimal_flow_is_not_certified_on_either_scale():
    C = np.array([[1.0, 5.0, 9.0], [5.0, 1.0, 5.0], [9.0, 5.0, 1.0]])
    supply = np.array([1.0, 1.0, 1.0, -1.0, -1.0, -1.0])
    ones = np.ones(3)

    def tree_potentials():
        # the tree (0,0), (0,1), (1,1), (1,2), (2,2), π_0 = 0, π_column = π_row + cost:
        # u = (0, -4, -8), v = (1, 5, 9) are optimal duals (objective 3, the diagonal's work)
        return np.array([0.0, 4.0, 8.0, 1.0, 5.0, 9.0])

    diagonal = np.array([0, 1, 2])
    ok, _, _, gap = certify(C, 3, supply, tree_potentials(), diagonal, diagonal, ones, 3.0, 0)
    assert ok and gap <= CERT_RTOL  # the check can pass at all
    shifted = np.array([1, 2, 0])  # a feasible permutation of work 5 + 5 + 9 = 19
    ok, _, _, gap = certify(C, 3, supply, tree_potentials(), diagonal, shifted, ones, 19.0, 0)
    assert not ok and gap > CERT_RTOL
