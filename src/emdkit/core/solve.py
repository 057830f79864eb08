"""The public exact EMD: ``emd(a, b, cost)`` and ``signature_emd(X, wx, Y, wy)``, and the one
dispatch function, :func:`_choose`, that picks a path for them and for the batch engine."""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from numba.extending import register_jitable

from .assignment import ASSIGNMENT_BELOW
from .block import ALL_ARCS_BELOW, METHOD_NAMES, canonical_work, solve_small
from .certificate import certify, floor_difference, normalize_potentials
from .costs import GROUND_COSTS, Metric, check_metric, ground_distance
from .errors import STATUS_NOT_CERTIFIED, raise_for_status
from .exact import assemble_exact, solve_exact
from .problem import TransportProblem, cost_exponent
from .result import EMDResult, assemble
from .threads import resolve_threads
from .validation import (as_cost_with_range, as_points, as_weights, check_n_jobs,
                         check_positive_int)

# Pivots allowed per node before we call the run stuck; real problems use far fewer (the
# benchmarks' largest problems stay below 20 per node).
DEFAULT_PIVOTS_PER_NODE = 200
MIN_MAX_ITER = 100_000
# From this many pairs on, signature_emd skips the dense matrix (measured crossover: the
# matrix-free path is faster from n ≈ 500 points a side; bench/RESULTS_pointcloud.md).
POINTCLOUD_ABOVE = 250_000

SIGNATURE_METHODS = ("auto", "dense", "pointcloud", "monotone_1d")
# The constant-cost and assignment routes; tests switch them off to compare with the simplex.
FAST_PATHS = True


@register_jitable
def default_max_iter(m, n):
    """The pivot bound when none is given: generous, O((m + n) log(m + n))."""
    return max(MIN_MAX_ITER, DEFAULT_PIVOTS_PER_NODE * (m + n) * int(np.log2(m + n + 2)))


def _choose(m: int, n: int, *, balanced: bool, uniform_square: bool = False,
            constant: bool = False, d: int | None = None, metric: Metric | None = None,
            method: str = "auto") -> str:
    """The solver path for a problem with m × n kept points (zero weights dropped).

    Rules, in order (also listed in :func:`emd` and :func:`signature_emd`):

    1. ``signature_emd`` on the line (d == 1), a registered metric, equal totals:
       "monotone_1d", the sorted coupling (every registered metric is convex on the line).
    2. ``signature_emd`` with a registered metric and m·n >= POINTCLOUD_ABOVE: "pointcloud",
       the matrix-free solver.
    3. One side a single point: "one_to_many", the closed form (a fractional knapsack).
    4. Every cost equal, or m·n <= ALL_ARCS_BELOW, or equal counts with one common weight
       below ASSIGNMENT_BELOW points: "small", one Numba call that picks "constant",
       "assignment" or "block" (network simplex over every arc).
    5. Otherwise "candidate_rounds": network simplex on the 16 cheapest arcs of every line,
       certified by pricing every pair.

    An explicit ``method`` that cannot serve the input raises ValueError; it never falls back.
    """
    registered = isinstance(metric, str)
    if method == "monotone_1d":
        if d != 1:
            raise ValueError(f"method='monotone_1d' needs points on a line (d = 1), got d = {d}")
        if not registered or not GROUND_COSTS[metric].convex_on_line:
            raise ValueError("method='monotone_1d' needs a registered metric that is convex on "
                             f"the line, got {metric!r}")
        if not balanced:
            raise ValueError("method='monotone_1d' needs equal totals (the sorted coupling does "
                             "not do partial matching); use method='dense'")
        return "monotone_1d"
    if method == "pointcloud":
        if not registered:
            raise ValueError("method='pointcloud' needs a registered metric (its KD-tree bounds "
                             f"are written per metric), got {metric!r}")
        return "pointcloud"
    if method == "auto" and metric is not None:
        if d == 1 and registered and balanced and GROUND_COSTS[metric].convex_on_line:
            return "monotone_1d"
        if registered and m * n >= POINTCLOUD_ABOVE:
            return "pointcloud"
    if method not in ("auto", "dense"):
        raise ValueError(f"method must be one of {SIGNATURE_METHODS}, got {method!r}")
    constant, uniform_square = constant and FAST_PATHS, uniform_square and FAST_PATHS
    if FAST_PATHS and min(m, n) == 1:
        return "one_to_many"
    if constant or m * n <= ALL_ARCS_BELOW or (uniform_square and m < ASSIGNMENT_BELOW):
        return "small"
    return "candidate_rounds"


def emd(a: ArrayLike, b: ArrayLike, cost: ArrayLike, *, max_iter: int | None = None,
        n_threads: int = 1) -> EMDResult:
    r"""Exact Earth Mover's Distance between weights ``a`` and ``b`` under ground distance ``cost``.

    Rubner's definition: with flows :math:`f_{ij} \ge 0`, :math:`\sum_j f_{ij} \le a_i`,
    :math:`\sum_i f_{ij} \le b_j` and :math:`\sum_{ij} f_{ij} = \min(\sum a, \sum b)`,

    .. math:: \mathrm{EMD} = \min_f \frac{\sum_{ij} f_{ij}\, c_{ij}}{\sum_{ij} f_{ij}}

    in the units of ``cost``. Unequal totals are partial matching (the lighter side is moved
    entirely, into the cheapest part of the heavier side); they are not normalised away.

    Parameters
    ----------
    a : array_like, shape (m,)
        Non-negative weights, any positive total (weight units).
    b : array_like, shape (n,)
        Non-negative weights, any positive total.
    cost : array_like, shape (m, n)
        Non-negative ground distances.
    max_iter : int, optional
        Pivot bound for the network simplex; reaching it raises :class:`SolverError`.
    n_threads : int, default 1
        Threads for the pricing sweeps of large problems (from 4M pairs; smaller sweeps are
        faster serial, above all when another process is busy). -1 uses every available
        thread (``NUMBA_NUM_THREADS`` and the CPU affinity mask cap it).

    Returns
    -------
    EMDResult
        ``distance``, ``work`` (Σ f c), ``total_flow``, ``flow`` and potentials ``u``, ``v``.

    Raises
    ------
    TypeError
        If an input is not real numbers (strings, booleans, complex, dates, object or masked
        arrays, ragged lists), naming the argument.
    ValueError
        If weights are negative, all zero, empty, NaN or inf, or the cost has the wrong shape,
        a negative, NaN or inf entry.
    SolverError
        If the optimum cannot be certified (``max_iter`` reached, or costs whose dynamic range
        float64 cannot certify on a problem too large for rational refinement, without the
        compiled engine). No value is returned then.

    Notes
    -----
    **Which path runs** (``result.method``), after dropping zero weights (m × n kept):

    1. one side a single point → "one_to_many" (cheapest first: a fractional knapsack);
    2. every cost equal → "constant" (any feasible flow is optimal);
    3. m·n <= 30,000, or equal counts below 250 with one common weight → one Numba call:
       "assignment" (equal counts, one weight: shortest augmenting paths) or "block"
       (network simplex over every arc);
    4. otherwise "candidate_rounds": network simplex on the 16 cheapest arcs of every row and
       column, then all pairs priced against the duals until none violates.

    **Exactness.** Weights and costs are rescaled by powers of two (exact), so subnormal and
    overflowing totals solve. The simplex runs its second phase without the big-M offset, so
    potentials stay on the scale of the costs. Every answer is then certified: the duals are
    repaired into exactly feasible ones, and their objective, a proven lower bound on the
    optimum, must be within 1e-11 of the work (``result.gap``). When float64 cannot certify
    (costs spanning ~20 decades), the problem is re-solved exactly from the float support: in
    integer arithmetic by the compiled engine at any size (``method == "exact_integer"``),
    else in rational arithmetic up to 2,500 pairs (``"exact_rational"``; larger ones raise
    :class:`SolverError`). The distance and work are then the exact optimum correctly rounded.

    References
    ----------
    .. [1] Y. Rubner, C. Tomasi, L. J. Guibas, "The Earth Mover's Distance as a metric for
       image retrieval", IJCV 40(2), 2000.
    .. [2] P. Kovács, "Minimum-cost flow algorithms: an experimental evaluation",
       Optimization Methods and Software 30(1), 2015 (LEMON's network simplex).

    Examples
    --------
    >>> import emdkit
    >>> r = emdkit.emd([2.0], [1.0, 1.0, 5.0], [[1.0, 3.0, 10.0]])
    >>> r.distance, r.work, r.total_flow
    (2.0, 4.0, 2.0)
    """
    a = as_weights(a, "a")
    b = as_weights(b, "b")
    C, lo, hi = as_cost_with_range(cost, (a.shape[0], b.shape[0]))
    if max_iter is None:
        max_iter = default_max_iter(*C.shape)
    max_iter = check_positive_int(max_iter, "max_iter")
    n_threads = resolve_threads(check_n_jobs(n_threads))
    prep = DenseProblem(a, b, C, lo, hi)
    problem, Cs, cost_exp = prep.problem, prep.Cs, prep.cost_exp
    cost_rows, cost_cols = prep.cost_rows, prep.cost_cols
    if prep.path == "one_to_many":
        return solve_one_to_many(problem, Cs, cost_exp, C.shape, cost_rows, cost_cols)
    if prep.path == "small":
        out = solve_small(problem.a, problem.b, Cs, max_iter, FAST_PATHS)
        status, method_code, sup_r, sup_c, sup_f, pi, work, _, _, pivots, gap = out
        method = METHOD_NAMES[method_code]
    else:
        from .candidate_rounds import solve_candidate_rounds
        ns = solve_candidate_rounds(problem, Cs, max_iter, n_threads)
        sup_r, sup_c, sup_f, pi, work, gap, status = _certify_live(problem, ns, Cs)
        method, pivots = "candidate_rounds", ns.n_iter
    if status == STATUS_NOT_CERTIFIED:
        return _exact_or_raise(problem, Cs, sup_r, sup_c, cost_exp, C.shape, cost_rows,
                               cost_cols, sup_f, pi)
    raise_for_status(status, max_iter, pivots)
    return assemble(problem, sup_r, sup_c, sup_f, pi, work, cost_exp, C.shape, cost_rows,
                    cost_cols, method, pivots, gap)


class DenseProblem:
    """A validated dense problem, prepared once for :func:`emd` and the batch engine alike:
    its :class:`TransportProblem`, the kept costs rescaled by 2**-cost_exp, and its path.

    ``lo`` and ``hi`` are the cost matrix's min and max, already found by validation.
    """

    __slots__ = ("problem", "C", "Cs", "cost_exp", "path")

    def __init__(self, a: np.ndarray, b: np.ndarray, C: np.ndarray, lo: float, hi: float):
        self.problem = p = TransportProblem.from_weights(a, b)
        self.C = C
        kept = C if (p.m == C.shape[0] and p.n == C.shape[1]) else \
            np.ascontiguousarray(C[np.ix_(p.rows, p.cols)])
        if kept is not C:
            lo, hi = float(kept.min()), float(kept.max())
        self.cost_exp = int(cost_exponent(hi))
        self.Cs = np.ldexp(kept, -self.cost_exp) if self.cost_exp else kept
        self.path = _choose(p.m, p.n, balanced=p.dummy == "none",
                            uniform_square=_uniform_square(p), constant=lo == hi)

    def cost_rows(self, idx):
        return self.C[idx]

    def cost_cols(self, idx):
        return self.C[:, idx]


# Up to this many points the closed form runs interpreted (its py_func): no compilation on a
# cold cache, and ~1 µs a point; beyond it the compiled version is faster than the compile.
ONE_TO_MANY_INTERPRETED_UP_TO = 2_000


def solve_one_to_many(problem: TransportProblem, Cs, cost_exp, shape, cost_rows, cost_cols):
    """The "one_to_many" path: one side is a single point (see block.one_to_many)."""
    from .block import one_to_many
    row = problem.m == 1
    w = problem.a[0] if row else problem.b[0]
    others = problem.b if row else problem.a
    costs = np.ascontiguousarray(Cs[0] if row else Cs[:, 0])
    interpreted = others.shape[0] <= ONE_TO_MANY_INTERPRETED_UP_TO
    kernel = one_to_many.py_func if interpreted else one_to_many
    normalize = normalize_potentials.py_func if interpreted else normalize_potentials
    idx, flows, work, _, u1, v_other = kernel(float(w), others, costs)
    n_rows = problem.n_rows
    pi = np.zeros(problem.supply.shape[0])
    if row:
        sup_r, sup_c = np.zeros(idx.shape[0], np.int64), idx
        pi[0], pi[n_rows:n_rows + problem.n] = -u1, v_other
    else:
        sup_r, sup_c = idx, np.zeros(idx.shape[0], np.int64)
        pi[: problem.m], pi[n_rows] = -v_other, u1
    normalize(pi, n_rows, problem.supply, problem.dummy_kind)
    if problem.dummy == "none":
        # the balanced shift was added to both sides; re-derive the other side's duals from the
        # single point's, rounded down, so that u + v <= c holds exactly after the shift too
        single = -pi[0] if row else pi[n_rows]
        others = [floor_difference(float(c), single) for c in costs]
        if row:
            pi[n_rows:n_rows + problem.n] = others
        else:
            pi[: problem.m] = [-x for x in others]
    return assemble(problem, sup_r, sup_c, flows, pi, float(work), cost_exp, shape, cost_rows,
                    cost_cols, "one_to_many", 0, 0.0)


def _uniform_square(problem: TransportProblem) -> bool:
    a, b = problem.a, problem.b
    return (problem.dummy == "none" and a.shape[0] == b.shape[0]
            and bool(np.all(a == a[0])) and bool(np.all(b == a[0])))


def _certify_live(problem: TransportProblem, ns, Cs: np.ndarray):
    """Support (row-major), certified potentials, canonical work, gap and status of a live
    network simplex whose nodes follow the problem's block layout."""
    src, tgt, f, _ = ns.real_flows()
    order = np.lexsort((tgt, src))
    sup_r, sup_c, sup_f = src[order], tgt[order] - problem.n_rows, f[order]
    work = canonical_work(sup_r, sup_c, sup_f, Cs)
    ok, u, v, gap = certify(Cs, problem.n_rows, problem.supply, ns.pi[: ns.n_nodes].copy(),
                            sup_r, sup_c, sup_f, work, problem.dummy_kind)
    pi = np.concatenate([-u, v])
    return sup_r, sup_c, sup_f, pi, work, gap, (0 if ok else STATUS_NOT_CERTIFIED)


def _exact_or_raise(problem: TransportProblem, Cs, hint_r, hint_c, cost_exp, shape,
                    cost_rows, cost_cols, hint_f=None, pi=None) -> EMDResult:
    """Re-solve exactly when float64 could not certify (core.exact.solve_exact: integers in
    the compiled engine at any size, else rationals up to EXACT_REFINE_MAX_PAIRS pairs)."""
    sol = solve_exact(problem, Cs, cost_exp, hint_r, hint_c, hint_f, pi)
    return assemble_exact(problem, sol, cost_exp, shape, cost_rows, cost_cols)


def signature_emd(X: ArrayLike, wx: ArrayLike, Y: ArrayLike, wy: ArrayLike,
                  metric: Metric = "euclidean", *, method: str = "auto",
                  max_iter: int | None = None, n_threads: int = 1) -> EMDResult:
    """EMD between signatures {(X_i, wx_i)} and {(Y_j, wy_j)}: ``emd(wx, wy, ground_distance(X, Y, metric))``.

    Parameters
    ----------
    X, Y : array_like, shapes (m, d) and (n, d)
        Positions; 1-D inputs are points on a line.
    wx, wy : array_like, shapes (m,) and (n,)
        Non-negative weights, any positive totals (unequal totals: partial matching).
    metric : str or callable, default "euclidean"
        As in :func:`emdkit.ground_distance`; distances are in the units of the coordinates
        (squared for "sqeuclidean").
    method : {"auto", "dense", "pointcloud", "monotone_1d"}
        "dense" forms the cost matrix and calls :func:`emd`. "pointcloud" never forms it
        (k-nearest-neighbour candidates, certified by KD-tree pricing; registered metrics).
        "monotone_1d" sorts (points on a line, registered metric, equal totals). "auto"
        picks, in order: "monotone_1d" when those hold; "pointcloud" from 250,000 pairs with a
        registered metric; else "dense". An explicit method that cannot serve the input
        raises ValueError. All paths are exact and return the same value.
    max_iter : int, optional
        Pivot bound, as in :func:`emd`.
    n_threads : int, default 1
        Threads for large pricing sweeps and neighbour searches, as in :func:`emd`.

    Returns
    -------
    EMDResult

    Raises
    ------
    TypeError, ValueError, SolverError
        As in :func:`emd`; ValueError also for mismatched counts or dimensions and for an
        explicit ``method`` that cannot serve the input.

    Examples
    --------
    >>> import emdkit
    >>> r = emdkit.signature_emd([[0.0, 0.0], [1.0, 0.0]], [1.0, 1.0], [[0.0, 1.0]], [2.0])
    >>> round(r.distance, 6)
    1.207107
    """
    X = as_points(X, "X")
    Y = as_points(Y, "Y")
    wx = as_weights(wx, "wx")
    wy = as_weights(wy, "wy")
    if wx.shape[0] != X.shape[0]:
        raise ValueError(f"wx has {wx.shape[0]} weights but X has {X.shape[0]} points")
    if wy.shape[0] != Y.shape[0]:
        raise ValueError(f"wy has {wy.shape[0]} weights but Y has {Y.shape[0]} points")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X has {X.shape[1]} coordinates per point but Y has {Y.shape[1]}")
    check_metric(metric)
    if not isinstance(method, str) or method not in SIGNATURE_METHODS:
        raise ValueError(f"method must be one of {SIGNATURE_METHODS}, got {method!r}")
    problem = TransportProblem.from_weights(wx, wy)
    path = _choose(problem.m, problem.n, balanced=problem.dummy == "none", d=X.shape[1],
                   metric=metric, method=method)
    if path == "monotone_1d":
        from .one_d import monotone_emd
        return monotone_emd(X, wx, Y, wy, metric)
    if path == "pointcloud":
        from .pointcloud import pointcloud_emd
        if max_iter is None:
            max_iter = default_max_iter(X.shape[0], Y.shape[0])
        return pointcloud_emd(X, wx, Y, wy, metric, check_positive_int(max_iter, "max_iter"),
                              resolve_threads(check_n_jobs(n_threads)))
    return emd(wx, wy, ground_distance(X, Y, metric), max_iter=max_iter, n_threads=n_threads)
