"""Warm starts: solve a problem from a previous optimum's basis or potentials.

In a training loop or an optimisation the next problem is nearly the last one. ``emd(a, b,
cost, init=previous)`` rebuilds the starting basis from ``previous``'s optimal flow (its
support, a forest of at most m + n − 1 arcs) and potentials ``u, v``:

* the support's arcs are kept as long as they close no cycle, and carry the flows that the
  *current* weights force on them (found leaves first); an arc that would need a negative
  flow (the weights changed against it) is cut, and the part of the forest below it hangs
  from the artificial root carrying its imbalance (phase 1 then drives that out);
* when no mass is left on the root, phase 1 is skipped and each tree of the forest starts at
  the previous potentials, so the reduced costs between trees start where they ended;
* potentials alone (``init=(u, v)``, or POT's ``potentials_init=(u, v)``) choose the first
  arcs instead: the 4 arcs of least reduced cost c_ij − u_i − v_j in every row, joined into a
  forest tightest first, with the flows the weights force on it as above.

The network simplex then runs over those arcs, every pair is priced against its potentials,
violators join and pivoting resumes (candidate rounds, :mod:`emdkit.core.candidate_rounds`),
and the answer is certified as after a cold start: a warm start changes the pivots, never the
answer, which is the same certified optimum (``method == "warm_start"``). Any ``init`` of the
right shape is only a hint: a stale one (another problem's result) costs pivots, not
correctness. One of another shape is ignored, and so is any on the one-to-many closed form
and on the assignment path (equal counts below 250 points with one common weight), whose
cold solves are faster than a warm simplex.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import candidate_rounds
from .candidate_rounds import certify_live, solve_candidate_rounds
from .certificate import finite_max
from .assignment import ASSIGNMENT_BELOW
from .block import solve_small
from .engine import native_engine
from .result import EMDResult


@dataclass(frozen=True)
class WarmHint:
    """What a warm start reuses, in the caller's indices: the previous support's arcs
    (``rows[k]``, ``cols[k]``; empty for potentials alone) and potentials ``u``, ``v``
    (None when only arcs are known)."""

    rows: np.ndarray
    cols: np.ndarray
    u: np.ndarray | None
    v: np.ndarray | None


def warm_hint(init, potentials_init, shape: tuple[int, int]) -> WarmHint | None:
    """The hint in ``init`` / ``potentials_init`` for a problem of ``shape`` (m, n), or None
    when there is none, it has another shape, or the engine has no warm start (the Numba
    reference engine: a cold start, the same answer).

    Raises TypeError for an ``init`` that is neither an :class:`EMDResult` nor a pair of
    arrays, and ValueError when both arguments are given.
    """
    if init is not None and potentials_init is not None:
        raise ValueError("give init or potentials_init, not both (potentials_init=(u, v) is "
                         "init=(u, v) under POT's name)")
    given, name = (init, "init") if init is not None else (potentials_init, "potentials_init")
    if given is None or native_engine() is None:
        return None
    if isinstance(given, EMDResult):
        if tuple(given.shape) != tuple(shape):
            return None
        rows, cols = given.basis_arcs or (given.flow_rows, given.flow_cols)
        return WarmHint(rows, cols, given.u, given.v)
    if name == "init" and isinstance(given, (list, tuple)) and len(given) == 2 and \
            all(isinstance(x, EMDResult) for x in given):
        raise TypeError("init must be one EMDResult (or a (u, v) pair), got a sequence of "
                        "results: emd_batch takes the sequence")
    if not (isinstance(given, (list, tuple)) and len(given) == 2):
        raise TypeError(f"{name} must be an EMDResult or a pair (u, v) of potentials, got "
                        f"{type(given).__name__}")
    try:
        u, v = (np.asarray(x, dtype=np.float64) for x in given)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold two arrays of real numbers (u, v)") from None
    if u.shape != (shape[0],) or v.shape != (shape[1],):
        return None
    none = np.empty(0, np.int64)
    return WarmHint(none, none, u, v)


# Up to this many pairs a warm start runs in one engine call over every arc of the block
# (no pricing rounds from Python); above it the all-arcs block lost to warm candidate rounds
# (descent example at n = 400: 25 ms a step against 8 ms). It was block.ALL_ARCS_BELOW until
# cold starts moved to 100k pairs; warm ones between 30k and 100k were not re-measured, so
# they keep the rounds that were measured for them.
WARM_BLOCK_UP_TO = 30_000


def warm_path_wanted(prep) -> bool:
    """Whether a warm start pays on this prepared problem: not on the one-to-many closed form,
    nor where the assignment path runs (equal counts below ASSIGNMENT_BELOW with one common
    weight): its cold solve beats the warm simplex there (the descent example, n = 200:
    0.7 ms against 1.1 ms a step once converged; bench/RESULTS.md, "Warm starts")."""
    p = prep.problem
    if prep.path == "one_to_many":
        return False
    assignment = (prep.path == "small" and p.dummy == "none" and p.m == p.n
                  and p.m < ASSIGNMENT_BELOW and not prep.missing_arcs
                  and bool(np.all(p.a == p.a[0])) and bool(np.all(p.b == p.a[0])))
    return not assignment


def solve_warm(prep, hint: WarmHint, max_iter: int, n_threads: int):
    """Solve a prepared dense problem (:class:`~emdkit.core.prepare.PreparedProblem`) from
    ``hint``: (support rows,
    columns, flows, certified potentials, work, gap, status, pivots) in block layout, as the
    cold paths give them."""
    problem = prep.problem
    pi = _node_potentials(problem, hint, np.ldexp(1.0, -prep.cost_exp))
    rows, cols = _kept_arcs(problem, hint)
    if problem.m * problem.n <= WARM_BLOCK_UP_TO and rows.shape[0]:
        status, _, sup_r, sup_c, sup_f, pi, work, _, _, pivots, gap = solve_small(
            problem.a, problem.b, prep.Cs, max_iter, False, rows, cols, pi)
        return sup_r, sup_c, sup_f, pi, work, gap, status, pivots, None

    def start(ns, problem, C):
        if not rows.shape[0]:
            return _start_from_potentials(ns, problem, C, pi, n_threads)
        in_set = np.zeros(C.shape, bool)
        ok = C[rows, cols] < np.inf
        r, c = rows[ok], cols[ok]
        in_set[r, c] = True
        first = ns.n_arcs
        ns.add_arcs(r, problem.n_rows + c, C[r, c])
        ns.start_warm(np.arange(first, ns.n_arcs, dtype=np.int64), pi)
        if pi is not None:
            _add_near_tight_arcs(ns, problem, C, pi, r, c, in_set, n_threads)
        return in_set

    ns = solve_candidate_rounds(problem, prep.Cs, max_iter, n_threads, start=start,
                                max_cost=prep.cost_max)
    return (*certify_live(problem, ns, prep.Cs), ns.n_iter, tree_arcs(problem, ns))


def tree_arcs(problem, ns) -> tuple[np.ndarray, np.ndarray]:
    """The live solver's tree arcs between real points, in the caller's indices."""
    src, tgt = block_tree_arcs(problem, ns)
    real = (src < problem.m) & (tgt < problem.n)
    return problem.rows[src[real]], problem.cols[tgt[real]]


def block_tree_arcs(problem, ns) -> tuple[np.ndarray, np.ndarray]:
    """The live solver's tree arcs in block layout (rows, columns; the dummy's included):
    a spanning tree the exact check starts from without joining components."""
    n_nodes = ns.n_nodes
    arcs = n_nodes + np.flatnonzero(ns.state[n_nodes:ns.n_arcs] == 0)
    src, tgt = ns.src[arcs], ns.tgt[arcs] - problem.n_rows
    inside = (src < problem.n_rows) & (tgt >= 0) & (tgt < problem.n_cols)
    return src[inside].astype(np.int64), tgt[inside].astype(np.int64)


# Arcs per row added beside the previous support: the previous optimum's near-tight arcs,
# which the new optimum mostly uses (n = 1,000 clouds, costs perturbed by 1 %: 11 pricing
# sweeps of 1.7 ms each with the support alone, 3 with these; bench/RESULTS.md, "Warm starts").
NEAR_TIGHT_PER_ROW = 8
# "Near-tight": reduced cost below this many times the largest one on the previous support
# (0 before the costs changed, so that spread measures how far they moved). At 2.0 the first
# pricing sweep after the start still found violators in two of the three families (three
# sweeps in all, the near-tight one included); at 4.0 none of the three (two sweeps: the
# near-tight one and the sweep that proves optimality), with 64-101 pivots instead of 79-93
# (bench/RESULTS.md, "Warm starts", issue 22 item 1).
NEAR_TIGHT_SPREAD = 4.0


def _add_near_tight_arcs(ns, problem, C, pi, rows, cols, in_set, n_threads) -> None:
    """Add, per row, the arcs whose reduced cost under the hinted potentials is least and
    below NEAR_TIGHT_SPREAD times the support's largest |reduced cost|."""
    drift = np.abs(C[rows, cols] + pi[rows] - pi[problem.n_rows + cols])
    margin = NEAR_TIGHT_SPREAD * float(drift.max(initial=0.0))
    if not margin > 0 or not np.isfinite(margin):
        return
    r, c = _least_reduced_per_row(problem, C, pi, margin, NEAR_TIGHT_PER_ROW, in_set, n_threads)
    in_set[r, c] = True
    ns.add_arcs(r, problem.n_rows + c, C[r, c])


def _least_reduced_per_row(problem, C, pi, margin: float, per_row: int, in_set, n_threads):
    """Per row, up to ``per_row`` arcs outside ``in_set`` of least reduced cost
    c_ij + pi_i − pi_j below ``margin``, as (rows, cols): one pricing sweep with the row
    potentials shifted down by the margin."""
    shifted = pi.copy()
    shifted[: problem.m] -= margin
    cap = min(per_row, C.shape[1])
    out_cols = np.empty((C.shape[0], cap), np.int64)
    out_count = np.empty(C.shape[0], np.int64)
    candidate_rounds.price_rows(C, shifted, problem.n_rows, in_set, cap, out_cols, out_count,
                                n_threads)
    r = np.repeat(np.arange(C.shape[0]), out_count)
    return r, out_cols[np.arange(cap)[None, :] < out_count[:, None]]


def _kept_arcs(problem, hint: WarmHint) -> tuple[np.ndarray, np.ndarray]:
    """The hint's arcs between points that are kept now (weights > 0), in kept indices."""
    where_row = np.full(int(problem.rows.max(initial=-1)) + 1, -1, np.int64)
    where_row[problem.rows] = np.arange(problem.m)
    where_col = np.full(int(problem.cols.max(initial=-1)) + 1, -1, np.int64)
    where_col[problem.cols] = np.arange(problem.n)
    r = np.asarray(hint.rows, np.int64)
    c = np.asarray(hint.cols, np.int64)
    inside = (r < where_row.shape[0]) & (c < where_col.shape[0]) & (r >= 0) & (c >= 0)
    r, c = where_row[r[inside]], where_col[c[inside]]
    both = (r >= 0) & (c >= 0)
    return r[both], c[both]


def _node_potentials(problem, hint: WarmHint, scale: float) -> np.ndarray | None:
    """The hint's potentials as node potentials of the block (rows −u, columns v, in the
    scaled costs; dummy 0), or None."""
    if hint.u is None or hint.v is None:
        return None
    pi = np.zeros(problem.supply.shape[0])
    pi[: problem.m] = -hint.u[problem.rows] * scale
    pi[problem.n_rows: problem.n_rows + problem.n] = hint.v[problem.cols] * scale
    return np.where(np.isfinite(pi), pi, 0.0)


# Arcs per row that potentials alone start from (least reduced cost first). n = 1,000 with
# costs perturbed by 1 % and the previous optimum's potentials: 4 per row, 460-970 pivots and
# 1.4-1.7x cold's speed; 8 per row 820-1,540 pivots; the 16 least of every row and column with
# the greedy forest over them (ignoring the potentials) 7,000-10,000, no faster than cold.
LEAST_REDUCED_PER_ROW = 4


def _start_from_potentials(ns, problem, C: np.ndarray, pi: np.ndarray,
                           n_threads: int) -> np.ndarray:
    """First arcs from potentials alone: per row, the arcs of least reduced cost, joined into
    a forest in order of reduced cost (Kruskal's rule: tight arcs first), with the flows the
    weights force on it (:func:`start_warm`)."""
    hi = float(C.max(initial=0.0))
    hi = hi if hi < np.inf else finite_max(C)
    margin = 4.0 * (hi + float(np.abs(pi).max(initial=0.0))) + 1.0  # every arc qualifies
    in_set = np.zeros(C.shape, bool)
    r, c = _least_reduced_per_row(problem, C, pi, margin, LEAST_REDUCED_PER_ROW, in_set,
                                  n_threads)
    ok = C[r, c] < np.inf
    r, c = r[ok], c[ok]
    order = np.argsort(C[r, c] + pi[r] - pi[problem.n_rows + c], kind="stable")
    r, c = r[order], c[order]
    in_set[r, c] = True
    first = ns.n_arcs
    ns.add_arcs(r, problem.n_rows + c, C[r, c])
    ns.start_warm(np.arange(first, ns.n_arcs, dtype=np.int64), pi)
    return in_set


def batch_inits(init, count: int) -> list | None:
    """A batch's ``init`` as a list of ``count`` per-problem warm starts (None: none)."""
    if init is None:
        return None
    if isinstance(init, (str, bytes, EMDResult)) or not hasattr(init, "__len__"):
        raise TypeError(f"init must be a sequence of {count} warm starts (results, (u, v) "
                        f"pairs or None), got {type(init).__name__}")
    if len(init) != count:
        raise ValueError(f"init has {len(init)} entries for a batch of {count} problems")
    return list(init)


class WarmStarts:
    """The last result of every batch slot, for warm-starting the next call.

    ``inits(count)`` is the list to pass as ``init`` (None for slots never solved);
    ``update(results)`` stores a call's results. Reuse is per slot and only when the shapes
    match (any other hint is ignored, see :func:`warm_hint`); the answers are the certified
    optima either way.
    """

    def __init__(self) -> None:
        self._last: list = []

    def inits(self, count: int) -> list:
        """The ``init`` list for a call of ``count`` problems: each slot's last result, or None.

        See Also
        --------
        update : stores the results these hints come from.
        emdkit.nn.signature_emd : takes this object as ``warm_start`` and calls both.
        emdkit.emd : ``init=result`` is the warm start each slot receives.
        """
        return [self._last[k] if k < len(self._last) else None for k in range(count)]

    def update(self, results) -> None:
        """Store a call's results, one per slot, as the next call's hints.

        See Also
        --------
        inits : reads them back, slot by slot.
        clear : forgets them.
        """
        self._last = list(results)

    def clear(self) -> None:
        """Forget every slot's result: the next call starts cold.

        See Also
        --------
        update : stores results again.
        """
        self._last = []
