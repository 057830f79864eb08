"""One problem, prepared once at the public boundary: :class:`PreparedProblem`, and the one
dispatch rule, :func:`_choose`, that picks its path.

Every public entry point (``emd``, ``signature_emd``, ``emd_batch``, ``signature_emd_batch``,
``cdist_emd``, ``pairwise_emd``, and :mod:`emdkit.nn` through them) validates its input, then
prepares each problem here exactly once: the weights reduced to the positive ones and rescaled
(:class:`~emdkit.core.problem.TransportProblem`, which also makes the balance decision), the
kept costs rescaled, and the path. The solver (:func:`emdkit.core.solve.solve_prepared`) and
the result's assembly read everything from it, and decide nothing again.
"""
from __future__ import annotations

import math

import numpy as np

from .._jit import register_jitable
from .block import ALL_ARCS_BELOW, METHOD_BLOCK, small_route
from .costs import GROUND_COSTS, Metric, ground_distance
from .network_simplex import ARTIFICIAL_FLOW_RTOL
from .problem import DUMMY_NAMES, TransportProblem, cost_exponent
from .validation import as_cost_with_range

# Pivots allowed per node before we call the run stuck; real problems use far fewer (the
# benchmarks' largest problems stay below 20 per node).
DEFAULT_PIVOTS_PER_NODE = 200
MIN_MAX_ITER = 100_000
# From this many pairs on, signature_emd skips the dense matrix (measured crossover: the
# matrix-free path is faster from n ≈ 500 points a side; bench/RESULTS_pointcloud.md).
POINTCLOUD_ABOVE = 250_000

SIGNATURE_METHODS = ("auto", "dense", "pointcloud", "multiscale", "monotone_1d")
# Points on the larger side from which signature_emd's "auto" takes the multiscale path (any
# totals, registered metric). Measured on the DOTmark-like classes (bench/RESULTS_dotmark.md):
# at 32² (1,024 a side) both paths take about 0.1 s; at 64² multiscale is 1-29× less CPU.
MULTISCALE_ABOVE = 2048
# The constant-cost and assignment routes; tests switch them off to compare with the simplex.
FAST_PATHS = True
# _choose's answer for a signature pair whose route depends on its totals (the sorted coupling
# needs equal ones) when they are not known yet: the pair is prepared on its own.
BY_PAIR = "by_pair"


@register_jitable
def default_max_iter(m, n):
    """The pivot bound when none is given: generous, O((m + n) log(m + n))."""
    return max(MIN_MAX_ITER, DEFAULT_PIVOTS_PER_NODE * (m + n) * int(math.log2(m + n + 2)))


def _choose(m: int, n: int, *, balanced: bool | None, shortcut: bool = False,
            d: int | None = None, metric: Metric | None = None, method: str = "auto") -> str:
    """The solver path for a problem with m × n kept points (zero weights dropped).

    Rules, in order (also listed in :func:`emd` and :func:`signature_emd`):

    1. ``signature_emd`` on the line (d == 1), a registered metric, equal totals:
       "monotone_1d", the sorted coupling (every registered metric is convex on the line).
       With ``balanced=None`` (totals not judged yet: the batch engine's pairs) the answer is
       ``BY_PAIR``.
    2. ``signature_emd`` with a registered metric and max(m, n) >=
       MULTISCALE_ABOVE: "multiscale", the matrix-free solver started coarse to fine; else,
       with a registered metric and m·n >= POINTCLOUD_ABOVE: "pointcloud", the matrix-free
       solver on one level.
    3. One side a single point: "one_to_many", the closed form (a fractional knapsack).
    4. m·n <= ALL_ARCS_BELOW, or a ``shortcut`` route of
       :func:`emdkit.core.block.small_route` (every cost equal; equal counts with one common
       weight below ASSIGNMENT_BELOW points): "small", one engine call that takes the route
       that rule gives, "constant", "assignment" or "block" (network simplex over every arc).
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
        if balanced is None:
            return BY_PAIR
        if not balanced:
            raise ValueError("method='monotone_1d' needs equal totals (the sorted coupling does "
                             "not do partial matching); use method='dense'")
        return "monotone_1d"
    if method == "pointcloud":
        if not registered:
            raise ValueError("method='pointcloud' needs a registered metric (its KD-tree bounds "
                             f"are written per metric), got {metric!r}")
        return "pointcloud"
    if method == "multiscale":
        if not registered:
            raise ValueError("method='multiscale' needs a registered metric (its KD-tree "
                             f"bounds are written per metric), got {metric!r}")
        return "multiscale"
    if method == "auto" and metric is not None:
        if d == 1 and registered and balanced is not False and \
                GROUND_COSTS[metric].convex_on_line:
            return "monotone_1d" if balanced else BY_PAIR
        if registered and balanced is not None and max(m, n) >= MULTISCALE_ABOVE:
            return "multiscale"
        if registered and m * n >= POINTCLOUD_ABOVE:
            return "pointcloud"
    if method not in ("auto", "dense"):
        raise ValueError(f"method must be one of {SIGNATURE_METHODS}, got {method!r}")
    if FAST_PATHS and min(m, n) == 1:
        return "one_to_many"
    if shortcut or m * n <= ALL_ARCS_BELOW:
        return "small"
    return "candidate_rounds"


class PreparedProblem:
    """A validated problem, prepared once, with everything a solver path needs.

    Attributes
    ----------
    problem : TransportProblem
        The kept (positive-weight) points, their rescaled weights, the balanced layout and
        its dummy (the balance decision).
    shape : (int, int)
        The caller's problem size, zero weights included.
    path : str
        :func:`_choose`'s answer: "one_to_many", "small", "candidate_rounds", "pointcloud" or
        "monotone_1d".
    Cs : numpy.ndarray or None
        The kept costs, rescaled by 2**-cost_exp (None on the matrix-free paths).
    cost_exp : int
        The cost's power-of-two scale.
    cost_max : float
        The largest finite entry of ``Cs`` (0 if none), known from validation: a sweep that
        the solvers need not make again.
    missing_arcs : bool
        Whether the kept costs hold +inf (arcs that do not exist).
    max_iter : int
        The pivot bound (the caller's, or :func:`default_max_iter`).
    max_iter_given : bool
        Whether the caller set ``max_iter`` (a bound of theirs is kept: reaching it raises;
        reaching the default one hands the problem to the exact simplex,
        :func:`emdkit.core.exact.stall_goes_exact`).
    n_threads : int
        Threads for the pricing sweeps of a large problem (already resolved).
    signature : (X, Y, metric) or None
        The positions and metric when the problem came as signatures.
    init : WarmHint or None
        A warm start (:mod:`emdkit.core.warm_start`): the previous optimum's arcs and
        potentials, in the caller's indices (None: a cold start).
    """

    __slots__ = ("problem", "shape", "path", "C", "Cs", "cost_exp", "cost_max", "missing_arcs",
                 "max_iter", "max_iter_given", "n_threads", "signature", "init")

    def __init__(self, problem: TransportProblem, shape: tuple[int, int], path: str, *,
                 C: np.ndarray | None = None, Cs: np.ndarray | None = None, cost_exp: int = 0,
                 missing_arcs: bool = False, max_iter: int | None = None, n_threads: int = 1,
                 signature: tuple | None = None, init: object = None,
                 cost_max: float | None = None) -> None:
        self.problem, self.shape, self.path = problem, shape, path
        self.C, self.Cs, self.cost_exp, self.missing_arcs = C, Cs, cost_exp, missing_arcs
        self.cost_max = cost_max
        self.max_iter = max_iter or default_max_iter(*shape)
        self.max_iter_given = max_iter is not None
        self.n_threads, self.signature, self.init = n_threads, signature, init

    def cost_rows(self, idx: np.ndarray) -> np.ndarray:
        """Unscaled cost rows ``idx`` of the caller's whole problem (for dropped points)."""
        if self.C is not None:
            return self.C[idx]
        X, Y, metric = self.signature
        return ground_distance(X[idx], Y, metric)

    def cost_cols(self, idx: np.ndarray) -> np.ndarray:
        """Unscaled cost columns ``idx`` of the caller's whole problem."""
        if self.C is not None:
            return self.C[:, idx]
        X, Y, metric = self.signature
        return ground_distance(X, Y[idx], metric)

    def dual_minima(self):
        """``(row_min, col_min)`` of :meth:`TransportProblem.complete_potentials` by k-d tree,
        for signatures solved without their matrix under a named metric; else (None, None)
        (the dense cost rows and columns serve)."""
        if self.C is not None or self.signature is None or not isinstance(self.signature[2],
                                                                           str):
            return None, None
        from .kdtree import min_cost_minus  # loads the engine: only these duals need it
        X, Y, metric = self.signature
        X = np.ascontiguousarray(X, dtype=np.float64)
        Y = np.ascontiguousarray(Y, dtype=np.float64)
        code = GROUND_COSTS[metric].code
        return (lambda idx, cols, v: min_cost_minus(X[idx], Y[cols], v, code),
                lambda idx, u: min_cost_minus(Y[idx], X, u, code))


def prepare_dense(a: np.ndarray, b: np.ndarray, C: np.ndarray, lo: float, hi: float, *,
                  max_iter: int | None = None, n_threads: int = 1,
                  problem: TransportProblem | None = None, signature: tuple | None = None,
                  init=None) -> PreparedProblem:
    """A validated dense problem prepared: ``lo`` and ``hi`` are the cost matrix's min and
    max, already found by validation; ``problem``, when the caller has made it already;
    ``init``, a warm start (:func:`emdkit.core.warm_start.warm_hint`'s) or None."""
    p = problem or TransportProblem.from_weights(a, b)
    kept = np.ascontiguousarray(C[np.ix_(p.rows, p.cols)]) if p.dropped else C
    if kept is not C:
        lo, hi = float(kept.min()), float(kept.max())
    # inf entries are missing arcs: scale by the finite ones (a pass only when there are)
    missing_arcs = hi == np.inf
    finite_hi = hi
    if missing_arcs:
        if lo == np.inf:  # the points with mass have no arc at all
            nothing = np.empty(0, np.int64)
            raise_unserved(p, nothing, nothing, np.empty(0))
        finite_hi = float(kept[kept < np.inf].max())
    cost_exp = int(cost_exponent(finite_hi))
    Cs = np.ldexp(kept, -cost_exp) if cost_exp else kept
    # below ALL_ARCS_BELOW pairs every problem is "small" whatever its route (the engine
    # follows small_route): only a larger one asks the rule whether it takes a shortcut
    shortcut = p.m * p.n > ALL_ARCS_BELOW and small_route(
        p.a, p.b, DUMMY_NAMES.index(p.dummy), lo, hi, FAST_PATHS) != METHOD_BLOCK
    path = _choose(p.m, p.n, balanced=p.dummy == "none", shortcut=shortcut)
    # scaling by a power of two is monotone: the scaled maximum is the maximum's scaling
    return PreparedProblem(p, C.shape, path, C=C, Cs=Cs, cost_exp=cost_exp,
                           missing_arcs=missing_arcs, max_iter=max_iter, n_threads=n_threads,
                           signature=signature, init=init,
                           cost_max=max(math.ldexp(finite_hi, -cost_exp), 0.0))


def prepare_signature(X: np.ndarray, wx: np.ndarray, Y: np.ndarray, wy: np.ndarray,
                      metric: Metric, method: str = "auto", *, max_iter: int | None = None,
                      n_threads: int = 1, init=None) -> PreparedProblem:
    """Validated signatures prepared: the sorted coupling and the matrix-free path keep the
    positions; every other path forms the cost matrix (checked as :func:`emdkit.emd` checks
    a caller's, for callable metrics) and is prepared as a dense problem, which alone takes a
    warm start ``init``."""
    p = TransportProblem.from_weights(wx, wy)
    shape = (X.shape[0], Y.shape[0])
    path = _choose(p.m, p.n, balanced=p.dummy == "none", d=X.shape[1], metric=metric,
                   method=method)
    if path in ("monotone_1d", "pointcloud", "multiscale"):
        return PreparedProblem(p, shape, path, max_iter=max_iter, n_threads=n_threads,
                               signature=(X, Y, metric))
    C, lo, hi = as_cost_with_range(ground_distance(X, Y, metric), shape, allow_inf=True)
    return prepare_dense(wx, wy, C, lo, hi, max_iter=max_iter, n_threads=n_threads,
                         problem=p, signature=(X, Y, metric), init=init)


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
