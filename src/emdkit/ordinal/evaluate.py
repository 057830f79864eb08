"""Test-set measures of one trained model, all from ``emdkit.metrics``.

Class predictions are the arg-max of the predicted distribution for every method, as in Hou et
al., except on the rating-histogram task, whose label is the median bin of the true histogram:
there every method predicts the median bin of its predicted histogram, so that label and
prediction are the same statistic. RPS and the expected costs use the whole distribution.

Business cost (documented asymmetric cost, the same on every task)
-----------------------------------------------------------------
Classes are indexed so that a higher index is a better grade (clarity, colour), a higher
latitude band, or a higher rating. ``emdkit.metrics.asymmetric_cost(K, under=2, over=1)``:

    C[t, p] = 2 (t - p)   if p < t   (under-grading: the stone is sold below its grade, the
                                      margin is given away; twice as bad)
    C[t, p] = 1 (p - t)   if p > t   (over-grading: a return and a re-grade)

Units: "cost of one step of over-grading". The symmetric cost is C[t, p] = |t - p| in class
steps. On digits neither cost has a business meaning; they are reported for completeness.
"""
from __future__ import annotations

import numpy as np

UNDER_COST = 2.0
OVER_COST = 1.0


def business_cost(num_classes: int) -> np.ndarray:
    """The asymmetric business cost above: rows are the true class, columns the prediction."""
    from emdkit import metrics
    return metrics.asymmetric_cost(num_classes, under=UNDER_COST, over=OVER_COST)


#: direction of improvement, for the report
HIGHER_IS_BETTER = {"accuracy": True, "off_by_one": True, "mae": False, "qwk": True, "rps": False,
                    "cwe_abs": False, "cwe_business": False, "expected_business_cost": False,
                    "hist_emd": False}


def decide(proba: np.ndarray, decision: str = "argmax") -> np.ndarray:
    """Class predictions from distributions (n, K): "argmax", or "median" (first bin with CDF >= 1/2)."""
    proba = np.asarray(proba, dtype=np.float64)
    if decision == "argmax":
        return proba.argmax(axis=1)
    if decision == "median":
        # 1e-12 guards rows whose CDF reaches exactly 1/2 only up to rounding
        return np.argmax(np.cumsum(proba, axis=1) >= 0.5 - 1e-12, axis=1)
    raise ValueError(f"decision must be 'argmax' or 'median', got {decision!r}")


def evaluate(y_true: np.ndarray, proba: np.ndarray, soft_true: np.ndarray | None = None,
             decision: str = "argmax") -> dict[str, float]:
    """All reported measures for labels ``y_true`` (n,) and predicted distributions ``proba`` (n, K).

    ``soft_true`` (n, K), for histogram targets, adds ``hist_emd``: the mean EMD between the
    predicted and the true histogram under |i - j|, sum_k |CDF_k(p) - CDF_k(t)| in rating steps.
    """
    from emdkit import metrics
    proba = np.asarray(proba, dtype=np.float64)
    y_true = np.asarray(y_true)
    k = proba.shape[1]
    y_pred = decide(proba, decision)
    labels = dict(num_classes=k)
    biz = business_cost(k)
    out = {
        "accuracy": metrics.accuracy(y_true, y_pred, **labels),
        "off_by_one": metrics.off_by_one_accuracy(y_true, y_pred, **labels),
        "mae": metrics.mae(y_true, y_pred, **labels),
        "qwk": metrics.qwk(y_true, y_pred, **labels),
        "rps": metrics.rps(y_true, proba, **labels),
        "cwe_abs": metrics.cost_weighted_error(y_true, y_pred, cost=metrics.absolute_cost(k)),
        "cwe_business": metrics.cost_weighted_error(y_true, y_pred, cost=biz),
        "expected_business_cost": metrics.expected_cost(y_true, proba, cost=biz, **labels),
    }
    if soft_true is not None:
        gap = np.cumsum(proba, axis=1) - np.cumsum(np.asarray(soft_true, dtype=np.float64), axis=1)
        out["hist_emd"] = float(np.abs(gap).sum(axis=1).mean())
    return {name: float(value) for name, value in out.items()}


def confusion(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts, rows = true class, columns = predicted class."""
    m = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(m, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return m


def ground_distance_spearman(D: np.ndarray) -> float:
    """Spearman rho between the off-diagonal entries D[i, j], i < j, and |i - j| (the true order).

    The diagonal is left out: it is set by convention, not learned.
    """
    from scipy.stats import spearmanr
    D = np.asarray(D, dtype=float)
    i, j = np.triu_indices(D.shape[0], k=1)
    return float(spearmanr(D[i, j], np.abs(i - j)).statistic)
