"""Many small exact EMDs without Python in the loop: the kernel behind ``pairwise_emd``.

Per pair this builds the ground-distance matrix, the balanced problem (dummy node for unequal
totals, zero weights dropped) and runs the same network simplex as :func:`emdkit.emd` on all
arcs, inside one Numba function, so pairs run in parallel threads with no GIL.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .network_simplex import (STATE_LOWER, STATUS_OPTIMAL, greedy_start_dense, init_tree,
                              recompute_potentials, run_simplex)
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
def solve_block(supply, n_rows, cost_block, defer_row, defer_col, max_iter):
    """Network simplex on a dense block: row i -> column j for every pair, in one call.

    ``supply`` has the n_rows row supplies then the column demands (negative); ``defer_row`` /
    ``defer_col`` mark a zero-cost dummy row / column (or -1), whose arcs the greedy start
    uses last. Returns (flow block, node potentials, status, pivots).
    """
    n_cols = cost_block.shape[1]
    n_nodes = n_rows + n_cols
    n_arcs = n_nodes + n_rows * n_cols
    src = np.empty(n_arcs, np.int64)
    tgt = np.empty(n_arcs, np.int64)
    cost = np.empty(n_arcs)
    flow = np.zeros(n_arcs)
    state = np.full(n_arcs, STATE_LOWER, np.int8)
    max_cost = 0.0
    e = n_nodes
    for i in range(n_rows):
        for j in range(n_cols):
            src[e] = i
            tgt[e] = n_rows + j
            cost[e] = cost_block[i, j]
            max_cost = max(max_cost, cost[e])
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
    greedy_start_dense(supply, art_cost, n_rows, n_cols, defer_row, defer_col, src, tgt, cost,
                       flow, state, parent, pred, thread, rev_thread, succ_num, last_succ,
                       pred_dir, pi)
    next_arc = np.array([n_nodes], np.int64)
    block = max(int(np.sqrt(n_rows * n_cols)) // 2, 10)
    status, pivots = run_simplex(n_nodes, n_arcs, src, tgt, cost, flow, state, parent, pred,
                                 thread, rev_thread, succ_num, last_succ, pred_dir, pi, dirty,
                                 block, next_arc, max_iter, n_rows, n_cols)
    scale = 0.0
    for u in range(n_nodes):
        scale += max(supply[u], 0.0)
    for u in range(n_nodes):  # mass left on the root arcs means no certified answer
        if state[u] == 0 and flow[u] > 1e-9 * scale:
            status = STATUS_NOT_CERTIFIED
    recompute_potentials(n_nodes, cost, thread, parent, pred, pred_dir, pi)
    return flow[n_nodes:].reshape(n_rows, n_cols), pi, status, pivots


@njit(cache=True, nogil=True)
def block_layout(wa, wb):
    """(supply, n_rows, defer_row, defer_col) for positive weights, with a dummy row or
    column holding the surplus when the totals differ (Rubner's partial matching)."""
    m = wa.shape[0]
    n = wb.shape[0]
    sa = wa.sum()
    sb = wb.sum()
    extra_row = 0
    extra_col = 0
    if abs(sa - sb) > BALANCE_RTOL * max(sa, sb):
        if sa > sb:
            extra_col = 1
        else:
            extra_row = 1
    n_rows = m + extra_row
    supply = np.empty(n_rows + n + extra_col)
    supply[:m] = wa
    supply[n_rows:n_rows + n] = -wb
    if extra_row:
        supply[m] = sb - sa
    if extra_col:
        supply[n_rows + n] = -(sa - sb)
    return supply, n_rows, (m if extra_row else -1), (n if extra_col else -1)


@njit(cache=True, nogil=True)
def signature_work(X, wx, Y, wy, metric, max_iter):
    """(work, total_flow, status) of Rubner's EMD between two signatures."""
    rows = np.flatnonzero(wx > 0)
    cols = np.flatnonzero(wy > 0)
    m = rows.shape[0]
    n = cols.shape[0]
    supply, n_rows, defer_row, defer_col = block_layout(wx[rows], wy[cols])
    n_cols = supply.shape[0] - n_rows
    cost_block = np.zeros((n_rows, n_cols))
    for i in range(m):
        for j in range(n):
            cost_block[i, j] = _ground(X[rows[i]], Y[cols[j]], metric)
    flow, _, status, _ = solve_block(supply, n_rows, cost_block, defer_row, defer_col, max_iter)
    work = 0.0
    total = 0.0
    for i in range(m):
        for j in range(n):
            work += flow[i, j] * cost_block[i, j]
            total += flow[i, j]
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
