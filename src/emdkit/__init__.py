"""emdkit: exact Earth Mover's Distance (Wasserstein) and the work that rests on it.

Core (numpy, scipy, numba): emd, signature_emd, ground_distance, wasserstein_1d, pairwise_emd,
EMDResult.

Subpackages (optional extras): emdkit.images, emdkit.nn, emdkit.metrics, emdkit.ordinal,
emdkit.w2, emdkit.sgm.
"""
from .core import (EMDResult, SolverError, emd, ground_distance, pairwise_emd, signature_emd,
                   wasserstein_1d)

__version__ = "0.1.0"
__all__ = ["EMDResult", "SolverError", "emd", "ground_distance", "pairwise_emd", "signature_emd",
           "wasserstein_1d", "__version__"]
