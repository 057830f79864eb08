"""The matrix-free point-cloud solver equals the dense solver, or fails loudly."""
import numpy as np
import pytest

import emdkit
from emdkit.core import pointcloud

METRICS = ["euclidean", "sqeuclidean", "cityblock", "chebyshev"]


def both(X, wx, Y, wy, metric):
    pc = emdkit.signature_emd(X, wx, Y, wy, metric, method="pointcloud")
    dense = emdkit.signature_emd(X, wx, Y, wy, metric, method="dense")
    assert pc.method == "pointcloud"
    assert dense.method in ("block", "candidate_rounds", "assignment")
    return pc, dense


def check_same(pc, dense, wx, wy, C):
    assert pc.work == pytest.approx(dense.work, rel=1e-9, abs=1e-12)
    assert pc.total_flow == pytest.approx(dense.total_flow, rel=1e-12)
    F = pc.flow_sparse().toarray()
    assert np.all(F.sum(axis=1) <= wx + 1e-9) and np.all(F.sum(axis=0) <= wy + 1e-9)
    assert (F * C).sum() == pytest.approx(pc.work, rel=1e-12)
    # the duals certify optimality over every pair, not just the candidates
    assert np.all(pc.u[:, None] + pc.v[None, :] <= C + 1e-9 * max(C.max(), 1))


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("dim", [1, 2, 3])
def test_random_uniform_clouds(metric, dim):
    rng = np.random.default_rng(dim)
    for _ in range(3):
        m, n = rng.integers(50, 400, size=2)
        X, Y = rng.random((m, dim)), rng.random((n, dim))
        wx, wy = rng.random(m) + 0.01, rng.random(n) + 0.01
        wy *= wx.sum() / wy.sum()
        pc, dense = both(X, wx, Y, wy, metric)
        check_same(pc, dense, wx, wy, emdkit.ground_distance(X, Y, metric))


@pytest.mark.parametrize("metric", METRICS)
def test_clustered_clouds_whose_neighbours_are_useless(metric):
    # X sits in one blob, most of Y in a far blob: the nearest neighbours of every x are the
    # few y nearby, so nearly all transport must come from pricing rounds
    rng = np.random.default_rng(1)
    X = rng.normal(0, 0.05, (300, 2))
    Y = np.concatenate([rng.normal(0, 0.05, (20, 2)), rng.normal(10, 0.05, (280, 2))])
    w = np.ones(300)
    pc, dense = both(X, w, Y, w, metric)
    check_same(pc, dense, w, w, emdkit.ground_distance(X, Y, metric))


@pytest.mark.parametrize("metric", METRICS)
def test_duplicated_points_unequal_totals_and_zero_weights(metric):
    rng = np.random.default_rng(2)
    X = np.repeat(rng.random((40, 2)), 5, axis=0)  # every point five times
    Y = np.concatenate([X[:100], rng.random((150, 2))])
    wx = rng.random(200)
    wy = 3 * rng.random(250)
    wx[::7] = 0.0
    wy[::5] = 0.0
    pc, dense = both(X, wx, Y, wy, metric)
    check_same(pc, dense, wx, wy, emdkit.ground_distance(X, Y, metric))


def test_auto_dispatch_takes_the_pointcloud_path_for_large_problems(monkeypatch):
    from emdkit.core import prepare
    monkeypatch.setattr(prepare, "POINTCLOUD_ABOVE", 100)
    rng = np.random.default_rng(3)
    X, Y = rng.random((30, 2)), rng.random((30, 2))
    w = np.ones(30)
    assert emdkit.signature_emd(X, w, Y, w, "sqeuclidean").method == "pointcloud"
    assert emdkit.signature_emd(X, w, Y, w, "chebyshev").method == "pointcloud"
    # a callable has no KD-tree bounds: auto stays dense
    assert emdkit.signature_emd(X, w, Y, w, lambda x, y: abs(x - y).sum()).method != "pointcloud"


def test_unsupported_metric_and_bad_method_are_rejected():
    X = np.zeros((3, 2))
    w = np.ones(3)
    with pytest.raises(ValueError, match="method='pointcloud' needs a registered metric"):
        emdkit.signature_emd(X, w, X, w, lambda x, y: 1.0, method="pointcloud")
    with pytest.raises(ValueError, match="method must be one of"):
        emdkit.signature_emd(X, w, X, w, method="fast")


def test_pivot_bound_fails_loudly(monkeypatch):
    monkeypatch.setattr(pointcloud, "NEIGHBOURS", 1)
    rng = np.random.default_rng(4)
    X = rng.normal(0, 0.05, (200, 2))
    Y = np.concatenate([rng.normal(0, 0.05, (10, 2)), rng.normal(10, 0.05, (190, 2))])
    w = np.ones(200)
    with pytest.raises(emdkit.SolverError, match="max_iter=5 pivots"):
        emdkit.signature_emd(X, w, Y, w, "sqeuclidean", method="pointcloud", max_iter=5)
