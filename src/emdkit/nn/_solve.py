"""The one place where :mod:`emdkit.nn`'s exact losses call the core solver: its batch engine,
which solves the problems of a batch in parallel, one problem per thread."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import core


def solve_dense_batch(a: np.ndarray | Sequence[np.ndarray], b: np.ndarray | Sequence[np.ndarray],
                      cost: np.ndarray | Sequence[np.ndarray], n_jobs: int = -1):
    """``emdkit.emd_batch``: one :class:`emdkit.EMDResult` per problem (a[k], b[k], cost[k])."""
    return core.emd_batch(a, b, cost, n_jobs=n_jobs)


def solve_signature_batch(X, wx, Y, wy, metric, method: str = "auto", n_jobs: int = -1,
                          init=None):
    """``emdkit.signature_emd_batch``: one result per signature pair (warm starts ``init``)."""
    return core.signature_emd_batch(X, wx, Y, wy, metric, method=method, n_jobs=n_jobs,
                                    init=init)
