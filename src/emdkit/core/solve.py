"""The public exact EMD: ``emd(a, b, cost)`` and ``signature_emd(X, wx, Y, wy)``."""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .assignment import ASSIGNMENT_BELOW, is_uniform_square, solve_assignment
from .costs import METRICS, Metric, ground_distance
from .batch import block_layout, solve_block
from .dense import ALL_ARCS_BELOW, SolverError, raise_for_status, solve_dense
from .problem import TransportProblem
from .result import EMDResult
from .validation import as_cost, as_points, as_weights, check_positive_int

# Pivots allowed per node before we call the run stuck; real problems use far fewer.
DEFAULT_PIVOTS_PER_NODE = 200
MIN_MAX_ITER = 100_000
# From this many pairs on, signature_emd skips the dense matrix (measured crossover, bench/).
POINTCLOUD_ABOVE = 250_000


def default_max_iter(m: int, n: int) -> int:
    return max(MIN_MAX_ITER, DEFAULT_PIVOTS_PER_NODE * (m + n) * int(np.log2(m + n + 2)))


def emd(a: ArrayLike, b: ArrayLike, cost: ArrayLike, *, max_iter: int | None = None) -> EMDResult:
    """Exact Earth Mover's Distance between weights ``a`` and ``b`` under ground distance ``cost``.

    Rubner's definition: with flows f_ij >= 0, Σ_j f_ij <= a_i, Σ_i f_ij <= b_j and
    Σ_ij f_ij = min(Σa, Σb),

        EMD = min_f Σ_ij f_ij cost_ij / Σ_ij f_ij

    in the units of ``cost``. Unequal totals are partial matching (the lighter side is moved
    entirely, into the cheapest part of the heavier side); they are not normalised away.

    Parameters
    ----------
    a : (m,) non-negative weights, any positive total.
    b : (n,) non-negative weights, any positive total.
    cost : (m, n) non-negative ground distances.
    max_iter : pivot bound for the network simplex; reaching it raises :class:`SolverError`.
        Equal counts with one common weight are an assignment problem, solved by at most m
        shortest augmenting paths (``method == "assignment"``), which needs no bound.

    Returns
    -------
    EMDResult with ``distance``, ``work`` (Σ f d), ``total_flow``, ``flow`` and potentials ``u``, ``v``.

    Examples
    --------
    >>> emd([2.0], [1.0, 1.0, 5.0], [[1.0, 3.0, 10.0]]).distance
    2.0
    """
    a = as_weights(a, "a")
    b = as_weights(b, "b")
    C = as_cost(cost, (a.shape[0], b.shape[0]))
    if max_iter is None:
        max_iter = default_max_iter(*C.shape)
    max_iter = check_positive_int(max_iter, "max_iter")
    problem = TransportProblem.from_weights(a, b)
    C_red = C[np.ix_(problem.rows, problem.cols)] if (
        problem.m < C.shape[0] or problem.n < C.shape[1]) else C
    C_red = np.ascontiguousarray(C_red)
    method = "network_simplex"
    if (problem.dummy == "none" and problem.m < ASSIGNMENT_BELOW
            and is_uniform_square(a[problem.rows], b[problem.cols])):
        solution, method = _solve_assignment(problem, a, C_red), "assignment"
    elif problem.m * problem.n <= ALL_ARCS_BELOW:
        solution = _solve_small(problem, a, b, C_red, max_iter)
    else:
        solution = _from_live_solver(problem, solve_dense(problem, C_red, max_iter))
    return _assemble(problem, *solution, a, b, C.shape,
                     cost_rows=lambda idx: C[idx], cost_cols=lambda idx: C[:, idx], method=method)


def _solve_assignment(problem: TransportProblem, a, C_red):
    """Equal counts, one common weight w: an optimal permutation, each matched pair moving w."""
    col_for_row, u, v, status = solve_assignment(C_red)
    if status != 0:
        raise SolverError("assignment solver found no augmenting path; no value is returned")
    i = np.arange(problem.m)
    flow = np.full(problem.m, a[problem.rows[0]])
    # node potentials in the network simplex's convention: rows -u, columns v, then the dummy
    pi_std = np.concatenate([-u, v, [0.0]])
    return i, col_for_row, flow, C_red[i, col_for_row], pi_std, problem.m


def _solve_small(problem: TransportProblem, a, b, C_red, max_iter):
    """One Numba call for the whole solve: small problems are all overhead otherwise."""
    m, n = problem.m, problem.n
    supply, n_rows, defer_row, defer_col = block_layout(a[problem.rows], b[problem.cols])
    block = np.zeros((n_rows, supply.shape[0] - n_rows))
    block[:m, :n] = C_red
    flow, pi, status, pivots = solve_block(supply, n_rows, block, defer_row, defer_col, max_iter)
    raise_for_status(int(status), max_iter, int(pivots))
    i, j = np.nonzero(flow[:m, :n] > 0)
    # node potentials in the problem's numbering: rows, columns, then the dummy
    pi_std = np.concatenate([pi[:m], pi[n_rows:n_rows + n],
                             pi[[m if defer_row >= 0 else n_rows + n]]])
    return i, j, flow[i, j], C_red[i, j], pi_std, int(pivots)


def _from_live_solver(problem: TransportProblem, ns):
    # the root may only hold the rounding left when Σa − Σb is not exactly representable
    if ns.artificial_flow() > 1e-9 * problem.supply.clip(min=0).sum():
        raise SolverError("network simplex ended with mass on artificial arcs; no value is returned")
    src, tgt, f, c = ns.real_flows()
    m = problem.m
    real = (src < m) & (tgt >= m) & (tgt < m + problem.n)  # the dummy's arcs are not transport
    return src[real], tgt[real] - m, f[real], c[real], ns.pi, ns.n_iter


def _assemble(problem: TransportProblem, i_red, j_red, f, c, pi, n_iter, a, b, shape,
              cost_rows, cost_cols, method: str = "network_simplex") -> EMDResult:
    work = float(np.dot(f, c))
    total = float(f.sum())
    u_k, v_k, _, _ = problem.potentials(pi, a, b)
    u, v = problem.complete_potentials(u_k, v_k, cost_rows, cost_cols, shape)
    return EMDResult(
        distance=work / total if total > 0 else 0.0, work=work, total_flow=total, u=u, v=v,
        shape=shape, flow_rows=problem.rows[i_red], flow_cols=problem.cols[j_red],
        flow_values=f, n_iter=n_iter, method=method)


def signature_emd(X: ArrayLike, wx: ArrayLike, Y: ArrayLike, wy: ArrayLike,
                  metric: Metric = "euclidean", *, method: str = "auto",
                  max_iter: int | None = None) -> EMDResult:
    """EMD between signatures {(X_i, wx_i)} and {(Y_j, wy_j)}: ``emd(wx, wy, ground_distance(X, Y, metric))``.

    Positions are (m, d) and (n, d) arrays (1-D inputs are points on a line); distances are in
    the units of the coordinates (squared for "sqeuclidean").

    method : "auto" (default), "dense", "pointcloud" or "monotone_1d". On the line with equal
        totals "auto" sorts ("monotone_1d", O(n log n)). "pointcloud" never forms the m×n cost
        matrix (k-nearest-neighbour candidates, certified by KD-tree pricing; euclidean,
        sqeuclidean and cityblock); "auto" takes it when m·n >= ``POINTCLOUD_ABOVE`` and the
        metric allows. Both are exact and return the same value.
    """
    from .one_d import monotone_emd
    from .pointcloud import POINTCLOUD_METRICS, pointcloud_emd

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
    if method not in ("auto", "dense", "pointcloud", "monotone_1d"):
        raise ValueError(f"method must be 'auto', 'dense', 'pointcloud' or 'monotone_1d', "
                         f"got {method!r}")
    if method == "monotone_1d" or (method == "auto" and X.shape[1] == 1 and metric in METRICS
                                   and TransportProblem.from_weights(wx, wy).dummy == "none"):
        # on the line every supported metric is convex in x − y: sorting is optimal
        return monotone_emd(X, wx, Y, wy, metric)
    if method == "auto":
        big = X.shape[0] * Y.shape[0] >= POINTCLOUD_ABOVE
        method = "pointcloud" if big and metric in POINTCLOUD_METRICS else "dense"
    if method == "pointcloud":
        if max_iter is None:
            max_iter = default_max_iter(X.shape[0], Y.shape[0])
        return pointcloud_emd(X, wx, Y, wy, metric,
                              check_positive_int(max_iter, "max_iter"))
    return emd(wx, wy, ground_distance(X, Y, metric), max_iter=max_iter)
