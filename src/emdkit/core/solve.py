"""The public exact EMD: ``emd(a, b, cost)`` and ``signature_emd(X, wx, Y, wy)``, and
:func:`solve_prepared`, the one solver entry that every public function hands its
:class:`~emdkit.core.prepare.PreparedProblem` to."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import ArrayLike

from . import prepare as _prepare
from .block import METHOD_NAMES, solve_small, solve_small_exact
from .candidate_rounds import certify_live
from .certificate import floor_difference, normalize_potentials
from .costs import Metric, check_metric
from .errors import (
    STATUS_ARTIFICIAL_FLOW,
    STATUS_MAX_ITER,
    STATUS_NOT_CERTIFIED,
    SolverError,
    for_problem,
    raise_for_status,
)
from .exact import (
    assemble_exact,
    exact_everywhere,
    settle_uncertified,
    solve_exact,
    stall_goes_exact,
)
from .prepare import (
    SIGNATURE_METHODS,
    PreparedProblem,
    prepare_dense,
    prepare_signature,
    raise_unserved,
)
from .result import EMDResult, assemble
from .threads import resolve_threads
from .validation import as_dense_problem, as_signature, check_max_iter, n_jobs_or_alias
from .warm_start import block_tree_arcs, solve_warm, tree_arcs, warm_hint, warm_path_wanted


def emd(a: ArrayLike, b: ArrayLike, cost: ArrayLike, *, max_iter: int | None = None,
        n_jobs: int = 1, n_threads: int | None = None, init=None,
        potentials_init=None) -> EMDResult:
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
    init : EMDResult or (u, v), optional
        Warm start (see :mod:`emdkit.core.warm_start`): a previous result of the same shape
        (m, n), whose optimal flow's arcs and potentials ``u``, ``v`` start the simplex, or
        potentials alone. The arcs carry the flows the current weights force on them (cut
        where the weights changed against them); every pair is then priced and the answer is
        certified as after a cold start: the same optimum, fewer pivots when the problem is
        close to the previous one (costs perturbed by 1 % at n = 1,000: bench/RESULTS.md,
        "Warm starts"). A hint of another shape is ignored; one from another problem only
        costs pivots. Ignored on the one-to-many and assignment paths (their cold solves are
        faster) and under the Numba reference engine.
    potentials_init : (u, v), optional
        POT's name (``ot.emd(..., potentials_init=(u, v))``): the same as ``init=(u, v)``.

    Returns
    -------
    EMDResult
        ``distance``, ``work`` (Σ f c), ``total_flow``, ``flow`` and potentials ``u``, ``v``;
        ``method == "warm_start"`` when ``init`` was used.

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
        with mass); or if both ``init`` and ``potentials_init`` are given.
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
    3. m·n <= 100,000, or equal counts below 250 with one common weight → one engine call:
       "assignment" (equal counts, one weight: shortest augmenting paths) or "block"
       (network simplex over every arc);
    4. otherwise "candidate_rounds": network simplex on the 16 cheapest arcs of every row and
       column, then all pairs priced against the duals until none violates.

    **Exactness.** Weights and costs are rescaled by powers of two (exact), so subnormal and
    overflowing totals solve. The simplex runs its second phase without the big-M offset, so
    potentials stay on the scale of the costs. Every answer is certified: the duals are
    repaired into exactly feasible ones, and their objective, a proven lower bound on the
    optimum, must be within 1e-11 of the work (relative to the work, or, where float64 cannot
    prove that, to max(work, Σa|u| + Σb|v|)). With the compiled engine every answer is then
    verified exactly from its final basis, in integer arithmetic at any size (exact flows and
    potentials, every reduced cost >= 0 exactly), pivoted on exactly where it is not optimal,
    and returned as the exact optimum rounded once to nearest: ``result.exact`` True,
    ``result.gap`` 0 (``method == "exact_integer"`` where the float certificate had failed).
    Without it (``EMDKIT_ENGINE=numba``) certified answers keep ``exact`` False and their
    ``gap``; uncertified ones go to the float64-scale verdict, then rational arithmetic up to
    2,500 pairs (``"exact_rational"``); larger ones raise :class:`SolverError`.

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
    n_threads = resolve_threads(n_jobs_or_alias(n_jobs, n_threads, 1))
    return solve_prepared(prepare_dense(
        a, b, C, lo, hi, max_iter=check_max_iter(max_iter), n_threads=n_threads,
        init=warm_hint(init, potentials_init, C.shape)))


def solve_prepared(prep: PreparedProblem, where: str = "",
                   progress: bool = False) -> EMDResult:
    """The certified optimum of a prepared problem, by the path it was prepared for.

    ``where`` names the problem in messages (``"problem 3"`` in a batch); ``progress``
    reports the point-cloud paths' levels and pricing rounds on stderr.
    """
    path, p = prep.path, prep.problem
    if prep.init is not None and warm_path_wanted(prep):
        sup_r, sup_c, sup_f, pi, work, gap, status, pivots, tree = solve_warm(
            prep, prep.init, prep.max_iter, prep.n_threads)
        return finish(prep, status, sup_r, sup_c, sup_f, pi, work, gap, "warm_start", pivots,
                      where, tree)
    if path == "small":
        exact = None
        if solve_small_exact is not None and exact_everywhere():
            float_out, is_exact, distance, work_user = solve_small_exact(
                p.a, p.b, prep.Cs, prep.max_iter, _prepare.FAST_PATHS, p.weight_exp,
                prep.cost_exp)
            exact = (distance, work_user) if is_exact else None
        else:
            float_out = solve_small(p.a, p.b, prep.Cs, prep.max_iter, _prepare.FAST_PATHS)
        status, method_code, sup_r, sup_c, sup_f, pi, work, _, _, pivots, gap = float_out
        if exact is not None:  # verified in the engine's call: optimal, nothing left to settle
            return assemble(prep, sup_r, sup_c, sup_f, pi, work, METHOD_NAMES[method_code],
                            pivots, gap, exact=exact)
        return finish(prep, status, sup_r, sup_c, sup_f, pi, work, gap,
                      METHOD_NAMES[method_code], pivots, where, exact=exact)
    if path == "one_to_many":
        return solve_one_to_many(prep, where)
    if path == "candidate_rounds":
        from .candidate_rounds import solve_candidate_rounds
        ns = solve_candidate_rounds(p, prep.Cs, prep.max_iter, prep.n_threads,
                                    max_cost=prep.cost_max)
        sup_r, sup_c, sup_f, pi, work, gap, status = certify_live(p, ns, prep.Cs)
        return finish(prep, status, sup_r, sup_c, sup_f, pi, work, gap, "candidate_rounds",
                      ns.n_iter, where, tree_arcs(p, ns), basis=block_tree_arcs(p, ns))
    if path == "pointcloud":
        from .pointcloud import pointcloud_emd
        return pointcloud_emd(prep, progress)
    if path == "multiscale":
        from .multiscale import solve_multiscale
        from .pointcloud import pointcloud_emd
        return pointcloud_emd(prep, progress, coarse_to_fine=solve_multiscale)
    from .one_d import monotone_emd
    return monotone_emd(prep)


def finish(prep: PreparedProblem, status: int, sup_r, sup_c, sup_f, pi, work: float,
           gap: float, method: str, pivots: int, where: str = "", tree=None,
           exact: tuple[float, float] | None = None, basis=None) -> EMDResult:
    """A dense path's solve (support in block layout, row-major; potentials; canonical work;
    certificate gap; status) turned into the answer, or into the error its status means;
    ``tree``: the optimal basis's arcs where the route kept them (for warm starts).

    ``exact``: the (distance, work) the engine's exact check returned with the solve (the
    support, potentials and work are then the exact ones). Without it, the compiled engine
    verifies the answer here (:func:`verify_dense`), so every answer it returns is exact;
    ``basis``: the float basis's arcs in block layout, where the route kept them, which the
    check starts from (else the support, joined into a tree along the potentials)."""
    if status == STATUS_NOT_CERTIFIED:
        try:
            return settle_dense(prep, sup_r, sup_c, sup_f, pi, work, gap, method, pivots)
        except SolverError as exc:
            if where:
                raise for_problem(where, exc) from None
            raise
    if status == STATUS_ARTIFICIAL_FLOW and prep.missing_arcs:
        raise_unserved(prep.problem, sup_r, sup_c, sup_f, where)
    if status == STATUS_MAX_ITER and stall_goes_exact(prep):  # rounding made it cycle
        return assemble_exact(prep, exact_solution(prep, sup_r, sup_c, sup_f, pi))
    raise_for_status(status, prep.max_iter, pivots, where=where)
    if exact is None and exact_everywhere():
        return verify_dense(prep, sup_r, sup_c, sup_f, pi, method, pivots, where, tree, basis)
    return assemble(prep, sup_r, sup_c, sup_f, pi, work, method, pivots, gap, exact=exact,
                    basis_arcs=tree)


def verify_dense(prep: PreparedProblem, sup_r, sup_c, sup_f, pi, method: str, pivots: int,
                 where: str = "", tree=None, basis=None) -> EMDResult:
    """A certified float answer verified exactly (:func:`emdkit.core.exact.solve_exact` from
    its support and potentials): the exact optimum, correctly rounded, under the route's name
    (the exact pivots, if any, added to its count). The duals are the certified float ones
    when the basis was optimal as given, else the exact ones; the optimal tree's arcs are
    kept for warm starts only in the first case."""
    try:
        if basis is not None:  # the whole float tree: a superset of the support
            sol = exact_solution(prep, basis[0], basis[1], None, pi, keep_duals=True)
        else:
            sol = exact_solution(prep, sup_r, sup_c, sup_f, pi, keep_duals=True)
    except SolverError as exc:
        if where:
            raise for_problem(where, exc) from None
        raise
    return assemble(prep, sol.sup_r, sol.sup_c, sol.flows, pi if sol.verified else sol.pi,
                    sol.work_scaled, method, pivots + sol.pivots, 0.0,
                    exact=(sol.distance, sol.work), basis_arcs=tree if sol.verified else None)


# Up to this many points the closed form runs interpreted (its py_func): no compilation on a
# cold cache, and ~1 µs a point; beyond it the compiled version is faster than the compile.
ONE_TO_MANY_INTERPRETED_UP_TO = 2_000


def solve_one_to_many(prep: PreparedProblem, where: str = "") -> EMDResult:
    """The "one_to_many" path: one side is a single point (see block.one_to_many)."""
    problem, Cs = prep.problem, prep.Cs
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
                       flows[finite], where)
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
    if exact_everywhere():
        return verify_dense(prep, sup_r, sup_c, flows, pi, "one_to_many", 0, where)
    return assemble(prep, sup_r, sup_c, flows, pi, float(work), "one_to_many", 0, 0.0)


def exact_solution(prep: PreparedProblem, sup_r, sup_c, sup_f, pi, keep_duals: bool = False):
    """:func:`emdkit.core.exact.solve_exact` on the problem as posed, from a float solution.

    Costs scaled down by 2**-cost_exp (cost_exp > 0: some cost above 2**100) can lose their
    smallest entries' last bits to underflow, so the exact step then takes the kept costs as
    given (the integer grid needs no scaling) and its potentials are rescaled for ``assemble``;
    scaling up (cost_exp < 0) is exact. ``keep_duals``: the caller keeps ``pi`` when the
    start verifies as given (the exact duals are then not formed: ``sol.pi`` None)."""
    p = prep.problem
    options = {"missing_arcs": prep.missing_arcs, "duals_when_verified": not keep_duals}
    if prep.cost_exp <= 0:
        return solve_exact(p, prep.Cs, prep.cost_exp, sup_r, sup_c, sup_f, pi, **options)
    kept = np.ascontiguousarray(prep.C[np.ix_(p.rows, p.cols)]) if p.dropped else prep.C
    with np.errstate(over="ignore"):  # a hint dual past float64 only joins no cell
        hint_pi = None if pi is None else np.ldexp(pi, prep.cost_exp)
    sol = solve_exact(p, kept, 0, sup_r, sup_c, sup_f, hint_pi, **options)
    return replace(sol, pi=None if sol.pi is None else np.ldexp(sol.pi, -prep.cost_exp),
                   work_scaled=float(np.ldexp(sol.work_scaled, -prep.cost_exp)))


def settle_dense(prep: PreparedProblem, sup_r, sup_c, sup_f, pi, work, gap, method,
                 pivots) -> EMDResult:
    """A dense float solution whose strict certificate failed, settled by
    :func:`emdkit.core.exact.settle_uncertified`: the float64-scale verdict on ``gap``, else
    the exact optimum from the float support (:func:`emdkit.core.exact.solve_exact`)."""
    def exact_answer():
        return assemble_exact(prep, exact_solution(prep, sup_r, sup_c, sup_f, pi))

    return settle_uncertified(
        prep.problem, gap,
        lambda: assemble(prep, sup_r, sup_c, sup_f, pi, work, method, pivots, gap),
        exact_answer)


def signature_emd(X: ArrayLike, wx: ArrayLike, Y: ArrayLike, wy: ArrayLike,
                  metric: Metric = "euclidean", *, method: str = "auto",
                  max_iter: int | None = None, n_jobs: int = 1,
                  n_threads: int | None = None, init=None, progress: bool = False) -> EMDResult:
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
    method : {"auto", "dense", "pointcloud", "multiscale", "monotone_1d"}
        "dense" forms the cost matrix and calls :func:`emd`. "pointcloud" never forms it
        (k-nearest-neighbour candidates, certified by KD-tree pricing; registered metrics).
        "multiscale" pools both sides into ever coarser grid cells, solves the coarsest level
        and starts each finer level from the arcs of the coarser optimum, pricing every pair
        at every level (registered metric; unequal totals keep their partial-matching dummy
        at every level). "monotone_1d" sorts (points on a
        line, registered metric, equal totals). "auto" picks, in order: "monotone_1d" when
        those hold; "multiscale" from ``MULTISCALE_ABOVE`` (2,048) points on the larger side
        with a registered metric; "pointcloud" from 250,000 pairs with a
        registered metric; else "dense". An explicit method that cannot serve the input
        raises ValueError. All paths are exact and return the same value.
    max_iter : int, optional
        Pivot bound, as in :func:`emd`.
    n_jobs : int, default 1
        Threads for large pricing sweeps and neighbour searches, as in :func:`emd`.
    n_threads : int, optional
        Deprecated alias of ``n_jobs``, as in :func:`emd`.
    init : EMDResult or (u, v), optional
        Warm start, as in :func:`emd`; used on the "dense" path, ignored on the others.
    progress : bool, default False
        On the point-cloud paths, report each level and pricing round on stderr (through
        tqdm's ``write`` when tqdm is installed).

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
    n_threads = resolve_threads(n_jobs_or_alias(n_jobs, n_threads, 1))
    if not isinstance(method, str) or method not in SIGNATURE_METHODS:
        raise ValueError(f"method must be one of {SIGNATURE_METHODS}, got {method!r}")
    return solve_prepared(prepare_signature(
        X, wx, Y, wy, metric, method, max_iter=max_iter, n_threads=n_threads,
        init=warm_hint(init, None, (X.shape[0], Y.shape[0]))), progress=progress)
