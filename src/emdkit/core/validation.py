"""Checks at the public boundary: every fault is named with its argument."""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def as_weights(values: ArrayLike, name: str) -> np.ndarray:
    """Return ``values`` as a finite, non-negative, non-empty float64 vector with a positive total."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 1-D array of numbers, got {type(values).__name__}") from exc
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: a signature needs at least one point")
    # min and max propagate NaN and expose inf: two reductions cover every check
    lo, hi = arr.min(), arr.max()
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"{name} contains NaN or inf")
    if lo < 0:
        raise ValueError(f"{name} contains negative weights (min {lo:g})")
    if hi <= 0:
        raise ValueError(f"{name} has all-zero weights: there is no mass to move")
    return arr


def as_cost(cost: ArrayLike, shape: tuple[int, int], name: str = "cost") -> np.ndarray:
    """Return ``cost`` as a finite, non-negative float64 matrix of the given shape."""
    try:
        arr = np.asarray(cost, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 2-D array of numbers, got {type(cost).__name__}") from exc
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {arr.shape}")
    if arr.shape != shape:
        raise ValueError(f"{name} has shape {arr.shape}, but the weights need {shape} (len(a), len(b))")
    lo, hi = (arr.min(), arr.max()) if arr.size else (0.0, 0.0)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"{name} contains NaN or inf")
    if lo < 0:
        raise ValueError(f"{name} contains negative entries (min {lo:g}); ground distances are >= 0")
    return np.ascontiguousarray(arr)


def as_points(values: ArrayLike, name: str) -> np.ndarray:
    """Return positions as a finite float64 (n, d) array; a 1-D input is n points on a line."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of coordinates, got {type(values).__name__}") from exc
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be (n, d) or (n,), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: a signature needs at least one point")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has zero coordinates per point")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return np.ascontiguousarray(arr)


def check_positive_int(value: object, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)
