"""emdkit.core: ground costs, problems, the exact solver and its results (numpy/scipy/numba only)."""
from .costs import METRICS, ground_distance
from .dense import SolverError
from .solve import emd, signature_emd
from .one_d import wasserstein_1d
from .pairwise import pairwise_emd
from .result import EMDResult

__all__ = ["EMDResult", "METRICS", "SolverError", "emd", "ground_distance", "pairwise_emd",
           "signature_emd", "wasserstein_1d"]
