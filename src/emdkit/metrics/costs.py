"""Cost matrices for ordinal decisions, and the errors they weigh.

Convention everywhere: C[true, predicted], indexed by class position 0..K−1 (position k is the
k-th entry of ``labels``); C is in the user's units (e.g. currency per decision).
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..core.validation import check_positive_int
from ._labels import as_cost_matrix, paired, proba_targets


def absolute_cost(num_classes: int) -> np.ndarray:
    """``C_ij = |i − j|``: the cost of being off by one class is 1 (float64, K×K)."""
    k = check_positive_int(num_classes, "num_classes")
    idx = np.arange(k, dtype=np.float64)
    return np.abs(idx[:, None] - idx[None, :])


def asymmetric_cost(num_classes: int, *, under: float = 2.0, over: float = 1.0) -> np.ndarray:
    """A business cost: under-predicting costs ``under`` per class step, over-predicting ``over``.

        C[t, p] = under · (t − p)   if p < t   (predicted below the truth)
                  over  · (p − t)   if p > t
                  0                 if p = t

    The default (under=2, over=1) models a grading or pricing task where rating an item below its
    true class gives value away (it is sold too cheaply, twice as bad) while rating it above only
    costs a return/re-grade. Pass the ratio that matches the application.
    """
    k = check_positive_int(num_classes, "num_classes")
    for name, value in (("under", under), ("over", over)):
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite, non-negative cost per class step, got {value}")
    diff = np.arange(k, dtype=np.float64)[None, :] - np.arange(k, dtype=np.float64)[:, None]
    return np.where(diff < 0, -under * diff, over * diff)


def cost_weighted_error(y_true: ArrayLike, y_pred: ArrayLike, cost: ArrayLike, *,
                        labels: ArrayLike | None = None) -> float:
    """Mean decision cost (1/N) Σ_n C[y_true_n, y_pred_n], in the units of ``cost``.

    ``labels`` gives the class of each row/column of C; by default they are 0..K−1.
    """
    C = as_cost_matrix(cost)
    k = C.shape[0]
    yt, yp, lab = paired(y_true, y_pred, labels, None if labels is not None else k)
    if lab.shape[0] != k:
        raise ValueError(f"labels has {lab.shape[0]} classes but cost is {k}×{k}")
    return float(C[np.searchsorted(lab, yt), np.searchsorted(lab, yp)].mean())


def expected_cost(y_true: ArrayLike, proba: ArrayLike, cost: ArrayLike, *,
                  labels: ArrayLike | None = None, num_classes: int | None = None) -> float:
    """Mean expected cost under the predicted distribution, (1/N) Σ_n Σ_i p_ni C[y_n, i].

    With ``C = |i − j|`` this is the exact EMD from p to the one-hot truth. Units of ``cost``.
    """
    P, idx = proba_targets(y_true, proba, labels, num_classes)
    C = as_cost_matrix(cost, P.shape[1])
    return float(np.einsum("ni,ni->n", P, C[idx]).mean())


def rps(y_true: ArrayLike, proba: ArrayLike, *, labels: ArrayLike | None = None,
        num_classes: int | None = None) -> float:
    """Ranked probability score, (1/N) Σ_n 1/(K−1) Σ_{k<K−1} (F_nk − [y_n ≤ label_k])².

    F is the predicted CDF over the ordered classes; dimensionless, in [0, 1], lower is better.
    It equals ``emd2_loss(proba, y, from_logits=False, normalize="rps")``.
    """
    P, idx = proba_targets(y_true, proba, labels, num_classes)
    k = P.shape[1]
    F = np.cumsum(P, axis=1)[:, :-1]
    H = np.arange(k - 1)[None, :] >= idx[:, None]
    return float(((F - H) ** 2).sum(axis=1).mean() / (k - 1))


__all__ = ["absolute_cost", "asymmetric_cost", "cost_weighted_error", "expected_cost", "rps"]
