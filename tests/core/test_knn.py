"""The point-cloud path's first candidates: our k-nearest-neighbour query on the k-d tree,
against SciPy's cKDTree (which supplied them until issue 21) as the oracle."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial import cKDTree

import emdkit
from emdkit.core import knn, pointcloud
from emdkit.core.engine import engine_name
from emdkit.core.kdtree import KDTree

SEEDS = st.integers(0, 2**32 - 1)


def spread_cloud(rng, n, dim):
    """Continuous coordinates over a random decade: no two distances tie."""
    return rng.normal(size=(n, dim)) * 10.0 ** rng.integers(-3, 4)


def grid_cloud(rng, n, dim):
    """Coarse integer coordinates: duplicates and many equally distant neighbours."""
    return rng.integers(0, 4, size=(n, dim)).astype(float)


def oracle(points, queries, k):
    dist, idx = cKDTree(points).query(queries, k=k)
    return dist.reshape(len(queries), k), idx.reshape(len(queries), k)


def draw(seed, cloud, dim, most):
    """Tree points P, queries Q (up to ``most`` of each) and a k from 1 to len(P)."""
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, most, size=2)
    P, Q = cloud(rng, n, dim), cloud(rng, m, dim)
    return P, Q, int(rng.integers(1, n + 1))


@given(SEEDS, st.integers(1, 5))
def test_the_neighbours_are_ckdtrees_when_no_distances_tie(seed, dim):
    P, Q, k = draw(seed, spread_cloud, dim, 300)
    _, want = oracle(P, Q, k)
    for n_threads in (1, 3):
        np.testing.assert_array_equal(knn.nearest_neighbours(P, Q, k, n_threads), want)


@given(SEEDS, st.integers(1, 4))
def test_among_ties_the_neighbours_are_as_near_as_ckdtrees(seed, dim):
    P, Q, k = draw(seed, grid_cloud, dim, 200)
    want_dist, _ = oracle(P, Q, k)
    got = knn.nearest_neighbours(P, Q, k)
    assert got.shape == (Q.shape[0], k) and got.dtype == np.int64
    assert all(len(set(row)) == k for row in got)  # k distinct points per query
    got_dist = np.linalg.norm(Q[:, None, :] - P[got], axis=2)
    np.testing.assert_array_equal(got_dist, want_dist)  # small integers: exact distances
    np.testing.assert_array_equal(knn.nearest_neighbours(P, Q, k, 2), got)


@pytest.mark.parametrize("cloud", [spread_cloud, grid_cloud])
def test_the_candidate_arcs_are_the_ones_ckdtree_gave(cloud):
    rng = np.random.default_rng(21)
    X, Y = cloud(rng, 500, 2), cloud(rng, 400, 2)
    k = pointcloud.NEIGHBOURS
    keys = pointcloud._knn_arcs(X, Y, k, 1)
    _, near_y = oracle(Y, X, k)
    _, near_x = oracle(X, Y, k)
    want = np.unique(np.concatenate([(np.arange(500)[:, None] * 400 + near_y).ravel(),
                                     (near_x * 400 + np.arange(400)[:, None]).ravel()]))
    if cloud is spread_cloud:
        np.testing.assert_array_equal(keys, want)
    else:  # the same number of arcs from every point, maybe to other, equally near points
        assert keys.size >= 500 * k and np.all(np.diff(keys) > 0)


@pytest.mark.parametrize("metric", ["euclidean", "sqeuclidean", "cityblock", "chebyshev"])
def test_tied_clouds_solve_to_the_dense_optimum(metric):
    rng = np.random.default_rng(2026)
    X, Y = grid_cloud(rng, 300, 2), grid_cloud(rng, 250, 2)
    wx, wy = rng.random(300) + 0.1, rng.random(250) + 0.1
    wy *= wx.sum() / wy.sum()
    pc = emdkit.signature_emd(X, wx, Y, wy, metric, method="pointcloud")
    dense = emdkit.emd(wx, wy, emdkit.ground_distance(X, Y, metric))
    assert pc.method == "pointcloud"
    assert pc.work == pytest.approx(dense.work, rel=1e-12)


def test_a_one_point_tree_and_k_equal_to_the_points():
    P = np.array([[1.0, 2.0]])
    np.testing.assert_array_equal(knn.nearest_neighbours(P, np.zeros((3, 2)), 1), [[0]] * 3)
    P = np.arange(10.0)[:, None]
    np.testing.assert_array_equal(knn.nearest_neighbours(P, np.array([[2.2]]), 10),
                                  [[2, 3, 1, 4, 0, 5, 6, 7, 8, 9]])


@pytest.mark.skipif(engine_name() != "numba",
                    reason="compares with the Numba kernel, which EMDKIT_ENGINE=native replaces")
@given(SEEDS, st.integers(1, 4))
def test_the_engine_walk_equals_the_numba_walk(seed, dim):
    _engine = pytest.importorskip("emdkit._engine", reason="the compiled engine is not built")
    rng = np.random.default_rng(seed)
    cloud = grid_cloud if rng.random() < 0.5 else spread_cloud
    P, Q = cloud(rng, int(rng.integers(1, 150)), dim), cloud(rng, int(rng.integers(1, 150)), dim)
    tree = KDTree(P, leaf_size=int(rng.integers(1, 20)))
    k = int(rng.integers(1, P.shape[0] + 1))
    args = (Q, tree.points, tree.perm, tree.start, tree.end, tree.left, tree.right, tree.lo,
            tree.hi, k)
    want = knn._nearest_serial(*args)
    for n_threads in (1, 3):
        np.testing.assert_array_equal(_engine.nearest_neighbours(*args, n_threads), want)
