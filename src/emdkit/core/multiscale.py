"""Multiscale exact OT for point clouds and grids: solve coarse, refine, start near the answer.

1. Coarsening: both clouds are pooled into the cells of one regular grid (cell side growing
   from level to level so that a cell pools about 4 points in 1-D and 2-D, 2 in 3-D); a
   cell's point is the weighted mean of its points and its weight their sum. On images with
   unit spacing the first level is 2×2 pooling. Levels are added until the coarsest has at
   most ``COARSEST_POINTS``.
2. The coarsest problem is solved by the matrix-free point-cloud solver (k-nearest candidates,
   k-d tree pricing over all pairs), exactly.
3. Refinement: on each finer level the candidate arcs are the children of the coarse optimum's
   support, cell × cell, plus each child's pairs with the children of the coarse support's
   neighbouring cells (a cheap stand-in for the shielding neighbourhoods of Schmitzer [1]:
   enough that pricing adds few arcs). The network simplex starts from the greedy forest over
   those arcs (or, switched on by ``REFINED_START``, from the coarse plan refined into a
   feasible fine one: refine_plan.py), then k-d tree pricing over *all* pairs adds every
   violator, round after round, until none is left.

Pricing over all pairs makes every level, the finest included, optimal over the full problem,
so the answer is exact; the finest level is certified exactly as the single-level path
(pointcloud.certify_pointcloud).

References
----------
.. [1] B. Schmitzer, "A sparse multiscale algorithm for dense optimal transport", J. Math.
   Imaging Vision 56(2), 2016.
.. [2] Q. Mérigot, "A multiscale approach to optimal transport", Computer Graphics Forum
   30(5), 2011.
"""
from __future__ import annotations

import time

import numpy as np

from .network_simplex import NetworkSimplex
from .pointcloud import solve_pointcloud
from .refine_plan import refine_plan
from .progress import progress_writer
from .problem import TransportProblem

# Points a side at which pooling stops; the coarsest level is solved by the single-level path
# (under 0.05 s at this size). Measured on the ten DOTmark-like classes at 64² (2026-12-03,
# load 11-13): coarsest 1,024, 256 and 64 took 5.1-5.4 s in all on nine classes; 1,024 left
# Shapes (673 cells) on one level, 3× slower than with 256.
COARSEST_POINTS = 256
# Points a coarse cell pools (about), by dimension: the cell side grows by its d-th root from
# level to level. Uniform clouds with random weights, n = 20,000, squared Euclidean, CPU s
# (2026-12-03, load 5-8, bench/RESULTS_dotmark.md "Large clouds"): 3-D 52 s with 8 (side × 2),
# 42 s with 4, 33 s with 2 (the finest level's round-1 violators 380k, 344k, 295k); 2-D keeps
# 4 (side × 2), as on images (2×2 pooling).
POINTS_RATIO_2D = 4.0
POINTS_RATIO_3D = 2.0
# Violators a row adds per pricing round on every level. 2-D, n = 20,000: 8 → 9.0 s CPU and
# 186k pivots, 16 → 8.5 s, 32 → 7.9 s and 173k pivots, 64 no better; fewer than 8 is slower
# (1: 16.1 s, 283k pivots): the arcs of the first round shorten the simplex's path.
VIOLATORS_PER_ROW = 32
# Coarse cells are mapped to integer keys; no level goes beyond this many cells a side.
MAX_CELLS_PER_AXIS = 1 << 20


class Level:
    """One scale: points X (m, d), Y (n, d), their weights a, b, and the map to the finer
    level (``parent_x[i]`` = the cell of finer point i)."""

    def __init__(self, X, Y, a, b, parent_x=None, parent_y=None):
        self.X, self.Y, self.a, self.b = X, Y, a, b
        self.parent_x, self.parent_y = parent_x, parent_y

    @property
    def m(self) -> int:
        return self.X.shape[0]

    @property
    def n(self) -> int:
        return self.Y.shape[0]


def _pool(P, w, lo, cell):
    """Cells of side ``cell`` from corner ``lo``: (labels, weighted means, weight sums)."""
    idx = np.floor((P - lo) / cell).astype(np.int64)
    np.clip(idx, 0, MAX_CELLS_PER_AXIS - 1, out=idx)
    key = np.zeros(P.shape[0], np.int64)
    for axis in range(P.shape[1]):
        key = key * MAX_CELLS_PER_AXIS + idx[:, axis]
    _, labels = np.unique(key, return_inverse=True)
    labels = labels.ravel()
    k = int(labels.max()) + 1
    wsum = np.bincount(labels, weights=w, minlength=k)
    means = np.stack([np.bincount(labels, weights=w * P[:, a], minlength=k)
                      for a in range(P.shape[1])], axis=1) / wsum[:, None]
    return labels, np.ascontiguousarray(means), wsum


def _first_cell(X, Y, growth):
    """Side of the first coarse cell: 2 spacings on a lattice, else about growth^d points a
    cell."""
    P = np.concatenate([X, Y])
    d = P.shape[1]
    step = np.inf
    for axis in range(d):
        vals = np.unique(P[:, axis])
        if vals.shape[0] > 1:
            step = min(step, float(np.min(np.diff(vals))))
    extent = P.max(axis=0) - P.min(axis=0)
    volume = float(np.prod(np.maximum(extent, 1e-300)))
    spread = (volume / max(X.shape[0], Y.shape[0])) ** (1.0 / d)
    # a lattice has spacing ≈ spread; a cloud's smallest gap is far below its mean spacing
    return 2.0 * step if step > 0.5 * spread else growth * spread


def build_levels(X, Y, a, b):
    """The finest level (the reduced problem itself) first, then coarser ones."""
    levels = [Level(X, Y, a, b)]
    lo = np.minimum(X.min(axis=0), Y.min(axis=0))
    d = X.shape[1]
    growth = (POINTS_RATIO_2D if d <= 2 else POINTS_RATIO_3D) ** (1.0 / d)
    cell = _first_cell(X, Y, growth)
    while max(levels[-1].m, levels[-1].n) > COARSEST_POINTS:
        fine = levels[-1]
        # pooling the previous level's means keeps the levels a hierarchy (each point has one
        # parent); where the side doubles (2-D) the cells nest, so they are also the cells of
        # the original points
        lx, Xc, ac = _pool(fine.X, fine.a, lo, cell)
        ly, Yc, bc = _pool(fine.Y, fine.b, lo, cell)
        if Xc.shape[0] == fine.m and Yc.shape[0] == fine.n:
            cell *= growth
            continue
        levels.append(Level(Xc, Yc, ac, bc, lx, ly))
        cell *= growth
    return levels


def _children(parent, k):
    """CSR of the children of each of ``k`` coarse cells: (order, start)."""
    order = np.argsort(parent, kind="stable")
    start = np.zeros(k + 1, np.int64)
    np.cumsum(np.bincount(parent, minlength=k), out=start[1:])
    return order, start


def _pairs(rows, cols, order_x, start_x, order_y, start_y):
    """All (child of row cell, child of column cell) pairs of coarse arcs (rows, cols)."""
    cx = start_x[rows + 1] - start_x[rows]
    cy = start_y[cols + 1] - start_y[cols]
    per = cx * cy
    arc = np.repeat(np.arange(rows.shape[0]), per)
    within = np.arange(arc.shape[0]) - np.repeat(np.cumsum(per) - per, per)
    i = order_x[start_x[rows[arc]] + within // cy[arc]]
    j = order_y[start_y[cols[arc]] + within % cy[arc]]
    return i, j


def refine_candidates(coarse_rows, coarse_cols, coarse: Level, n_fine_y):
    """Candidate arcs (keys i·n + j) on the finer level from a coarse optimum's support."""
    order_x, start_x = _children(coarse.parent_x, coarse.m)
    order_y, start_y = _children(coarse.parent_y, coarse.n)
    i, j = _pairs(coarse_rows, coarse_cols, order_x, start_x, order_y, start_y)
    return np.unique(i * n_fine_y + j)


def solve_multiscale(problem: TransportProblem, X, Y, code, max_iter, n_threads=1,
                     progress=False) -> NetworkSimplex:
    """Solve the reduced problem on clouds X (m', d), Y (n', d) from coarse to fine; returns
    the live solver of the finest level, optimal over every pair.

    Unequal totals (Rubner's partial matching) carry their zero-cost dummy through every
    level: each coarse problem has the same surplus, so the same dummy side; its arcs are all
    in every level's set, and only the real arcs of a coarse optimum are refined.
    """
    say = progress_writer(progress)
    levels = build_levels(X, Y, problem.a, problem.b)
    keys = None
    ns = sub = None
    for depth in range(len(levels) - 1, -1, -1):
        level = levels[depth]
        start = None
        fine = problem if depth == 0 else TransportProblem.from_weights(level.a, level.b)
        if ns is not None:
            keys = _refined_keys(ns, sub, levels[depth + 1], level.n)
            keys, start = _refined_start(keys, ns, sub, fine, levels[depth + 1], level)
        sub = fine
        t0 = time.perf_counter()
        rounds = []
        on_round = (lambda piv, viol: rounds.append((piv, viol))) if say else None
        ns = solve_pointcloud(sub, level.X, level.Y, code, max_iter, n_threads, keys, on_round,
                              start, VIOLATORS_PER_ROW)
        if say:
            say(f"emdkit multiscale: level {depth} ({level.m} x {level.n} points, "
                f"{0 if keys is None else keys.size} start arcs): {len(rounds)} pricing rounds, "
                f"violators {[v for _, v in rounds]}, {ns.n_iter} pivots, "
                f"{time.perf_counter() - t0:.2f} s")
    return ns


def _refined_keys(ns, coarse_problem: TransportProblem, coarse: Level, n_fine_y):
    """The finer level's start arcs from the coarse optimum's real support (dummy arcs left
    out: every level has all of its own)."""
    src, tgt, _, _ = ns.real_flows()
    n_rows = coarse_problem.n_rows
    real = (src < coarse.m) & (tgt >= n_rows) & (tgt < n_rows + coarse.n)
    return refine_candidates(src[real], tgt[real] - n_rows, coarse, n_fine_y)


# Start each finer level from the refined coarse plan (refine_plan.py) rather than from the
# greedy forest over its candidates. Off: fewer pivots, not less time, with today's pivot
# (uniform clouds, random weights, n = 20,000: 2-D 150k pivots against 173k but 8.6 s CPU
# against 8.0; 3-D 403k against 406k, 32.6 s against 32.8): from a connected, near-optimal
# tree each pivot moves more of it than from the greedy forest hung on the root.
REFINED_START = False


def _refined_start(keys, ns, coarse_problem, fine_problem, coarse: Level, fine: Level):
    """(keys, start): the candidate keys with the refined plan's arcs, and the start that
    brings that plan in as the basis with the coarse potentials lifted to the children; (keys,
    None) for the greedy start (switched off, the Numba engine, or unequal totals: the dummy's
    surplus is not refined)."""
    if not REFINED_START or coarse_problem.dummy != "none" or fine_problem.dummy != "none" \
            or not hasattr(ns, "start_warm"):  # the Numba reference solver has no warm start
        return keys, None
    src, tgt, f, _ = ns.real_flows()
    n_rows = coarse_problem.n_rows
    real = (src < coarse.m) & (tgt >= n_rows) & (tgt < n_rows + coarse.n)
    i, j = refine_plan(src[real], tgt[real] - n_rows, f[real], coarse, fine.n, fine.X, fine.Y,
                       fine.a, fine.b)
    plan = i * np.int64(fine.n) + j
    keys = np.union1d(keys, plan)
    pi = np.zeros(fine_problem.supply.shape[0])
    pi[: fine.m] = ns.pi[coarse.parent_x]
    pi[fine_problem.n_rows: fine_problem.n_rows + fine.n] = ns.pi[n_rows + coarse.parent_y]

    def start(fine_ns, first, all_keys):
        fine_ns.start_warm(first + np.searchsorted(all_keys, plan), pi)

    return keys, start
