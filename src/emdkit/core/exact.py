"""Exact refinement in rational arithmetic, for small problems float64 cannot certify.

Costs spanning ~20 decades can leave potentials too large next to the smallest reduced costs
for float64 to tell their sign (issue 11's repro: costs 1e-7 beside 1e11). Every float is an
exact dyadic rational, so the LP the user posed has an exact optimum; this module finds it with
a transportation simplex (MODI: potentials on a spanning tree, the most negative reduced cost
enters, the cycle's first blocking cell leaves) in :class:`fractions.Fraction`, started from the
float solution's support. Degenerate streaks switch to Bland's rule (smallest index enters and
leaves), which cannot cycle. The answer is exact: the returned flow's reduced costs are all
>= 0 in rational arithmetic.

It costs O(m·n) Fraction operations per pivot, so it is used only up to
``EXACT_REFINE_MAX_PAIRS`` pairs. :func:`settle_uncertified` is the one place that decides what
happens to a float answer the strict certificate could not prove: the float64-scale verdict
(certificate.py), this refinement, or SolverError. Exact verification at any size (issue
20, item 2) belongs there.
"""
from __future__ import annotations

from collections import deque
from fractions import Fraction

import numpy as np

from .certificate import CERT_RTOL
from .errors import STATUS_NOT_CERTIFIED, raise_for_status

# Measured: 12×12 problems with costs spanning 1e-12..1e12 refine in ~20-60 ms from the float
# support, 40×40 in ~1 s (tests/core/test_exactness.py timings); beyond ~2,500 pairs a
# Python rational simplex would take minutes.
EXACT_REFINE_MAX_PAIRS = 2_500
# Degenerate pivots in a row before Bland's rule takes over (it cannot cycle, but is slower).
DEGENERATE_STREAK_FOR_BLAND = 30


def settle_uncertified(problem, gap: float, float_answer, exact_answer=None):
    """The answer for a float solution whose strict certificate failed (``gap`` is then the
    float64-scale gap of :func:`emdkit.core.certificate.judge`).

    In order: ``float_answer()`` when the float64-scale gap is at most CERT_RTOL;
    ``exact_answer()`` (rational refinement) when given and the problem has at most
    ``EXACT_REFINE_MAX_PAIRS`` pairs; else :class:`~emdkit.core.errors.SolverError`. The
    float64-scale verdict goes first because it is a proven bound too, and the rational
    simplex is slow on degenerate problems (a 23×103 signature against split copies of its
    points: 14 s, for an optimum of 1e-17 that the verdict settles in microseconds).
    Exact verification in integer arithmetic, when it lands, belongs here at every size.
    """
    if gap <= CERT_RTOL:
        return float_answer()
    if exact_answer is not None and problem.m * problem.n <= EXACT_REFINE_MAX_PAIRS:
        return exact_answer()
    raise_for_status(STATUS_NOT_CERTIFIED, where=f"{problem.m}×{problem.n} problem")


def refine_exact(a_kept: np.ndarray, b_kept: np.ndarray, C: np.ndarray,
                 hint_rows: np.ndarray, hint_cols: np.ndarray):
    """Exact optimum of the balanced block of (a_kept, b_kept, C), all positive floats.

    The dummy is decided on the exact totals. ``hint_rows/cols`` (block indices) are the float
    solution's support, used as the starting tree when it is primal feasible. Returns
    (sup_r, sup_c, flows, u, v, dummy_row_u, dummy_col_v, work, pivots) with rationals for
    flows, potentials and work; indices of real rows / columns only in the support.
    """
    m, n = C.shape
    sa = sum(Fraction(x) for x in a_kept.tolist())
    sb = sum(Fraction(x) for x in b_kept.tolist())
    supply = [Fraction(x) for x in a_kept.tolist()]
    demand = [Fraction(x) for x in b_kept.tolist()]
    dummy_row = dummy_col = False
    if sb > sa:
        supply.append(sb - sa)
        dummy_row = True
    elif sa > sb:
        demand.append(sa - sb)
        dummy_col = True
    R, K = len(supply), len(demand)
    cost = [[Fraction(C[r, c]) if (r < m and c < n) else Fraction(0) for c in range(K)]
            for r in range(R)]
    tree = _tree_from_hint(supply, demand, hint_rows, hint_cols) or \
        _north_west_corner(supply, demand)
    flow = _tree_flows(tree, supply, demand)
    if flow is None:
        tree = _north_west_corner(supply, demand)
        flow = _tree_flows(tree, supply, demand)
    pivots = 0
    streak = 0
    while True:
        u, v = _potentials(tree, cost, R, K)
        entering = _entering(cost, u, v, tree, bland=streak >= DEGENERATE_STREAK_FOR_BLAND)
        if entering is None:
            break
        theta = _pivot(tree, flow, entering, R)
        pivots += 1
        streak = streak + 1 if theta == 0 else 0
    cells = sorted(cell for cell in tree if flow[cell] > 0 and cell[0] < m and cell[1] < n)
    work = sum((flow[cell] * cost[cell[0]][cell[1]] for cell in cells), Fraction(0))
    return ([r for r, _ in cells], [c for _, c in cells], [flow[cell] for cell in cells],
            u[:m], v[:n], u[m] if dummy_row else None, v[n] if dummy_col else None,
            work, pivots)


def _north_west_corner(supply, demand):
    """A spanning tree (R + K − 1 cells, zeros where degenerate) and nothing else."""
    R, K = len(supply), len(demand)
    cells = []
    r = c = 0
    ra, rb = supply[0], demand[0]
    while True:
        cells.append((r, c))
        f = min(ra, rb)
        ra -= f
        rb -= f
        if r == R - 1 and c == K - 1:
            break
        if (ra == 0 and r < R - 1) or c == K - 1:
            r += 1
            ra = supply[r]
        else:
            c += 1
            rb = demand[c]
    return set(cells)


def _tree_from_hint(supply, demand, hint_rows, hint_cols):
    """The hint's cells plus zero cells joining its components into a spanning tree."""
    R, K = len(supply), len(demand)
    parent = list(range(R + K))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    tree = set()
    for r, c in zip(np.asarray(hint_rows).tolist(), np.asarray(hint_cols).tolist()):
        if r >= R or c >= K:
            return None
        a, b = find(r), find(R + c)
        if a != b:  # a cycle in the hint would not be a basis: skip its closing cell
            parent[a] = b
            tree.add((r, c))
    # join the components: every column to row 0's, then every row to column 0's (by then
    # the same component); each added cell joins two components, so the result stays a forest
    for c in range(K):
        if find(0) != find(R + c):
            parent[find(R + c)] = find(0)
            tree.add((0, c))
    for r in range(1, R):
        if find(r) != find(R):
            parent[find(r)] = find(R)
            tree.add((r, 0))
    return tree if len(tree) == R + K - 1 else None


def _tree_flows(tree, supply, demand):
    """The basic solution of a spanning tree, by peeling leaves; None if any flow is < 0."""
    R = len(supply)
    adj: dict[int, set] = {}
    for r, c in tree:
        adj.setdefault(r, set()).add(R + c)
        adj.setdefault(R + c, set()).add(r)
    rest = {k: supply[k] for k in range(R)}
    rest.update({R + k: -demand[k] for k in range(len(demand))})
    flow = {}
    leaves = deque(sorted(node for node, nb in adj.items() if len(nb) == 1))
    while leaves:
        leaf = leaves.popleft()
        if not adj[leaf]:
            continue
        other = adj[leaf].pop()
        adj[other].discard(leaf)
        r, c = (leaf, other - R) if leaf < R else (other, leaf - R)
        f = rest[leaf] if leaf < R else -rest[leaf]
        if f < 0:
            return None
        flow[(r, c)] = f
        rest[other] += -f if other < R else f
        rest[leaf] = Fraction(0)
        if len(adj[other]) == 1:
            leaves.append(other)
    return flow if len(flow) == len(tree) else None


def _potentials(tree, cost, R, K):
    """u_r + v_c = cost on every tree cell, u_0 = 0."""
    adj: dict[int, list] = {}
    for r, c in tree:
        adj.setdefault(r, []).append(R + c)
        adj.setdefault(R + c, []).append(r)
    pot = {0: Fraction(0)}
    queue = deque([0])
    while queue:
        x = queue.popleft()
        for y in adj.get(x, ()):
            if y not in pot:
                r, c = (x, y - R) if x < R else (y, x - R)
                pot[y] = cost[r][c] - pot[x]
                queue.append(y)
    return [pot[r] for r in range(R)], [pot[R + c] for c in range(K)]


def _entering(cost, u, v, tree, bland):
    best, best_cell = Fraction(0), None
    for r, row in enumerate(cost):
        ur = u[r]
        for c, crc in enumerate(row):
            rc = crc - ur - v[c]
            if rc < best and (r, c) not in tree:
                if bland:
                    return (r, c)
                best, best_cell = rc, (r, c)
    return best_cell


def _pivot(tree, flow, entering, R):
    """Push flow around the entering cell's cycle; returns the amount pushed."""
    r0, c0 = entering
    adj: dict[int, list] = {}
    for r, c in tree:
        adj.setdefault(r, []).append(R + c)
        adj.setdefault(R + c, []).append(r)
    # the tree path from column c0 back to row r0
    prev = {R + c0: None}
    queue = deque([R + c0])
    while queue and r0 not in prev:
        x = queue.popleft()
        for y in adj.get(x, ()):
            if y not in prev:
                prev[y] = x
                queue.append(y)
    path = []
    x = r0
    while prev[x] is not None:
        y = prev[x]
        path.append((x, y - R) if x < R else (y, x - R))
        x = y
    # path runs r0 -> ... -> c0; cells alternate -, +, -, ... starting after the entering +
    minus = path[0::2]
    plus = path[1::2]
    theta = min(flow[cell] for cell in minus)
    leaving = min(cell for cell in minus if flow[cell] == theta)
    for cell in minus:
        flow[cell] -= theta
    for cell in plus:
        flow[cell] += theta
    flow[entering] = theta
    tree.discard(leaving)
    del flow[leaving]
    tree.add(entering)
    return theta
