"""emdkit.core: ground costs, problems, the exact solver and its results (numpy/scipy/numba only).

Names load on first use (PEP 562), so ``import emdkit.core.validation`` or ``import
emdkit.metrics`` does not load numba; the first solver call does.
"""
from __future__ import annotations

import importlib

# public name -> module that defines it
_EXPORTS = {
    "EMDResult": "result", "BatchEMDResult": "result", "SolverError": "errors",
    "METRICS": "costs", "GROUND_COSTS": "costs", "ground_distance": "costs",
    "emd": "solve", "signature_emd": "solve", "wasserstein_1d": "one_d",
    "grid_emd": "grid", "GridEMDResult": "grid",
    "emd_batch": "batch", "signature_emd_batch": "batch", "cdist_emd": "batch",
    "pairwise_emd": "batch", "warmup": "warmup",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'emdkit.core' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
