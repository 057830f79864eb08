"""The one place where :mod:`emdkit.nn`'s exact losses call the core solver.

Every batch of problems goes through :func:`solve_dense_batch` or :func:`solve_signature_batch`.
They use the core's batch engine (``emdkit.emd_batch`` / ``emdkit.signature_emd_batch``, solved
in parallel over problems) when the installed core has it, and otherwise a loop over
``emdkit.emd`` / ``emdkit.signature_emd`` with the same results.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import core


def solve_dense_batch(a: Sequence[np.ndarray], b: Sequence[np.ndarray],
                      cost: Sequence[np.ndarray], n_jobs: int = -1) -> list:
    """One :class:`emdkit.EMDResult` per problem (a[k], b[k], cost[k]), float64 inputs."""
    batch = getattr(core, "emd_batch", None)
    if batch is not None:
        return list(batch(list(a), list(b), list(cost), n_jobs=n_jobs))
    return [core.emd(ak, bk, ck) for ak, bk, ck in zip(a, b, cost)]


def solve_signature_batch(X: Sequence[np.ndarray], wx: Sequence[np.ndarray],
                          Y: Sequence[np.ndarray], wy: Sequence[np.ndarray], metric,
                          method: str = "auto", n_jobs: int = -1) -> list:
    """One :class:`emdkit.EMDResult` per signature pair; ``method`` as in ``signature_emd``."""
    batch = getattr(core, "signature_emd_batch", None)
    if batch is not None:
        return list(batch(list(X), list(wx), list(Y), list(wy), metric, method=method,
                          n_jobs=n_jobs))
    return [core.signature_emd(xk, ak, yk, bk, metric, method=method)
            for xk, ak, yk, bk in zip(X, wx, Y, wy)]
