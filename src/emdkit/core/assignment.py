"""Fast path: equal-size point sets with one common weight are an assignment problem.

With m = n and every weight equal to w, the transport polytope's vertices are permutation
matrices scaled by w (Birkhoff), so an optimal assignment σ gives an optimal flow f_iσ(i) = w and
EMD = (1/n) Σ_i c_iσ(i). We solve it by Jonker-Volgenant's column reduction, then shortest
augmenting paths for the rows it leaves free (JV's augmentation phase, in Crouse's dense form,
"On implementing 2D rectangular assignment algorithms", IEEE TAES 2016; the algorithm behind
``scipy.optimize.linear_sum_assignment``). It keeps dual potentials
with u_i + v_j <= c_ij, tight on the assignment, which are also optimal duals of the transport
problem, so the result carries the same certificate as the network simplex.
"""
from __future__ import annotations

import numpy as np

from .._jit import njit
from .engine import native_engine

# Below this many points per side the augmenting-path solver beats the network simplex on
# uniform weights: n = 100: 0.74 ms vs 0.91 ms; n = 300: 7.7 ms vs 5.5 ms (uniform 2-D clouds).
# Re-measured on the compiled engine with the column reduction and the pivoted start (CPU time):
# n = 128: 0.68-0.70 ms vs 0.88-0.93 ms; n = 200: 2.1-2.3 ms vs 2.3-2.4 ms.
# Re-measured with the exact check in the call and the vectorised block pricing (issue 22,
# 2026-12-03, quiet, CPU time, block / assignment, bench/assignment_threshold.py, two runs):
# n = 32: 1.30-1.47, 48: 1.14-1.18, 64: 0.91-0.96, 96: 0.96-1.01, 128: 0.68-0.73, 200: 0.69-0.76.
ASSIGNMENT_BELOW = 64


@njit(cache=True, nogil=True)
def _column_reduction(cost, v, col_for_row, row_for_col):
    """Jonker-Volgenant's column reduction: v_j = min_i c_ij (u = 0), and each column is matched
    to the row of its minimum (the first in row order) when that row is still free. Every
    reduced cost is then >= 0 and the matched pairs are tight, the invariant of the
    augmenting-path phase, which only has the rows left free to route."""
    n = cost.shape[0]
    arg = np.zeros(n, np.int64)
    for j in range(n):
        v[j] = cost[0, j]
    for i in range(1, n):
        for j in range(n):
            if cost[i, j] < v[j]:
                v[j] = cost[i, j]
                arg[j] = i
    for j in range(n):
        if col_for_row[arg[j]] < 0:
            col_for_row[arg[j]] = j
            row_for_col[j] = arg[j]


@njit(cache=True, nogil=True)
def solve_assignment(cost):
    """(col_for_row, u, v, status) minimising Σ_i cost[i, col_for_row[i]] over permutations.

    ``u[i] + v[j] <= cost[i, j]`` everywhere, with equality on the assignment. status 0 is
    optimal; 1 means no augmenting path was found, which finite costs rule out.
    """
    n = cost.shape[0]
    u = np.zeros(n)
    v = np.zeros(n)
    col_for_row = np.full(n, -1, np.int64)
    row_for_col = np.full(n, -1, np.int64)
    path = np.full(n, -1, np.int64)
    dist = np.empty(n)
    remaining = np.empty(n, np.int64)
    seen_row = np.zeros(n, np.bool_)
    seen_col = np.zeros(n, np.bool_)
    _column_reduction(cost, v, col_for_row, row_for_col)
    for start in range(n):
        if col_for_row[start] >= 0:
            continue  # matched by the column reduction
        # Dijkstra over columns on reduced costs, from row `start` to the first free column
        for j in range(n):
            dist[j] = np.inf
            remaining[j] = n - 1 - j
            seen_row[j] = False
            seen_col[j] = False
        n_remaining = n
        min_val = 0.0
        i = start
        sink = -1
        while sink < 0:
            seen_row[i] = True
            best = -1
            lowest = np.inf
            for k in range(n_remaining):
                j = remaining[k]
                r = min_val + cost[i, j] - u[i] - v[j]
                if r < dist[j]:
                    path[j] = i
                    dist[j] = r
                if dist[j] < lowest or (dist[j] == lowest and row_for_col[j] < 0):
                    lowest = dist[j]
                    best = k
            if best < 0 or lowest == np.inf:
                return col_for_row, u, v, 1
            min_val = lowest
            j = remaining[best]
            seen_col[j] = True
            n_remaining -= 1
            remaining[best] = remaining[n_remaining]
            if row_for_col[j] < 0:
                sink = j
            else:
                i = row_for_col[j]
        # dual update keeps reduced costs >= 0 and makes the new path tight
        u[start] += min_val
        for r in range(n):
            if seen_row[r] and r != start:
                u[r] += min_val - dist[col_for_row[r]]
        for j in range(n):
            if seen_col[j]:
                v[j] -= min_val - dist[j]
        # augment along the path back to `start`
        j = sink
        while True:
            r = path[j]
            row_for_col[j] = r
            col_for_row[r], j = j, col_for_row[r]
            if r == start:
                break
    return col_for_row, u, v, 0


# The compiled engine's solver (cpp/solve/assignment.cpp), same signature and bits.
_native = native_engine()
if _native is not None:
    solve_assignment = _native.solve_assignment  # noqa: F811
