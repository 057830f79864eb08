"""Geometry: the ground distance between signature positions."""
from __future__ import annotations

from typing import Callable, Union

import numpy as np
from numpy.typing import ArrayLike
from scipy.spatial.distance import cdist

from .validation import as_points

Metric = Union[str, Callable[[np.ndarray, np.ndarray], float]]

METRICS = ("euclidean", "sqeuclidean", "cityblock", "chebyshev")


def ground_distance(X: ArrayLike, Y: ArrayLike, metric: Metric = "euclidean") -> np.ndarray:
    """Ground-distance matrix ``D[i, j] = d(X[i], Y[j])`` in the units of the coordinates.

    Parameters
    ----------
    X, Y : (m, d) and (n, d) arrays (1-D inputs are points on a line).
    metric : "euclidean" (‖x−y‖₂), "sqeuclidean" (‖x−y‖₂², units squared),
        "cityblock" (‖x−y‖₁), "chebyshev" (‖x−y‖∞), or a callable ``f(x, y) -> float``
        returning a non-negative finite number.

    Returns
    -------
    (m, n) float64 array.
    """
    X = as_points(X, "X")
    Y = as_points(Y, "Y")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X has {X.shape[1]} coordinates per point but Y has {Y.shape[1]}")
    if callable(metric):
        D = cdist(X, Y, metric=metric)
        if not np.all(np.isfinite(D)) or np.any(D < 0):
            raise ValueError("metric callable returned a negative, NaN or inf distance")
        return D
    if not isinstance(metric, str) or metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS} or a callable, got {metric!r}")
    return cdist(X, Y, metric=metric)
