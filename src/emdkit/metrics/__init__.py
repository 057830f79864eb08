"""emdkit.metrics: ordinal classification metrics (numpy only, scikit-learn signatures).

Distances between classes are ``|a − b|`` on the labels, never confusion-matrix indices.
Hard predictions: accuracy, off_by_one_accuracy, mae, amae, mmae, qwk, cost_weighted_error.
Probabilities: rps, expected_cost. Cost matrices: absolute_cost, asymmetric_cost.
Point-cloud generation (exact EMD, PointFlow's definitions): mmd_emd, cov_emd, one_nna_emd,
point_cloud_metrics (the solver is loaded on first use, not at import).
"""
from .costs import absolute_cost, asymmetric_cost, cost_weighted_error, expected_cost, rps
from .hard import accuracy, amae, mae, mmae, off_by_one_accuracy, per_class_mae, qwk
from .pointcloud import cov_emd, mmd_emd, one_nna_emd, point_cloud_metrics

__all__ = ["absolute_cost", "accuracy", "amae", "asymmetric_cost", "cost_weighted_error",
           "cov_emd", "expected_cost", "mae", "mmae", "mmd_emd", "off_by_one_accuracy",
           "one_nna_emd", "per_class_mae", "point_cloud_metrics", "qwk", "rps"]
