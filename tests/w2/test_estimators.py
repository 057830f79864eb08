"""W2 estimators against independent oracles: linprog, sorted-sample formula, sqrtm, identities."""
import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, strategies as st
from scipy.optimize import linprog

from emdkit import wasserstein_1d
from emdkit.w2 import (coordinate_w2, exact_w2, fitted_gaussian_w2, gaussian_w2, psd_sqrt,
                       random_directions, sliced_w2)


def linprog_w2(X, Y, a, b):
    """W2 by a generic LP (HiGHS) on the squared-euclidean cost: an oracle independent of emdkit."""
    C = ((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
    m, n = C.shape
    A_eq = np.zeros((m + n, m * n))
    for i in range(m):
        A_eq[i, i * n:(i + 1) * n] = 1.0
    for j in range(n):
        A_eq[m + j, j::n] = 1.0
    res = linprog(C.ravel(), A_eq=A_eq, b_eq=np.concatenate([a, b]), bounds=(0, None),
                  method="highs")
    assert res.status == 0
    return np.sqrt(res.fun)


def random_spd(rng, d):
    A = rng.standard_normal((d, d))
    return A @ A.T + 0.1 * np.eye(d)


@pytest.mark.parametrize("seed", range(4))
def test_exact_w2_matches_linprog(seed):
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((7, 3)), rng.standard_normal((5, 3)) + 0.5
    a, b = rng.random(7) + 0.1, rng.random(5) + 0.1
    expected = linprog_w2(X, Y, a / a.sum(), b / b.sum())
    assert exact_w2(X, Y, a, b) == pytest.approx(expected, rel=1e-9)
    uniform = linprog_w2(X, Y, np.full(7, 1 / 7), np.full(5, 1 / 5))
    assert exact_w2(X, Y) == pytest.approx(uniform, rel=1e-9)


def test_exact_w2_in_1d_is_the_sorted_matching():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal(50), rng.exponential(size=50)
    expected = np.sqrt(np.mean((np.sort(x) - np.sort(y)) ** 2))
    assert exact_w2(x, y) == pytest.approx(expected, rel=1e-10)
    assert coordinate_w2(x, y) == pytest.approx(expected, rel=1e-10)


def test_gaussian_w2_1d_and_commuting_closed_forms():
    # 1-D: W2² = (m1 − m2)² + (s1 − s2)²
    assert gaussian_w2(1.0, 4.0, -2.0, 9.0) == pytest.approx(np.sqrt(9 + 1))
    # commuting (diagonal) covariances: coordinatewise formula
    s1, s2 = np.array([1.0, 4.0, 0.25]), np.array([2.0, 1.0, 1.0])
    m1, m2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    expected = np.sqrt(np.sum((m1 - m2) ** 2) + np.sum((np.sqrt(s1) - np.sqrt(s2)) ** 2))
    assert gaussian_w2(m1, np.diag(s1), m2, np.diag(s2)) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_gaussian_w2_matches_scipy_sqrtm_and_is_rotation_invariant(seed):
    rng = np.random.default_rng(seed)
    d = 4
    S1, S2 = random_spd(rng, d), random_spd(rng, d)
    m1, m2 = rng.standard_normal(d), rng.standard_normal(d)
    r1 = scipy.linalg.sqrtm(S1).real
    cross = scipy.linalg.sqrtm(r1 @ S2 @ r1).real
    expected = np.sqrt(np.sum((m1 - m2) ** 2) + np.trace(S1 + S2 - 2 * cross))
    got = gaussian_w2(m1, S1, m2, S2)
    assert got == pytest.approx(expected, rel=1e-8)
    assert gaussian_w2(m2, S2, m1, S1) == pytest.approx(got, rel=1e-8)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    assert gaussian_w2(Q @ m1, Q @ S1 @ Q.T, Q @ m2, Q @ S2 @ Q.T) == pytest.approx(got, rel=1e-8)
    assert gaussian_w2(m1, S1, m1, S1) == pytest.approx(0.0, abs=1e-6)


def test_psd_sqrt_handles_rank_deficiency():
    v = np.array([[1.0], [2.0]])
    A = v @ v.T  # rank one; rounding gives a tiny negative eigenvalue
    R = psd_sqrt(A)
    assert np.all(np.isreal(R))
    np.testing.assert_allclose(R @ R, A, atol=1e-12)


def test_fitted_gaussian_w2_converges_to_bures():
    rng = np.random.default_rng(3)
    S1, S2 = np.diag([1.0, 2.0]), np.array([[1.0, 0.5], [0.5, 1.0]])
    X = rng.multivariate_normal([0, 0], S1, size=200_000)
    Y = rng.multivariate_normal([1, 0], S2, size=200_000)
    assert fitted_gaussian_w2(X, Y) == pytest.approx(gaussian_w2([0, 0], S1, [1, 0], S2), rel=0.01)


points = st.integers(2, 9).flatmap(lambda n: st.tuples(
    st.just(n), st.integers(1, 3), st.integers(0, 2**32 - 1)))


@given(points)
def test_lower_bounds_never_exceed_exact_w2(params):
    n, d, seed = params
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((n, d)), rng.standard_t(3, size=(n, d)) + 0.3
    exact = exact_w2(X, Y)
    tol = 1e-9 * (1 + exact)
    assert fitted_gaussian_w2(X, Y) <= exact + tol  # Gelbrich
    assert coordinate_w2(X, Y) <= exact + tol  # marginal couplings
    assert sliced_w2(X, Y, n_directions=16, seed=seed) <= exact + tol  # 1-Lipschitz projections


def test_coordinate_w2_is_exact_for_products_and_sliced_is_seeded():
    rng = np.random.default_rng(5)
    # two product measures on a 3 x 3 grid: exact W2 equals the coordinate formula
    xs, ys = np.array([0.0, 1.0, 3.0]), np.array([0.5, 2.0, 2.5])
    px, py = np.array([0.2, 0.5, 0.3]), np.array([0.6, 0.1, 0.3])
    grid = np.array([[a, b] for a in xs for b in ys])
    wx = np.outer(px, py).ravel()
    grid2 = grid + np.array([0.7, -1.0])
    wy = np.outer(py, px).ravel()
    exact = exact_w2(grid, grid2, wx, wy)
    w_first = wasserstein_1d(grid[:, 0], grid2[:, 0], wx, wy, p=2)
    w_second = wasserstein_1d(grid[:, 1], grid2[:, 1], wx, wy, p=2)
    assert exact == pytest.approx(np.hypot(w_first, w_second), rel=1e-9)
    X, Y = rng.standard_normal((30, 2)), rng.standard_normal((30, 2))
    assert sliced_w2(X, Y, seed=7) == sliced_w2(X, Y, seed=7)
    theta = random_directions(50, 3, seed=1)
    np.testing.assert_allclose(np.linalg.norm(theta, axis=1), 1.0)


def test_bad_input_is_named():
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match="same number of coordinates"):
        exact_w2(X, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="X contains NaN"):
        exact_w2(np.full((2, 2), np.nan), X)
    with pytest.raises(ValueError, match="x_weights has 3 entries"):
        exact_w2(X, X, x_weights=[1, 1, 1])
    with pytest.raises(ValueError, match="cov1 must be"):
        gaussian_w2([0, 0], np.eye(3), [0, 0], np.eye(2))
    with pytest.raises(ValueError, match="cov2 must be symmetric"):
        gaussian_w2([0, 0], np.eye(2), [0, 0], [[1, 1], [0, 1]])
    with pytest.raises(ValueError, match="cov1 must be positive semi-definite"):
        gaussian_w2([0, 0], -np.eye(2), [0, 0], np.eye(2))
    with pytest.raises(ValueError, match="different dimensions"):
        gaussian_w2([0], [[1]], [0, 0], np.eye(2))
    with pytest.raises(ValueError, match="n_directions must be >= 1"):
        sliced_w2(X, X, n_directions=0)
    with pytest.raises(TypeError, match="n_directions must be an integer"):
        sliced_w2(X, X, n_directions=2.5)
    with pytest.raises(ValueError, match="ddof"):
        fitted_gaussian_w2(X, X, ddof=3)


def test_exact_w2_in_1d_matches_linprog_with_weights():
    rng = np.random.default_rng(8)
    x, y = rng.standard_normal((6, 1)), rng.standard_normal((4, 1))
    a, b = rng.random(6) + 0.1, rng.random(4) + 0.1
    expected = linprog_w2(x, y, a / a.sum(), b / b.sum())
    assert exact_w2(x, y, a, b) == pytest.approx(expected, rel=1e-9)
