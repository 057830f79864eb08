"""Compile (or load from the on-disk cache) every solver path once, ahead of the first call.

Numba compiles each kernel on its first call and caches the machine code on disk, in
``__pycache__`` beside the sources or under ``NUMBA_CACHE_DIR`` when it is set. On a cold cache
the first call of a path therefore takes seconds to tens of seconds (bench/RESULTS.md, "cold
start"); every later call, in any process, loads the cached code instead. ``emdkit warmup``
pays that once, for instance right after ``pip install`` or in a container build.
"""
from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np


def _paths() -> dict[str, Callable[[], object]]:
    from .batch import emd_batch, pairwise_emd
    from .one_d import wasserstein_1d
    from .solve import emd, signature_emd

    rng = np.random.default_rng(0)
    X, Y = rng.random((40, 2)), rng.random((30, 2))
    big = rng.random((190, 170))  # > 30,000 pairs: candidate rounds
    return {
        "block (small problems)": lambda: emd(rng.random(5) + 0.1, rng.random(4) + 0.1,
                                              rng.random((5, 4))),
        "assignment": lambda: emd(np.ones(6), np.ones(6), rng.random((6, 6))),
        "candidate rounds": lambda: emd(rng.random(190) + 0.1, rng.random(170) + 0.1, big),
        "point clouds": lambda: signature_emd(X, np.ones(40), Y, np.ones(30),
                                              method="pointcloud"),
        "1-D": lambda: (signature_emd(X[:, 0], np.ones(40), Y[:, 0], 4 / 3 * np.ones(30)),
                        wasserstein_1d(X[:, 0], Y[:, 0])),
        "batch": lambda: emd_batch(rng.random((3, 4)), rng.random((3, 5)),
                                   rng.random((3, 4, 5))),
        "pairwise": lambda: pairwise_emd([(X[:5], np.ones(5)), (Y[:6], np.ones(6))]),
    }


def warmup(verbose: bool = False) -> dict[str, float]:
    """Compile or load every solver path; returns the seconds each took.

    Parameters
    ----------
    verbose : bool, default False
        Print each path's time as it finishes.

    Returns
    -------
    dict
        Path name → wall seconds (near 0 when the cache was already warm).

    See Also
    --------
    emdkit.emd : whose paths it compiles.

    References
    ----------
    .. [1] S. K. Lam, A. Pitrou, S. Seibert, "Numba: a LLVM-based Python JIT compiler", LLVM-HPC
       2015.

    Examples
    --------
    >>> import emdkit
    >>> times = emdkit.warmup()
    >>> sorted(times)[:2]
    ['1-D', 'assignment']
    """
    times = {}
    for name, run in _paths().items():
        start = time.perf_counter()
        run()
        times[name] = time.perf_counter() - start
        if verbose:
            print(f"  {name:<24} {times[name]:6.2f} s", flush=True)
    return times
