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
  arcs instead: the 16 arcs of least reduced cost c_ij − u_i − v_j on every line, with the
  greedy forest over them.

The network simplex then runs over those arcs, every pair is priced against its potentials,
violators join and pivoting resumes (candidate rounds, :mod:`emdkit.core.candidate_rounds`),
and the answer is certified as after a cold start: a warm start changes the pivots, never the
answer, which is the same certified optimum (``method == "warm_start"``). Any ``init`` of the
right shape is only a hint: a stale one (another problem's result) costs pivots, not
correctness. One of another shape is ignored.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import candidate_rounds
from .candidate_rounds import solve_candidate_rounds, start_from_candidates
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
        return WarmHint(given.flow_rows, given.flow_cols, given.u, given.v)
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


def solve_warm(prep, hint: WarmHint, max_iter: int, n_threads: int):
    """The live network simplex of a prepared dense problem (:class:`DenseProblem`), started
    from ``hint`` and optimal over every pair (the caller certifies it)."""
    problem = prep.problem
    scale = np.ldexp(1.0, -prep.cost_exp)

    def start(ns, problem, C):
        pi = _node_potentials(problem, hint, scale)
        if hint.rows.shape[0]:
            in_set = np.zeros(C.shape, bool)
            rows, cols = _kept_arcs(problem, hint)
            ok = C[rows, cols] < np.inf
            rows, cols = rows[ok], cols[ok]
            in_set[rows, cols] = True
            first = ns.n_arcs
            ns.add_arcs(rows, problem.n_rows + cols, C[rows, cols])
            ns.start_warm(np.arange(first, ns.n_arcs, dtype=np.int64), pi)
            if pi is not None:
                _add_near_tight_arcs(ns, problem, C, pi, rows, cols, in_set, n_threads)
            return in_set
        return _start_from_potentials(ns, problem, C, pi)

    return solve_candidate_rounds(problem, prep.Cs, max_iter, n_threads, start=start)


# Arcs per row added beside the previous support: the previous optimum's near-tight arcs,
# which the new optimum mostly uses (n = 1,000 clouds, costs perturbed by 1 %: 11 pricing
# sweeps of 1.7 ms each with the support alone, 3 with these; bench/RESULTS.md, "Warm starts").
NEAR_TIGHT_PER_ROW = 8
# "Near-tight": reduced cost below this many times the largest one on the previous support
# (0 before the costs changed, so that spread measures how far they moved).
NEAR_TIGHT_SPREAD = 2.0


def _add_near_tight_arcs(ns, problem, C, pi, rows, cols, in_set, n_threads) -> None:
    """Add, per row, the arcs whose reduced cost under the hinted potentials is least and
    below NEAR_TIGHT_SPREAD times the support's largest |reduced cost| (one pricing sweep
    with the row potentials shifted by that margin)."""
    n_rows = problem.n_rows
    drift = np.abs(C[rows, cols] + pi[rows] - pi[n_rows + cols])
    margin = NEAR_TIGHT_SPREAD * float(drift.max(initial=0.0))
    if not margin > 0 or not np.isfinite(margin):
        return
    shifted = pi.copy()
    shifted[: problem.m] -= margin
    cap = min(NEAR_TIGHT_PER_ROW, C.shape[1])
    out_cols = np.empty((C.shape[0], cap), np.int64)
    out_count = np.empty(C.shape[0], np.int64)
    candidate_rounds.price_rows(C, shifted, n_rows, in_set, cap, out_cols, out_count, n_threads)
    r = np.repeat(np.arange(C.shape[0]), out_count)
    c = out_cols[np.arange(cap)[None, :] < out_count[:, None]]
    in_set[r, c] = True
    ns.add_arcs(r, n_rows + c, C[r, c])


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


def _start_from_potentials(ns, problem, C: np.ndarray, pi: np.ndarray) -> np.ndarray:
    """First arcs from potentials alone: on every line, the arcs of least reduced cost
    c_ij + pi_i − pi_j, and the greedy forest over them."""
    reduced = C + pi[: problem.m, None] - pi[None, problem.n_rows: problem.n_rows + problem.n]
    return start_from_candidates(ns, problem, C, np.ascontiguousarray(reduced))
