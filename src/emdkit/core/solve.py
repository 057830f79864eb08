"""The public exact EMD: ``emd(a, b, cost)`` and ``signature_emd(X, wx, Y, wy)``, and the one
dispatch function, :func:`_choose`, that picks a path for them and for the batch engine."""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._jit import register_jitable
from .assignment import ASSIGNMENT_BELOW
from .block import ALL_ARCS_BELOW, METHOD_NAMES, canonical_work, solve_small
from .certificate import certify, floor_difference, normalize_potentials
from .costs import GROUND_COSTS, Metric, check_metric, ground_distance
from .errors import STATUS_ARTIFICIAL_FLOW, STATUS_NOT_CERTIFIED, raise_for_status
from .exact import assemble_exact, settle_uncertified, solve_exact
from .network_simplex import ARTIFICIAL_FLOW_RTOL
from .problem import TransportProblem, cost_exponent
from .result import EMDResult, assemble
from .threads import resolve_threads
from .validation import as_dense_problem, as_signature, check_max_iter, n_jobs_or_alias

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
        n_jobs: int = 1, n_threads: int | None = None) -> EMDResult:
    r"""Exact Earth Mover's Distance between weights ``a`` and ``b`` under ground distance ``cost``.

    Rubner's definition: with flows :math:`f_{ij} \ge 0`, :math:`\sum_j f_{ij} \le a_i`,
    :math:`\sum_i f_{ij} \le b_j` and :math:`\sum_{ij} f_{ij} = \min(\sum a, \sum b)`,

    .. math:: \mathrm{EMD} = \min_f \frac{\sum_{ij} f_{ij}\, c_{ij}}{\sum_{ij} f_{ij}}

    in the units of ``cost``. Unequal totals are partial matching (the lighter side is moved
    entirely, into the cheapest part of the heavier side); they are not normalised away.

    Parameters
    ----------
    a : array_like, shape (m,), or None
        Non-negative weights, any positive total (weight units). None: uniform, 1/m each
        (total 1; SciPy's and POT's convention).
    b : array_like, shape (n,), or None
        Non-negative weights, any positive total; None: uniform, 1/n each.
    cost : array_like, shape (m, n)
        Non-negative ground distances; ``np.inf`` marks a missing arc (no flow uses it).
    max_iter : int, optional
        Pivot bound for the network simplex; reaching it raises :class:`SolverError`.
    n_jobs : int, default 1
        Threads for the pricing sweeps of large problems (from 4M pairs; smaller sweeps are
        faster serial, above all when another process is busy), scikit-learn's convention:
        -1 uses every available thread (``NUMBA_NUM_THREADS`` and the CPU affinity mask cap
        it). The default is one thread: a single problem's timings in bench/RESULTS.md are
        measured so, and it never competes with other work for cores.
    n_threads : int, optional
        Deprecated alias of ``n_jobs`` (its name before 0.2); warns, and goes in 0.3.

    Returns
    -------
    EMDResult
        ``distance``, ``work`` (Σ f c), ``total_flow``, ``flow`` and potentials ``u``, ``v``.

    Raises
    ------
    TypeError
        If an input is not real numbers (strings, booleans, complex, dates, time deltas,
        ``Decimal`` or other objects, masked arrays, ragged lists, tensors that require grad),
        or ``max_iter`` is not an integer, naming the argument.
    ValueError
        If weights are negative, all zero, empty, NaN or inf, the cost has the wrong shape,
        a negative, NaN or −inf entry, or is inf everywhere, or ``max_iter`` < 1; or if the
        finite costs cannot carry the mass (the message names the rows and columns left
        with mass).
    SolverError
        If ``max_iter`` is reached, or (only with ``EMDKIT_ENGINE=numba``) neither float
        certificate below holds on a problem too large for rational refinement. No value is
        returned then.

    See Also
    --------
    signature_emd : from positions and a metric instead of a cost matrix.
    emd_batch : many independent problems at once.
    emdkit.nn.emd : the same value with gradients, for PyTorch.

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
    optimum, must be within 1e-11 of the work (``result.gap``): relative to the work for the
    input as given, or, where float64 cannot prove that (optima near 0, big-M costs),
    relative to max(work, Σa|u| + Σb|v|) for a flow that meets the weights to within 1e-11
    of the mass. When the strict one fails, the compiled engine re-solves the problem exactly
    from the float support, in integer arithmetic at any size (``method == "exact_integer"``,
    ``result.exact`` True): the distance and work are then the exact optimum rounded once to
    nearest. Without it (``EMDKIT_ENGINE=numba``), the float64-scale verdict, then rational
    arithmetic up to 2,500 pairs (``"exact_rational"``); larger ones raise
    :class:`SolverError`.

    **Missing arcs.** ``np.inf`` in ``cost`` is an arc that does not exist, the honest form
    of the big-M idiom (``M + 1e8 * (1 - mask)``, which also works and gives the same value
    when the allowed arcs suffice). When they do not, ``ValueError`` says which rows and
    columns are left with mass, where big-M would silently route it over the big costs.

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
    a, b, C, lo, hi = as_dense_problem(a, b, cost, allow_inf=True)
    max_iter = check_max_iter(max_iter) or default_max_iter(*C.shape)
    n_threads = resolve_threads(n_jobs_or_alias(n_jobs, n_threads, 1))
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
        return settle_dense(problem, Cs, sup_r, sup_c, sup_f, pi, work, gap, cost_exp, C.shape,
                            cost_rows, cost_cols, method, pivots)
    if status == STATUS_ARTIFICIAL_FLOW and prep.missing_arcs:
        raise_unserved(problem, sup_r, sup_c, sup_f)
    raise_for_status(status, max_iter, pivots)
    return assemble(problem, sup_r, sup_c, sup_f, pi, work, cost_exp, C.shape, cost_rows,
                    cost_cols, method, pivots, gap)


class DenseProblem:
    """A validated dense problem, prepared once for :func:`emd` and the batch engine alike:
    its :class:`TransportProblem`, the kept costs rescaled by 2**-cost_exp, and its path.

    ``lo`` and ``hi`` are the cost matrix's min and max, already found by validation.
    """

    __slots__ = ("problem", "C", "Cs", "cost_exp", "path", "missing_arcs")

    def __init__(self, a: np.ndarray, b: np.ndarray, C: np.ndarray, lo: float, hi: float):
        self.problem = p = TransportProblem.from_weights(a, b)
        self.C = C
        kept = C if (p.m == C.shape[0] and p.n == C.shape[1]) else \
            np.ascontiguousarray(C[np.ix_(p.rows, p.cols)])
        if kept is not C:
            lo, hi = float(kept.min()), float(kept.max())
        # inf entries are missing arcs: scale by the finite ones (a pass only when there are)
        self.missing_arcs = hi == np.inf
        finite_hi = hi
        if self.missing_arcs:
            if lo == np.inf:  # the points with mass have no arc at all
                nothing = np.empty(0, np.int64)
                raise_unserved(p, nothing, nothing, np.empty(0))
            finite_hi = float(kept[kept < np.inf].max())
        self.cost_exp = int(cost_exponent(finite_hi))
        self.Cs = np.ldexp(kept, -self.cost_exp) if self.cost_exp else kept
        self.path = _choose(p.m, p.n, balanced=p.dummy == "none",
                            uniform_square=_uniform_square(p) and not self.missing_arcs,
                            constant=lo == hi)

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
    # the compiled engine's functions have no py_func: they need no compilation either
    kernel = getattr(one_to_many, "py_func", one_to_many) if interpreted else one_to_many
    normalize = getattr(normalize_potentials, "py_func", normalize_potentials) \
        if interpreted else normalize_potentials
    idx, flows, work, _, u1, v_other = kernel(float(w), others, costs)
    finite = costs[idx] < np.inf
    if not finite.all():  # cheapest first reached a missing arc: the finite ones fall short
        zeros = np.zeros(int(finite.sum()), np.int64)
        raise_unserved(problem, *((zeros, idx[finite]) if row else (idx[finite], zeros)),
                       flows[finite])
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


# Rows and columns named in the message for a problem the finite arcs cannot serve.
UNSERVED_LISTED = 10


def raise_unserved(problem: TransportProblem, sup_r, sup_c, sup_f, where: str = "") -> None:
    """ValueError naming the points whose mass the finite arcs of the cost cannot move.

    ``sup_r, sup_c, sup_f`` are the flow the solver reached over finite arcs (block indices,
    dummy arcs included, as after phase 1: what it leaves on the artificial root arcs is what
    no finite arc can carry). Listed are the points on a side that must ship everything (the
    lighter side; both when the totals are equal) with more than rounding left, in the
    caller's indices.
    """
    left = problem.supply.copy()
    np.subtract.at(left, np.asarray(sup_r, np.int64), sup_f)
    np.add.at(left, problem.n_rows + np.asarray(sup_c, np.int64), sup_f)
    tol = ARTIFICIAL_FLOW_RTOL * float(problem.supply[: problem.n_rows].sum())
    parts = []
    if problem.dummy != "sink":  # rows ship everything unless a dummy sink takes the surplus
        parts.append(("rows", "a", problem.rows[np.flatnonzero(left[: problem.m] > tol)]))
    if problem.dummy != "source":
        cols = left[problem.n_rows: problem.n_rows + problem.n]
        parts.append(("columns", "b", problem.cols[np.flatnonzero(cols < -tol)]))
    named = [f"{what} {_index_list(idx)} of {arg}" for what, arg, idx in parts if idx.size]
    prefix = f"{where}: " if where else ""
    raise ValueError(f"{prefix}cost has too few finite entries to carry the mass (np.inf "
                     f"marks a missing arc): {' and '.join(named) or 'some points'} are left "
                     "with mass that no finite arc can move")


def _index_list(idx: np.ndarray) -> str:
    shown = ", ".join(str(int(i)) for i in idx[:UNSERVED_LISTED])
    more = f" and {idx.size - UNSERVED_LISTED} more" if idx.size > UNSERVED_LISTED else ""
    return f"[{shown}{more}]"


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


def settle_dense(problem: TransportProblem, Cs, sup_r, sup_c, sup_f, pi, work, gap, cost_exp,
                 shape, cost_rows, cost_cols, method, pivots) -> EMDResult:
    """A dense float solution whose strict certificate failed, settled by
    :func:`emdkit.core.exact.settle_uncertified`: the float64-scale verdict on ``gap``, else
    the exact optimum from the float support (:func:`emdkit.core.exact.solve_exact`)."""
    def exact_answer():
        sol = solve_exact(problem, Cs, cost_exp, sup_r, sup_c, sup_f, pi)
        return assemble_exact(problem, sol, cost_exp, shape, cost_rows, cost_cols)

    return settle_uncertified(
        problem, gap,
        lambda: assemble(problem, sup_r, sup_c, sup_f, pi, work, cost_exp, shape, cost_rows,
                         cost_cols, method, pivots, gap),
        exact_answer)


def signature_emd(X: ArrayLike, wx: ArrayLike, Y: ArrayLike, wy: ArrayLike,
                  metric: Metric = "euclidean", *, method: str = "auto",
                  max_iter: int | None = None, n_jobs: int = 1,
                  n_threads: int | None = None) -> EMDResult:
    """EMD between signatures {(X_i, wx_i)} and {(Y_j, wy_j)}: ``emd(wx, wy, ground_distance(X, Y, metric))``.

    Parameters
    ----------
    X, Y : array_like, shapes (m, d) and (n, d)
        Positions; 1-D inputs are points on a line.
    wx, wy : array_like, shapes (m,) and (n,), or None
        Non-negative weights, any positive totals (unequal totals: partial matching). None:
        uniform, 1/m (1/n) each, total 1.
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
    n_jobs : int, default 1
        Threads for large pricing sweeps and neighbour searches, as in :func:`emd`.
    n_threads : int, optional
        Deprecated alias of ``n_jobs``, as in :func:`emd`.

    Returns
    -------
    EMDResult

    Raises
    ------
    TypeError, ValueError, SolverError
        As in :func:`emd`; ValueError also for mismatched counts or dimensions and for an
        explicit ``method`` that cannot serve the input.

    See Also
    --------
    emd : from a cost matrix.
    ground_distance : the cost matrix it forms.
    signature_emd_batch : many pairs at once.
    wasserstein_1d : W_p on the line, SciPy's argument order.

    References
    ----------
    .. [1] Y. Rubner, C. Tomasi, L. J. Guibas, "The Earth Mover's Distance as a metric for image
       retrieval", IJCV 40(2), 2000.
    .. [2] P. Kovács, "Minimum-cost flow algorithms: an experimental evaluation", Optimization
       Methods and Software 30(1), 2015 (LEMON's network simplex).
    .. [3] J. L. Bentley, "Multidimensional binary search trees used for associative searching",
       Communications of the ACM 18(9), 1975.

    Examples
    --------
    >>> import emdkit
    >>> r = emdkit.signature_emd([[0.0, 0.0], [1.0, 0.0]], [1.0, 1.0], [[0.0, 1.0]], [2.0])
    >>> round(r.distance, 6)
    1.207107
    """
    X, wx = as_signature(X, wx, "X", "wx")
    Y, wy = as_signature(Y, wy, "Y", "wy")
    max_iter = check_max_iter(max_iter)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X has {X.shape[1]} coordinates per point but Y has {Y.shape[1]}")
    check_metric(metric)
    n_jobs = n_jobs_or_alias(n_jobs, n_threads, 1)
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
        return pointcloud_emd(X, wx, Y, wy, metric,
                              max_iter or default_max_iter(X.shape[0], Y.shape[0]),
                              resolve_threads(n_jobs))
    return emd(wx, wy, ground_distance(X, Y, metric), max_iter=max_iter, n_jobs=n_jobs)
