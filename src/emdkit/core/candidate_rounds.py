"""Large dense problems: network simplex on candidate arcs, certified by pricing every pair.

A transportation optimum uses at most m + n − 1 arcs, nearly all of them cheap for their row or
column. We start from the k cheapest arcs of every row and every column, solve, then price all
m·n pairs against the dual potentials in one sweep. Pairs with negative reduced cost join the
live basis and pivoting resumes. When a sweep finds none, the basis is optimal for the full
problem; the sound certificate (certificate.py) then proves it in floating point.

Rounds stop only when pricing makes no progress: every round adds arcs that were not in the
set, so the loop ends (at worst with every arc in). After ``ROUNDS_AT_FIXED_CAP`` rounds the
number of arcs a row may add doubles each round, so massive ties (all-equal costs, coincident
points) cannot crawl: the arc set grows geometrically.
"""
from __future__ import annotations

import numpy as np

from .._jit import njit, prange
from .block import canonical_work
from .certificate import certify, finite_max
from .engine import native_engine
from .errors import STATUS_NOT_CERTIFIED, SolverError
from .network_simplex import PRICING_EPS, NetworkSimplex, pricing_rounds
from .prepare import raise_unserved
from .problem import TransportProblem
from .threads import numba_threads, parallel_for_work
from .topk import emit_row, push_smallest

CANDIDATES_PER_LINE = 16
# Rounds at the initial per-row cap before it starts doubling. Non-degenerate problems finish
# in 2-6 rounds (bench inputs, uniform and clustered clouds, colour signatures); only massive
# ties reach this, and they need the growth (n = 1000 all-zero costs: 60+ rounds before).
ROUNDS_AT_FIXED_CAP = 8
# Column blocks for the column-candidate sweep: enough to spread over threads, each block's
# k-smallest buffers (block width × k) small enough for cache.
COLUMN_BLOCKS = 8


@njit(cache=True, nogil=True, inline="always")
def _price_row(C, pi, i, n_rows, in_set, cap, out_cols, out_count):
    m, n = C.shape
    pi_i = pi[i]
    vals = np.zeros(cap)  # only negative reduced costs can enter
    idx = np.full(cap, -1, np.int64)
    for j in range(n):
        pj = pi[n_rows + j]
        c = C[i, j]
        rc = c + pi_i - pj
        if rc < vals[cap - 1] and not in_set[i, j]:
            if rc < -PRICING_EPS * max(abs(c), abs(pi_i), abs(pj)):
                push_smallest(vals, idx, cap, rc, j)
    emit_row(idx, cap, out_cols, out_count, i)


@njit(cache=True, nogil=True)
def _price_rows_serial(C, pi, n_rows, in_set, cap, out_cols, out_count):
    for i in range(C.shape[0]):
        _price_row(C, pi, i, n_rows, in_set, cap, out_cols, out_count)


@njit(cache=True, parallel=True)
def _price_rows_parallel(C, pi, n_rows, in_set, cap, out_cols, out_count):
    for i in prange(C.shape[0]):
        _price_row(C, pi, i, n_rows, in_set, cap, out_cols, out_count)


def price_rows(C, pi, n_rows, in_set, cap, out_cols, out_count, n_threads=1):
    """Price every pair of C: per row, up to ``cap`` columns with a negative reduced cost
    outside ``in_set``, most negative first, into ``out_cols`` / ``out_count``; rows run on
    ``n_threads`` threads (1: serial)."""
    if n_threads > 1:
        with numba_threads(n_threads):
            _price_rows_parallel(C, pi, n_rows, in_set, cap, out_cols, out_count)
    else:
        _price_rows_serial(C, pi, n_rows, in_set, cap, out_cols, out_count)


@njit(cache=True, nogil=True)
def _initial_candidates(C, k):
    """(mask, rows, cols): the k cheapest arcs of every row and of every column, as a mask and
    as a list (one pass, no sort).

    Each row starts its scan at a different column, so that ties spread out: with all-equal
    costs every row would otherwise pick columns 0..k-1, and the greedy start would leave most
    of the mass on artificial arcs (issue 11: n = 1000 all-zero costs). Columns keep the
    natural row order; the rows' spread is enough for the greedy start to match everything.
    """
    m, n = C.shape
    mask = np.zeros((m, n), dtype=np.bool_)
    kr = min(k, n)
    kc = min(k, m)
    rows = np.empty(m * kr + n * kc, np.int64)  # the arcs, listed as they are first marked
    cols = np.empty(m * kr + n * kc, np.int64)
    count = 0
    for i in range(m):
        vals = np.full(kr, np.inf)
        idx = np.zeros(kr, np.int64)
        start = (i * n) // m
        for j in range(start, n):
            push_smallest(vals, idx, kr, C[i, j], j)
        for j in range(start):
            push_smallest(vals, idx, kr, C[i, j], j)
        for t in range(kr):
            if not mask[i, idx[t]]:
                mask[i, idx[t]] = True
                rows[count] = i
                cols[count] = idx[t]
                count += 1
    width = (n + COLUMN_BLOCKS - 1) // COLUMN_BLOCKS
    for bl in range(COLUMN_BLOCKS):
        j0 = bl * width
        j1 = min(n, j0 + width)
        if j0 >= j1:
            continue
        vals = np.full((j1 - j0, kc), np.inf)
        idx = np.zeros((j1 - j0, kc), np.int64)
        for i in range(m):  # row-major sweep keeps memory access contiguous
            for j in range(j0, j1):
                push_smallest(vals[j - j0], idx[j - j0], kc, C[i, j], i)
        for j in range(j0, j1):
            for t in range(kc):
                i = idx[j - j0, t]
                if not mask[i, j]:
                    mask[i, j] = True
                    rows[count] = i
                    cols[count] = j
                    count += 1
    return mask, rows[:count], cols[:count]


def solve_candidate_rounds(problem: TransportProblem, C: np.ndarray, max_iter: int,
                           n_threads: int = 1, start=None,
                           max_cost: float | None = None) -> NetworkSimplex:
    """Solve ``problem`` on its reduced, scaled cost matrix ``C`` (m' × n'); returns the live
    solver, optimal over every pair (the caller certifies it).

    ``start(ns)`` (optional) adds the first arcs and builds the starting basis, returning
    their (m', n') mask; the default is :func:`start_from_candidates`. Warm starts
    (:mod:`emdkit.core.warm_start`) pass their own. ``max_cost``: C's largest finite entry
    when the caller knows it (:attr:`PreparedProblem.cost_max`), else found here."""
    m, n = C.shape
    n_rows = problem.n_rows
    if max_cost is None:
        max_cost = float(C.max(initial=0.0))  # numpy's max: 4× Numba's at n = 1000
        max_cost = max_cost if max_cost < np.inf else finite_max(C)
    ns = NetworkSimplex(problem.supply, max_cost,
                        capacity=problem.supply.shape[0] + min(m * n, 8 * (m + n)) + 16)
    ns.add_arcs(*problem.dummy_arcs())
    in_set = (start or start_from_candidates)(ns, problem, C)
    threads = n_threads if parallel_for_work(m * n, n_threads) else 1

    def price(cap):
        cap = min(cap, n)
        out_cols = np.empty((m, cap), np.int64)
        out_count = np.empty(m, np.int64)
        price_rows(C, ns.pi, n_rows, in_set, cap, out_cols, out_count, threads)
        return out_cols, out_count

    def add_violators(rows, cols):
        in_set[rows, cols] = True
        ns.add_arcs(rows, n_rows + cols, C[rows, cols])

    pricing_rounds(ns, max_iter, CANDIDATES_PER_LINE, ROUNDS_AT_FIXED_CAP, price, add_violators,
                   lambda: _open_rows_with_artificial_mass(ns, problem, C, in_set))
    return ns


def start_from_candidates(ns, problem: TransportProblem, C: np.ndarray) -> np.ndarray:
    """The cold start: the k cheapest arcs of every line, and the greedy forest over them."""
    in_set, ii, jj = _initial_candidates(C, CANDIDATES_PER_LINE)
    finite = C[ii, jj] < np.inf  # inf costs are missing arcs; a line may have fewer than k
    ii, jj = ii[finite], jj[finite]
    ns.add_arcs(ii, problem.n_rows + jj, C[ii, jj])
    ns.start_greedy(problem.dummy_node)
    return in_set


def _open_rows_with_artificial_mass(ns, problem, C, in_set) -> None:
    """Phase 1 stalled with mass on the root: open every arc of the rows and columns that
    still hold it (the big-M potentials price them, but rounding can hide them). When those
    are all in and the cost has missing (inf) arcs, open every remaining finite arc; with
    all of them in, mass left on the root is mass no finite arc can carry, and a ValueError
    names its points. With finite costs only, a stall there is a numerical failure."""
    m, n = C.shape
    n_rows = problem.n_rows
    stuck = np.flatnonzero((ns.state[: ns.n_nodes] == 0) & (ns.flow[: ns.n_nodes] > 0))
    mask = np.zeros((m, n), bool)
    for node in stuck:
        if node < m:
            mask[node, :] = True
        elif n_rows <= node < n_rows + n:
            mask[:, node - n_rows] = True
    finite = C < np.inf
    mask &= ~in_set & finite
    missing_arcs = not finite.all()
    if not mask.any() and missing_arcs:
        mask = ~in_set & finite
    if not mask.any():
        if not missing_arcs:
            raise SolverError("network simplex ended with mass on artificial arcs; "
                              "no value is returned")
        src, tgt, f, _ = ns.real_flows()
        raise_unserved(problem, src, tgt - n_rows, f)
    ii, jj = np.nonzero(mask)
    in_set[ii, jj] = True
    ns.add_arcs(ii, n_rows + jj, C[ii, jj])


def certify_live(problem: TransportProblem, ns, Cs: np.ndarray):
    """Support (row-major), certified potentials, canonical work, gap and status of a live
    network simplex whose nodes follow the problem's block layout (candidate rounds, warm
    starts)."""
    src, tgt, f, _ = ns.real_flows()
    order = np.lexsort((tgt, src))
    sup_r, sup_c, sup_f = src[order], tgt[order] - problem.n_rows, f[order]
    work = canonical_work(sup_r, sup_c, sup_f, Cs)
    ok, u, v, gap = certify(Cs, problem.n_rows, problem.supply, ns.pi[: ns.n_nodes].copy(),
                            sup_r, sup_c, sup_f, work, problem.dummy_kind)
    pi = np.concatenate([-u, v])
    return sup_r, sup_c, sup_f, pi, work, gap, (0 if ok else STATUS_NOT_CERTIFIED)


# The compiled engine's kernels (cpp/solve/candidates.cpp), same signatures and bits; the
# sweep runs on std::threads.
_native = native_engine()
if _native is not None:
    price_rows = _native.price_rows  # noqa: F811
    _initial_candidates = _native.initial_candidates  # noqa: F811
