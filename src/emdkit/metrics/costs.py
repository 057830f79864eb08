"""Cost matrices for ordinal decisions, and the errors they weigh.

Convention everywhere: C[true, predicted], indexed by class position 0..K−1 (position k is the
k-th entry of ``labels``); C is in the user's units (e.g. currency per decision).
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..core.validation import as_real_number, check_positive_int
from ._labels import as_cost_matrix, paired, proba_targets


def absolute_cost(num_classes: int) -> np.ndarray:
    """``C_ij = |i − j|``: the cost of being off by one class is 1 (float64, K×K).

    Parameters
    ----------
    num_classes : int
        K, at least 1.

    Returns
    -------
    ndarray of shape (K, K)
        The absolute-difference cost matrix, in class steps.

    Raises
    ------
    TypeError
        If ``num_classes`` is not an integer.
    ValueError
        If ``num_classes`` < 1.

    See Also
    --------
    asymmetric_cost : different costs above and below.
    cost_weighted_error : the error under a cost matrix.

    References
    ----------
    .. [1] Hou, L., Yu, C.-P. & Samaras, D. (2016). Squared Earth Mover's Distance-based loss
       for training deep neural networks. arXiv:1611.05916.

    Examples
    --------
    >>> absolute_cost(3)
    array([[0., 1., 2.],
           [1., 0., 1.],
           [2., 1., 0.]])
    """
    k = check_positive_int(num_classes, "num_classes")
    idx = np.arange(k, dtype=np.float64)
    return np.abs(idx[:, None] - idx[None, :])


def asymmetric_cost(num_classes: int, *, under: float = 2.0, over: float = 1.0) -> np.ndarray:
    """A business cost: under-predicting costs ``under`` per class step, over-predicting ``over``.

    ::

        C[t, p] = under · (t − p)   if p < t   (predicted below the truth)
                  over  · (p − t)   if p > t
                  0                 if p = t

    The default (under=2, over=1) models a grading or pricing task where rating an item below its
    true class gives value away (it is sold too cheaply, twice as bad) while rating it above only
    costs a return/re-grade. Pass the ratio that matches the application.

    Parameters
    ----------
    num_classes : int
        K, at least 1.
    under : float
        Cost per class step of predicting below the truth (finite, ≥ 0).
    over : float
        Cost per class step of predicting above the truth (finite, ≥ 0).

    Returns
    -------
    ndarray of shape (K, K)
        C[true, predicted], in the units of ``under`` and ``over``.

    Raises
    ------
    TypeError
        If ``num_classes`` is not an integer, or ``under`` or ``over`` is not a real number.
    ValueError
        If ``num_classes`` < 1, or ``under`` or ``over`` is negative or not finite.

    See Also
    --------
    absolute_cost : the cost ``|i − j|``.
    cost_weighted_error : the error under a cost matrix.

    References
    ----------
    .. [1] Elkan, C. (2001). The foundations of cost-sensitive learning. IJCAI 2001, 973–978.

    Examples
    --------
    >>> asymmetric_cost(3, under=2.0, over=1.0)
    array([[0., 1., 2.],
           [2., 0., 1.],
           [4., 2., 0.]])
    """
    k = check_positive_int(num_classes, "num_classes")
    under, over = as_real_number(under, "under"), as_real_number(over, "over")
    for name, value in (("under", under), ("over", over)):
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite, non-negative cost per class step, got {value}")
    diff = np.arange(k, dtype=np.float64)[None, :] - np.arange(k, dtype=np.float64)[:, None]
    return np.where(diff < 0, -under * diff, over * diff)


def cost_weighted_error(y_true: ArrayLike, y_pred: ArrayLike, cost: ArrayLike, *,
                        labels: ArrayLike | None = None) -> float:
    """Mean decision cost (1/N) Σ_n C[y_true_n, y_pred_n], in the units of ``cost``.

    Parameters
    ----------
    y_true : array_like of shape (N,)
        True labels.
    y_pred : array_like of shape (N,)
        Predicted labels.
    cost : array_like of shape (K, K)
        C[true, predicted], non-negative, in the user's units.
    labels : array_like, optional
        The class of each row/column of C; by default 0..K−1.

    Returns
    -------
    float
        The mean cost per decision.

    Raises
    ------
    TypeError
        If the labels are not numeric.
    ValueError
        If ``cost`` is not a finite non-negative square matrix, ``labels`` does not have K
        entries, or a label is not one of them.

    See Also
    --------
    expected_cost : from predicted distributions.
    absolute_cost : the default cost.

    References
    ----------
    .. [1] Elkan, C. (2001). The foundations of cost-sensitive learning. IJCAI 2001, 973–978.

    Examples
    --------
    >>> cost_weighted_error([2, 2], [0, 2], asymmetric_cost(3))   # one under-prediction by 2
    2.0
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

    Parameters
    ----------
    y_true : array_like of shape (N,)
        True labels.
    proba : array_like of shape (N, K)
        Predicted probabilities over the K ordered classes; each row sums to 1.
    labels : array_like, optional
        The full ordered class set (strictly increasing). Without it (and without
        ``num_classes``) it is the union of the values seen.
    num_classes : int, optional
        Classes are 0..num_classes−1. Give ``labels`` or ``num_classes``, not both.
    cost : array_like of shape (K, K)
        C[true, predicted], non-negative, in the user's units.

    Returns
    -------
    float
        The mean expected cost per sample.

    Raises
    ------
    TypeError
        If the labels are not numeric.
    ValueError
        If ``proba`` is not (N, K) with finite, non-negative rows summing to 1, or a label is
        not one of the K classes.

    See Also
    --------
    cost_weighted_error : from hard predictions.
    emdkit.nn.ground_cost_loss : the same quantity as a loss.

    References
    ----------
    .. [1] Rubner, Y., Tomasi, C. & Guibas, L. J. (2000). The Earth Mover's Distance as a
       metric for image retrieval. IJCV 40(2), 99–121.

    Examples
    --------
    >>> expected_cost([0], [[0.5, 0.25, 0.25]], absolute_cost(3))   # 0.25·1 + 0.25·2
    0.75
    """
    P, idx = proba_targets(y_true, proba, labels, num_classes)
    C = as_cost_matrix(cost, P.shape[1])
    return float(np.einsum("ni,ni->n", P, C[idx]).mean())


def rps(y_true: ArrayLike, proba: ArrayLike, *, labels: ArrayLike | None = None,
        num_classes: int | None = None) -> float:
    """Ranked probability score, (1/N) Σ_n 1/(K−1) Σ_{k<K−1} (F_nk − [y_n ≤ label_k])².

    F is the predicted CDF over the ordered classes; dimensionless, in [0, 1], lower is better.
    It equals ``emd2_loss(proba, y, from_logits=False, normalize="rps")``.

    Parameters
    ----------
    y_true : array_like of shape (N,)
        True labels.
    proba : array_like of shape (N, K)
        Predicted probabilities over the K ordered classes; each row sums to 1.
    labels : array_like, optional
        The full ordered class set (strictly increasing). Without it (and without
        ``num_classes``) it is the union of the values seen.
    num_classes : int, optional
        Classes are 0..num_classes−1. Give ``labels`` or ``num_classes``, not both.

    Returns
    -------
    float
        The mean ranked probability score.

    Raises
    ------
    TypeError
        If the labels are not numeric.
    ValueError
        If ``proba`` is not (N, K) with finite, non-negative rows summing to 1, or a label is
        not one of the K classes.

    See Also
    --------
    emdkit.nn.emd2_loss : the same CDF distance as a training loss.

    References
    ----------
    .. [1] Epstein, E. S. (1969). A scoring system for probability forecasts of ranked
       categories. Journal of Applied Meteorology 8(6), 985–987.

    Examples
    --------
    >>> rps([0], [[0.5, 0.5, 0.0]])   # CDF (0.5, 1) against (1, 1): 0.25 / 2
    0.125
    """
    P, idx = proba_targets(y_true, proba, labels, num_classes)
    k = P.shape[1]
    F = np.cumsum(P, axis=1)[:, :-1]
    H = np.arange(k - 1)[None, :] >= idx[:, None]
    return float(((F - H) ** 2).sum(axis=1).mean() / (k - 1))


__all__ = ["absolute_cost", "asymmetric_cost", "cost_weighted_error", "expected_cost", "rps"]
