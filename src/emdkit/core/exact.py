"""Exact optimum of a problem float64 cannot certify: integer arithmetic, or rational.

Costs spanning ~20 decades can leave potentials too large next to the smallest reduced costs
for float64 to tell their sign (issue 11's repro: costs 1e-7 beside 1e11). Every float is an
exact dyadic rational, so the LP the user posed has an exact optimum. :func:`solve_exact` finds
it from the float solution's support and returns it laid out for :func:`assemble_exact`:

* with the compiled engine (``EMDKIT_ENGINE=native``), ``_engine.exact_transport``: weights
  and costs scaled onto integer grids (cpp/exact), the support verified exactly and the
  transportation simplex continued in wide integers; no size limit;
* otherwise :func:`refine_exact`, a transportation simplex (MODI: potentials on a spanning tree,
  the most negative reduced cost enters, the cycle's first blocking cell leaves) in
  :class:`fractions.Fraction`. Degenerate streaks switch to Bland's rule (smallest index enters
  and leaves), which cannot cycle. It costs O(m·n) Fraction operations per pivot, so it runs
  only up to ``EXACT_REFINE_MAX_PAIRS`` pairs; larger problems raise SolverError. It stays the
  independent oracle of the integer engine in the tests.

Either way the answer is exact: the returned flow's reduced costs are all >= 0 exactly, and the
distance and work are the exact optimum rounded once to nearest (ties to even).

:func:`settle_uncertified` is the one place that decides what happens to a float answer the
strict certificate could not prove: the float64-scale verdict (certificate.py), else the exact
solve above (SolverError only without the compiled engine, above ``EXACT_REFINE_MAX_PAIRS``).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .certificate import CERT_RTOL
from .engine import native_engine
from .errors import STATUS_NOT_CERTIFIED, raise_for_status
from .prepare import PreparedProblem, raise_unserved
from .problem import TransportProblem
from .result import assemble

# Measured: 12×12 problems with costs spanning 1e-12..1e12 refine in ~20-60 ms from the float
# support, 40×40 in ~1 s (tests/core/test_exactness.py timings); beyond ~2,500 pairs a
# Python rational simplex would take minutes.
EXACT_REFINE_MAX_PAIRS = 2_500
# Degenerate pivots in a row before Bland's rule takes over (it cannot cycle, but is slower).
DEGENERATE_STREAK_FOR_BLAND = 30


def settle_uncertified(problem, gap: float, float_answer, exact_answer=None):
    """The answer for a float solution whose strict certificate failed (``gap`` is then the
    float64-scale gap of :func:`emdkit.core.certificate.judge`).

    With the compiled engine's integer simplex, ``exact_answer()`` (:func:`solve_exact`) when
    given: the exact optimum, correctly rounded, at any size (the float basis is usually
    optimal and verifies without a pivot, in a fraction of the float solve's time:
    bench/RESULTS_exact.md). Otherwise, in order: ``float_answer()`` when the float64-scale
    gap is at most CERT_RTOL; ``exact_answer()`` (the Fraction simplex, up to
    ``EXACT_REFINE_MAX_PAIRS`` pairs); else :class:`~emdkit.core.errors.SolverError`. Without
    the engine the float64-scale verdict goes first because it is a proven bound too, and the
    Fraction simplex is slow on degenerate problems (a 23×103 signature against split copies
    of its points: 14 s, for an optimum of 1e-17 that the verdict settles in microseconds).
    """
    if exact_answer is not None and _integer_simplex() is not None:
        return exact_answer()
    if gap <= CERT_RTOL:
        return float_answer()
    if exact_answer is not None:
        return exact_answer()
    raise_for_status(STATUS_NOT_CERTIFIED, where=f"{problem.m}×{problem.n} problem")


# Verify every answer exactly (issue 20). A switch for the benches' A/B runs
# (bench/exact_verify.py times the solves with and without it, in one process); off, the
# answers the float certificate proves keep ``exact`` False, as under the Numba engine.
VERIFY_EVERY_ANSWER = True


def exact_everywhere() -> bool:
    """Whether every answer is verified exactly: the compiled engine's integer simplex is
    there (the Numba reference engine's certified answers stay float, ``exact`` False) and
    ``VERIFY_EVERY_ANSWER`` is on."""
    return VERIFY_EVERY_ANSWER and _integer_simplex() is not None


def stall_goes_exact(prep) -> bool:
    """Whether a float simplex that reached the default pivot bound is handed to the exact
    integer simplex instead of raising.

    A strongly feasible basis cannot cycle in exact arithmetic, but the float simplex can
    under rounding: a 5×5 partial matching with cityblock costs from 1.3e-9 to 8.9e3 (a
    signature with near-coincident points) pivoted 100,000 times in both engines, where the
    integer simplex from no start at all takes 4 pivots (it switches to Bland's rule on
    degenerate streaks, so it cannot cycle). A bound the caller set (``prep.max_iter_given``)
    is theirs: reaching it still raises :class:`~emdkit.core.errors.SolverError`.
    """
    return not prep.max_iter_given and _integer_simplex() is not None


def _integer_simplex():
    """The compiled engine's ``exact_transport``, or None (EMDKIT_ENGINE=numba, old build)."""
    native = native_engine()
    return getattr(native, "exact_transport", None) if native is not None else None


@dataclass(frozen=True)
class ExactSolution:
    """The exact optimum of a scaled problem, in the block layout that ``assemble`` takes.

    Attributes
    ----------
    sup_r, sup_c : ndarray of int64
        Block indices of the cells with a positive exact flow (real rows and columns only),
        row-major.
    flows : ndarray of float64
        Their exact flows in the scaled weights (× 2**-weight_exp), each correctly rounded.
    flows_exact : ndarray of bool
        Whether that rounding was exact.
    pi : ndarray of float64, or None
        Node potentials in the block layout (rows −u, columns v, the dummy 0), in the scaled
        costs: exact optimal duals (u_i + v_j <= c_ij exactly), each correctly rounded, with
        the free constant fixed as ``normalize_potentials`` fixes it. None when they were not
        asked for (``duals_when_verified`` False and ``verified``).
    work_scaled : float
        Σ f·c in scaled units, correctly rounded.
    work, distance : float
        Σ f·c and Σ f·c / min(Σa, Σb) in the caller's units, each correctly rounded from the
        exact rational (not rescaled from ``work_scaled``: one rounding only).
    pivots : int
        Exact pivots after the start.
    method : str
        ``"exact_integer"`` (compiled engine) or ``"exact_rational"`` (Fraction simplex).
    verified : bool
        No pivot was needed: the float support (integer path: as given, joined along the
        float duals) was proven optimal exactly.
    """

    sup_r: np.ndarray
    sup_c: np.ndarray
    flows: np.ndarray
    flows_exact: np.ndarray
    pi: np.ndarray
    work_scaled: float
    work: float
    distance: float
    pivots: int
    method: str
    verified: bool


def solve_exact(problem: TransportProblem, Cs: np.ndarray, cost_exp: int, hint_r: np.ndarray,
                hint_c: np.ndarray, hint_f: np.ndarray | None = None,
                pi: np.ndarray | None = None, *, missing_arcs: bool | None = None,
                duals_when_verified: bool = True) -> ExactSolution:
    """The exact optimum of (problem, Cs), started from a float solution's support.

    Parameters
    ----------
    problem : TransportProblem
        Kept, scaled weights (``problem.a``, ``problem.b``) and their layout.
    Cs : ndarray, shape (problem.m, problem.n)
        Kept costs scaled by 2**-cost_exp.
    cost_exp : int
        The costs' scale: user costs are ``Cs * 2**cost_exp``.
    hint_r, hint_c : ndarray of int
        The float support's cells, block indices (a dummy row ``m`` or column ``n`` allowed).
    hint_f : ndarray, optional
        Their float flows: with a dummy, they name the dummy's cells (the heavier side's
        leftovers), which the support of real cells leaves out.
    pi : ndarray, optional
        The float node potentials (block layout): they choose the zero-flow cells that join a
        degenerate support into a spanning tree, so the exact check needs no pivot.
    missing_arcs : bool, optional
        Whether Cs holds inf (missing arcs), when the caller knows (saves a pass over Cs).
    duals_when_verified : bool, default True
        False: when the start proves optimal as given (``verified``), the exact duals are not
        formed and ``pi`` is None (the caller keeps its certified float ones); the compiled
        engine only.

    Returns
    -------
    ExactSolution
        See :func:`assemble_exact` to turn it into an :class:`~emdkit.EMDResult`.

    Raises
    ------
    SolverError
        Without the compiled engine, on a problem above ``EXACT_REFINE_MAX_PAIRS`` pairs.

    See Also
    --------
    refine_exact : the Fraction simplex (the fallback, and the tests' oracle).

    Examples
    --------
    Issue 11's repro, whose costs span 18 decades:

    >>> import numpy as np
    >>> from emdkit.core.problem import TransportProblem
    >>> p = TransportProblem.from_weights(np.array([2.0, 3.0, 1.0]), np.array([2.0, 1.0]))
    >>> C = np.array([[1e-6, 1e-5], [1e11, 1e-7], [1e-7, 1e-4]])
    >>> no_hint = np.zeros(0, np.int64)
    >>> sol = solve_exact(p, C, 0, no_hint, no_hint)
    >>> sol.distance, sol.sup_r.tolist(), sol.sup_c.tolist()
    (4e-07, [0, 1, 2], [0, 1, 0])
    """
    transport = _integer_simplex()
    if transport is None and problem.m * problem.n > EXACT_REFINE_MAX_PAIRS:
        raise_for_status(STATUS_NOT_CERTIFIED, where=f"{problem.m}×{problem.n} problem")
    Cs, missing = _missing_arcs_priced(problem, Cs) if missing_arcs is not False else (Cs, None)
    if transport is not None:
        sol = _solve_integer(transport, problem, Cs, cost_exp, hint_r, hint_c, hint_f, pi,
                             duals_when_verified)
    else:
        sol = _solve_rational(problem, Cs, cost_exp, hint_r, hint_c)
    if missing is not None and missing[sol.sup_r, sol.sup_c].any():
        finite = ~missing[sol.sup_r, sol.sup_c]
        raise_unserved(problem, sol.sup_r[finite], sol.sup_c[finite], sol.flows[finite])
    return sol


def _missing_arcs_priced(problem: TransportProblem, Cs: np.ndarray):
    """Cs with its missing arcs (``np.inf``) priced at a finite M that no optimal vertex uses
    when the finite arcs can carry the mass, and the mask of those arcs (None without any).

    Why M suffices: a vertex's flows are sums and differences of weights, so a positive one
    is at least the weights' smallest last place 2**e; a vertex that moves flow over an M arc
    costs at least M·2**e, more than Σ supply · max finite cost, which bounds every flow over
    finite arcs. M is a power of two, so the exact simplex sees it exactly.
    """
    missing = np.isinf(Cs)
    if not missing.any():
        return Cs, None
    weights = np.concatenate([problem.a, problem.b])
    last_place = int(np.frexp(weights)[1].min()) - 53  # ≤ every weight's last-place exponent
    bound = float(problem.supply[: problem.n_rows].sum()) * float(Cs[~missing].max())
    exponent = int(np.frexp(bound)[1]) + 1 - last_place  # M·2**last_place >= 2·bound
    if exponent > 1023:
        raise_for_status(STATUS_NOT_CERTIFIED, where=f"{problem.m}×{problem.n} problem")
    return np.where(missing, np.ldexp(1.0, exponent), Cs), missing


def assemble_exact(prep: PreparedProblem, sol: ExactSolution):
    """The :class:`~emdkit.EMDResult` of an exact solution of the prepared problem ``prep``:
    ``assemble``'s layout, with the correctly rounded distance and work in place of the ones it
    would rescale, gap 0 and ``exact`` True."""
    return assemble(prep, sol.sup_r, sol.sup_c, sol.flows, sol.pi, sol.work_scaled, sol.method,
                    sol.pivots, 0.0, exact=(sol.distance, sol.work))


def _solve_integer(transport, problem, Cs, cost_exp, hint_r, hint_c, hint_f, pi,
                   duals_when_verified=True):
    """The compiled engine's exact simplex (cpp/exact/exact_transport.cpp)."""
    hint_r, hint_c = _hint_with_dummy_cells(problem, hint_r, hint_c, hint_f)
    n_rows, m, n = problem.n_rows, problem.m, problem.n
    hint_u = hint_v = None
    if pi is not None:
        hint_u = np.ascontiguousarray(-pi[:m], dtype=np.float64)
        hint_v = np.ascontiguousarray(pi[n_rows:n_rows + n], dtype=np.float64)
    out = transport(np.ascontiguousarray(problem.a, dtype=np.float64),
                    np.ascontiguousarray(problem.b, dtype=np.float64),
                    np.ascontiguousarray(Cs, dtype=np.float64), hint_r, hint_c, hint_u, hint_v,
                    weight_exp=int(problem.weight_exp), cost_exp=int(cost_exp),
                    duals_when_verified=duals_when_verified)
    raise_for_status(out["status"], pivots=out["pivots"], where="exact simplex")
    pi_out = None
    if out["u"].shape[0] == m:  # formed (not skipped on a verified start)
        pi_out = np.zeros(problem.supply.shape[0])
        pi_out[:m] = -out["u"]
        pi_out[n_rows:n_rows + n] = out["v"]
    return ExactSolution(out["rows"], out["cols"], out["flows"], out["flow_exact"], pi_out,
                         out["work_scaled"], out["work"], out["distance"], int(out["pivots"]),
                         "exact_integer", bool(out["hint_optimal"]))


def _hint_with_dummy_cells(problem, hint_r, hint_c, hint_f):
    """The support plus the dummy's cells that the float flows imply (largest leftover first):
    a support of real cells only would leave the dummy to an arbitrary join."""
    hint_r = np.asarray(hint_r, dtype=np.int64)
    hint_c = np.asarray(hint_c, dtype=np.int64)
    if hint_f is None or problem.dummy == "none":
        return np.ascontiguousarray(hint_r), np.ascontiguousarray(hint_c)
    real = (hint_r < problem.m) & (hint_c < problem.n)
    f = np.asarray(hint_f, dtype=np.float64)[real]
    if problem.dummy == "source":  # the dummy row m feeds the columns' leftover demand
        left = problem.b - np.bincount(hint_c[real], weights=f, minlength=problem.n)
    else:                          # the dummy column n takes the rows' leftover supply
        left = problem.a - np.bincount(hint_r[real], weights=f, minlength=problem.m)
    others = np.argsort(-left, kind="stable")
    others = others[left[others] > 0]
    dummy = np.full(others.shape[0], problem.m if problem.dummy == "source" else problem.n)
    extra_r, extra_c = (dummy, others) if problem.dummy == "source" else (others, dummy)
    return (np.ascontiguousarray(np.concatenate([hint_r, extra_r]), dtype=np.int64),
            np.ascontiguousarray(np.concatenate([hint_c, extra_c]), dtype=np.int64))


def _solve_rational(problem, Cs, cost_exp, hint_r, hint_c):
    """:func:`refine_exact`, with the duals' free constant fixed exactly before rounding (the
    dummy's potential 0, or Σ a u = Σ b v, as ``normalize_potentials`` does)."""
    sup_r, sup_c, flows, u, v, u_dummy, v_dummy, work, pivots = refine_exact(
        problem.a, problem.b, Cs, hint_r, hint_c)
    a = [Fraction(x) for x in problem.a.tolist()]
    b = [Fraction(x) for x in problem.b.tolist()]
    if u_dummy is not None:
        shift = -u_dummy
    elif v_dummy is not None:
        shift = v_dummy
    else:
        shift = (sum(x * y for x, y in zip(b, v)) - sum(x * y for x, y in zip(a, u))) / \
            (sum(a) + sum(b))
    n_rows = problem.n_rows
    pi = np.zeros(problem.supply.shape[0])
    pi[: problem.m] = [-float(x + shift) for x in u]
    pi[n_rows: n_rows + problem.n] = [float(x - shift) for x in v]
    total = min(sum(a), sum(b))
    weight_exp = int(problem.weight_exp)
    # Fraction → float is correctly rounded (CPython divides the integers exactly)
    return ExactSolution(
        np.asarray(sup_r, np.int64), np.asarray(sup_c, np.int64),
        np.array([float(f) for f in flows]), np.array([Fraction(float(f)) == f for f in flows]),
        pi, float(work), float(work * _power_of_two(weight_exp + cost_exp)),
        float(work / total * _power_of_two(cost_exp)), pivots, "exact_rational", pivots == 0)


def _power_of_two(k: int) -> Fraction:
    return Fraction(2) ** k


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
