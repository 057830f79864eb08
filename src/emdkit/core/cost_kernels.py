"""Numba kernels for the registered ground costs (codes from :data:`emdkit.core.costs.GROUND_COSTS`).

``point_cost`` evaluates d(x, y); ``box_cost`` is a lower bound of d(x, y) over every y in the
axis-aligned box [lo, hi] (exact distance to the box, used by KD-tree pricing); ``line_cost``
is d on the line for a difference ``t = x − y``.
"""
from __future__ import annotations

import numpy as np

from .._jit import njit

# The registry's codes (emdkit.core.costs.GROUND_COSTS[name].code), frozen into the kernels when
# numba compiles them. Written out rather than imported, as the compiled engine's are, so that
# costs.ground_distance can run cost_matrix without an import cycle; a test checks they agree.
EUCLIDEAN = 0
SQEUCLIDEAN = 1
CITYBLOCK = 2
CHEBYSHEV = 3


@njit(cache=True, nogil=True, inline="always")
def _accumulate(acc, d, code):
    if code == CITYBLOCK:
        return acc + d
    if code == CHEBYSHEV:
        return max(acc, d)
    return acc + d * d


@njit(cache=True, nogil=True, inline="always")
def _finish(acc, code):
    return np.sqrt(acc) if code == EUCLIDEAN else acc


@njit(cache=True, nogil=True)
def point_cost(x, y, code):
    acc = 0.0
    for t in range(x.shape[0]):
        acc = _accumulate(acc, abs(x[t] - y[t]), code)
    return _finish(acc, code)


@njit(cache=True, nogil=True)
def box_cost(x, lo, hi, code):
    acc = 0.0
    for t in range(x.shape[0]):
        d = 0.0
        if x[t] < lo[t]:
            d = lo[t] - x[t]
        elif x[t] > hi[t]:
            d = x[t] - hi[t]
        acc = _accumulate(acc, d, code)
    return _finish(acc, code)


@njit(cache=True, nogil=True)
def line_cost(t, code):
    d = abs(t)
    return d * d if code == SQEUCLIDEAN else d


@njit(cache=True, nogil=True)
def cost_matrix(X, Y, code):
    """D[i, j] = point_cost(X[i], Y[j]): ground_distance for a registered metric."""
    D = np.empty((X.shape[0], Y.shape[0]))
    for i in range(X.shape[0]):
        for j in range(Y.shape[0]):
            D[i, j] = point_cost(X[i], Y[j], code)
    return D


# The compiled engine's twins live in cpp/costs/ground_cost.hpp (emdkit._engine.point_cost,
# box_cost, line_cost) and cpp/costs/cost_matrix.hpp (cost_matrix). These names are not rebound
# under EMDKIT_ENGINE=native: Numba kernels in other modules compile against them until those
# modules are ported too (emdkit.core.costs picks the engine's cost_matrix itself).
