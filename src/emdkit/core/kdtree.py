"""A KD-tree for pricing: the most negative reduced costs c(x, y_j) + π_x − π_j without the matrix.

Each node keeps the bounding box of its points and, per round, the largest potential π_j among
them. For any y in a node, c(x, y) − π_j >= box_distance(x, node) − max π, so a node is skipped
as soon as that bound cannot produce a negative reduced cost. With near-optimal potentials
almost every node is skipped and a round of pricing costs far less than the m·n sweep.
"""
from __future__ import annotations

import numpy as np

from .._jit import njit, prange
from .certificate import floor_difference
from .cost_kernels import box_cost, point_cost
from .engine import native_engine
from .threads import numba_threads
from .topk import emit_row, push_smallest

# Points per leaf: a leaf is scanned exhaustively, so it trades box tests against point costs
# (16 measured best of 8/16/32 on 2-D and 3-D clouds of 2k-20k points).
LEAF_SIZE = 16


class KDTree:
    """Static tree over points ``Y`` (n, d); ``perm`` orders points so node k owns perm[start:end]."""

    def __init__(self, Y: np.ndarray, leaf_size: int = LEAF_SIZE):
        n, d = Y.shape
        perm = np.arange(n)
        starts, ends, lefts, rights, los, his = [], [], [], [], [], []
        stack = [(0, n, -1, False)]
        while stack:
            start, end, parent, is_right = stack.pop()
            node = len(starts)
            pts = Y[perm[start:end]]
            lo, hi = pts.min(axis=0), pts.max(axis=0)
            starts.append(start)
            ends.append(end)
            lefts.append(-1)
            rights.append(-1)
            los.append(lo)
            his.append(hi)
            if parent >= 0:
                (rights if is_right else lefts)[parent] = node
            if end - start > leaf_size:
                axis = int(np.argmax(hi - lo))
                if hi[axis] > lo[axis]:  # all-equal points stay in one leaf
                    mid = (end - start) // 2
                    order = np.argpartition(pts[:, axis], mid)
                    perm[start:end] = perm[start:end][order]
                    stack.append((start + mid, end, node, True))
                    stack.append((start, start + mid, node, False))
        self.perm = perm
        self.points = np.ascontiguousarray(Y[perm])
        self.start = np.array(starts, np.int64)
        self.end = np.array(ends, np.int64)
        self.left = np.array(lefts, np.int64)
        self.right = np.array(rights, np.int64)
        self.lo = np.ascontiguousarray(np.array(los))
        self.hi = np.ascontiguousarray(np.array(his))
        self.node_max = np.empty(len(starts))


@njit(cache=True, nogil=True)
def node_max_potential(start, end, left, right, values_sorted, node_max):
    """Max of ``values_sorted`` under each node; children are always created after parents."""
    for k in range(start.shape[0] - 1, -1, -1):
        if left[k] < 0:
            best = -np.inf
            for t in range(start[k], end[k]):
                best = max(best, values_sorted[t])
            node_max[k] = best
        else:
            node_max[k] = max(node_max[left[k]], node_max[right[k]])


@njit(cache=True, nogil=True, inline="always")
def _price_one_row(i, X, pi_rows, pts, pi_sorted, perm, start, end, left, right, lo, hi,
                   node_max, code, eps, cap, out_cols, out_count):
    n_nodes = start.shape[0]
    x = X[i]
    pi_i = pi_rows[i]
    vals = np.zeros(cap)
    idx = np.full(cap, -1, np.int64)
    stack = np.empty(n_nodes, np.int64)
    top = 0
    stack[0] = 0
    while top >= 0:
        k = stack[top]
        top -= 1
        # reduced cost in this node is at least box cost + pi_i - max pi
        if box_cost(x, lo[k], hi[k], code) + pi_i - node_max[k] >= vals[cap - 1]:
            continue
        if left[k] < 0:
            for t in range(start[k], end[k]):
                pj = pi_sorted[t]
                c = point_cost(x, pts[t], code)
                rc = c + pi_i - pj
                if rc < vals[cap - 1] and rc < -eps * max(abs(c), abs(pi_i), abs(pj)):
                    push_smallest(vals, idx, cap, rc, perm[t])
        else:
            top += 1
            stack[top] = left[k]
            top += 1
            stack[top] = right[k]
    emit_row(idx, cap, out_cols, out_count, i)


@njit(cache=True, nogil=True)
def price_rows_serial(X, pi_rows, pts, pi_sorted, perm, start, end, left, right, lo, hi,
                      node_max, code, eps, cap, out_cols, out_count):
    """Per row i, up to ``cap`` columns j (original numbering) with the most negative
    c(x_i, y_j) + pi_rows[i] − π_j below −eps·scale."""
    for i in range(X.shape[0]):
        _price_one_row(i, X, pi_rows, pts, pi_sorted, perm, start, end, left, right, lo, hi,
                       node_max, code, eps, cap, out_cols, out_count)


@njit(cache=True, parallel=True)
def price_rows_parallel(X, pi_rows, pts, pi_sorted, perm, start, end, left, right, lo, hi,
                        node_max, code, eps, cap, out_cols, out_count):
    """:func:`price_rows_serial`, rows in parallel threads."""
    for i in prange(X.shape[0]):
        _price_one_row(i, X, pi_rows, pts, pi_sorted, perm, start, end, left, right, lo, hi,
                       node_max, code, eps, cap, out_cols, out_count)


def price_rows(X, pi_rows, pts, pi_sorted, perm, start, end, left, right, lo, hi, node_max,
               code, eps, cap, out_cols, out_count, n_threads):
    """:func:`price_rows_serial` on ``n_threads`` threads (one: serially, with no pool)."""
    args = (X, pi_rows, pts, pi_sorted, perm, start, end, left, right, lo, hi, node_max, code,
            eps, cap, out_cols, out_count)
    if n_threads <= 1:
        price_rows_serial(*args)
        return
    with numba_threads(n_threads):
        price_rows_parallel(*args)


@njit(cache=True, nogil=True)
def min_shifted_cost(Q, pts, shift_sorted, start, end, left, right, lo, hi, node_min, code):
    """For each query q: min over tree points p of floor(c(q, p) + shift_p), exactly rounded
    down (the certificate's repaired duals, without the cost matrix). ``node_min`` is the
    least shift under each node: c(q, p) + shift >= box_cost(q, node) + node_min prunes."""
    n_q = Q.shape[0]
    n_nodes = start.shape[0]
    out = np.empty(n_q)
    stack = np.empty(n_nodes, np.int64)
    for qi in range(n_q):
        q = Q[qi]
        best = np.inf
        top = 0
        stack[0] = 0
        while top >= 0:
            k = stack[top]
            top -= 1
            if box_cost(q, lo[k], hi[k], code) + node_min[k] > best:
                continue
            if left[k] < 0:
                for t in range(start[k], end[k]):
                    c = point_cost(q, pts[t], code)
                    if c + shift_sorted[t] <= best:
                        d = floor_difference(c, -shift_sorted[t])
                        if d < best:
                            best = d
            else:
                top += 1
                stack[top] = left[k]
                top += 1
                stack[top] = right[k]
        out[qi] = best
    return out


# The compiled engine's kernels replace the Numba ones when EMDKIT_ENGINE=native (same
# arguments and results; price_rows runs its own std::threads).
_native = native_engine()
if _native is not None:
    node_max_potential = _native.node_max_potential
    price_rows = _native.price_rows
    min_shifted_cost = _native.min_shifted_cost


def min_cost_minus(Q: np.ndarray, P: np.ndarray, values: np.ndarray, code: int) -> np.ndarray:
    """For each query q: min over points p of c(q, p) − values_p, rounded down (the largest
    float that keeps every pair feasible), by a k-d tree over ``P``: no matrix."""
    tree = KDTree(P)
    shift_sorted = -values[tree.perm]
    node_max_potential(tree.start, tree.end, tree.left, tree.right, values[tree.perm],
                       tree.node_max)
    return min_shifted_cost(Q, tree.points, shift_sorted, tree.start, tree.end, tree.left,
                            tree.right, tree.lo, tree.hi, -tree.node_max, code)
