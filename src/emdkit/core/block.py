"""One small dense problem, solved start to end in a single Numba call: the all-arcs block.

Below ``ALL_ARCS_BELOW`` pairs, one dense block holding every arc beats candidate rounds, and a
whole solve (layout, start, both simplex phases, certificate, canonical work) runs without
Python in the loop, so the batch engine can run many of them in parallel threads. Three exact
routes, chosen here for every small problem, from :func:`emdkit.emd` and the batch engine alike:

* ``constant``: every cost equal — any feasible flow is optimal (north-west corner);
* ``assignment``: equal counts with one common weight (see :mod:`emdkit.core.assignment`);
* ``block``: the network simplex over the full block (dummy row or column included).

Each is certified by :func:`emdkit.core.certificate.certify`, with the same sound bounds.
"""
from __future__ import annotations

import numpy as np

from .._jit import njit, register_jitable

# Numba's cache keys a compiled kernel on its own file only, and the kernels here compile
# certify and solve_phases into themselves: a change there needs this file to change too
# (any edit does), or an old cache keeps the old code. Edited for the tree-arc check in
# network_simplex._entering_dense.
from .assignment import ASSIGNMENT_BELOW, solve_assignment
from .certificate import certify
from .engine import native_engine
from .errors import STATUS_NO_AUGMENTING_PATH, STATUS_NOT_CERTIFIED, STATUS_OPTIMAL
from .network_simplex import (
    artificial_cost,
    block_size_for,
    greedy_start,
    init_tree,
    new_basis,
    solve_phases,
)
from .problem import (
    DUMMY_NONE,
    DUMMY_SINK,
    DUMMY_SOURCE,
    balanced_layout,
    sequential_sum,
)

# Up to this many pairs, one dense block with every arc beats candidate rounds: measured
# crossover between 20k and 40k pairs on uniform, clustered and partial-matching problems
# (n = 150: block 2.3 ms, rounds 2.6 ms; n = 500: 27.7 ms vs 16.4 ms; bench/RESULTS_core.md).
# Re-measured after issue 22's workspace and pivoted start (block / rounds, CPU time, four
# families of bench/_small.py): 0.57-0.82 at 128², 0.70-1.01 at 173², 0.93-1.20 at 256²,
# 1.35-1.77 at 350². The crossover lay between 30k and 65k pairs, family by family.
# Re-measured after the vectorised row scans of the dense pricing (issue 22, 2026-12-03, quiet
# machine, CPU time, block / rounds, the same four families, two runs): 0.62-0.86 at 256²,
# 0.70-0.92 at 300², 0.73-1.10 at 350² (bench/block_threshold.py). Hence 100k (316²).
ALL_ARCS_BELOW = 100_000

METHOD_BLOCK, METHOD_ASSIGNMENT, METHOD_CONSTANT = 0, 1, 2
# code 4: the exact simplex settled the answer (cpp/solve/exact_check.hpp)
METHOD_NAMES = ("block", "assignment", "constant", "warm_start", "exact_integer")


@njit(cache=True, nogil=True)
def canonical_work(sup_r, sup_c, sup_f, C):
    """Σ f c over the real arcs of a support listed in row-major order, summed left to right.

    Every path lists its support this way and sums it here, so the same optimal flow gives
    the same bits whichever entry point (emd, signature_emd, emd_batch, pairwise_emd) ran.
    """
    m, n = C.shape
    work = 0.0
    for k in range(sup_r.shape[0]):
        r = sup_r[k]
        c = sup_c[k]
        if r < m and c < n:
            work += sup_f[k] * C[r, c]
    return work


@njit(cache=True, nogil=True)
def _north_west_corner(supply, n_rows):
    """Any feasible flow of the balanced block (used when every cost is equal)."""
    n_cols = supply.shape[0] - n_rows
    sup_r = np.empty(n_rows + n_cols, np.int64)
    sup_c = np.empty(n_rows + n_cols, np.int64)
    sup_f = np.empty(n_rows + n_cols)
    r, c, k = 0, 0, 0
    ra = supply[0]
    rb = -supply[n_rows]
    while r < n_rows and c < n_cols:
        f = min(ra, rb)
        if f > 0:
            sup_r[k], sup_c[k], sup_f[k] = r, c, f
            k += 1
        ra -= f
        rb -= f
        if ra <= 0 and r + 1 < n_rows:
            r += 1
            ra = supply[r]
        elif rb <= 0 and c + 1 < n_cols:
            c += 1
            rb = -supply[n_rows + c]
        else:
            break
    return sup_r[:k], sup_c[:k], sup_f[:k]


@njit(cache=True, nogil=True)
def _constant_potentials(n_rows, n_cols, m, n, kind, value):
    """Optimal duals when every real cost equals ``value`` (dummy arcs cost 0)."""
    pi = np.zeros(n_rows + n_cols)
    if kind == DUMMY_SOURCE:      # v <= 0 on real columns: v = 0, u = value on real rows
        for r in range(m):
            pi[r] = -value
    else:                         # u = 0, v = value on real columns (dummy column keeps 0)
        for c in range(n):
            pi[n_rows + c] = value
    return pi


@njit(cache=True, nogil=True)
def _solve_block_simplex(supply, n_rows, C, dummy_row, dummy_col, max_iter):
    """Network simplex over every arc of the balanced block; (status, pivots, support, pi)."""
    m, n = C.shape
    n_cols = supply.shape[0] - n_rows
    n_nodes = n_rows + n_cols
    n_arcs = n_nodes + n_rows * n_cols
    b = new_basis(n_nodes, n_arcs)
    max_cost = 0.0
    e = n_nodes
    for i in range(n_rows):
        for j in range(n_cols):
            b.src[e] = i
            b.tgt[e] = n_rows + j
            c = C[i, j] if (i < m and j < n) else 0.0
            b.cost[e] = c
            if c < np.inf:  # an inf arc is absent: it never prices negative, never enters
                max_cost = max(max_cost, c)
            e += 1
    art_cost = artificial_cost(max_cost, n_nodes)
    init_tree(b, supply, art_cost)
    greedy_start(b, supply, art_cost, n_arcs, n_rows, n_cols, dummy_row, dummy_col)
    next_arc = np.array([n_nodes], np.int64)
    block = max(block_size_for(n_rows * n_cols) // 2, 10)
    status, pivots, _ = solve_phases(b, supply, n_arcs, block, next_arc, max_iter, n_rows,
                                     n_cols, 1)
    count = 0
    for e in range(n_nodes, n_arcs):
        if b.flow[e] > 0:
            count += 1
    sup_r = np.empty(count, np.int64)
    sup_c = np.empty(count, np.int64)
    sup_f = np.empty(count)
    k = 0
    for e in range(n_nodes, n_arcs):  # arcs are laid out row-major: the support is too
        if b.flow[e] > 0:
            sup_r[k] = (e - n_nodes) // n_cols
            sup_c[k] = (e - n_nodes) % n_cols
            sup_f[k] = b.flow[e]
            k += 1
    return status, pivots, sup_r, sup_c, sup_f, b.pi[:n_nodes].copy()


@register_jitable
def _is_uniform_square(ar, bc):
    if ar.shape[0] != bc.shape[0]:
        return False
    w = ar[0]
    for k in range(ar.shape[0]):
        if ar[k] != w or bc[k] != w:
            return False
    return True


@register_jitable
def small_route(ar, bc, kind, lo, hi, shortcuts=True):
    """The route of a small problem, the one rule for it: METHOD_CONSTANT when every cost is
    equal (``lo == hi``); METHOD_ASSIGNMENT for equal totals (``kind``), equal counts below
    ASSIGNMENT_BELOW and one common weight, with no missing arc (``hi`` finite: with inf costs
    the simplex says which points cannot be served); else METHOD_BLOCK. ``shortcuts=False``
    always takes the block simplex. :func:`solve_small` follows it, and
    :func:`emdkit.core.prepare.prepare_dense` asks it whether a problem too large for the
    all-arcs block still takes a shortcut."""
    if not shortcuts:
        return METHOD_BLOCK
    if lo == hi:
        return METHOD_CONSTANT
    if kind == DUMMY_NONE and ar.shape[0] < ASSIGNMENT_BELOW and hi < np.inf and \
            _is_uniform_square(ar, bc):
        return METHOD_ASSIGNMENT
    return METHOD_BLOCK


@njit(cache=True, nogil=True)
def solve_small(ar, bc, C, max_iter, shortcuts=True):
    """Exact EMD of one reduced problem: positive scaled weights, scaled (m, n) costs.

    ``shortcuts=False`` skips the constant and assignment routes (tests compare them with the
    general simplex). Returns (status, method, support rows, support cols, support flows, node potentials in
    block layout (u = −π rows, v = π columns; v repaired by the certificate), work in the
    scaled units, total flow, dummy kind, pivots, certified gap).
    """
    m, n = C.shape
    supply, kind, total = balanced_layout(ar, bc)
    n_rows = m + (kind == DUMMY_SOURCE)
    n_cols = supply.shape[0] - n_rows
    dummy_row = m if kind == DUMMY_SOURCE else -1
    dummy_col = n if kind == DUMMY_SINK else -1
    lo = C.min()
    hi = C.max()
    status = STATUS_OPTIMAL
    pivots = 0
    method = small_route(ar, bc, kind, lo, hi, shortcuts)
    if method == METHOD_CONSTANT:
        sup_r, sup_c, sup_f = _north_west_corner(supply, n_rows)
        pi = _constant_potentials(n_rows, n_cols, m, n, kind, lo)
    elif method == METHOD_ASSIGNMENT:
        col_for_row, u, v, ok = solve_assignment(C)
        if ok != 0:
            status = STATUS_NO_AUGMENTING_PATH
        sup_r = np.arange(m)
        sup_c = col_for_row
        sup_f = np.full(m, ar[0])
        pi = np.concatenate((-u, v))
        pivots = m
    else:
        status, pivots, sup_r, sup_c, sup_f, pi = _solve_block_simplex(
            supply, n_rows, C, dummy_row, dummy_col, max_iter)
    work = canonical_work(sup_r, sup_c, sup_f, C)
    gap = np.inf
    if status == STATUS_OPTIMAL:
        ok, u, v, gap = certify(C, n_rows, supply, pi, sup_r, sup_c, sup_f, work, kind)
        for r in range(n_rows):
            pi[r] = -u[r]
        for c in range(n_cols):
            pi[n_rows + c] = v[c]
        if not ok:
            status = STATUS_NOT_CERTIFIED
    return status, method, sup_r, sup_c, sup_f, pi, work, total, kind, pivots, gap


@njit(cache=True, nogil=True)
def one_to_many(w, weights, costs):
    """Closed form when one side is a single point of weight ``w``: a fractional knapsack.

    The single point ships to the other side's points cheapest first, each up to its weight,
    until min(w, Σ weights) has moved; that greedy flow is optimal, with no pivot and no
    certificate needed. Duals (u for the single point, v for the others, u + v <= c):
    when the single point is the heavier side or balanced, u = 0 and v = c; when it is the
    lighter side, u = c* (the cost of the last point it reaches) and v = min(c − c*, 0).
    Self-contained numpy code, so its ``py_func`` runs the same arithmetic without compiling
    anything (a first call on a cold cache, bench/RESULTS_cold.md). Returns
    (order-sorted indices with flow, flows, work, total, u, v).
    """
    n = weights.shape[0]
    order = np.argsort(costs, kind="mergesort")
    others_total = sequential_sum(weights)
    total = min(w, others_total)
    remaining = total
    idx = np.empty(n, np.int64)
    flows = np.empty(n)
    k = 0
    last_cost = 0.0
    for t in range(n):
        j = order[t]
        if remaining <= 0.0:
            break
        f = min(weights[j], remaining)
        idx[k] = j
        flows[k] = f
        k += 1
        remaining -= f
        last_cost = costs[j]
    # the support in index order, summed left to right: the canonical work
    sel = np.argsort(idx[:k], kind="mergesort")
    idx_sorted = idx[:k][sel]
    flows_sorted = flows[:k][sel]
    work = 0.0
    for t in range(k):
        work += flows_sorted[t] * costs[idx_sorted[t]]
    v = costs.copy()
    u = 0.0
    if w < others_total:
        u = last_cost
        for j in range(n):
            v[j] = min(costs[j] - last_cost, 0.0)
    return idx_sorted, flows_sorted, work, total, u, v


# The compiled engine's small-problem solver (cpp/solve/block.cpp), same signatures and bits.
_native = native_engine()
if _native is not None:
    canonical_work = _native.canonical_work  # noqa: F811
    solve_small = _native.solve_small  # noqa: F811
    one_to_many = _native.one_to_many  # noqa: F811
    small_route = _native.small_route  # noqa: F811

# The compiled engine verifies every small answer exactly in the same call and returns the
# exact optimum correctly rounded (cpp/solve/exact_check.hpp): solve_small's tuple followed by
# (exact, distance, work). None under the Numba reference engine, whose answers stay certified
# by the float certificate alone (exact False).
solve_small_exact = getattr(_native, "solve_small_exact", None) if _native is not None else None
