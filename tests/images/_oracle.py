"""Independent reference: Rubner's EMD as a linear program solved by HiGHS.

One LP oracle for the whole suite: tests/core/oracle.py poses it in the form HiGHS handles
robustly (the lighter side's constraints as equalities); this only adds the ground distances.
"""
import numpy as np
from scipy.spatial.distance import cdist

from ..core.oracle import lp_emd_work


def emd_linprog(X, wx, Y, wy, metric="euclidean") -> float:
    X, Y = np.atleast_2d(X), np.atleast_2d(Y)
    wx, wy = np.asarray(wx, float), np.asarray(wy, float)
    return lp_emd_work(wx, wy, cdist(X, Y, metric=metric)) / min(wx.sum(), wy.sum())
