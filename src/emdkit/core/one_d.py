"""Closed form on the line: W_p between 1-D distributions through their quantile functions."""
from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import ArrayLike

from .validation import as_weights


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
    n = values.shape[0]
    if weights is None:
        # k/n exactly: a cumulative sum of 1/n drifts by ~n ulps over a million atoms
        return np.sort(values), np.arange(1, n + 1, dtype=np.float64) / n
    order = np.argsort(values, kind="stable")
    cdf = np.cumsum(weights[order] / weights.sum())
    cdf[-1] = 1.0  # so both walks end together despite rounding in the cumulative sum
    return values[order], cdf


def wasserstein_1d(u_values: ArrayLike, v_values: ArrayLike,
                   u_weights: ArrayLike | None = None, v_weights: ArrayLike | None = None,
                   p: float = 1) -> float:
    """Wasserstein-p distance between two 1-D distributions, in the units of the values.

        W_p(μ, ν) = ( ∫_0^1 |F_μ⁻¹(t) − F_ν⁻¹(t)|^p dt )^{1/p}

    Weights are normalised to probability (as in ``scipy.stats.wasserstein_distance``, whose
    argument order this follows). Returns W_p, not W_p^p. O((m + n) log(m + n)).
    """
    u = np.asarray(u_values, dtype=np.float64)
    v = np.asarray(v_values, dtype=np.float64)
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
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise TypeError(f"p must be a number >= 1, got {type(p).__name__}")
    if not np.isfinite(p) or p < 1:
        raise ValueError(f"p must be a finite number >= 1, got {p}")
    xu, cu = _sorted_cdf(u, uw)
    xv, cv = _sorted_cdf(v, vw)
    total = _quantile_wp(xu, cu, xv, cv, float(p))
    return float(total) if p == 1 else float(total ** (1.0 / p))


@njit(cache=True)
def _staircase(x, wx, y, wy, metric):
    """North-west corner on sorted points: the monotone coupling and its basis duals.

    For a cost that is a convex function of x − y (every supported metric on the line) and
    equal totals, the monotone coupling is optimal and the duals read off its staircase are
    feasible: each off-staircase reduced cost is a sum of Monge differences, all >= 0.
    Returns (rows, cols, flows, u, v) in the sorted numbering.
    """
    m = x.shape[0]
    n = y.shape[0]
    rows = np.empty(m + n, np.int64)
    cols = np.empty(m + n, np.int64)
    flows = np.empty(m + n)
    u = np.zeros(m)
    v = np.zeros(n)
    i = 0
    j = 0
    ra = wx[0]
    rb = wy[0]
    k = 0
    v[0] = _line_cost(x[0], y[0], metric)  # u[0] = 0 anchors the duals
    while i < m and j < n:
        f = min(ra, rb)
        rows[k] = i
        cols[k] = j
        flows[k] = f
        k += 1
        ra -= f
        rb -= f
        step_i = ra <= 0.0 and i + 1 < m
        step_j = rb <= 0.0 and j + 1 < n
        if not step_i and not step_j:
            break
        if step_i:  # a tie steps the row first: a degenerate basis cell (i + 1, j)
            i += 1
            ra = wx[i]
            u[i] = _line_cost(x[i], y[j], metric) - v[j]
        if step_j:
            j += 1
            rb = wy[j]
            v[j] = _line_cost(x[i], y[j], metric) - u[i]
    return rows[:k], cols[:k], flows[:k], u, v


@njit(cache=True, inline="always")
def _line_cost(a, b, metric):
    d = abs(a - b)
    return d * d if metric == 1 else d


def monotone_emd(X, wx, Y, wy, metric):
    """Exact EMD on the line for equal totals, through the sorted coupling (O(n log n))."""
    from .problem import TransportProblem
    from .result import EMDResult

    problem = TransportProblem.from_weights(wx, wy)
    if problem.dummy != "none":
        raise ValueError("the 1-D monotone coupling needs equal totals")
    xr, yr = X[problem.rows, 0], Y[problem.cols, 0]
    ox, oy = np.argsort(xr, kind="stable"), np.argsort(yr, kind="stable")
    code = 1 if metric == "sqeuclidean" else 0
    r, c, f, u_s, v_s = _staircase(xr[ox], wx[problem.rows][ox], yr[oy], wy[problem.cols][oy],
                                   code)
    keep = f > 0
    rows, cols, f = problem.rows[ox[r[keep]]], problem.cols[oy[c[keep]]], f[keep]
    cost = np.abs(X[rows, 0] - Y[cols, 0])
    cost = cost * cost if code == 1 else cost
    m, n = problem.m, problem.n
    pi = np.zeros(m + n)
    pi[ox] = -u_s
    pi[m + oy] = v_s
    u_k, v_k, _, _ = problem.potentials(pi, wx, wy)

    def line(P, Q):
        D = np.abs(P[:, 0][:, None] - Q[:, 0][None, :])
        return D * D if code == 1 else D

    u, v = problem.complete_potentials(u_k, v_k, lambda idx: line(X[idx], Y),
                                       lambda idx: line(X, Y[idx]), (X.shape[0], Y.shape[0]))
    work = float(f @ cost)
    total = float(f.sum())
    return EMDResult(distance=work / total, work=work, total_flow=total, u=u, v=v,
                     shape=(X.shape[0], Y.shape[0]), flow_rows=rows, flow_cols=cols,
                     flow_values=f, n_iter=0, method="monotone_1d")
