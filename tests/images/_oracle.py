"""Independent reference: Rubner's EMD as a linear program solved by HiGHS."""
import numpy as np
from scipy.optimize import linprog
from scipy.spatial.distance import cdist


def emd_linprog(X, wx, Y, wy, metric="euclidean") -> float:
    X, Y = np.atleast_2d(X), np.atleast_2d(Y)
    wx, wy = np.asarray(wx, float), np.asarray(wy, float)
    m, n = len(wx), len(wy)
    C = cdist(X, Y, metric=metric)
    rows = np.kron(np.eye(m), np.ones(n))          # Σ_j f_ij <= wx_i
    cols = np.kron(np.ones(m), np.eye(n))          # Σ_i f_ij <= wy_j
    total = min(wx.sum(), wy.sum())
    res = linprog(C.ravel(), A_ub=np.vstack([rows, cols]), b_ub=np.concatenate([wx, wy]),
                  A_eq=np.ones((1, m * n)), b_eq=[total], bounds=(0, None), method="highs")
    assert res.status == 0, res.message
    return res.fun / total
