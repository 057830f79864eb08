"""emdkit.nn: PyTorch losses built on the EMD (optional extra: ``pip install "emdkit[torch]"``).

- :func:`emd2_loss` / :class:`EMD2Loss`: closed-form (squared) EMD for ordered classes
  (Hou, Yu & Samaras, arXiv 1611.05916).
- :func:`ground_cost_loss` / :class:`GroundCostLoss`: losses under a ground-distance matrix D;
  the exact EMD to a soft target goes through :func:`emdkit.emd` with dual-potential gradients.
- :class:`CEEMD2Schedule`: cross-entropy warm-up, then CE + w·EMD² (w from the loss ratio).
- :class:`GroundDistanceLearner`: D learned from class centroids of penultimate features.
- :func:`emd`, :func:`signature_emd`: the exact EMD (batched) with autograd in weights, costs and
  positions, from the certified flow and dual potentials.
- :func:`point_cloud_emd_loss` / :class:`PointCloudEMDLoss`: exact EMD between point clouds.
- :class:`WarmStarts`: each batch slot's last optimum, to warm-start the next call.
"""
from .._extras import require

require("torch", "torch", "emdkit.nn")

from .emd2 import EMD2Loss, emd2_loss  # noqa: E402 (after the check that names the extra)
from .exact import emd, signature_emd  # noqa: E402
from .ground_cost import GroundCostLoss, ground_cost_loss  # noqa: E402
from .ground_learner import GroundDistanceLearner, rank_ground_distance  # noqa: E402
from .pointcloud import PointCloudEMDLoss, point_cloud_emd_loss  # noqa: E402
from .schedule import CEEMD2Schedule  # noqa: E402
from ..core.warm_start import WarmStarts  # noqa: E402

__all__ = ["CEEMD2Schedule", "EMD2Loss", "GroundCostLoss", "GroundDistanceLearner",
           "PointCloudEMDLoss", "emd", "emd2_loss", "ground_cost_loss", "point_cloud_emd_loss",
           "WarmStarts", "rank_ground_distance", "signature_emd"]
