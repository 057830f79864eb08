"""The k nearest neighbours of query points, on the k-d tree of :mod:`emdkit.core.kdtree`.

The point-cloud path starts from the arcs between each point and its ``NEIGHBOURS`` nearest
points of the other cloud. They are ranked by the squared Euclidean distance, whatever the
ground cost, as SciPy's ``cKDTree.query`` (p = 2) ranked them when it supplied them: the same
candidate sets, without importing ``scipy.spatial`` (0.2-0.4 s of a first call, issue 21).
Among equally distant points the one the walk visits first is kept; the tests hold the sets
to ``cKDTree`` as an oracle.

The walk is depth first, the child whose box is nearer the query first, and skips a node whose
box is no nearer than the current k-th neighbour. The compiled engine's
``cpp/pointcloud/knn.cpp`` is the same walk, point for point.
"""
from __future__ import annotations

import numpy as np

from .._jit import njit
from .cost_kernels import SQEUCLIDEAN, box_cost, point_cost
from .engine import native_engine
from .kdtree import KDTree
from .topk import push_smallest

# cKDTree's p = 2 ranks by the squared distance: the same order as the distance, and no sqrt
_RANKING_CODE = SQEUCLIDEAN


@njit(cache=True, nogil=True)
def _nearest_serial(Q, pts, perm, start, end, left, right, lo, hi, k):
    n_q = Q.shape[0]
    out = np.empty((n_q, k), np.int64)
    stack = np.empty(start.shape[0] + 1, np.int64)
    bounds = np.empty(start.shape[0] + 1)
    dist = np.empty(k)
    idx = np.empty(k, np.int64)
    for qi in range(n_q):
        q = Q[qi]
        dist[:] = np.inf
        idx[:] = -1
        top = 0
        stack[0] = 0
        bounds[0] = box_cost(q, lo[0], hi[0], _RANKING_CODE)
        while top >= 0:
            node = stack[top]
            bound = bounds[top]
            top -= 1
            if bound >= dist[k - 1]:
                continue
            if left[node] < 0:
                for t in range(start[node], end[node]):
                    push_smallest(dist, idx, k, point_cost(q, pts[t], _RANKING_CODE), perm[t])
                continue
            near, far = left[node], right[node]
            near_bound = box_cost(q, lo[near], hi[near], _RANKING_CODE)
            far_bound = box_cost(q, lo[far], hi[far], _RANKING_CODE)
            if far_bound < near_bound:
                near, far = far, near
                near_bound, far_bound = far_bound, near_bound
            top += 1
            stack[top] = far
            bounds[top] = far_bound
            top += 1
            stack[top] = near
            bounds[top] = near_bound
        out[qi] = idx
    return out


def _nearest_kernel(Q, pts, perm, start, end, left, right, lo, hi, k, n_threads):
    """The Numba reference runs serially; the compiled engine's twin takes ``n_threads``."""
    return _nearest_serial(Q, pts, perm, start, end, left, right, lo, hi, k)


def nearest_neighbours(points: np.ndarray, queries: np.ndarray, k: int,
                       n_threads: int = 1) -> np.ndarray:
    """Indices (n_queries, k) of the ``k`` rows of ``points`` nearest each row of ``queries``.

    Parameters
    ----------
    points : numpy.ndarray, shape (n, d), float64
        The points searched; ``1 <= k <= n``.
    queries : numpy.ndarray, shape (q, d), float64
    k : int
    n_threads : int, default 1
        Threads of the compiled engine (queries are independent: the answer does not depend on
        it).

    Returns
    -------
    numpy.ndarray, shape (q, k), int64
        Row i lists the nearest first, by Euclidean distance; equally distant points in the
        walk's order.

    Examples
    --------
    >>> import numpy as np
    >>> nearest_neighbours(np.array([[0.0], [5.0], [1.0]]), np.array([[0.9], [4.0]]), 2).tolist()
    [[2, 0], [1, 2]]
    """
    tree = KDTree(points)
    Q = np.ascontiguousarray(queries, dtype=np.float64)
    return _nearest_kernel(Q, tree.points, tree.perm, tree.start, tree.end, tree.left,
                           tree.right, tree.lo, tree.hi, int(k), int(n_threads))


# The compiled engine's kernel replaces the Numba one when EMDKIT_ENGINE=native (same arguments
# and result; it runs its own std::threads).
_native = native_engine()
if _native is not None:
    _nearest_kernel = _native.nearest_neighbours
