"""The assignment fast path (equal counts, one common weight) against the general solver."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

import emdkit
from emdkit.core import prepare
from emdkit.core.assignment import solve_assignment

from .oracle import lp_emd_work
from .test_emd_oracle import assert_certified


def general_solver(a, b, C, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(prepare, "FAST_PATHS", False)
        return emdkit.emd(a, b, C)


@pytest.mark.parametrize("n", [2, 7, 40, 63])
@pytest.mark.parametrize("metric", ["euclidean", "sqeuclidean", "cityblock", "chebyshev"])
def test_fast_path_agrees_with_network_simplex_and_lp(n, metric, monkeypatch):
    rng = np.random.default_rng(n)
    X, Y = rng.random((n, 3)), rng.random((n, 3))
    C = cdist(X, Y, metric)
    w = np.full(n, 1.0 / n)
    fast = emdkit.emd(w, w, C)
    assert fast.method == "assignment"
    slow = general_solver(w, w, C, monkeypatch)
    assert slow.method == "block"
    assert fast.distance == pytest.approx(slow.distance, rel=1e-12, abs=1e-15)
    if n <= 40:
        assert fast.work == pytest.approx(lp_emd_work(w, w, C), rel=1e-9, abs=1e-15)
    assert_certified(fast, w, w, C)
    # a permutation: one entry of w per row and per column
    assert np.all((fast.flow > 0).sum(axis=0) == 1) and np.all((fast.flow > 0).sum(axis=1) == 1)


def test_duplicates_and_ties_still_certify(monkeypatch):
    rng = np.random.default_rng(3)
    X = np.repeat(rng.random((5, 2)), 6, axis=0)  # 30 points, each 6 times
    Y = np.round(rng.random((30, 2)), 1)          # ties in the costs
    C = cdist(X, Y)
    w = np.full(30, 2.5)
    fast = emdkit.emd(w, w, C)
    assert fast.method == "assignment"
    assert fast.distance == pytest.approx(general_solver(w, w, C, monkeypatch).distance, rel=1e-12)
    assert_certified(fast, w, w, C)


def test_fast_path_only_when_it_gives_the_same_answer():
    rng = np.random.default_rng(0)
    C = rng.random((6, 6))
    assert emdkit.emd(np.ones(6), np.ones(6), C).method == "assignment"
    uneven = np.ones(6)
    uneven[0] = 1.5
    assert emdkit.emd(uneven, np.ones(6), C).method == "block"    # weights differ
    assert emdkit.emd(np.ones(6), 2 * np.ones(6), C).method == "block"  # totals differ
    assert emdkit.emd(np.ones(6), np.ones(5), C[:, :5]).method == "block"
    # zero weights are dropped first: 5 kept rows against 5 kept columns of weight 1
    a = np.ones(6)
    a[2] = 0.0
    b = np.ones(6)
    b[4] = 0.0
    r = emdkit.emd(a, b, C)
    assert r.method == "assignment"
    assert_certified(r, a, b, C)


@given(st.integers(1, 25), st.integers(0, 10_000))
def test_property_assignment_matches_scipy(n, seed):
    C = np.random.default_rng(seed).random((n, n)) * 10
    col_for_row, u, v, status = solve_assignment(C)
    assert status == 0
    rows, cols = linear_sum_assignment(C)
    assert C[np.arange(n), col_for_row].sum() == pytest.approx(C[rows, cols].sum(), rel=1e-12)
    assert sorted(col_for_row) == list(range(n))
    assert np.all(u[:, None] + v[None, :] <= C + 1e-12)
    assert np.allclose(u + v[col_for_row], C[np.arange(n), col_for_row], rtol=0, atol=1e-12)
