"""Independent oracle: Rubner's EMD written straight from its definition as an LP for HiGHS."""
import itertools
from fractions import Fraction

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog


def lp_emd_work(a, b, C) -> float:
    """min Σ f c  s.t. f >= 0, Σ_j f_ij <= a_i, Σ_i f_ij <= b_j, Σ f = min(Σa, Σb).

    Posed in the equivalent form HiGHS handles robustly: the lighter side's constraints become
    equalities (moving min(Σa, Σb) in total saturates every one of them) and the total-flow row
    goes. Written with the total row, a weight of 1e-10 beside 1.0 made HiGHS call a feasible
    problem infeasible. An inf cost is a missing arc: its flow is bounded to 0.
    """
    a, b, C = np.asarray(a, float), np.asarray(b, float), np.asarray(C, float)
    missing = np.isinf(C).ravel()
    bounds = np.where(missing[:, None], 0.0, [0.0, np.inf]) if missing.any() else (0, None)
    C = np.where(np.isinf(C), 0.0, C)
    m, n = C.shape
    rows = sp.kron(sp.eye(m), np.ones((1, n))).tocsr()
    cols = sp.kron(np.ones((1, m)), sp.eye(n)).tocsr()
    if a.sum() <= b.sum():
        eq, eq_rhs, ub, ub_rhs = rows, a, cols, b
    else:
        eq, eq_rhs, ub, ub_rhs = cols, b, rows, a
    res = linprog(C.ravel(), A_ub=ub, b_ub=ub_rhs, A_eq=eq, b_eq=eq_rhs, bounds=bounds,
                  method="highs", options={"primal_feasibility_tolerance": 1e-10,
                                           "dual_feasibility_tolerance": 1e-10})
    assert res.status == 0, res.message
    return float(res.fun)


def rational_emd_work(a, b, C) -> Fraction:
    """The exact optimum of Rubner's LP for float inputs, in rational arithmetic.

    Independent of emdkit's solvers: a generic dense two-phase tableau simplex with Bland's
    rule (no network structure), over :class:`fractions.Fraction`. Every float is an exact
    dyadic rational, so this is the true optimum of the problem as posed, where HiGHS (float)
    can be wrong (costs spanning 1e-12..1e12). Small problems only (m·n up to ~40). ``C`` may
    also be rows of :class:`~fractions.Fraction` (exact costs, :func:`line_costs_exact`).
    """
    a = [Fraction(float(x)) for x in np.asarray(a, float)]
    b = [Fraction(float(x)) for x in np.asarray(b, float)]
    m, n = len(C), len(C[0])
    if isinstance(C[0][0], Fraction):  # exact costs given (line_costs_exact)
        cost = [C[i][j] for i in range(m) for j in range(n)]
    else:
        C = np.asarray(C, float)
        cost = [Fraction(float(C[i, j])) for i in range(m) for j in range(n)]
    row_sums = [[1 if k // n == i else 0 for k in range(m * n)] for i in range(m)]
    col_sums = [[1 if k % n == j else 0 for k in range(m * n)] for j in range(n)]
    # the lighter side is moved entirely (equalities), the heavier side caps (inequalities)
    if sum(a) <= sum(b):
        eq, eq_rhs, ub, ub_rhs = row_sums, a, col_sums, b
    else:
        eq, eq_rhs, ub, ub_rhs = col_sums, b, row_sums, a
    return _tableau_min(cost, eq, eq_rhs, ub, ub_rhs)


def _tableau_min(cost, eq, eq_rhs, ub, ub_rhs) -> Fraction:
    """min cost·x s.t. eq x = eq_rhs, ub x <= ub_rhs, x >= 0 (all rhs >= 0), exactly."""
    n_x = len(cost)
    n_ub, n_eq = len(ub), len(eq)
    n_var = n_x + n_ub + n_eq          # x, slacks of ub rows, artificials of eq rows
    rows, basis = [], []
    for k, (coef, rhs) in enumerate(zip(ub, ub_rhs)):
        row = [Fraction(c) for c in coef] + [Fraction(int(t == k)) for t in range(n_ub)] + \
            [Fraction(0)] * n_eq + [rhs]
        rows.append(row)
        basis.append(n_x + k)
    for k, (coef, rhs) in enumerate(zip(eq, eq_rhs)):
        row = [Fraction(c) for c in coef] + [Fraction(0)] * n_ub + \
            [Fraction(int(t == k)) for t in range(n_eq)] + [rhs]
        rows.append(row)
        basis.append(n_x + n_ub + k)
    phase1 = [Fraction(0)] * (n_x + n_ub) + [Fraction(1)] * n_eq
    _simplex(rows, basis, phase1, n_var)
    allowed = n_x + n_ub                # artificials may not re-enter in phase 2
    # drive artificials (at zero) out of the basis, or drop their row if it is redundant
    for r in range(len(rows) - 1, -1, -1):
        if basis[r] >= allowed:
            j = next((j for j in range(allowed) if rows[r][j] != 0), None)
            if j is None:
                del rows[r], basis[r]
            else:
                _pivot(rows, basis, r, j)
    phase2 = list(cost) + [Fraction(0)] * (n_ub + n_eq)
    value = _simplex(rows, basis, phase2, allowed)
    return value


def _simplex(rows, basis, obj, n_allowed) -> Fraction:
    """Bland's-rule simplex on the tableau in place; returns the optimal objective."""
    while True:
        duals = [obj[bv] for bv in basis]
        entering = None
        for j in range(n_allowed):
            if j in basis:
                continue
            reduced = obj[j] - sum(d * row[j] for d, row in zip(duals, rows) if row[j])
            if reduced < 0:
                entering = j
                break
        if entering is None:
            return sum(obj[bv] * row[-1] for bv, row in zip(basis, rows))
        best = None
        for r, row in enumerate(rows):
            if row[entering] > 0:
                ratio = row[-1] / row[entering]
                if best is None or ratio < best[0] or (ratio == best[0] and
                                                       basis[r] < basis[best[1]]):
                    best = (ratio, r)
        _pivot(rows, basis, best[1], entering)


def _pivot(rows, basis, r, entering) -> None:
    pivot = rows[r][entering]
    rows[r] = [x / pivot for x in rows[r]]
    for k, row in enumerate(rows):
        if k != r and row[entering]:
            f = row[entering]
            rows[k] = [x - f * y for x, y in zip(row, rows[r])]
    basis[r] = entering


def line_costs_exact(x, y, power):
    """|x_i − y_j|**power of float positions on a line, in exact rational arithmetic (not the
    float64 costs a kernel rounds): rows of Fractions for :func:`rational_emd_work`."""
    xs = [Fraction(float(t)) for t in np.asarray(x, float)]
    ys = [Fraction(float(t)) for t in np.asarray(y, float)]
    return [[abs(s - t) ** power for t in ys] for s in xs]


def line_work_exact(x, wx, y, wy, power) -> Fraction:
    """W_p^p · Σw between two equal-total distributions on a line, exactly: the work of Rubner's
    LP with exact costs |x − y|**power (the sorted coupling is optimal for a convex cost).

    Written from the textbook forms, not from emdkit's staircase: for power 1 the integral of
    |F − G| over the line (F, G the unnormalised CDFs), for power 2 the quantile form
    ∫ |F⁻¹(t) − G⁻¹(t)|² dt over the merged steps of the two CDFs. Any size (Fractions of
    dyadic rationals: about 1 s for 10^5 points a side).
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    wx, wy = [Fraction(float(w)) for w in wx], [Fraction(float(w)) for w in wy]
    assert sum(wx) == sum(wy), "line_work_exact needs equal totals"
    if power == 1:
        events = sorted([(Fraction(float(t)), w) for t, w in zip(x, wx)] +
                        [(Fraction(float(t)), -w) for t, w in zip(y, wy)])
        total, level = Fraction(0), Fraction(0)
        for (z, w), (z_next, _) in itertools.pairwise(events):
            level += w
            total += abs(level) * (z_next - z)
        return total
    ox, oy = np.argsort(x, kind="stable"), np.argsort(y, kind="stable")
    xs, ys = [Fraction(float(x[k])) for k in ox], [Fraction(float(y[k])) for k in oy]
    ws, vs = [wx[k] for k in ox], [wy[k] for k in oy]
    i = j = 0
    cum_x, cum_y, t, total = ws[0], vs[0], Fraction(0), Fraction(0)
    while True:
        nxt = min(cum_x, cum_y)
        total += (nxt - t) * (xs[i] - ys[j]) ** power
        t = nxt
        if i == len(xs) - 1 and j == len(ys) - 1:
            return total
        if cum_x <= cum_y and i < len(xs) - 1:
            i += 1
            cum_x += ws[i]
        else:
            j += 1
            cum_y += vs[j]
