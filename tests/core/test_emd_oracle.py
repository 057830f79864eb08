"""emdkit.emd against the LP oracle, and the certificates that come with every answer."""
import zlib

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import emdkit
from emdkit.core.costs import METRICS

from .oracle import lp_emd_work

REL = 1e-9


def stable_seed(*parts) -> int:
    """A seed that is the same in every process (Python's hash() of a str is salted)."""
    return zlib.crc32(repr(parts).encode())


def assert_certified(r, a, b, C):
    """Feasible flow, its cost equals .work, duals feasible and tight: optimality proven."""
    a, b, C = np.asarray(a, float), np.asarray(b, float), np.asarray(C, float)
    F = r.flow
    scale = max(a.sum(), b.sum())
    assert F.min() >= 0
    assert np.all(F.sum(axis=1) <= a + 1e-12 * scale)
    assert np.all(F.sum(axis=0) <= b + 1e-12 * scale)
    assert r.total_flow == pytest.approx(min(a.sum(), b.sum()), rel=1e-12)
    assert F.sum() == pytest.approx(r.total_flow, rel=1e-12)
    assert (F * C).sum() == pytest.approx(r.work, rel=1e-12, abs=1e-300)
    # dual feasibility up to the rounding of u_i + v_j itself (a few ulps of |u_i| + |v_j|)
    slack = 4 * np.finfo(float).eps * (np.abs(r.u)[:, None] + np.abs(r.v)[None, :] + C)
    assert np.all(r.u[:, None] + r.v[None, :] <= C + slack)
    cmax = max(C.max(), 1.0)
    assert a @ r.u + b @ r.v == pytest.approx(r.work, rel=1e-9, abs=1e-9 * cmax * scale)
    # in subnormal units work / total_flow loses its digits; the distance, computed in scaled
    # units, does not (issue 11: 5e-324 weights)
    if r.total_flow > 0 and abs(r.work) > 1e-290 and r.total_flow > 1e-290:
        assert r.distance == pytest.approx(r.work / r.total_flow, rel=1e-12)


def random_problem(rng, m, n, dim, metric, balanced, zeros, duplicates):
    X = rng.random((m, dim))
    Y = rng.random((n, dim))
    if duplicates:
        X[: m // 2] = X[0]
        Y[: n // 3] = X[-1]
    a = rng.random(m) + 0.01
    b = rng.random(n) + 0.01
    if zeros:
        a[rng.random(m) < 0.3] = 0.0
        b[rng.random(n) < 0.3] = 0.0
        a[0] = max(a[0], 0.5)
        b[-1] = max(b[-1], 0.5)
    if balanced:
        b *= a.sum() / b.sum()
    else:
        b *= rng.uniform(0.3, 3.0) * a.sum() / b.sum()
    return a, b, X, Y, emdkit.ground_distance(X, Y, metric)


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("balanced", [True, False])
def test_candidate_rounds_match_lp_oracle(metric, balanced, candidate_rounds):
    rng = np.random.default_rng(stable_seed(metric, balanced, "rounds"))
    for trial in range(4):
        m, n = rng.integers(20, 60, size=2)
        a, b, X, Y, C = random_problem(rng, m, n, 2, metric, balanced,
                                       zeros=trial % 2 == 1, duplicates=trial == 2)
        r = emdkit.emd(a, b, C)
        assert r.work == pytest.approx(lp_emd_work(a, b, C), rel=REL, abs=1e-12)
        assert_certified(r, a, b, C)


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("dim", [1, 2, 3])
@pytest.mark.parametrize("balanced", [True, False])
def test_matches_lp_oracle_on_random_problems(metric, dim, balanced):
    rng = np.random.default_rng(stable_seed(metric, dim, balanced))
    for trial in range(12):  # 12 × 24 parametrisations = 288 random problems
        m, n = rng.integers(1, 25, size=2)
        a, b, X, Y, C = random_problem(rng, m, n, dim, metric, balanced,
                                       zeros=trial % 3 == 1, duplicates=trial % 4 == 2)
        r = emdkit.emd(a, b, C)
        assert r.work == pytest.approx(lp_emd_work(a, b, C), rel=REL, abs=1e-12)
        assert_certified(r, a, b, C)


@pytest.fixture
def candidate_rounds(monkeypatch):
    """Send every problem through candidate rounds + full pricing, and record that it ran."""
    from emdkit.core import candidate_rounds as rounds_module
    from emdkit.core import prepare
    calls = []
    real = rounds_module.solve_candidate_rounds

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(prepare, "ALL_ARCS_BELOW", 100)
    monkeypatch.setattr(rounds_module, "solve_candidate_rounds", counting)
    yield calls
    assert calls, "the candidate-round solver was not exercised"


def test_large_problem_uses_candidate_pricing_and_stays_exact(candidate_rounds):
    rng = np.random.default_rng(7)
    m, n = 260, 240
    a, b, X, Y, C = random_problem(rng, m, n, 2, "euclidean", balanced=False, zeros=True,
                                   duplicates=False)
    r = emdkit.emd(a, b, C)
    assert r.work == pytest.approx(lp_emd_work(a, b, C), rel=REL)
    assert_certified(r, a, b, C)


def test_clustered_points_with_far_matches_need_pricing_rounds(candidate_rounds):
    # every cheap candidate of a row points at the wrong cluster side, so pricing must add arcs
    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(0, 0.01, (150, 2)), rng.normal(5, 0.01, (150, 2))])
    Y = np.concatenate([rng.normal(0, 0.01, (50, 2)), rng.normal(5, 0.01, (250, 2))])
    a = np.ones(300)
    b = np.ones(300)
    C = emdkit.ground_distance(X, Y, "sqeuclidean")
    r = emdkit.emd(a, b, C)
    assert r.work == pytest.approx(lp_emd_work(a, b, C), rel=REL)
    assert_certified(r, a, b, C)


@given(st.data())
def test_property_random_matrices(data):
    m = data.draw(st.integers(1, 12), label="m")
    n = data.draw(st.integers(1, 12), label="n")
    weights = st.floats(0, 100, allow_nan=False, allow_infinity=False)
    a = np.array(data.draw(st.lists(weights, min_size=m, max_size=m), label="a"))
    b = np.array(data.draw(st.lists(weights, min_size=n, max_size=n), label="b"))
    costs = st.sampled_from([0.0, 1.0, 2.5]) | st.floats(0, 1e3, allow_nan=False)
    C = np.array(data.draw(st.lists(costs, min_size=m * n, max_size=m * n), label="C")).reshape(m, n)
    assume(a.sum() > 0 and b.sum() > 0)
    r = emdkit.emd(a, b, C)
    assert r.work == pytest.approx(lp_emd_work(a, b, C), rel=1e-8, abs=1e-8 * max(C.max(), 1))
    assert_certified(r, a, b, C)


@pytest.mark.parametrize("tiny", [1e-10, 1e-14])
def test_tiny_weight_beside_a_large_one(tiny):
    rng = np.random.default_rng(11)
    for m, n in [(2, 2), (3, 5), (6, 4)]:
        a = rng.random(m) + 0.5
        a[0] = tiny
        b = rng.random(n) * 3
        b[-1] = 0.0
        C = rng.random((m, n))
        r = emdkit.emd(a, b, C)
        assert r.work == pytest.approx(lp_emd_work(a, b, C), rel=1e-8, abs=1e-12)
        assert_certified(r, a, b, C)


def test_symmetry_and_triangle_inequality_for_equal_mass_signatures():
    rng = np.random.default_rng(11)
    for _ in range(30):
        sigs = []
        for _ in range(3):
            k = int(rng.integers(1, 15))
            w = rng.random(k) + 0.01
            sigs.append((rng.normal(size=(k, 2)), 3.0 * w / w.sum()))
        d = lambda s, t: emdkit.signature_emd(s[0], s[1], t[0], t[1]).distance  # noqa: E731
        x, y, z = sigs
        assert d(x, y) == pytest.approx(d(y, x), rel=1e-12, abs=1e-14)
        assert d(x, z) <= d(x, y) + d(y, z) + 1e-12


def test_unequal_totals_symmetric_too():
    rng = np.random.default_rng(5)
    X, Y = rng.random((7, 3)), rng.random((9, 3))
    wx, wy = rng.random(7), 4 * rng.random(9)
    assert emdkit.signature_emd(X, wx, Y, wy).distance == pytest.approx(
        emdkit.signature_emd(Y, wy, X, wx).distance, rel=1e-12)


def test_identical_signatures_have_zero_distance():
    X = np.array([[0.0, 0], [1, 1], [1, 1], [2, 0]])
    w = np.array([1.0, 2, 0, 3])
    r = emdkit.signature_emd(X, w, X, w)
    assert r.distance == 0.0
    assert r.total_flow == pytest.approx(6.0)


def test_one_by_one():
    r = emdkit.emd([3.0], [5.0], [[2.5]])
    assert (r.distance, r.work, r.total_flow) == (2.5, 7.5, 3.0)


def test_scale_invariance_of_distance_under_weight_scaling():
    rng = np.random.default_rng(2)
    a, b, C = rng.random(30), rng.random(40), rng.random((30, 40))
    d1 = emdkit.emd(a, b, C).distance
    d2 = emdkit.emd(1e6 * a, 1e6 * b, C).distance
    assert d2 == pytest.approx(d1, rel=1e-10)
