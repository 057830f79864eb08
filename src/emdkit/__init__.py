"""emdkit: exact Earth Mover's Distance (Wasserstein) and the work that rests on it.

Core (numpy, scipy and a solver engine): emd, signature_emd, emd_batch, signature_emd_batch,
cdist_emd, pairwise_emd, grid_emd, ground_distance, wasserstein_1d, warmup, EMDResult,
BatchEMDResult, GridEMDResult, SolverError.

Subpackages (optional extras): emdkit.images, emdkit.nn, emdkit.metrics, emdkit.ordinal,
emdkit.w2, emdkit.sgm.

The kernels run in emdkit's compiled C++ engine (``emdkit._engine``), which compiles nothing
at run time. ``EMDKIT_ENGINE=numba`` selects the Python/Numba reference kernels, kept one
release so the tests can compare the two bit for bit (see :mod:`emdkit.core.engine`). Either
way the core loads on first use, so ``import emdkit.metrics`` loads no engine.
"""
from __future__ import annotations

__version__ = "0.2.0"

_CORE_NAMES = ("BatchEMDResult", "EMDResult", "GridEMDResult", "SolverError", "cdist_emd", "emd",
               "emd_batch", "grid_emd", "ground_distance", "pairwise_emd", "signature_emd",
               "signature_emd_batch", "warmup", "wasserstein_1d")
__all__ = [*_CORE_NAMES, "__version__"]


def __getattr__(name: str):
    if name in _CORE_NAMES:
        from . import core
        value = getattr(core, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'emdkit' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
