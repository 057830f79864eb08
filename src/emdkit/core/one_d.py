"""Closed form on the line: W_p between 1-D distributions, and the sorted coupling with duals."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from .._jit import njit
from .certificate import normalize_potentials
from .cost_kernels import SQEUCLIDEAN, line_cost
from .costs import lookup_metric
from .engine import native_engine
from .exact import exact_everywhere
from .problem import ldexp, power_of_two_scale
from .result import EMDResult, assemble
from .validation import as_real_array, as_weights

if TYPE_CHECKING:
    from .prepare import PreparedProblem


@njit(cache=True, nogil=True)
def _quantile_wp(u_sorted, u_cdf, v_sorted, v_cdf, p):
    """∫_0^1 |F⁻¹(t) − G⁻¹(t)|^p dt for step CDFs given at their sorted atoms."""
    i = 0
    j = 0
    t = 0.0
    total = 0.0
    n_u = u_sorted.shape[0]
    n_v = v_sorted.shape[0]
    while i < n_u and j < n_v:
        nxt = min(u_cdf[i], v_cdf[j])
        gap = abs(u_sorted[i] - v_sorted[j])
        if p == 1.0:
            total += (nxt - t) * gap
        else:
            total += (nxt - t) * gap ** p
        t = nxt
        if u_cdf[i] <= nxt:
            i += 1
        if v_cdf[j] <= nxt:
            j += 1
    return total


def _sorted_cdf(values: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Atoms of positive weight, sorted, with their CDF (ending at exactly 1)."""
    n = values.shape[0]
    if weights is None:
        # k/n exactly: a cumulative sum of 1/n drifts by ~n ulps over a million atoms
        return np.sort(values), np.arange(1, n + 1, dtype=np.float64) / n
    keep = weights > 0  # a zero-weight atom carries no mass, wherever it sits (as in SciPy)
    values, weights = values[keep], weights[keep]
    # a power-of-two rescale first, so that totals like 3 × 1e308 do not overflow
    weights = np.ldexp(weights, -int(power_of_two_scale(float(weights.max()))))
    order = np.argsort(values, kind="stable")
    cdf = np.cumsum(weights[order] / weights.sum())
    cdf[-1] = 1.0  # so both walks end together despite rounding in the cumulative sum
    return values[order], cdf


def wasserstein_1d(u_values: ArrayLike, v_values: ArrayLike,
                   u_weights: ArrayLike | None = None, v_weights: ArrayLike | None = None,
                   p: float = 1) -> float:
    r"""Wasserstein-p distance between two 1-D distributions, in the units of the values.

    .. math:: W_p(\mu, \nu) = \Big( \int_0^1 |F_\mu^{-1}(t) - F_\nu^{-1}(t)|^p \, dt \Big)^{1/p}

    Weights are normalised to probability (as in ``scipy.stats.wasserstein_distance``, whose
    argument order this follows); atoms of zero weight are ignored. Returns W_p, not W_p^p.
    O((m + n) log(m + n)).

    Parameters
    ----------
    u_values, v_values : array_like, 1-D
        Positions of the atoms.
    u_weights, v_weights : array_like, optional
        Non-negative weights (any positive total); uniform when omitted.
    p : float, default 1
        Order, >= 1.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If values or weights are not real numbers, or ``p`` is not a number.
    ValueError
        If values are empty, non-finite or not 1-D, weights invalid or of the wrong length, or
        ``p`` < 1.

    See Also
    --------
    signature_emd : any dimension, partial matching.
    scipy.stats.wasserstein_distance : W_1 with the same argument order.

    References
    ----------
    .. [1] C. Villani, "Optimal Transport: Old and New", Springer, 2009 (Remark 2.19).

    Examples
    --------
    >>> from emdkit import wasserstein_1d
    >>> wasserstein_1d([0.0, 1.0, 3.0], [5.0, 6.0, 8.0])
    5.0
    """
    u = as_real_array(u_values, "u_values")
    v = as_real_array(v_values, "v_values")
    for name, arr in (("u_values", u), ("v_values", v)):
        if arr.ndim != 1:
            raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
        if arr.size == 0:
            raise ValueError(f"{name} is empty")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or inf")
    uw = None if u_weights is None else as_weights(u_weights, "u_weights")
    vw = None if v_weights is None else as_weights(v_weights, "v_weights")
    if uw is not None and uw.shape != u.shape:
        raise ValueError(f"u_weights has shape {uw.shape} but u_values has {u.shape}")
    if vw is not None and vw.shape != v.shape:
        raise ValueError(f"v_weights has shape {vw.shape} but v_values has {v.shape}")
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, float, np.integer,
                                                              np.floating)):
        raise TypeError(f"p must be a number >= 1, got {type(p).__name__}")
    if not np.isfinite(p) or p < 1:
        raise ValueError(f"p must be a finite number >= 1, got {p}")
    xu, cu = _sorted_cdf(u, uw)
    xv, cv = _sorted_cdf(v, vw)
    total = _quantile_wp(xu, cu, xv, cv, float(p))
    return float(total) if p == 1 else float(total ** (1.0 / p))


@njit(cache=True, nogil=True)
def _staircase(x, wx, y, wy, code):
    """North-west corner on sorted points: the monotone coupling and its basis duals.

    The walk goes all the way from cell (0, 0) to (m-1, n-1), a staircase of m + n − 1 cells
    (zero flows where rounding or ties exhaust both sides at once): a spanning tree, so every
    point gets a dual. For a cost that is a convex function of x − y and equal totals, the
    monotone coupling is optimal and these duals are feasible: each off-staircase reduced cost
    is a sum of Monge differences, all >= 0. Returns (rows, cols, flows, u, v) in the sorted
    numbering.
    """
    m = x.shape[0]
    n = y.shape[0]
    rows = np.empty(m + n - 1, np.int64)
    cols = np.empty(m + n - 1, np.int64)
    flows = np.empty(m + n - 1)
    u = np.zeros(m)
    v = np.zeros(n)
    i = 0
    j = 0
    ra = wx[0]
    rb = wy[0]
    v[0] = line_cost(x[0] - y[0], code)  # u[0] = 0 anchors the duals
    for k in range(m + n - 1):
        f = max(min(ra, rb), 0.0)
        rows[k] = i
        cols[k] = j
        flows[k] = f
        ra -= f
        rb -= f
        if k == m + n - 2:
            break
        # step the exhausted side; a tie steps the row first (a degenerate cell)
        if j == n - 1 or (i < m - 1 and ra <= rb):
            i += 1
            ra = wx[i]
            u[i] = line_cost(x[i] - y[j], code) - v[j]
        else:
            j += 1
            rb = wy[j]
            v[j] = line_cost(x[i] - y[j], code) - u[i]
    return rows, cols, flows, u, v


def _line_work(x, y, sup_r, sup_c, sup_f, code):
    """Σ f·d(x_r − y_c) over a row-major support on the line, left to right (the canonical
    sum)."""
    diff = x[sup_r] - y[sup_c]
    cost = np.abs(diff) ** 2 if code == SQEUCLIDEAN else np.abs(diff)
    work = 0.0
    for fk, ck in zip(sup_f.tolist(), cost.tolist()):
        work += fk * ck
    return work


def monotone_emd(prep: PreparedProblem) -> EMDResult:
    """Exact EMD on the line for equal totals, through the sorted coupling (O(n log n)), of a
    prepared signature problem (path "monotone_1d").

    The problem it solves exactly: every weight and every position the float64 it is, and the
    ground cost h(x − y) evaluated exactly on those positions, h(t) = |t| (euclidean,
    cityblock and chebyshev coincide on the line) or t² (sqeuclidean). h is convex, so for
    equal totals the monotone coupling (north-west corner on sorted points) is optimal for
    these costs. With the compiled engine and ``Σa = Σb`` exactly, the walk runs in integer
    arithmetic (``exact_staircase``, cpp/one_d/exact_line.hpp): the flows are exact
    differences of cumulative weights, each rounded once, and ``distance`` and ``work`` are
    the exact Σ f·h(x_i − y_j) (over Σa) rounded once to nearest: ``exact`` True, ``gap`` 0.

    Not covered, ``exact`` False with the float walk's values as before: totals that differ
    in the last bits (Σa ≠ Σb exactly, but within ``BALANCE_RTOL``, which is what routes a
    problem here: Rubner's problem is then a partial matching, which the sorted coupling does
    not solve exactly), and the Numba reference engine. Note that the costs are the exact
    ones, not the float64 costs ``ground_distance`` computes (fl(|x − y|) is rounded where
    x − y is not a float): ``method="dense"`` on the same input is exact for those, and the
    two can differ in the last bit.
    """
    problem, (X, Y, metric) = prep.problem, prep.signature
    code = lookup_metric(metric).code
    if problem.dummy != "none":
        raise ValueError("the 1-D monotone coupling needs equal totals")
    xr, yr = X[problem.rows, 0], Y[problem.cols, 0]
    ox, oy = np.argsort(xr, kind="stable"), np.argsort(yr, kind="stable")
    xs, ys, wxs, wys = xr[ox], yr[oy], problem.a[ox], problem.b[oy]
    walk = _exact_walk(xs, wxs, ys, wys, code, problem.weight_exp)
    if walk is None:
        r, c, f, u_s, v_s = _staircase(xs, wxs, ys, wys, code)
    else:
        r, c, f, u_s, v_s, distance, work = walk
    keep = f > 0
    sup_r, sup_c, sup_f = ox[r[keep]], oy[c[keep]], f[keep]
    # row-major order; the staircase's cells are distinct pairs, so one key sorts them (8x
    # faster than np.lexsort at n = 10^5)
    order = np.argsort(sup_r * yr.shape[0] + sup_c)
    sup_r, sup_c, sup_f = sup_r[order], sup_c[order], sup_f[order]
    if walk is None:
        work = _line_work(xr, yr, sup_r, sup_c, sup_f, code)
    pi = np.zeros(problem.m + problem.n)
    pi[ox] = -u_s
    pi[problem.m + oy] = v_s
    normalize_potentials(pi, problem.m, problem.supply, problem.dummy_kind)
    if walk is None:
        return assemble(prep, sup_r, sup_c, sup_f, pi, work, "monotone_1d", 0, 0.0)
    return assemble(prep, sup_r, sup_c, sup_f, pi, ldexp(work, -problem.weight_exp),
                    "monotone_1d", 0, 0.0, exact=(distance, work))


def _exact_walk(xs, wxs, ys, wys, code, weight_exp):
    """The compiled engine's exact staircase on sorted points (rows, cols, flows, u, v,
    distance, work), or None: no engine kernel, exact verification off, or totals that differ
    exactly."""
    if _exact_staircase is None or not exact_everywhere():
        return None
    out = _exact_staircase(xs, wxs, ys, wys, code, int(weight_exp))
    return None if out is None else out[:7]


# The compiled engine's kernels replace the Numba ones when EMDKIT_ENGINE=native (same
# arguments and results).
_native = native_engine()
_exact_staircase = getattr(_native, "exact_staircase", None)
if _native is not None:
    _quantile_wp = _native.quantile_wp
    _staircase = _native.staircase
    _line_work = _native.line_work
