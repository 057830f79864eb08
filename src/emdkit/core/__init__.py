"""emdkit.core: ground costs, problems, the exact solver and its results (numpy, scipy and the compiled engine).

Names load on first use (PEP 562), so ``import emdkit.core.validation`` or ``import
emdkit.metrics`` does not load the engine; the first solver call does.
"""
from __future__ import annotations

from emdkit._lazy import lazy_exports

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

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
