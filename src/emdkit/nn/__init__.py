"""emdkit.nn: PyTorch losses built on the EMD (optional extra: ``pip install torch``).

- :func:`emd2_loss` / :class:`EMD2Loss`: closed-form (squared) EMD for ordered classes
  (Hou, Yu & Samaras, arXiv 1611.05916).
- :func:`ground_cost_loss` / :class:`GroundCostLoss`: losses under a ground-distance matrix D;
  the exact EMD to a soft target goes through :func:`emdkit.emd` with dual-potential gradients.
- :class:`CEEMD2Schedule`: cross-entropy warm-up, then CE + w·EMD² (w from the loss ratio).
- :class:`GroundDistanceLearner`: D learned from class centroids of penultimate features.
"""
from .emd2 import EMD2Loss, emd2_loss
from .ground_cost import GroundCostLoss, ground_cost_loss
from .ground_learner import GroundDistanceLearner, rank_ground_distance
from .schedule import CEEMD2Schedule

__all__ = ["CEEMD2Schedule", "EMD2Loss", "GroundCostLoss", "GroundDistanceLearner", "emd2_loss",
           "ground_cost_loss", "rank_ground_distance"]
