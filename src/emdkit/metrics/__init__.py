"""emdkit.metrics: ordinal classification metrics (numpy only, scikit-learn signatures).

Distances between classes are ``|a − b|`` on the labels, never confusion-matrix indices.
Hard predictions: accuracy, off_by_one_accuracy, mae, amae, mmae, qwk, cost_weighted_error.
Probabilities: rps, expected_cost. Cost matrices: absolute_cost, asymmetric_cost.
"""
from .costs import absolute_cost, asymmetric_cost, cost_weighted_error, expected_cost, rps
from .hard import accuracy, amae, mae, mmae, off_by_one_accuracy, per_class_mae, qwk

__all__ = ["absolute_cost", "accuracy", "amae", "asymmetric_cost", "cost_weighted_error",
           "expected_cost", "mae", "mmae", "off_by_one_accuracy", "per_class_mae", "qwk", "rps"]
