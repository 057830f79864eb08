"""Independent oracle: Rubner's EMD written straight from its definition as an LP for HiGHS."""
import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog


def lp_emd_work(a, b, C) -> float:
    """min Σ f c  s.t. f >= 0, Σ_j f_ij <= a_i, Σ_i f_ij <= b_j, Σ f = min(Σa, Σb).

    Posed in the equivalent form HiGHS handles robustly: the lighter side's constraints become
    equalities (moving min(Σa, Σb) in total saturates every one of them) and the total-flow row
    goes. Written with the total row, a weight of 1e-10 beside 1.0 made HiGHS call a feasible
    problem infeasible.
    """
    a, b, C = np.asarray(a, float), np.asarray(b, float), np.asarray(C, float)
    m, n = C.shape
    rows = sp.kron(sp.eye(m), np.ones((1, n))).tocsr()
    cols = sp.kron(np.ones((1, m)), sp.eye(n)).tocsr()
    if a.sum() <= b.sum():
        eq, eq_rhs, ub, ub_rhs = rows, a, cols, b
    else:
        eq, eq_rhs, ub, ub_rhs = cols, b, rows, a
    res = linprog(C.ravel(), A_ub=ub, b_ub=ub_rhs, A_eq=eq, b_eq=eq_rhs, bounds=(0, None),
                  method="highs", options={"primal_feasibility_tolerance": 1e-10,
                                           "dual_feasibility_tolerance": 1e-10})
    assert res.status == 0, res.message
    return float(res.fun)
