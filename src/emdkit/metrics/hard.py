"""Metrics on hard ordinal predictions, scikit-learn style ``metric(y_true, y_pred)``.

Labels are ordinal codes (numbers); the distance between classes a and b is |a − b| in label
units, whichever classes are present. ``labels`` (strictly increasing) or ``num_classes``
(labels 0..K−1) names the full class set; without either it is the union of the values seen.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._labels import paired


def accuracy(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None,
             num_classes: int | None = None) -> float:
    """Fraction of exact hits, (1/N) Σ [y_pred = y_true]; dimensionless, in [0, 1]."""
    yt, yp, _ = paired(y_true, y_pred, labels, num_classes)
    return float(np.mean(yt == yp))


def off_by_one_accuracy(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None,
                        num_classes: int | None = None) -> float:
    """Fraction within one label unit, ``(1/N) Σ [|y_pred − y_true| ≤ 1]``; in [0, 1]."""
    yt, yp, _ = paired(y_true, y_pred, labels, num_classes)
    return float(np.mean(np.abs(yt.astype(np.float64) - yp) <= 1))


def mae(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None,
        num_classes: int | None = None) -> float:
    """Mean absolute error ``(1/N) Σ |y_pred − y_true|``, in label units."""
    yt, yp, _ = paired(y_true, y_pred, labels, num_classes)
    return float(np.mean(np.abs(yt.astype(np.float64) - yp)))


def per_class_mae(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None,
                  num_classes: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(classes, MAE_c) for every class c that occurs in y_true: mean ``|y_pred − c|`` over y_true = c.

    Classes with no true sample have no per-class error and are left out (not counted as 0).
    """
    yt, yp, lab = paired(y_true, y_pred, labels, num_classes)
    err = np.abs(yt.astype(np.float64) - yp)
    idx = np.searchsorted(lab, yt)
    counts = np.bincount(idx, minlength=lab.shape[0])
    sums = np.bincount(idx, weights=err, minlength=lab.shape[0])
    present = counts > 0
    return lab[present], sums[present] / counts[present]


def amae(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None,
         num_classes: int | None = None) -> float:
    """Average of the per-class MAEs over the classes present in y_true (label units).

    Robust to imbalance: a majority class cannot hide the errors on a rare one.
    """
    _, per = per_class_mae(y_true, y_pred, labels=labels, num_classes=num_classes)
    return float(per.mean())


def mmae(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None,
         num_classes: int | None = None) -> float:
    """Worst per-class MAE over the classes present in y_true (label units)."""
    _, per = per_class_mae(y_true, y_pred, labels=labels, num_classes=num_classes)
    return float(per.max())


def qwk(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None,
        num_classes: int | None = None) -> float:
    """Quadratic weighted kappa, 1 − Σ W·O / Σ W·E, dimensionless in [−1, 1].

    O is the confusion table, E = outer(row totals, column totals)/N the table expected by chance,
    and W_ab = (a − b)² on label values (for labels 0..K−1 this is Cohen's weighting; the usual
    1/(K−1)² factor cancels in the ratio). NaN when Σ W·E = 0 (a single class on both sides), as
    scikit-learn's ``cohen_kappa_score`` gives.
    """
    yt, yp, lab = paired(y_true, y_pred, labels, num_classes)
    k = lab.shape[0]
    O = np.zeros((k, k))
    np.add.at(O, (np.searchsorted(lab, yt), np.searchsorted(lab, yp)), 1.0)
    E = np.outer(O.sum(axis=1), O.sum(axis=0)) / O.sum()
    values = lab.astype(np.float64)
    W = (values[:, None] - values[None, :]) ** 2
    expected = float((W * E).sum())
    if expected == 0.0:
        return float("nan")
    return 1.0 - float((W * O).sum()) / expected
