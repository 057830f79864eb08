"""Exact EMD loss between point clouds: :func:`point_cloud_emd_loss` and :class:`PointCloudEMDLoss`."""
from __future__ import annotations

import torch
from torch import nn

from ..core.validation import check_n_jobs
from ..core.warm_start import WarmStarts
from . import _checks
from .exact import POSITION_GRAD_METRICS, signature_emd_named


def point_cloud_emd_loss(input: torch.Tensor, target: torch.Tensor, *,
                         input_weights: torch.Tensor | None = None,
                         target_weights: torch.Tensor | None = None,
                         metric: str = "euclidean", reduction: str = "mean",
                         n_jobs: int = -1, warm_start: WarmStarts | None = None
                         ) -> torch.Tensor:
    """Exact EMD between predicted and target point clouds, per pair, then reduced.

    loss_k = EMD(input_k, target_k): with uniform weights (the default, 1/N and 1/M per point)
    it is the mean distance moved per unit of mass under the optimal transport; for N = M the
    optimal transport is a one-to-one matching and the loss is the mean matched distance,
    the quantity the approximate CUDA "EMD losses" of 3-D deep learning estimate. Units: those
    of the coordinates (squared for ``metric="sqeuclidean"``). The gradient in the positions is
    Σ_j f_ij ∇c(x_i, y_j) from the certified optimal flow (see :func:`emdkit.nn.signature_emd`).

    There are no size limits and N need not equal M. Uniform equal-size clouds take the core's
    assignment path; large clouds take its matrix-free point-cloud path (the N×M matrix is never
    formed); the problems of a batch are handed to the core together.

    Parameters
    ----------
    input : (B, N, d) or (N, d) predicted points (integer coordinates are read as float64).
    target : (B, M, d) or (M, d) target points.
    input_weights, target_weights : optional (B, N) / (B, M) non-negative weights; None:
        uniform, 1/N (1/M) per point. Different totals mean partial matching, as in
        :func:`emdkit.emd`; totals are compared in each side's own precision (float32
        weights that sum to 1 within float32 rounding count as equal to float64 ones).
    metric : "euclidean" (default), "sqeuclidean" or "cityblock".
    reduction : "mean" (over pairs), "sum" or "none" (shape (B,)).
    n_jobs : int, default -1
        Threads over the pairs of a batch (-1: every available thread).
    warm_start : emdkit.nn.WarmStarts, optional
        Start each batch slot from its last optimum, as in :func:`emdkit.nn.signature_emd`
        (same values and gradients; :class:`PointCloudEMDLoss` keeps one for you).

    Raises
    ------
    TypeError, ValueError
        As :func:`emdkit.nn.signature_emd`, naming the argument and batch index.

    See Also
    --------
    PointCloudEMDLoss : the module form.
    signature_emd : per pair, unreduced.
    emdkit.metrics.point_cloud_metrics : generation metrics from the same EMD.

    References
    ----------
    .. [1] H. Fan, H. Su, L. Guibas, "A point set generation network for 3D object reconstruction
       from a single image", CVPR 2017.
    .. [2] Y. Rubner, C. Tomasi, L. J. Guibas, "The Earth Mover's Distance as a metric for image
       retrieval", IJCV 40(2), 2000.

    Examples
    --------
    >>> import torch
    >>> x = torch.tensor([[[0.0, 0.0], [1.0, 0.0]]], requires_grad=True)
    >>> y = torch.tensor([[[1.0, 1.0], [0.0, 1.0]]])
    >>> loss = point_cloud_emd_loss(x, y)
    >>> loss.item()
    1.0
    >>> loss.backward(); x.grad
    tensor([[[ 0.0000, -0.5000],
             [ 0.0000, -0.5000]]])
    """
    reduction = _checks.check_reduction(reduction)
    if metric not in POSITION_GRAD_METRICS:
        raise ValueError(f"metric must be one of {POSITION_GRAD_METRICS}, got {metric!r}")
    for name, t in (("input", input), ("target", target)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if t.ndim not in (2, 3):
            raise ValueError(f"{name} must be (B, N, d) or (N, d), got shape {tuple(t.shape)}")
    if input.ndim != target.ndim:
        raise ValueError(f"input and target must both be batched or both single clouds, got "
                         f"shapes {tuple(input.shape)} and {tuple(target.shape)}")
    losses = signature_emd_named(input, input_weights, target, target_weights, metric, "auto",
                                 n_jobs, ("input", "input_weights", "target", "target_weights"),
                                 warm_start)
    if input.ndim == 2:
        return losses
    return _checks.reduce(losses, reduction)


class PointCloudEMDLoss(nn.Module):
    """Module form of :func:`point_cloud_emd_loss`.

    Parameters
    ----------
    metric : {"euclidean", "sqeuclidean", "cityblock"}, default "euclidean"
        Ground distance between points.
    reduction : {"mean", "sum", "none"}, default "mean"
        As in :func:`point_cloud_emd_loss`.
    n_jobs : int, default -1
        Threads over the pairs of a batch (-1: every available thread).
    warm_start : bool, default False
        Keep each batch slot's last optimal basis and potentials, and start the slot's next
        problem from them when the shapes match (a shape change starts that slot cold, with no
        error). The loss and its gradients are the same certified optima: what changes is the
        number of pivots, which falls as a descent on a fixed target converges (the
        point-cloud descent example: bench/RESULTS.md, "Warm starts"). Reused on the dense
        path only (up to 250,000 pairs); larger clouds take the matrix-free path cold.

    Examples
    --------
    >>> import torch
    >>> loss = PointCloudEMDLoss(metric="sqeuclidean")
    >>> x = torch.zeros(2, 3, 2)
    >>> y = torch.ones(2, 4, 2)
    >>> loss(x, y).item()
    2.0
    """

    def __init__(self, metric: str = "euclidean", reduction: str = "mean", *,
                 n_jobs: int = -1, warm_start: bool = False) -> None:
        super().__init__()
        if metric not in POSITION_GRAD_METRICS:
            raise ValueError(f"metric must be one of {POSITION_GRAD_METRICS}, got {metric!r}")
        self.metric = metric
        self.reduction = _checks.check_reduction(reduction)
        self.n_jobs = check_n_jobs(n_jobs)
        if not isinstance(warm_start, bool):
            raise TypeError(f"warm_start must be a bool, got {type(warm_start).__name__}")
        self.warm_starts = WarmStarts() if warm_start else None

    def forward(self, input: torch.Tensor, target: torch.Tensor,
                input_weights: torch.Tensor | None = None,
                target_weights: torch.Tensor | None = None) -> torch.Tensor:
        """The exact EMD between the clouds ``input`` and ``target``, as
        :func:`point_cloud_emd_loss` with this module's options.

        See Also
        --------
        point_cloud_emd_loss : the function, which documents the arguments and gradients.
        WarmStarts : what ``warm_start=True`` keeps between calls.

        References
        ----------
        .. [1] H. Fan, H. Su, L. Guibas, "A point set generation network for 3D object
           reconstruction from a single image", CVPR 2017.
        """
        return point_cloud_emd_loss(input, target, input_weights=input_weights,
                                    target_weights=target_weights, metric=self.metric,
                                    reduction=self.reduction, n_jobs=self.n_jobs,
                                    warm_start=self.warm_starts)

    def extra_repr(self) -> str:
        """The options shown by ``repr(module)`` (PyTorch's hook).

        See Also
        --------
        forward : where the options are used.
        """
        warm = ", warm_start=True" if self.warm_starts is not None else ""
        return f"metric={self.metric!r}, reduction={self.reduction!r}{warm}"
