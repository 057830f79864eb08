"""The five training objectives compared in the sweep; each sees the same model, data and budget.

=============  ==============================================================================
``ce``         cross-entropy (soft targets: cross-entropy to the histogram)
``emd2``       the squared EMD alone, Hou et al.'s closed form (1/K) sum_k (CDF_k(p)-CDF_k(t))^2
``ce+emd2``    cross-entropy for ``warmup_epochs``, then CE + w * EMD^2; w is set from the ratio
               of the two mean losses at the end of warm-up (``emdkit.nn.CEEMD2Schedule``)
``learned-gd`` CE + ``gd_weight`` * sum_i (p_i - t_i)^2 D[t, i], with D learned from the
               network's own penultimate features and no ordering prior
               (``emdkit.nn.GroundDistanceLearner``; D is recomputed after every epoch from
               ``gd_start_epoch`` on, and the term is off until the first D exists)
``perm-gd``    control for ``learned-gd``: the same learned D with its rows and columns permuted
               by one fixed random permutation per seed (D'[i, j] = D[pi(i), pi(j)]): the same
               values and diagonal, the class order destroyed
``const-gd``   control for ``learned-gd``: every off-diagonal entry set to the mean off-diagonal
               entry of that epoch's learned D (the same scale, no order at all), diagonal kept
``sord``       SORD soft labels (Diaz & Marathe, CVPR 2019), the outside baseline: cross-entropy
               to t_k = softmax_k(-alpha (k - y)^2); on the histogram task the target histogram
               is smoothed by the same kernel. ``sord-a<alpha>`` fixes alpha in the method's name
               (the temperature sweep), so that runs differ only in method and seed
=============  ==============================================================================

Every method trains on the same label form: the task's target (``Batch.target``: class indices,
or the soft histogram on the rating task). The learned ground distance builds its class centroids
from the hard labels (a centroid needs a class), but its loss term uses the same target as CE.

A method is a small stateful object, pickled whole into each checkpoint, so that a resumed run
carries its schedule weight and learned matrix forward.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

import torch
import torch.nn.functional as F

METHODS = ("ce", "emd2", "ce+emd2", "learned-gd", "perm-gd", "const-gd", "sord", "sord-a0.25", "sord-a4")
#: ``sord-a<alpha>``: SORD with alpha given in the name
SORD_NAME = re.compile(r"^sord-a(?P<alpha>[0-9]+(?:\.[0-9]+)?)$")
#: seed offset of the permutation of ``perm-gd``, so that it is not the stream of the weights
PERMUTATION_SEED_OFFSET = 7919


@dataclass
class Batch:
    """Targets of one mini-batch: hard labels (B,) and, for histogram tasks, soft targets (B, K)."""

    y: torch.Tensor
    soft: torch.Tensor | None = None

    @property
    def target(self) -> torch.Tensor:
        return self.y if self.soft is None else self.soft


class Method:
    """Base: ``loss`` returns the training loss; hooks default to doing nothing."""

    name = "base"
    needs_features = False

    def loss(self, logits: torch.Tensor, batch: Batch, epoch: int) -> torch.Tensor:
        raise NotImplementedError

    def observe(self, features: torch.Tensor, batch: Batch) -> None:
        """See the penultimate features of a training batch (no gradient)."""

    def end_epoch(self, epoch: int) -> None:
        """Called once after every training epoch."""

    def ground_distance(self):  # -> np.ndarray | None
        """The learned ground-distance matrix, for methods that learn one."""
        return None

    def describe(self) -> dict:
        return {}


class CrossEntropy(Method):
    name = "ce"

    def loss(self, logits, batch, epoch):
        return F.cross_entropy(logits, batch.target)


class EMD2Only(Method):
    name = "emd2"

    def loss(self, logits, batch, epoch):
        from emdkit.nn import emd2_loss
        return emd2_loss(logits, batch.target)


class CEThenEMD2(Method):
    """The schedule keeps the running mean CE and EMD² itself and sets w after warm-up."""

    name = "ce+emd2"

    def __init__(self, warmup_epochs: int) -> None:
        from emdkit.nn import CEEMD2Schedule
        self.schedule = CEEMD2Schedule(warmup_epochs=warmup_epochs, auto_weight=True)

    def loss(self, logits, batch, epoch):
        return self.schedule.loss(logits, batch.target, epoch)

    def end_epoch(self, epoch):
        self.schedule.end_epoch(epoch)

    def describe(self):
        w = self.schedule.weight
        return {"emd2_weight": None if w is None else float(w)}


class LearnedGroundDistance(Method):
    name = "learned-gd"
    needs_features = True

    def __init__(self, num_classes: int, start_epoch: int, weight: float) -> None:
        from emdkit.nn import GroundDistanceLearner
        self.learner = GroundDistanceLearner(num_classes, start_epoch=start_epoch)
        self.weight = weight

    def loss(self, logits, batch, epoch):
        from emdkit.nn import ground_cost_loss
        ce = F.cross_entropy(logits, batch.target)
        D = self.matrix()
        if D is None:
            return ce
        D = torch.as_tensor(D, dtype=logits.dtype)
        # the same target as CE (soft on the histogram task: D's row is then the expectation
        # sum_c t_c D[c, .]), so no method sees a different label form
        return ce + self.weight * ground_cost_loss(logits, batch.target, D, kind="weighted_squared")

    def matrix(self):
        """The D that the loss uses (the controls override this)."""
        return self.learner.matrix

    def observe(self, features, batch):
        self.learner.accumulate(features.detach(), batch.y)

    def end_epoch(self, epoch):
        self.learner.end_epoch(epoch)

    def describe(self):
        from .evaluate import ground_distance_spearman
        # how the order emerges over training: rho of every epoch's D
        return {"gd_weight": self.weight, "gd_epochs": list(self.learner.epochs),
                "gd_spearman_per_epoch": [ground_distance_spearman(D) for D in self.learner.history]}

    def ground_distance(self):
        D = self.matrix()
        return None if D is None else torch.as_tensor(D).detach().cpu().double().numpy()


class PermutedGroundDistance(LearnedGroundDistance):
    """The learned D seen through a fixed random relabelling of the classes (order destroyed)."""

    name = "perm-gd"

    def __init__(self, num_classes: int, start_epoch: int, weight: float, seed: int) -> None:
        super().__init__(num_classes, start_epoch, weight)
        rng = np.random.default_rng(seed + PERMUTATION_SEED_OFFSET)
        self.permutation = rng.permutation(num_classes)

    def matrix(self):
        D = self.learner.matrix
        if D is None:
            return None
        perm = torch.as_tensor(self.permutation)
        return D[perm][:, perm]

    def describe(self):
        from .evaluate import ground_distance_spearman
        out = super().describe()
        p = self.permutation
        # the rho of the D the loss used (permuted), not of the learner's own D
        out["gd_spearman_per_epoch"] = [ground_distance_spearman(np.asarray(D)[p][:, p])
                                        for D in self.learner.history]
        out["gd_spearman_unpermuted_per_epoch"] = [ground_distance_spearman(D) for D in self.learner.history]
        out["permutation"] = p.tolist()
        return out


class ConstantGroundDistance(LearnedGroundDistance):
    """Every off-diagonal entry = the mean off-diagonal entry of the learned D; diagonal kept."""

    name = "const-gd"

    def matrix(self):
        D = self.learner.matrix
        if D is None:
            return None
        k = D.shape[0]
        off = ~torch.eye(k, dtype=torch.bool)
        out = torch.full_like(D, float(D[off].mean()))
        out[~off] = D[~off]
        return out

    def describe(self):
        out = super().describe()
        out.pop("gd_spearman_per_epoch", None)  # constant off the diagonal: rho is undefined
        return out


class SORD(Method):
    name = "sord"

    def __init__(self, num_classes: int, alpha: float) -> None:
        k = torch.arange(num_classes, dtype=torch.float32)
        # row y is the soft label of class y
        self.kernel = torch.softmax(-alpha * (k[None, :] - k[:, None]) ** 2, dim=1)
        self.alpha = alpha

    def loss(self, logits, batch, epoch):
        kernel = self.kernel.to(logits.dtype)
        target = kernel[batch.y] if batch.soft is None else batch.soft @ kernel
        return F.cross_entropy(logits, target)

    def describe(self):
        return {"alpha": self.alpha}


#: how the reports and figures name each method
METHOD_LABELS = {"ce": "cross-entropy", "emd2": "EMD² alone", "ce+emd2": "CE → CE+EMD²",
                 "learned-gd": "learned ground distance + CE", "perm-gd": "permuted-D control + CE",
                 "const-gd": "constant-D control + CE", "sord": "SORD α=1", "sord-a0.25": "SORD α=0.25",
                 "sord-a4": "SORD α=4"}


def build_method(name: str, num_classes: int, *, warmup_epochs: int, gd_start_epoch: int,
                 gd_weight: float, sord_alpha: float, seed: int = 0) -> Method:
    """The method called ``name`` (one of :data:`METHODS`, or ``sord-a<alpha>``).

    ``seed`` fixes the class permutation of ``perm-gd``; other methods ignore it.
    """
    if name == "ce":
        return CrossEntropy()
    if name == "emd2":
        return EMD2Only()
    if name == "ce+emd2":
        return CEThenEMD2(warmup_epochs)
    if name == "learned-gd":
        return LearnedGroundDistance(num_classes, gd_start_epoch, gd_weight)
    if name == "perm-gd":
        return PermutedGroundDistance(num_classes, gd_start_epoch, gd_weight, seed)
    if name == "const-gd":
        return ConstantGroundDistance(num_classes, gd_start_epoch, gd_weight)
    if name == "sord":
        return SORD(num_classes, sord_alpha)
    match = SORD_NAME.match(name) if isinstance(name, str) else None
    if match and float(match["alpha"]) > 0:
        return SORD(num_classes, float(match["alpha"]))
    raise ValueError(f"method must be one of {list(METHODS)}, got {name!r}")
