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
    """Fraction of exact hits, (1/N) Σ [y_pred = y_true]; dimensionless, in [0, 1].

    Parameters
    ----------
    y_true : array_like of shape (N,)
        True ordinal labels (numbers).
    y_pred : array_like of shape (N,)
        Predicted labels, same length.
    labels : array_like, optional
        The full ordered class set (strictly increasing). Without it (and without
        ``num_classes``) it is the union of the values seen.
    num_classes : int, optional
        Classes are 0..num_classes−1. Give ``labels`` or ``num_classes``, not both.

    Returns
    -------
    float
        The fraction of samples predicted exactly.

    Raises
    ------
    TypeError
        If the labels are not numeric.
    ValueError
        If the arrays are empty, not 1-D, of different lengths, contain NaN or inf, or hold a
        value outside ``labels`` / ``num_classes``.

    See Also
    --------
    off_by_one_accuracy : a miss by one class counts as a hit.
    mae : how far the misses are.

    References
    ----------
    .. [1] Gaudette, L. & Japkowicz, N. (2009). Evaluation methods for ordinal classification.
       Canadian Conference on Artificial Intelligence, LNCS 5549, 207–210.

    Examples
    --------
    >>> accuracy([0, 1, 2, 3], [0, 1, 1, 0])
    0.5
    """
    yt, yp, _ = paired(y_true, y_pred, labels, num_classes)
    return float(np.mean(yt == yp))


def off_by_one_accuracy(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None,
                        num_classes: int | None = None) -> float:
    """Fraction within one label unit, ``(1/N) Σ [|y_pred − y_true| ≤ 1]``; in [0, 1].

    Parameters
    ----------
    y_true : array_like of shape (N,)
        True ordinal labels (numbers).
    y_pred : array_like of shape (N,)
        Predicted labels, same length.
    labels : array_like, optional
        The full ordered class set (strictly increasing). Without it (and without
        ``num_classes``) it is the union of the values seen.
    num_classes : int, optional
        Classes are 0..num_classes−1. Give ``labels`` or ``num_classes``, not both.

    Returns
    -------
    float
        The fraction of samples whose prediction is at most one label unit off.

    Raises
    ------
    TypeError
        If the labels are not numeric.
    ValueError
        If the arrays are empty, not 1-D, of different lengths, contain NaN or inf, or hold a
        value outside ``labels`` / ``num_classes``.

    See Also
    --------
    accuracy : exact hits only.
    mae : mean distance in classes.

    References
    ----------
    .. [1] Gaudette, L. & Japkowicz, N. (2009). Evaluation methods for ordinal classification.
       Canadian Conference on Artificial Intelligence, LNCS 5549, 207–210.

    Examples
    --------
    >>> off_by_one_accuracy([0, 1, 2, 3], [0, 1, 1, 0])
    0.75
    """
    yt, yp, _ = paired(y_true, y_pred, labels, num_classes)
    return float(np.mean(np.abs(yt.astype(np.float64) - yp) <= 1))


def mae(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None,
        num_classes: int | None = None) -> float:
    """Mean absolute error ``(1/N) Σ |y_pred − y_true|``, in label units.

    Parameters
    ----------
    y_true : array_like of shape (N,)
        True ordinal labels (numbers).
    y_pred : array_like of shape (N,)
        Predicted labels, same length.
    labels : array_like, optional
        The full ordered class set (strictly increasing). Without it (and without
        ``num_classes``) it is the union of the values seen.
    num_classes : int, optional
        Classes are 0..num_classes−1. Give ``labels`` or ``num_classes``, not both.

    Returns
    -------
    float
        The mean distance between prediction and truth, in label units.

    Raises
    ------
    TypeError
        If the labels are not numeric.
    ValueError
        If the arrays are empty, not 1-D, of different lengths, contain NaN or inf, or hold a
        value outside ``labels`` / ``num_classes``.

    See Also
    --------
    amae : averaged per class.
    cost_weighted_error : any cost matrix.

    References
    ----------
    .. [1] Gaudette, L. & Japkowicz, N. (2009). Evaluation methods for ordinal classification.
       Canadian Conference on Artificial Intelligence, LNCS 5549, 207–210.

    Examples
    --------
    >>> mae([0, 1, 2, 3], [0, 1, 1, 0])
    1.0
    """
    yt, yp, _ = paired(y_true, y_pred, labels, num_classes)
    return float(np.mean(np.abs(yt.astype(np.float64) - yp)))


def per_class_mae(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None,
                  num_classes: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(classes, MAE_c) for every class c that occurs in y_true: mean ``|y_pred − c|`` over y_true = c.

    Classes with no true sample have no per-class error and are left out (not counted as 0).

    Parameters
    ----------
    y_true : array_like of shape (N,)
        True ordinal labels (numbers).
    y_pred : array_like of shape (N,)
        Predicted labels, same length.
    labels : array_like, optional
        The full ordered class set (strictly increasing). Without it (and without
        ``num_classes``) it is the union of the values seen.
    num_classes : int, optional
        Classes are 0..num_classes−1. Give ``labels`` or ``num_classes``, not both.

    Returns
    -------
    classes : ndarray
        The classes present in ``y_true``, in order.
    mae : ndarray of float
        Their mean absolute errors, in label units.

    Raises
    ------
    TypeError
        If the labels are not numeric.
    ValueError
        If the arrays are empty, not 1-D, of different lengths, contain NaN or inf, or hold a
        value outside ``labels`` / ``num_classes``.

    See Also
    --------
    amae : their mean.
    mmae : their maximum.

    References
    ----------
    .. [1] Baccianella, S., Esuli, A. & Sebastiani, F. (2009). Evaluation measures for ordinal
       regression. ISDA 2009, 283–287.

    Examples
    --------
    >>> classes, errors = per_class_mae([0, 0, 2, 2], [0, 1, 2, 0], num_classes=3)
    >>> classes.tolist(), errors.tolist()
    ([0, 2], [0.5, 1.0])
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

    Parameters
    ----------
    y_true : array_like of shape (N,)
        True ordinal labels (numbers).
    y_pred : array_like of shape (N,)
        Predicted labels, same length.
    labels : array_like, optional
        The full ordered class set (strictly increasing). Without it (and without
        ``num_classes``) it is the union of the values seen.
    num_classes : int, optional
        Classes are 0..num_classes−1. Give ``labels`` or ``num_classes``, not both.

    Returns
    -------
    float
        The mean over classes of :func:`per_class_mae`, in label units.

    Raises
    ------
    TypeError
        If the labels are not numeric.
    ValueError
        If the arrays are empty, not 1-D, of different lengths, contain NaN or inf, or hold a
        value outside ``labels`` / ``num_classes``.

    See Also
    --------
    mae : over samples.
    mmae : the worst class.
    per_class_mae : every class.

    References
    ----------
    .. [1] Baccianella, S., Esuli, A. & Sebastiani, F. (2009). Evaluation measures for ordinal
       regression. ISDA 2009, 283–287.

    Examples
    --------
    >>> amae([0, 0, 0, 2], [0, 0, 0, 0])   # the rare class 2 is off by 2
    1.0
    """
    _, per = per_class_mae(y_true, y_pred, labels=labels, num_classes=num_classes)
    return float(per.mean())


def mmae(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None,
         num_classes: int | None = None) -> float:
    """Worst per-class MAE over the classes present in y_true (label units).

    Parameters
    ----------
    y_true : array_like of shape (N,)
        True ordinal labels (numbers).
    y_pred : array_like of shape (N,)
        Predicted labels, same length.
    labels : array_like, optional
        The full ordered class set (strictly increasing). Without it (and without
        ``num_classes``) it is the union of the values seen.
    num_classes : int, optional
        Classes are 0..num_classes−1. Give ``labels`` or ``num_classes``, not both.

    Returns
    -------
    float
        The largest of :func:`per_class_mae`'s errors, in label units.

    Raises
    ------
    TypeError
        If the labels are not numeric.
    ValueError
        If the arrays are empty, not 1-D, of different lengths, contain NaN or inf, or hold a
        value outside ``labels`` / ``num_classes``.

    See Also
    --------
    amae : the mean over classes.
    per_class_mae : every class.

    References
    ----------
    .. [1] Cruz-Ramírez, M., Hervás-Martínez, C., Sánchez-Monedero, J. & Gutiérrez, P. A.
       (2014). Metrics to guide a multi-objective evolutionary algorithm for ordinal
       classification. Neurocomputing 135, 21–31.

    Examples
    --------
    >>> mmae([0, 0, 1, 2], [0, 1, 1, 0])
    2.0
    """
    _, per = per_class_mae(y_true, y_pred, labels=labels, num_classes=num_classes)
    return float(per.max())


def qwk(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None,
        num_classes: int | None = None) -> float:
    """Quadratic weighted kappa, 1 − Σ W·O / Σ W·E, dimensionless in [−1, 1].

    O is the confusion table, E = outer(row totals, column totals)/N the table expected by chance,
    and W_ab = (a − b)² on label values (for labels 0..K−1 this is Cohen's weighting; the usual
    1/(K−1)² factor cancels in the ratio). NaN when Σ W·E = 0 (a single class on both sides), as
    scikit-learn's ``cohen_kappa_score`` gives.

    Parameters
    ----------
    y_true : array_like of shape (N,)
        True ordinal labels (numbers).
    y_pred : array_like of shape (N,)
        Predicted labels, same length.
    labels : array_like, optional
        The full ordered class set (strictly increasing). Without it (and without
        ``num_classes``) it is the union of the values seen.
    num_classes : int, optional
        Classes are 0..num_classes−1. Give ``labels`` or ``num_classes``, not both.

    Returns
    -------
    float
        1 for perfect agreement, 0 for chance level, negative below chance.

    Raises
    ------
    TypeError
        If the labels are not numeric.
    ValueError
        If the arrays are empty, not 1-D, of different lengths, contain NaN or inf, or hold a
        value outside ``labels`` / ``num_classes``.

    See Also
    --------
    mae : a linear penalty instead of a quadratic one.

    References
    ----------
    .. [1] Cohen, J. (1968). Weighted kappa: nominal scale agreement with provision for scaled
       disagreement or partial credit. Psychological Bulletin 70(4), 213–220.

    Examples
    --------
    >>> qwk([0, 1, 2], [0, 1, 2])
    1.0
    >>> round(qwk([0, 1, 2], [2, 1, 0]), 12)
    -1.0
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
