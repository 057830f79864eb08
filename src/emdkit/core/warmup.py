"""Run every solver path once on a tiny problem: a self-check, and a no-op for speed.

The solver is compiled ahead of time (``emdkit._engine``, built by pip), so no first call waits
for anything: ``warmup`` takes milliseconds and only confirms that every path runs. It is kept
for one release for scripts and container builds that call it (it compiled the Numba kernels
before 0.2; bench/RESULTS_cold.md has the old and new first-call times). Under
``EMDKIT_ENGINE=numba``, the reference engine, it still compiles or loads the Numba kernels.
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
    big = rng.random((340, 300))  # > 100,000 pairs: candidate rounds
    return {
        "block (small problems)": lambda: emd(rng.random(5) + 0.1, rng.random(4) + 0.1,
                                              rng.random((5, 4))),
        "assignment": lambda: emd(np.ones(6), np.ones(6), rng.random((6, 6))),
        "candidate rounds": lambda: emd(rng.random(340) + 0.1, rng.random(300) + 0.1, big),
        "point clouds": lambda: signature_emd(X, np.ones(40), Y, np.ones(30),
                                              method="pointcloud"),
        "1-D": lambda: (signature_emd(X[:, 0], np.ones(40), Y[:, 0], 4 / 3 * np.ones(30)),
                        wasserstein_1d(X[:, 0], Y[:, 0])),
        "batch": lambda: emd_batch(rng.random((3, 4)), rng.random((3, 5)),
                                   rng.random((3, 4, 5))),
        "pairwise": lambda: pairwise_emd([(X[:5], np.ones(5)), (Y[:6], np.ones(6))]),
    }


def warmup(verbose: bool = False) -> dict[str, float]:
    """Run every solver path once on a tiny problem; returns the seconds each took.

    Parameters
    ----------
    verbose : bool, default False
        Print each path's time as it finishes.

    Returns
    -------
    dict
        Path name → wall seconds (milliseconds with the compiled engine).

    See Also
    --------
    emdkit.emd : whose paths it compiles.

    References
    ----------
    .. [1] S. K. Lam, A. Pitrou, S. Seibert, "Numba: a LLVM-based Python JIT compiler", LLVM-HPC
       2015.

    Examples
    --------
    >>> from emdkit.core.warmup import warmup
    >>> times = warmup()
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
