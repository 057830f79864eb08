"""A ground-distance matrix learned from the network's own features (Hou, Yu & Samaras, §3.3)."""
from __future__ import annotations

import math

import numpy as np
import torch

from ..core.validation import as_real_array, check_positive_int, check_real_dtype, real_array
from ._checks import as_real_tensor


def rank_ground_distance(centroids: np.ndarray, omega: float, mu: float) -> np.ndarray:
    """D from class centroids: row percentile ranks of ‖c_i − c_j‖₂, ^ω, symmetrised, minus μ::

        R_ij = (rank of ‖c_i − c_j‖ in row i − 1) / (K − 1)   ∈ [0, 1] (ties share their mean rank;
                                                               the class itself has rank 1 → 0)
        D = ((R^ω + (R^ω)ᵀ) / 2) − μ,   D_ii = max(μ, 1 − μ)

    Dimensionless. The percentile rank makes D depend only on the order of the feature
    distances, not their scale, which drifts as the network trains.

    The diagonal: the authors' released code was not available to us offline, so this is our
    choice, made so that the weighted-squared loss Σ_i (p_i − t_i)² D[t, i] keeps the one-hot truth
    as its global minimiser. Off-diagonal entries are >= −μ; with q = 1 − p_t = Σ_{i≠t} p_i,
    loss >= D_tt q² − μ Σ_{i≠t} p_i² >= (D_tt − μ) Σ_{i≠t} p_i² >= 0 when D_tt >= μ. Left at
    0 − μ it would reward moving mass off the true class. Among diagonals >= μ we take 1 − μ when
    larger, the weight of the farthest class, so missing the true class costs as much as the
    worst confusion.

    See Also
    --------
    GroundDistanceLearner : which calls it every epoch.
    ground_cost_loss : the loss that uses D.

    References
    ----------
    .. [1] L. Hou, C.-P. Yu, D. Samaras, "Squared Earth Mover's Distance-based loss for training
       deep neural networks", arXiv:1611.05916, 2016.
    """
    # here, not at the top: scipy.stats takes 0.3-1.6 s to import, which every `import emdkit.nn`
    # paid before (cold_start.py's nn row)
    from scipy.spatial.distance import cdist
    from scipy.stats import rankdata

    centroids = as_real_array(centroids, "centroids")
    k = centroids.shape[0]
    dist = cdist(centroids, centroids)  # direct differences: no cancellation for close centroids
    ranks = (rankdata(dist, method="average", axis=1) - 1.0) / (k - 1)
    powered = ranks ** omega
    D = 0.5 * (powered + powered.T) - mu
    np.fill_diagonal(D, max(mu, 1.0 - mu))
    return D


class GroundDistanceLearner:
    """Learns D between classes from penultimate-layer features, knowing nothing of class order.

    Each epoch: :meth:`accumulate` every batch's features (each row L1-normalised, f/Σ|f|) into
    the centroid of its true class; :meth:`end_epoch` turns the centroids into D with
    :func:`rank_ground_distance` (from ``start_epoch`` on) and starts a new epoch.

    Use D with ``ground_cost_loss(..., kind="weighted_squared")`` (D has negative entries).

    Attributes
    ----------
    matrix : torch.Tensor | None   the current D (float32, CPU), None before the first update.
    history : list[np.ndarray]     D after each update, for plotting.
    epochs : list[int]             the epoch of each entry of ``history``.
    """

    def __init__(self, num_classes: int, omega: float = 1.0, mu: float = 0.5,
                 start_epoch: int = 0) -> None:
        self.num_classes = check_positive_int(num_classes, "num_classes", minimum=2)
        for name, value in (("omega", omega), ("mu", mu)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"{name} must be a number, got {type(value).__name__}")
            if not math.isfinite(value):
                raise ValueError(f"{name} must be finite, got {value}")
        if omega <= 0:
            raise ValueError(f"omega must be > 0 (an exponent on ranks in [0, 1]), got {omega}")
        self.omega = float(omega)
        self.mu = float(mu)
        self.start_epoch = check_positive_int(start_epoch, "start_epoch", minimum=0)
        self.matrix: torch.Tensor | None = None
        self.history: list[np.ndarray] = []
        self.epochs: list[int] = []
        self._sums: torch.Tensor | None = None
        self._counts = torch.zeros(self.num_classes, dtype=torch.float64)

    def accumulate(self, features, labels) -> None:
        """Add a batch: features (N, F) (tensor or array), labels (N,) true class indices.

        See Also
        --------
        centroids : the class centroids these sums give.
        end_epoch : turns them into D and starts a new epoch.
        """
        f = as_real_tensor(features, "features").detach()
        if isinstance(labels, torch.Tensor):
            check_real_dtype(labels.dtype, "labels")
            y = labels.detach().to("cpu")
        else:
            y = torch.from_numpy(real_array(labels, "labels"))
        if f.ndim != 2:
            raise ValueError(f"features must be (N, F), got shape {tuple(f.shape)}")
        if y.shape != (f.shape[0],) or y.is_floating_point():
            raise ValueError(f"labels must be integer class indices of shape ({f.shape[0]},), "
                             f"got {tuple(y.shape)} {y.dtype}")
        if y.numel() and (int(y.min()) < 0 or int(y.max()) >= self.num_classes):
            raise ValueError(f"labels must lie in [0, {self.num_classes})")
        # normalise in the features' own dtype/device, accumulate in float64 on the CPU
        l1 = f.abs().sum(dim=1, keepdim=True).clamp_min(torch.finfo(f.dtype).tiny)
        normed = (f / l1).to("cpu", torch.float64)
        if self._sums is None:
            self._sums = torch.zeros(self.num_classes, f.shape[1], dtype=torch.float64)
        elif self._sums.shape[1] != f.shape[1]:
            raise ValueError(f"features have {f.shape[1]} columns, earlier batches had "
                             f"{self._sums.shape[1]}")
        self._sums.index_add_(0, y.long(), normed)
        self._counts += torch.bincount(y.long(), minlength=self.num_classes).double()

    def centroids(self) -> np.ndarray:
        """The (K, F) class centroids of this epoch so far.

        See Also
        --------
        accumulate : adds a batch to them.
        rank_ground_distance : the D that ``end_epoch`` forms from them.
        """
        if self._sums is None:
            raise RuntimeError("no features were accumulated this epoch")
        missing = np.flatnonzero(self._counts.numpy() == 0)
        if missing.size:
            raise ValueError(f"classes {missing.tolist()} had no samples this epoch, so their "
                             "centroids (and D) are undefined")
        return (self._sums / self._counts[:, None]).numpy()

    def end_epoch(self, epoch: int) -> np.ndarray | None:
        """Recompute D from this epoch's centroids (if epoch >= start_epoch); reset the sums.

        See Also
        --------
        rank_ground_distance : the formula from centroids to D.
        GroundCostLoss : the loss to give the new D (``loss.D = learner.matrix``).

        References
        ----------
        .. [1] L. Hou, C.-P. Yu, D. Samaras, "Squared Earth Mover's Distance-based loss for
           training deep neural networks", arXiv:1611.05916, 2016.
        """
        try:
            if epoch < self.start_epoch:
                return None
            D = rank_ground_distance(self.centroids(), self.omega, self.mu)
        finally:
            self._sums = None
            self._counts.zero_()
        self.matrix = torch.as_tensor(D, dtype=torch.float32)
        self.history.append(D)
        self.epochs.append(int(epoch))
        return D
