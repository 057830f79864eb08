"""Independent oracle: Rubner's EMD written straight from its definition as an LP for HiGHS."""
import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog


def lp_emd_work(a, b, C) -> float:
    """min Σ f c  s.t. f >= 0, Σ_j f_ij <= a_i, Σ_i f_ij <= b_j, Σ f = min(Σa, Σb)."""
    a, b, C = np.asarray(a, float), np.asarray(b, float), np.asarray(C, float)
    m, n = C.shape
    rows = sp.kron(sp.eye(m), np.ones((1, n)))
    cols = sp.kron(np.ones((1, m)), sp.eye(n))
    res = linprog(C.ravel(), A_ub=sp.vstack([rows, cols]).tocsr(), b_ub=np.concatenate([a, b]),
                  A_eq=np.ones((1, m * n)), b_eq=[min(a.sum(), b.sum())], bounds=(0, None),
                  method="highs", options={"primal_feasibility_tolerance": 1e-10,
                                           "dual_feasibility_tolerance": 1e-10})
    assert res.status == 0, res.message
    return float(res.fun)
