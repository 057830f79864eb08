"""emdkit.w2: Wasserstein-2 estimators (numpy/scipy and the emdkit core only).

exact_w2, gaussian_w2, fitted_gaussian_w2, coordinate_w2, sliced_w2 — see
:mod:`emdkit.w2.estimators` for the bias of each.
"""
from .estimators import (coordinate_w2, exact_w2, fitted_gaussian_w2, gaussian_w2, psd_sqrt,
                         random_directions, sliced_w2)

__all__ = ["coordinate_w2", "exact_w2", "fitted_gaussian_w2", "gaussian_w2", "psd_sqrt",
           "random_directions", "sliced_w2"]
