"""Matrix-free exact verification of point-cloud answers (issue 20): the compiled engine's
column generation (cpp/exact/sparse_exact.hpp) against the rational oracle, HiGHS and POT.

The small cases call :func:`emdkit.core.pointcloud.solve_exact_cloud` directly, so that the
matrix-free route runs where signature_emd would take a dense path; its start is the float
basis, nothing (every arc from the sweeps), or a wrong basis on purpose.
"""
from fractions import Fraction

import numpy as np
import pytest

import emdkit
from emdkit.core import pointcloud
from emdkit.core.costs import lookup_metric
from emdkit.core.engine import native_engine
from emdkit.core.exact import refine_exact
from emdkit.core.problem import TransportProblem

from .oracle import lp_emd_work, rational_emd_work

pytestmark = pytest.mark.skipif(
    native_engine() is None or not hasattr(native_engine(), "exact_cloud_transport"),
    reason="the compiled engine's exact_cloud_transport")

NO_ARCS = np.zeros(0, np.int64)


def kernel_costs(X, Y, metric):
    """The dense costs exactly as the kernel computes them (the exact problem's costs)."""
    code = lookup_metric(metric).code
    ii, jj = np.divmod(np.arange(X.shape[0] * Y.shape[0]), Y.shape[0])
    return pointcloud._pair_costs(X, Y, ii, jj, code).reshape(X.shape[0], Y.shape[0])


def exact_from_nothing(X, a, Y, b, metric, **kwargs):
    """The matrix-free exact solve with no arcs and no hint: every arc comes from a sweep."""
    problem = TransportProblem.from_weights(a, b)
    Xk = np.ascontiguousarray(X[problem.rows], dtype=np.float64)
    Yk = np.ascontiguousarray(Y[problem.cols], dtype=np.float64)
    return pointcloud.solve_exact_cloud(problem, Xk, Yk, lookup_metric(metric).code, NO_ARCS,
                                        NO_ARCS, NO_ARCS, **kwargs)


def exact_from_float(X, a, Y, b, metric):
    """The matrix-free exact solve from the float solver's arc set, basis and duals."""
    problem = TransportProblem.from_weights(a, b)
    Xk = np.ascontiguousarray(X[problem.rows], dtype=np.float64)
    Yk = np.ascontiguousarray(Y[problem.cols], dtype=np.float64)
    code = lookup_metric(metric).code
    ns = pointcloud.solve_pointcloud(problem, Xk, Yk, code, 10**7)
    rows, cols, hint = pointcloud.float_basis(ns, problem.n_rows)
    return pointcloud.solve_exact_cloud(problem, Xk, Yk, code, rows, cols, hint,
                                        ns.pi[: ns.n_nodes])


def rational(a, b, C):
    """The exact optimal work, by the Fraction transportation simplex (an oracle for sizes
    beyond the tableau's; its agreement with the tableau is tests/core/test_exactness.py's)."""
    return sum(refine_exact(np.asarray(a, float), np.asarray(b, float), C,
                            NO_ARCS, NO_ARCS)[7:8], Fraction(0))


def small_cases():
    """(name, X, a, Y, b, metric): the hard families at sizes the tableau oracle takes."""
    rng = np.random.default_rng(20)
    cases = []
    for k in range(6):
        m, n = rng.integers(2, 7, size=2)
        X, Y = rng.random((m, 2)), rng.random((n, 2))
        cases.append((f"random{k}", X, rng.random(m) + 0.05, Y, rng.random(n) + 0.05,
                      ["sqeuclidean", "euclidean"][k % 2]))
    X = rng.random((4, 2))
    cases.append(("coincident", X, np.ones(4), X[[2, 0, 3, 1]].copy(), np.ones(4), "euclidean"))
    cases.append(("split_copies", X[:3], np.array([0.5, 0.25, 0.25]),
                  X[[0, 0, 1, 2, 2]].copy(), np.array([0.2, 0.3, 0.25, 0.125, 0.125]),
                  "sqeuclidean"))
    grid = np.array([[i, j] for i in range(3) for j in range(2)], float)
    cases.append(("integer_grid", grid, np.ones(6), grid[::-1] + 1.0, np.ones(6), "sqeuclidean"))
    wide = np.array([[1e-9, 0.0], [3e-9, 1e-9], [1e6, -1e6], [2.5e6, 7e5]])
    cases.append(("wide_range", wide, np.array([1.0, 2.0, 3.0, 4.0]), wide[[1, 3, 0, 2]] * 1.5,
                  np.array([4.0, 1.0, 3.0, 2.0]), "sqeuclidean"))
    cases.append(("unbalanced_sink", X, np.array([1.0, 2.0, 1.0, 3.0]), X[:2] + 0.1,
                  np.array([1.0, 1.5]), "euclidean"))
    cases.append(("unbalanced_source", X[:2], np.array([0.3, 0.1]), X, np.ones(4), "euclidean"))
    return cases


@pytest.mark.parametrize("case", small_cases(), ids=lambda c: c[0])
def test_small_problems_equal_the_rational_oracle_from_no_arcs_at_all(case):
    _, X, a, Y, b, metric = case
    C = kernel_costs(X, Y, metric)
    want = rational_emd_work(a, b, C)
    sol, out = exact_from_nothing(X, a, Y, b, metric)
    assert sol.work == float(want)  # correctly rounded from the exact optimum
    assert out["sweeps"] >= 1 and out["arcs"] > 0
    narrow, _ = exact_from_nothing(X, a, Y, b, metric, width=-1)  # BigInt throughout
    assert narrow.work == sol.work and narrow.distance == sol.distance


@pytest.mark.parametrize("case", small_cases(), ids=lambda c: c[0])
def test_small_problems_from_the_float_basis_equal_the_oracle(case):
    _, X, a, Y, b, metric = case
    sol, _ = exact_from_float(X, a, Y, b, metric)
    assert sol.work == float(rational_emd_work(a, b, kernel_costs(X, Y, metric)))


def test_split_copies_have_optimum_exactly_zero():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(35, 4))
    copies = rng.integers(0, 35, size=188)
    copies[:35] = np.arange(35)
    w = rng.integers(1, 100, size=188) / 64.0  # dyadic: the sums below are exact
    a = np.bincount(copies, weights=w, minlength=35)
    sol, out = exact_from_nothing(X, a, X[copies].copy(), w, "euclidean")
    assert sol.work == 0.0 and sol.distance == 0.0
    assert out["status"] == 0


@pytest.mark.parametrize("metric", ["sqeuclidean", "euclidean"])
def test_degenerate_integer_grid_equals_the_fraction_simplex(metric):
    # 6×6 grid against itself shifted: thousands of tied reduced costs
    grid = np.array([[i, j] for i in range(6) for j in range(6)], float)
    a = np.ones(36)
    b = np.ones(36)
    C = kernel_costs(grid, grid + [1.0, 0.0], metric)
    sol, out = exact_from_nothing(grid, a, grid + [1.0, 0.0], b, metric)
    assert sol.work == float(rational(a, b, C))
    assert out["pivots"] > 0


def test_a_wrong_basis_is_pivoted_to_the_optimum():
    """The hint is the float basis of another problem (Y reversed): the exact column
    generation must pivot, and lands on the optimum of this one."""
    rng = np.random.default_rng(7)
    n = 200
    X, Y = rng.random((n, 2)), rng.random((n, 2))
    a, b = rng.random(n) + 0.1, rng.random(n) + 0.1
    b *= a.sum() / b.sum()
    problem = TransportProblem.from_weights(a, b)
    code = lookup_metric("sqeuclidean").code
    wrong = pointcloud.solve_pointcloud(problem, X, Y[::-1].copy(), code, 10**7)
    rows, cols, hint = pointcloud.float_basis(wrong, problem.n_rows)
    sol, out = pointcloud.solve_exact_cloud(problem, X, Y, code, rows, cols, hint)
    assert out["pivots"] > 0 and not out["hint_optimal"]
    right, _ = exact_from_float(X, a, Y, b, "sqeuclidean")
    assert sol.work == right.work and sol.distance == right.distance
    C = kernel_costs(X, Y, "sqeuclidean")
    assert sol.work == pytest.approx(lp_emd_work(a, b, C), rel=1e-9)


def test_regrids_when_a_sweep_meets_a_finer_cost():
    # the dummy-free start has no arcs, so its grid is set by the first joins (coarse costs
    # between far points); the sweeps meet the tiny costs of the near pairs
    X = np.array([[0.0, 0.0], [1e3, 0.0], [0.0, 1e3]])
    Y = X + 1e-7
    w = np.ones(3)
    sol, out = exact_from_nothing(X, w, Y, w, "sqeuclidean")
    assert out["regrids"] >= 1
    assert sol.work == float(rational_emd_work(w, w, kernel_costs(X, Y, "sqeuclidean")))


@pytest.mark.parametrize("dim,metric,uniform", [(2, "sqeuclidean", True), (3, "euclidean", False),
                                                (2, "euclidean", False), (3, "sqeuclidean", True)])
def test_signature_emd_on_clouds_is_exact_and_matches_highs_and_pot(dim, metric, uniform):
    ot = pytest.importorskip("ot")
    rng = np.random.default_rng(dim)
    n = 250
    X, Y = rng.random((n, dim)), rng.random((n, dim))
    a = np.ones(n) if uniform else rng.random(n) + 0.01
    b = np.ones(n) if uniform else rng.random(n) + 0.01
    a, b = a / a.sum(), b / b.sum()
    r = emdkit.signature_emd(X, a, Y, b, metric, method="pointcloud")
    assert r.exact and r.gap == 0.0 and r.method == "pointcloud"
    C = kernel_costs(X, Y, metric)
    assert r.distance == pytest.approx(lp_emd_work(a, b, C), rel=1e-9)
    assert r.distance == pytest.approx(ot.emd2(a, b, C, numItermax=10**7), rel=1e-9)
    # the exact duals are feasible for every pair (rounded once each)
    assert np.all(r.u[:, None] + r.v[None, :] <= C + 4e-16 * C.max())


def test_every_exact_route_gives_the_same_bits():
    """Pointcloud, multiscale and the dense exact simplex solve the same exact problem: their
    correctly rounded distances are equal to the last bit."""
    from emdkit.core.exact import solve_exact
    rng = np.random.default_rng(11)
    n = 256
    X, Y = rng.random((n, 2)), rng.random((n, 2))
    w = np.ones(n) / n
    single = emdkit.signature_emd(X, w, Y, w, "sqeuclidean", method="pointcloud")
    multi = emdkit.signature_emd(X, w, Y, w, "sqeuclidean", method="multiscale")
    problem = TransportProblem.from_weights(w, w)
    dense = solve_exact(problem, kernel_costs(X, Y, "sqeuclidean"), 0, NO_ARCS, NO_ARCS)
    assert single.exact and multi.exact and multi.method == "multiscale"
    assert single.distance == multi.distance == dense.distance
    assert single.work == dense.work


@pytest.mark.slow
@pytest.mark.parametrize("metric", ["sqeuclidean", "euclidean"])
def test_ten_thousand_points_are_exact(metric):
    rng = np.random.default_rng(5)
    n = 10_000
    X, Y = rng.random((n, 2)), rng.random((n, 2))
    a, b = rng.random(n) + 0.01, rng.random(n) + 0.01
    a, b = a / a.sum(), b / b.sum()
    r = emdkit.signature_emd(X, a, Y, b, metric)
    assert r.exact and r.gap == 0.0
    F = r.flow_sparse()
    assert np.allclose(np.asarray(F.sum(axis=1)).ravel(), a, rtol=0, atol=1e-15)


@pytest.mark.parametrize("method", ["pointcloud", "multiscale"])
def test_zero_weight_points_get_duals_without_a_dense_block(method, monkeypatch):
    """Dropped points' duals come from a k-d tree (min_j c_ij − v_j), not from cost rows."""
    rng = np.random.default_rng(9)
    n = 300
    X, Y = rng.random((n, 2)), rng.random((n, 2))
    a, b = rng.random(n) + 0.01, rng.random(n) + 0.01
    a[::7] = 0.0
    b[::5] = 0.0
    a, b = a / a.sum(), b / b.sum()
    r = emdkit.signature_emd(X, a, Y, b, "sqeuclidean", method=method)
    from emdkit.core import prepare

    def no_dense(*_):
        raise AssertionError("a dense cost block was formed")
    monkeypatch.setattr(prepare.PreparedProblem, "cost_rows", no_dense)
    monkeypatch.setattr(prepare.PreparedProblem, "cost_cols", no_dense)
    u, v = r.u, r.v
    C = kernel_costs(X, Y, "sqeuclidean")
    # the exact duals are each rounded once: feasible up to their last places
    slack = 2.0**-50 * (np.abs(u)[:, None] + np.abs(v)[None, :] + C)
    assert np.all(u[:, None] + v[None, :] <= C + slack)
    kept_c = b > 0
    dropped_r = a == 0
    # each dropped row's dual is as large as feasibility allows against the kept columns
    np.testing.assert_allclose(u[dropped_r], (C[dropped_r][:, kept_c] - v[kept_c]).min(axis=1),
                               rtol=0, atol=1e-15)
