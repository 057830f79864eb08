"""The one place where :mod:`emdkit.nn`'s exact losses call the core solver.

Every batch of problems goes through :func:`solve_dense_batch` or :func:`solve_signature_batch`.
They use the core's batch engine (``emdkit.emd_batch`` / ``emdkit.signature_emd_batch``, solved
in parallel over problems) when the installed core has it, and otherwise a loop over
``emdkit.emd`` / ``emdkit.signature_emd`` with the same results.
"""
from __future__ import annotations

import contextlib
from typing import Sequence

import numpy as np

from .. import core


@contextlib.contextmanager
def _one_numba_thread():
    """The loop solves one problem at a time on one Numba thread. The core's parallel regions
    inside a single 256×256 solve are short; on a machine where other processes hold the cores
    two threads took 111–127 ms a problem against 12–18 ms on one (B = 16, load average ≈ 15 on
    2 cores, 14:44 UTC 2026-11-26; bench/bench_torch.py's problems)."""
    import numba

    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def solve_dense_batch(a: Sequence[np.ndarray], b: Sequence[np.ndarray],
                      cost: Sequence[np.ndarray], n_jobs: int = -1) -> list:
    """One :class:`emdkit.EMDResult` per problem (a[k], b[k], cost[k]), float64 inputs."""
    batch = getattr(core, "emd_batch", None)
    if batch is not None:
        return list(batch(list(a), list(b), list(cost), n_jobs=n_jobs))
    with _one_numba_thread():
        return [core.emd(ak, bk, ck) for ak, bk, ck in zip(a, b, cost)]


def solve_signature_batch(X: Sequence[np.ndarray], wx: Sequence[np.ndarray],
                          Y: Sequence[np.ndarray], wy: Sequence[np.ndarray], metric,
                          method: str = "auto", n_jobs: int = -1) -> list:
    """One :class:`emdkit.EMDResult` per signature pair; ``method`` as in ``signature_emd``."""
    batch = getattr(core, "signature_emd_batch", None)
    if batch is not None:
        return list(batch(list(X), list(wx), list(Y), list(wy), metric, method=method,
                          n_jobs=n_jobs))
    with _one_numba_thread():
        return [core.signature_emd(xk, ak, yk, bk, metric, method=method)
                for xk, ak, yk, bk in zip(X, wx, Y, wy)]
