"""Many small exact EMDs without Python in the loop: the kernel behind ``pairwise_emd``.

Per pair this builds the ground-distance matrix, the balanced problem (dummy node for unequal
totals, zero weights dropped) and runs the same network simplex as :func:`emdkit.emd` on all
arcs, inside one Numba function, so pairs run in parallel threads with no GIL.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .network_simplex import (STATE_LOWER, STATUS_OPTIMAL, greedy_start_dense, init_tree,
                              run_simplex)
from .problem import BALANCE_RTOL

METRIC_CODES = {"euclidean": 0, "sqeuclidean": 1, "cityblock": 2, "chebyshev": 3}
STATUS_NOT_CERTIFIED = 3


@njit(cache=True, nogil=True, inline="always")
def _ground(x, y, metric):
    acc = 0.0
    for t in range(x.shape[0]):
        d = x[t] - y[t]
        if metric == 0 or metric == 1:
            acc += d * d
        elif metric == 2:
            acc += abs(d)
        else:
            acc = max(acc, abs(d))
    if metric == 0:
        return np.sqrt(acc)
    return acc


@njit(cache=True, nogil=True)
def signature_work(X, wx, Y, wy, metric, max_iter):
    """(work, total_flow, status) of Rubner's EMD between two signatures.

    Layout: a dense row-major block of arcs, rows = kept points of X (+ a dummy row when Σwy is
    larger), columns = kept points of Y (+ a dummy column when Σwx is larger). The dummy's
    arcs cost 0 and absorb the surplus, which is exactly Rubner's partial matching.
    """
    rows = np.flatnonzero(wx > 0)
    cols = np.flatnonzero(wy > 0)
    m = rows.shape[0]
    n = cols.shape[0]
    sa = wx[rows].sum()
    sb = wy[cols].sum()
    extra_row = 0
    extra_col = 0
    if abs(sa - sb) > BALANCE_RTOL * max(sa, sb):
        if sa > sb:
            extra_col = 1
        else:
            extra_row = 1
    n_rows = m + extra_row
    n_cols = n + extra_col
    n_nodes = n_rows + n_cols
    n_arcs = n_nodes + n_rows * n_cols
    supply = np.empty(n_nodes)
    supply[:m] = wx[rows]
    supply[n_rows:n_rows + n] = -wy[cols]
    if extra_row:
        supply[m] = sb - sa
    if extra_col:
        supply[n_rows + n] = -(sa - sb)
    src = np.empty(n_arcs, np.int64)
    tgt = np.empty(n_arcs, np.int64)
    cost = np.empty(n_arcs)
    flow = np.zeros(n_arcs)
    state = np.full(n_arcs, STATE_LOWER, np.int8)
    max_cost = 0.0
    e = n_nodes
    for i in range(n_rows):
        for j in range(n_cols):
            c = 0.0
            if i < m and j < n:
                c = _ground(X[rows[i]], Y[cols[j]], metric)
            src[e] = i
            tgt[e] = n_rows + j
            cost[e] = c
            max_cost = max(max_cost, c)
            e += 1
    parent = np.empty(n_nodes + 1, np.int64)
    pred = np.empty(n_nodes + 1, np.int64)
    thread = np.empty(n_nodes + 1, np.int64)
    rev_thread = np.empty(n_nodes + 1, np.int64)
    succ_num = np.empty(n_nodes + 1, np.int64)
    last_succ = np.empty(n_nodes + 1, np.int64)
    pred_dir = np.empty(n_nodes + 1, np.int64)
    pi = np.empty(n_nodes + 1)
    dirty = np.empty(n_nodes + 1, np.int64)
    art_cost = (max_cost + 1.0) * (n_nodes + 1)
    init_tree(supply, art_cost, src, tgt, cost, flow, state,
              parent, pred, thread, rev_thread, succ_num, last_succ, pred_dir, pi)
    greedy_start_dense(supply, art_cost, n_rows, n_cols, m if extra_row else -1,
                       n if extra_col else -1, src, tgt, cost, flow, state, parent, pred,
                       thread, rev_thread, succ_num, last_succ, pred_dir, pi)
    next_arc = np.array([n_nodes], np.int64)
    block = max(int(np.sqrt(n_rows * n_cols)) // 2, 10)
    status, _ = run_simplex(n_nodes, n_arcs, src, tgt, cost, flow, state, parent, pred,
                            thread, rev_thread, succ_num, last_succ, pred_dir, pi, dirty,
                            block, next_arc, max_iter, n_rows, n_cols)
    work = 0.0
    total = 0.0
    for i in range(m):
        base = n_nodes + i * n_cols
        for j in range(n):
            work += flow[base + j] * cost[base + j]
            total += flow[base + j]
    scale = max(sa, sb)
    for u in range(n_nodes):  # mass left on the root arcs means no certified answer
        if state[u] == 0 and flow[u] > 1e-9 * scale:
            status = STATUS_NOT_CERTIFIED
    return work, total, status


@njit(parallel=True, cache=True)
def pairwise_kernel(points, weights, offsets, first, second, metric, out, status):
    for p in prange(first.shape[0]):
        i = first[p]
        j = second[p]
        X = points[offsets[i]:offsets[i + 1]]
        Y = points[offsets[j]:offsets[j + 1]]
        wx = weights[offsets[i]:offsets[i + 1]]
        wy = weights[offsets[j]:offsets[j + 1]]
        size = X.shape[0] + Y.shape[0] + 2
        max_iter = max(100_000, 200 * size * int(np.log2(size)))
        work, total, st = signature_work(X, wx, Y, wy, metric, max_iter)
        out[p] = work / total if total > 0 else 0.0
        status[p] = st


def pack(signatures) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate validated signatures into (points, weights, offsets) for the kernel."""
    sizes = np.array([X.shape[0] for X, _ in signatures])
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    points = np.ascontiguousarray(np.concatenate([X for X, _ in signatures]))
    weights = np.ascontiguousarray(np.concatenate([w for _, w in signatures]))
    return points, weights, offsets


def pair_distances(packed, first: np.ndarray, second: np.ndarray, metric: str) -> np.ndarray:
    points, weights, offsets = packed
    out = np.empty(first.shape[0])
    status = np.empty(first.shape[0], np.int64)
    pairwise_kernel(points, weights, offsets, first.astype(np.int64), second.astype(np.int64),
                    METRIC_CODES[metric], out, status)
    if np.any(status != STATUS_OPTIMAL):
        bad = int(np.flatnonzero(status != STATUS_OPTIMAL)[0])
        from .dense import SolverError
        raise SolverError(f"pair ({first[bad]}, {second[bad]}) was not certified optimal "
                          f"(status {status[bad]}); no matrix is returned")
    return out
