"""Problem: the weights and semantics (partial matching) of an EMD, independent of the solver.

Rubner's EMD moves min(Σa, Σb) units: f_ij >= 0, Σ_j f_ij <= a_i, Σ_i f_ij <= b_j,
Σ f_ij = min(Σa, Σb). It is solved as a balanced transportation problem with one zero-cost
dummy node on the lighter side that absorbs the heavier side's surplus; this is exact, not an
approximation. Points of zero weight are dropped before solving and given dual potentials
afterwards.

Scale: the EMD does not change when both weight vectors are multiplied by one factor, so the
weights are rescaled by a power of two (exact in binary floating point) that puts the largest
weight near 1. Subnormal weights (5e-324) and totals that would overflow (3 × 1e308) then solve
like any others. Costs are rescaled the same way by the caller.

Layout, shared by every solver: kept rows are nodes 0..m'-1, then the dummy *source* row if
Σb > Σa; columns follow from node ``n_rows``, then the dummy *sink* column if Σa > Σb.
"""
from __future__ import annotations

import math
import numpy as np

from .._jit import register_jitable
from .engine import native_engine

# Totals that agree to this relative precision are the same total written with rounding;
# a dummy node for the difference would only hold rounding noise (a few ulps of the total).
BALANCE_RTOL = 1e-13
# log2 of the lighter total, relative to the largest weight, below which its flows would sink
# toward the subnormals (< 2.2e-308), where products lose their precision (issue 11: weights of
# 5e-324 beside 0.5 gave a distance of 0.0). At 2**-500 every flow × cost (<= 1) stays normal.
TINY_TOTAL_LOG2 = -500.0


# The functions below are register_jitable: plain Python when called from Python (a first
# call needs no compilation: bench/RESULTS_cold.md) and compiled into the Numba kernels that
# call them. Their sums run left to right in both, so both give the same bits.


@register_jitable
def sequential_sum(x):
    """Σ x, left to right (numpy's pairwise sum would round differently from the kernels).

    A cumulative sum is sequential by definition, in numpy and in Numba alike, so it gives
    the kernels' bits at numpy's speed when called from Python.
    """
    if x.shape[0] == 0:
        return 0.0
    return np.cumsum(x)[-1]


@register_jitable
def power_of_two_scale(max_value):
    """The exponent e with 2**-e * max_value in [0.5, 1): rescaling by 2**-e is exact."""
    if max_value <= 0 or not np.isfinite(max_value):
        return 0
    return math.frexp(max_value)[1]


# Costs are rescaled (by a power of two, exactly) only when their largest value lies outside
# [2**-100, 2**100]: there the big-M of phase 1, sums of potentials and the work could overflow
# or sink into subnormals. Inside it float64 is scale-invariant and a rescaled copy of a large
# matrix would only cost memory (n = 4000: 128 MB).
COST_SCALE_RANGE_LOG2 = 100


@register_jitable
def cost_exponent(max_cost):
    """e such that costs × 2**-e are safe to solve with (0 for ordinary magnitudes)."""
    if max_cost <= 0 or (2.0 ** -COST_SCALE_RANGE_LOG2 <= max_cost
                         <= 2.0 ** COST_SCALE_RANGE_LOG2):
        return 0
    return power_of_two_scale(max_cost)


def ldexp(x: float, exp: int) -> float:
    """x · 2**exp for a Python float, ±inf where it overflows (as numpy's ldexp, at a tenth
    of its cost on a scalar)."""
    try:
        return math.ldexp(x, exp)
    except OverflowError:
        return math.copysign(math.inf, x)


DUMMY_NONE, DUMMY_SINK, DUMMY_SOURCE = 0, 1, 2
DUMMY_NAMES = ("none", "sink", "source")


def equal_totals(sa, sb, rtol=BALANCE_RTOL):
    """The balance decision, for totals (scalars or arrays) ``sa`` and ``sb``: equal when they
    agree to ``rtol`` relative to the larger (``BALANCE_RTOL``: float64 rounding). Callers
    whose weights were rounded to a coarser precision pass its tolerance (:mod:`emdkit.nn`
    for float32 and float16 inputs); :func:`balanced_layout` applies the default."""
    return np.abs(sa - sb) <= rtol * np.maximum(sa, sb)


@register_jitable
def balanced_layout(ar, bc):
    """The one partial-matching decision, for positive (scaled) weights ``ar``, ``bc``.

    Returns (supply, dummy kind, total flow): supply in the block layout of the module
    docstring, +a for rows, −b for columns, with a dummy row or column holding the surplus
    when the totals differ by more than rounding (``BALANCE_RTOL``).
    """
    m = ar.shape[0]
    n = bc.shape[0]
    sa = sequential_sum(ar)
    sb = sequential_sum(bc)
    kind = DUMMY_NONE
    if abs(sa - sb) > BALANCE_RTOL * max(sa, sb):  # not equal_totals (inlined for the kernels)
        kind = DUMMY_SINK if sa > sb else DUMMY_SOURCE
    n_rows = m + (kind == DUMMY_SOURCE)
    supply = np.empty(n_rows + n + (kind == DUMMY_SINK))
    supply[:m] = ar
    supply[n_rows:n_rows + n] = -bc
    if kind == DUMMY_SOURCE:
        supply[m] = sb - sa
    elif kind == DUMMY_SINK:
        supply[n_rows + n] = -(sa - sb)
    return supply, kind, min(sa, sb)


@register_jitable
def reduce_weights(a, b):
    """(rows, cols, a_kept, b_kept, exponent): positive weights only, rescaled by 2**-exponent.

    Normally the common scale puts the largest weight in [0.5, 1). When the lighter side's
    total is so small next to the heavier side's weights (a ratio beyond 2**500) that its flows
    would sink among subnormals, the scale follows the lighter side instead, and the heavier
    side's weights are capped at twice the lighter total. No point can ship more than the total
    that moves, so the cap is never binding: it changes no optimal flow, and the duals stay
    those of the original problem (a point with slack keeps a zero dual against the dummy). A weight below 2**-1074 of the scale
    underflows to zero and is dropped with the zero weights.
    """
    rows = np.flatnonzero(a > 0)
    cols = np.flatnonzero(b > 0)
    ea = power_of_two_scale(a.max())
    eb = power_of_two_scale(b.max())
    log_sa = math.log2(sequential_sum(np.ldexp(a[rows], -ea))) + ea
    log_sb = math.log2(sequential_sum(np.ldexp(b[cols], -eb))) + eb
    exp = max(ea, eb)
    if min(log_sa, log_sb) - exp > TINY_TOTAL_LOG2:
        ar = np.ldexp(a[rows], -exp)
        bc = np.ldexp(b[cols], -exp)
    elif log_sa < log_sb:
        exp = ea
        ar = np.ldexp(a[rows], -exp)
        bc = np.minimum(np.ldexp(b[cols], -exp), 2.0 * sequential_sum(ar))  # inf is capped too
    else:
        exp = eb
        bc = np.ldexp(b[cols], -exp)
        ar = np.minimum(np.ldexp(a[rows], -exp), 2.0 * sequential_sum(bc))
    keep_r = ar > 0
    keep_c = bc > 0
    return rows[keep_r], cols[keep_c], ar[keep_r], bc[keep_c], exp


def prepare_weights(a, b):
    """:func:`reduce_weights` then :func:`balanced_layout`, in one engine call under the
    compiled engine: (rows, cols, packed, m, n, exponent, dummy kind, total flow), where
    ``packed`` holds the m kept row weights, the n kept column weights and the supply, and
    ``rows``, ``cols`` are the kept indices, None when no point was dropped."""
    rows, cols, ar, bc, exp = reduce_weights(a, b)
    supply, kind, total = balanced_layout(ar, bc)
    m, n = rows.shape[0], cols.shape[0]
    if m == a.shape[0] and n == b.shape[0]:
        rows = cols = None
    return rows, cols, np.concatenate((ar, bc, supply)), m, n, int(exp), int(kind), float(total)


class TransportProblem:
    """The reduced, balanced problem handed to a solver (see the module docstring's layout).

    Attributes
    ----------
    rows, cols : indices of the rows / columns with positive weight
    a, b : their weights, scaled by 2**-weight_exp
    supply : +a (rows), −b (columns), ± the surplus (dummy): sums to ~0
    dummy : "none", "sink" (Σa > Σb) or "source" (Σb > Σa): the one balance decision
    total_flow_scaled : min(Σa, Σb) in the scaled units
    weight_exp : the power of two the weights were scaled by
    m, n : kept rows and columns; n_rows, n_cols: the balanced block's (dummy included)
    dropped : whether any point of zero weight was dropped
    """

    __slots__ = ("_rows", "_cols", "a", "b", "supply", "dummy", "total_flow_scaled",
                 "weight_exp", "m", "n", "n_rows", "n_cols", "dropped")

    def __init__(self, rows: np.ndarray | None, cols: np.ndarray | None, a: np.ndarray,
                 b: np.ndarray, supply: np.ndarray, dummy: str, total_flow_scaled: float,
                 weight_exp: int) -> None:
        """``rows``, ``cols``: the kept indices, or None for all of them."""
        self.a, self.b, self.supply = a, b, supply
        self.dummy, self.total_flow_scaled, self.weight_exp = dummy, total_flow_scaled, weight_exp
        self.m, self.n = a.shape[0], b.shape[0]
        self.n_rows = self.m + (dummy == "source")
        self.n_cols = self.n + (dummy == "sink")
        self._rows, self._cols = rows, cols
        self.dropped = rows is not None or cols is not None

    @property
    def rows(self) -> np.ndarray:
        """Indices of the rows with positive weight, in the caller's numbering."""
        return np.arange(self.m) if self._rows is None else self._rows

    @property
    def cols(self) -> np.ndarray:
        """Indices of the columns with positive weight."""
        return np.arange(self.n) if self._cols is None else self._cols

    @property
    def dummy_node(self) -> int:
        if self.dummy == "source":
            return self.m
        if self.dummy == "sink":
            return self.n_rows + self.n
        return -1

    @property
    def dummy_kind(self) -> int:
        return DUMMY_NAMES.index(self.dummy)

    @property
    def total_flow(self) -> float:
        return ldexp(self.total_flow_scaled, self.weight_exp)

    @classmethod
    def from_weights(cls, a: np.ndarray, b: np.ndarray) -> "TransportProblem":
        """Drop zero weights, rescale, and decide the balance: :func:`reduce_weights` and
        :func:`balanced_layout` (one engine call under the compiled engine)."""
        rows, cols, packed, m, n, exp, kind, total = prepare_weights(a, b)
        return cls(rows, cols, packed[:m], packed[m:m + n], packed[m + n:], DUMMY_NAMES[kind],
                   total, exp)

    def dummy_arcs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Zero-cost arcs between the dummy and every node on the heavier side."""
        if self.dummy == "sink":
            src = np.arange(self.m)
            tgt = np.full(self.m, self.dummy_node)
        elif self.dummy == "source":
            src = np.full(self.n, self.dummy_node)
            tgt = self.n_rows + np.arange(self.n)
        else:
            src = tgt = np.empty(0, np.int64)
        return src.astype(np.int64), tgt.astype(np.int64), np.zeros(src.shape[0])

    def split_potentials(self, pi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Normalised node potentials (rows then columns, block layout; see
        :func:`emdkit.core.certificate.normalize_potentials`) → (u_kept, v_kept)."""
        m, n, r = self.m, self.n, self.n_rows
        return -pi[:m], pi[r:r + n].copy()

    def complete_potentials(self, u_kept: np.ndarray, v_kept: np.ndarray,
                            cost_rows, cost_cols, shape: tuple[int, int],
                            row_min=None, col_min=None) -> tuple[np.ndarray, np.ndarray]:
        """Dual potentials for every point, zero-weight ones included.

        A dropped row gets u_i = min_j (c_ij − v_j), the largest value that keeps it feasible
        (capped at 0 against a dummy sink); likewise dropped columns. ``cost_rows(idx)`` and
        ``cost_cols(idx)`` return the cost rows / columns for the given indices. Without a
        matrix, ``row_min(idx, kept_cols, v_kept)`` returns min_j (c_ij − v_j) over the kept
        columns and ``col_min(idx, u)`` min_i (c_ij − u_i) over every row, each rounded down
        (a k-d tree: no n_dropped × n block is formed).
        """
        if not self.dropped:
            return u_kept, v_kept
        m_all, n_all = shape
        u = np.zeros(m_all)
        v = np.zeros(n_all)
        u[self.rows] = u_kept
        v[self.cols] = v_kept
        kept_r = np.zeros(m_all, bool)
        kept_r[self.rows] = True
        kept_c = np.zeros(n_all, bool)
        kept_c[self.cols] = True
        drop_r, drop_c = np.flatnonzero(~kept_r), np.flatnonzero(~kept_c)
        if drop_r.size and row_min is not None:
            u[drop_r] = row_min(drop_r, self.cols, v_kept)
        elif drop_r.size:
            sub = cost_rows(drop_r)[:, self.cols]
            u[drop_r] = (sub - v_kept[None, :]).min(axis=1)
        if drop_r.size and self.dummy == "sink":
            u[drop_r] = np.minimum(u[drop_r], 0.0)
        if drop_c.size and col_min is not None:
            v[drop_c] = col_min(drop_c, u)
        elif drop_c.size:
            sub = cost_cols(drop_c)
            v[drop_c] = (sub - u[:, None]).min(axis=0)
            if self.dummy == "source":
                v[drop_c] = np.minimum(v[drop_c], 0.0)
        return u, v


# The compiled engine's layout helpers (cpp/solve/problem.cpp): the same bits, without the
# numpy calls' overhead (reduce_weights: 67 µs -> 7 µs at 24 points a side). The Numba
# kernels that compile these in (block.solve_small, batch._signature_distance) are replaced
# under this engine too, so none of them is compiled against the compiled functions.
_native = native_engine()
if _native is not None:
    balanced_layout = _native.balanced_layout  # noqa: F811
    reduce_weights = _native.reduce_weights  # noqa: F811
    prepare_weights = _native.prepare_weights  # noqa: F811
