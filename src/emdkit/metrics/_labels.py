"""Label handling shared by the ordinal metrics.

Every distance between two classes is measured on the labels themselves (|a − b| for labels a
and b), never on the row/column index of a confusion matrix built from the classes that happen to
be present: that index compresses the gap left by an absent class (dlordinal's ``amae`` reports
0.5 for labels 0 and 4 predicted as each other's neighbours in index space, where 4 is right).
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..core.validation import as_cost, as_real_array, check_positive_int, real_array


def as_label_vector(values: ArrayLike, name: str) -> np.ndarray:
    """Return ``values`` as a non-empty, finite, numeric 1-D array (ordinal codes).

    The core's input gate applies (:mod:`emdkit.core.validation`): strings, booleans, complex
    numbers, dates, objects and masked arrays are refused with TypeError.
    """
    arr = real_array(values, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def resolve_labels(observed: list[np.ndarray], labels: ArrayLike | None,
                   num_classes: int | None) -> np.ndarray:
    """The ordered class labels: ``labels``, else 0..num_classes−1, else the sorted union seen.

    Every observed value must be one of them.
    """
    if labels is not None and num_classes is not None:
        raise ValueError("give labels or num_classes, not both")
    if labels is not None:
        lab = as_label_vector(labels, "labels")
        if np.any(np.diff(lab) <= 0):
            raise ValueError("labels must be strictly increasing (they are ordered classes)")
    elif num_classes is not None:
        lab = np.arange(check_positive_int(num_classes, "num_classes"))
    else:
        lab = np.unique(np.concatenate(observed))
    for arr, name in zip(observed, ("y_true", "y_pred")):
        unknown = np.setdiff1d(arr, lab)
        if unknown.size:
            raise ValueError(f"{name} contains values not among the labels: {unknown[:5].tolist()}")
    return lab


def paired(y_true: ArrayLike, y_pred: ArrayLike, labels: ArrayLike | None,
           num_classes: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated (y_true, y_pred, labels) for the metrics on hard predictions."""
    yt = as_label_vector(y_true, "y_true")
    yp = as_label_vector(y_pred, "y_pred")
    if yt.shape != yp.shape:
        raise ValueError(f"y_true and y_pred differ in length: {yt.shape[0]} vs {yp.shape[0]}")
    lab = resolve_labels([yt, yp], labels, num_classes)
    return yt, yp, lab


def as_cost_matrix(cost: ArrayLike, k: int | None = None) -> np.ndarray:
    """A finite, non-negative square (K, K) cost matrix, rows = true class, columns =
    predicted class (the core's cost rule, :func:`emdkit.core.validation.as_cost`)."""
    C = as_real_array(cost, "cost")
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"cost must be a square (K, K) matrix, got shape {C.shape}")
    if k is not None and C.shape[0] != k:
        raise ValueError(f"cost is {C.shape[0]}×{C.shape[0]} but there are {k} classes")
    return as_cost(C, C.shape, "cost")


def as_proba(proba: ArrayLike, atol: float = 1e-6) -> np.ndarray:
    """Class probabilities (N, K): non-negative rows summing to 1 within ``atol``."""
    P = as_real_array(proba, "proba")
    if P.ndim != 2:
        raise ValueError(f"proba must be (n_samples, n_classes), got shape {P.shape}")
    if P.shape[0] == 0 or P.shape[1] < 2:
        raise ValueError(f"proba needs at least one sample and two classes, got shape {P.shape}")
    if not np.all(np.isfinite(P)):
        raise ValueError("proba contains NaN or inf")
    if np.any(P < 0):
        raise ValueError(f"proba contains negative entries (min {P.min():g})")
    worst = np.abs(P.sum(axis=1) - 1.0).max()
    if worst > atol:
        raise ValueError(f"proba rows must sum to 1; the worst row is off by {worst:.3g}")
    return P


def proba_targets(y_true: ArrayLike, proba: ArrayLike, labels: ArrayLike | None,
                  num_classes: int | None) -> tuple[np.ndarray, np.ndarray]:
    """(P, column index of each true class) for metrics on predicted distributions."""
    P = as_proba(proba)
    k = P.shape[1]
    if num_classes is not None and check_positive_int(num_classes, "num_classes") != k:
        raise ValueError(f"num_classes={num_classes} but proba has {k} columns")
    yt = as_label_vector(y_true, "y_true")
    if yt.shape[0] != P.shape[0]:
        raise ValueError(f"y_true has {yt.shape[0]} samples but proba has {P.shape[0]} rows")
    lab = resolve_labels([yt], labels, None if labels is not None else k)
    if lab.shape[0] != k:
        raise ValueError(f"labels has {lab.shape[0]} classes but proba has {k} columns")
    return P, np.searchsorted(lab, yt)
