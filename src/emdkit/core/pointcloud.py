"""Exact EMD between large point clouds without the m×n cost matrix.

1. Candidate arcs: the k nearest neighbours of every point in the other cloud (core/knn.py).
2. The network simplex solves the problem restricted to the candidates, from a greedy basis.
3. Pricing: a KD-tree branch-and-bound finds, for every source point, the pairs with negative
   reduced cost c(x_i, y_j) + π_i − π_j over *all* targets; those arcs join the live basis and
   pivoting resumes, until no pair anywhere has a negative reduced cost.
4. Certificate: the duals are repaired without the matrix (a KD-tree over the sources gives
   v_j = min_i floor(c(x_i, y_j) − u_i)), and their objective must prove the work optimal,
   exactly as for dense problems (certificate.py).

With the compiled engine every answer is then made exact without the matrix
(:func:`solve_exact_cloud`, cpp/exact/sparse_exact.hpp): the float basis verified in integer
arithmetic on the costs the kernel computes, every pair priced on a k-d tree, and the exact
simplex continued on a growing arc set where a pair violates. Without it (EMDKIT_ENGINE=numba),
when the strict certificate fails :func:`emdkit.core.exact.settle_uncertified` accepts the
float64-scale verdict, else the problem is solved exactly on the dense costs up to
``DENSE_EXACT_MAX_PAIRS``; there is no approximate fallback.
Memory is O((m + n)·k), not O(m·n).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._jit import njit
from .certificate import judge, lower_bound, marginal_residual, normalize_potentials
from .cost_kernels import point_cost
from .costs import lookup_metric
from .engine import native_engine
from .errors import STATUS_MAX_ITER, STATUS_NOT_CERTIFIED, SolverError, raise_for_status
from .exact import (
    ExactSolution,
    assemble_exact,
    settle_uncertified,
    solve_exact,
    stall_goes_exact,
)
from .kdtree import KDTree, min_cost_minus, node_max_potential, price_rows
from .knn import nearest_neighbours
from .network_simplex import PRICING_EPS, STATE_TREE, NetworkSimplex, pricing_rounds
from .problem import TransportProblem
from .progress import progress_writer
from .result import EMDResult, assemble
from .threads import parallel_for_work

if TYPE_CHECKING:
    from .prepare import PreparedProblem

NEIGHBOURS = 16
VIOLATORS_PER_ROW = 8
# Pricing rounds before the per-row violator cap starts doubling; non-degenerate clouds need
# 3-10 rounds (bench/RESULTS_pointcloud.md), coincident points and massive ties more.
ROUNDS_AT_FIXED_CAP = 12
# Pairs up to which an uncertified point-cloud answer is re-solved exactly on the dense costs
# (the kernel's own float64 values): 25 million pairs are 200 MB of float64. Only without the
# compiled engine's matrix-free exact solver (EMDKIT_ENGINE=numba, an old build).
DENSE_EXACT_MAX_PAIRS = 25_000_000
# Every point-cloud answer of the compiled engine is made exact matrix-free (issue 20). A switch
# for the benches' A/B runs (bench/exact_verify_clouds.py): off, the float certificate decides
# and only the answers it cannot prove are solved exactly, on the dense costs.
EXACT_MATRIX_FREE = True


@njit(cache=True, nogil=True)
def _pair_costs(X, Y, ii, jj, code):
    out = np.empty(ii.shape[0])
    for k in range(ii.shape[0]):
        out[k] = point_cost(X[ii[k]], Y[jj[k]], code)
    return out


@njit(cache=True, nogil=True)
def support_work(X, Y, sup_r, sup_c, sup_f, code):
    """Σ f c over the real arcs of a row-major support, left to right (the canonical sum)."""
    m = X.shape[0]
    n = Y.shape[0]
    work = 0.0
    for k in range(sup_r.shape[0]):
        if sup_r[k] < m and sup_c[k] < n:
            work += sup_f[k] * point_cost(X[sup_r[k]], Y[sup_c[k]], code)
    return work


def _cost_bound(X, Y, code) -> float:
    """An upper bound on any pair's cost: the cost across the joint bounding box."""
    lo = np.minimum(X.min(axis=0), Y.min(axis=0))
    hi = np.maximum(X.max(axis=0), Y.max(axis=0))
    return float(point_cost(lo, hi, code))


def _knn_arcs(X, Y, k, workers):
    m, n = X.shape[0], Y.shape[0]
    kx = min(k, n)
    ky = min(k, m)
    near_y = nearest_neighbours(Y, X, kx, workers)
    near_x = nearest_neighbours(X, Y, ky, workers)
    keys = np.unique(np.concatenate([
        (np.arange(m)[:, None] * n + near_y).ravel(),
        (near_x * n + np.arange(n)[:, None]).ravel(),
    ]))
    return keys


def price_on_tree(tree: KDTree, X: np.ndarray, pi_rows: np.ndarray, pi_cols: np.ndarray,
                  code: int, cap: int, n_threads: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Per row i of ``X``, up to ``cap`` columns j of the tree's points with the most negative
    reduced cost c(x_i, y_j) + pi_rows[i] − pi_cols[j] (beyond PRICING_EPS): (out_cols,
    out_count), row by row."""
    m = X.shape[0]
    cap = min(cap, tree.perm.shape[0])
    out_cols = np.empty((m, cap), np.int64)
    out_count = np.empty(m, np.int64)
    pi_sorted = np.ascontiguousarray(pi_cols[tree.perm])
    node_max_potential(tree.start, tree.end, tree.left, tree.right, pi_sorted, tree.node_max)
    price_rows(X, np.ascontiguousarray(pi_rows), tree.points, pi_sorted, tree.perm, tree.start,
               tree.end, tree.left, tree.right, tree.lo, tree.hi, tree.node_max, code,
               PRICING_EPS, cap, out_cols, out_count, n_threads)
    return out_cols, out_count


def solve_pointcloud(problem: TransportProblem, X: np.ndarray, Y: np.ndarray, code: int,
                     max_iter: int, n_threads: int = 1, keys: np.ndarray | None = None,
                     on_round=None, start=None,
                     violators_per_row: int = 0) -> NetworkSimplex:
    """Solve on reduced clouds ``X`` (m', d), ``Y`` (n', d); returns the live solver.

    ``keys`` (i·n' + j, sorted, unique) are the starting candidate arcs, by default the
    ``NEIGHBOURS`` nearest of every point; the multiscale driver passes arcs near a coarser
    optimum. ``on_round(pivots, violators)`` is called after each pricing round.
    ``start(ns, first, keys)``
    builds the starting basis once the arcs of ``keys`` are in (arc ``first + t`` is
    ``keys[t]``); by default the greedy forest over them. ``violators_per_row``: the first
    pricing rounds' cap a row (0: VIOLATORS_PER_ROW).
    """
    m, n = X.shape[0], Y.shape[0]
    n_rows = problem.n_rows
    if keys is None:
        keys = _knn_arcs(X, Y, NEIGHBOURS, n_threads)
    ns = NetworkSimplex(problem.supply, _cost_bound(X, Y, code),
                        capacity=problem.supply.shape[0] + 2 * keys.size + m + n)
    ns.add_arcs(*problem.dummy_arcs())
    ii, jj = np.divmod(keys, n)
    first = ns.n_arcs
    ns.add_arcs(ii, n_rows + jj, _pair_costs(X, Y, ii, jj, code))
    if start is None:
        ns.start_greedy(problem.dummy_node)
    else:
        start(ns, first, keys)
    tree = KDTree(Y)
    ns.column_tree = tree  # the exact step's sweeps price on the same tree
    sweep_threads = n_threads if parallel_for_work(m * n // 8, n_threads) else 1

    def price(cap):
        out_cols, out_count = price_on_tree(tree, X, ns.pi[:m], ns.pi[n_rows:n_rows + n], code,
                                            cap, sweep_threads)
        if on_round is not None:
            on_round(ns.n_iter, int(out_count.sum()))
        return out_cols, out_count

    # an arc already in the set cannot price negative here: solve() re-prices the set with
    # these same potentials and tolerance first, so violators need no de-duplication
    def add_violators(rows, cols):
        ns.add_arcs(rows, n_rows + cols, _pair_costs(X, Y, rows, cols, code))

    def stalled():
        raise SolverError("network simplex ended with mass on artificial arcs and no pair "
                          "prices negative; no value is returned")

    pricing_rounds(ns, max_iter, violators_per_row or VIOLATORS_PER_ROW, ROUNDS_AT_FIXED_CAP,
                   price, add_violators, stalled)
    return ns


def certify_pointcloud(problem: TransportProblem, X, Y, code, pi, sup_r, sup_c, sup_f, work):
    """:func:`emdkit.core.certificate.certify` without the matrix: (ok, u, v, gap)."""
    m, n_rows = problem.m, problem.n_rows
    normalize_potentials(pi, n_rows, problem.supply, problem.dummy_kind)
    u = -pi[:n_rows]
    v = min_cost_minus(Y, X, u[:m], code)
    if problem.dummy == "source":      # the dummy row reaches every column at cost 0
        v = np.minimum(v, pi[m])
    elif problem.dummy == "sink":      # the dummy column: min_i (0 − u_i), exact
        v = np.append(v, float(pi[:m].min()))
    if work <= 0.0:
        return True, u, v, 0.0
    lb, dual_scale = lower_bound(problem.supply, u, v)
    residual = marginal_residual(n_rows, problem.supply, sup_r, sup_c, sup_f)
    ok, gap = judge(work, lb, dual_scale, n_rows + v.shape[0], residual,
                    _cost_bound(X, Y, code), float(problem.supply[:n_rows].sum()))
    return ok, u, v, gap


def float_basis(ns: NetworkSimplex, n_rows: int):
    """The live solver's arc set (block rows, block columns) and the indices in it of its basic
    arcs, flow-carrying ones first (the artificial arcs to the root left out)."""
    arcs = slice(ns.n_nodes, ns.n_arcs)
    rows, cols = ns.src[arcs], ns.tgt[arcs] - n_rows
    tree = np.flatnonzero(ns.state[arcs] == STATE_TREE)
    tree = tree[np.argsort(ns.flow[arcs][tree] <= 0, kind="stable")]
    return (np.ascontiguousarray(rows, np.int64), np.ascontiguousarray(cols, np.int64),
            np.ascontiguousarray(tree, np.int64))


def solve_exact_cloud(problem: TransportProblem, X: np.ndarray, Y: np.ndarray, code: int,
                      arc_rows: np.ndarray, arc_cols: np.ndarray, hint: np.ndarray,
                      pi: np.ndarray | None = None, n_threads: int = 1, width: int = 0,
                      max_pivots: int = -1, method: str = "pointcloud",
                      tree: KDTree | None = None) -> tuple[ExactSolution, dict]:
    """The exact optimum of the point-cloud problem on the kernel's float64 costs, without the
    cost matrix: ``_engine.exact_cloud_transport`` (cpp/exact/sparse_exact.hpp).

    Parameters
    ----------
    problem : TransportProblem
        Kept, scaled weights and their layout.
    X, Y : ndarray, shapes (problem.m, d) and (problem.n, d)
        The kept points (C-contiguous float64); pair (i, j) costs the kernel's d(X_i, Y_j).
    code : int
        The metric's kernel code (emdkit.core.costs).
    arc_rows, arc_cols : ndarray of int64
        The starting arc set in block layout (a dummy row ``m`` or column ``n`` allowed).
    hint : ndarray of int64
        Indices into the arc set of the float basis (:func:`float_basis`); any arcs will do:
        a hint that is no feasible tree is completed greedily, then pivoted to the optimum.
    pi : ndarray, optional
        The float node potentials (block layout), which join a degenerate support.
    n_threads : int
        Threads of the matrix-free sweeps.
    width, max_pivots : int
        As ``_engine.exact_transport``'s (tests: ``width=-1`` runs BigInt throughout).
    method : str
        The route the result names (``"pointcloud"`` or ``"multiscale"``).
    tree : KDTree, optional
        A k-d tree over ``Y`` already built (the float solve's), else one is built.

    Returns
    -------
    (ExactSolution, dict)
        The solution for :func:`~emdkit.core.exact.assemble_exact`, and the engine's counters
        (sweeps, arcs_added, exact_checks, regrids, arcs, pivots, hint_optimal).

    Raises
    ------
    SolverError
        When ``max_pivots`` runs out.
    """
    m, n, n_rows = problem.m, problem.n, problem.n_rows
    tree = KDTree(Y) if tree is None else tree
    hint_u = hint_v = None
    if pi is not None:
        hint_u = np.ascontiguousarray(-pi[:m], dtype=np.float64)
        hint_v = np.ascontiguousarray(pi[n_rows:n_rows + n], dtype=np.float64)
    out = native_engine().exact_cloud_transport(
        np.ascontiguousarray(problem.a, dtype=np.float64),
        np.ascontiguousarray(problem.b, dtype=np.float64), X, Y, int(code), tree.points,
        tree.perm, tree.start, tree.end, tree.left, tree.right, tree.lo, tree.hi,
        np.ascontiguousarray(arc_rows, np.int64), np.ascontiguousarray(arc_cols, np.int64),
        np.ascontiguousarray(hint, np.int64), hint_u, hint_v,
        weight_exp=int(problem.weight_exp), max_pivots=int(max_pivots), width=int(width),
        violators_per_row=VIOLATORS_PER_ROW, n_threads=int(n_threads))
    raise_for_status(out["status"], pivots=out["pivots"], where="exact simplex")
    pi_out = np.zeros(problem.supply.shape[0])
    pi_out[:m] = -out["u"]
    pi_out[n_rows:n_rows + n] = out["v"]
    sol = ExactSolution(out["rows"], out["cols"], out["flows"], out["flow_exact"], pi_out,
                        out["work_scaled"], out["work"], out["distance"], int(out["pivots"]),
                        method, bool(out["hint_optimal"]))
    return sol, out


def _matrix_free_exact():
    """Whether point-cloud answers are made exact matrix-free (the engine has the solver)."""
    native = native_engine()
    return EXACT_MATRIX_FREE and native is not None and hasattr(native, "exact_cloud_transport")


def pointcloud_emd(prep: PreparedProblem, progress: bool = False,
                   coarse_to_fine=None) -> EMDResult:
    """A prepared signature problem (path "pointcloud" or "multiscale") in, certified
    :class:`EMDResult` out (flows kept sparse; the cost matrix is never formed).

    ``coarse_to_fine`` is the multiscale driver (multiscale.solve_multiscale) for the
    "multiscale" path, handed in by the caller because that driver is built on this module's
    solver. ``progress`` reports levels and pricing rounds
    on stderr.
    """
    problem, (X, Y, metric) = prep.problem, prep.signature
    code = lookup_metric(metric).code
    Xk, Yk = np.ascontiguousarray(X[problem.rows]), np.ascontiguousarray(Y[problem.cols])
    multiscale = coarse_to_fine is not None
    try:
        if multiscale:
            ns = coarse_to_fine(problem, Xk, Yk, code, prep.max_iter, prep.n_threads, progress)
        else:
            say = progress_writer(progress)
            ns = solve_pointcloud(problem, Xk, Yk, code, prep.max_iter, prep.n_threads,
                                  on_round=None if say is None else lambda piv, viol: say(
                                      f"emdkit pointcloud: {piv} pivots, {viol} violators priced"))
    except SolverError as exc:  # a stall (rounding made the float simplex cycle): exactly
        if exc.status != STATUS_MAX_ITER or not stall_goes_exact(prep):
            raise
        no_arcs = np.zeros(0, np.int64)
        sol, _ = solve_exact_cloud(problem, Xk, Yk, code, no_arcs, no_arcs, no_arcs,
                                   n_threads=prep.n_threads,
                                   method="multiscale" if multiscale else "pointcloud")
        return assemble_exact(prep, sol)
    if _matrix_free_exact():
        arc_rows, arc_cols, hint = float_basis(ns, problem.n_rows)
        sol, _ = solve_exact_cloud(problem, Xk, Yk, code, arc_rows, arc_cols, hint,
                                   ns.pi[: ns.n_nodes], prep.n_threads,
                                   method="multiscale" if multiscale else "pointcloud",
                                   tree=getattr(ns, "column_tree", None))
        return assemble_exact(prep, sol)
    src, tgt, f, _ = ns.real_flows()
    order = np.lexsort((tgt, src))
    sup_r, sup_c, sup_f = src[order], tgt[order] - problem.n_rows, f[order]
    work = support_work(Xk, Yk, sup_r, sup_c, sup_f, code)
    ok, u, v, gap = certify_pointcloud(problem, Xk, Yk, code, ns.pi[: ns.n_nodes].copy(),
                                       sup_r, sup_c, sup_f, work)

    def answer():
        return assemble(prep, sup_r, sup_c, sup_f, np.concatenate([-u, v]), work,
                        "multiscale" if multiscale else "pointcloud", ns.n_iter, gap)

    def exact_answer():  # the dense exact simplex on the kernel's own costs (bounded memory)
        if problem.m * problem.n > DENSE_EXACT_MAX_PAIRS:
            raise_for_status(STATUS_NOT_CERTIFIED, where=f"{problem.m}×{problem.n} problem")
        ii, jj = np.divmod(np.arange(problem.m * problem.n), problem.n)
        Cs = _pair_costs(Xk, Yk, ii, jj, code).reshape(problem.m, problem.n)
        sol = solve_exact(problem, Cs, 0, sup_r, sup_c, sup_f, np.concatenate([-u, v]))
        return assemble_exact(prep, sol)

    return answer() if ok else settle_uncertified(problem, gap, answer, exact_answer)


# The compiled engine's kernels replace the Numba ones when EMDKIT_ENGINE=native (same
# arguments and results).
_native = native_engine()
if _native is not None:
    _pair_costs = _native.pair_costs
    support_work = _native.support_work
    point_cost = _native.point_cost
