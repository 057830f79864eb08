"""Cross-entropy warm-up, then cross-entropy plus a weighted EMD² term."""
from __future__ import annotations

import inspect
import math

import torch
import torch.nn.functional as F

from ..core.validation import check_positive_int
from . import _checks
from .emd2 import emd2_loss

# emd2_loss options a schedule may forward; weight/ignore_index/reduction are shared with the CE
_EMD2_OPTIONS = {name for name, par in inspect.signature(emd2_loss).parameters.items()
                 if par.kind is inspect.Parameter.KEYWORD_ONLY} - {"from_logits", "weight"}


class CEEMD2Schedule:
    """loss = CE during warm-up; CE + w · EMD² afterwards.

    Defaults and why:

    * ``warmup_epochs=2``. From a random initialisation the predictions are nearly uniform and
      the EMD² gradient is weak and mostly pulls mass toward the middle classes, while
      cross-entropy gives every sample a strong push toward its own class; a short CE-only phase
      gets the network to peaked predictions first. Epoch 0 still contains the steep initial
      fall of both losses, so the ratio used for ``auto_weight`` is measured at the end of epoch 1.
    * ``auto_weight=True`` with ``weight=None``: w = mean CE / mean EMD² over the last warm-up
      epoch, so that when EMD² is switched on both terms start at the same magnitude. The raw
      scales differ by orders of magnitude (EMD² with normalize="mean" is O(1/K) per sample,
      CE is O(log K)), so any fixed default w would be wrong for some K.
    * An explicit ``weight`` is used as given (``auto_weight`` is then ignored).

    The running means are kept by :meth:`loss` (EMD² is evaluated without gradient during
    warm-up, a few percent of a training step) and read by :meth:`end_epoch` unless you pass
    your own.

    Parameters
    ----------
    warmup_epochs : epochs 0..warmup_epochs−1 use cross-entropy alone.
    weight : fixed w, or None to derive it (needs ``auto_weight`` and a warm-up epoch).
    auto_weight : set w from the loss ratio at the end of warm-up when ``weight`` is None.
    class_weight, ignore_index, reduction : passed to both F.cross_entropy and emd2_loss.
    **emd2_kwargs : other :func:`emd2_loss` options (positions, normalize, r, root).
    """

    def __init__(self, warmup_epochs: int = 2, weight: float | None = None,
                 auto_weight: bool = True, *, class_weight: torch.Tensor | None = None,
                 ignore_index: int = -100, reduction: str = "mean", **emd2_kwargs) -> None:
        self.warmup_epochs = check_positive_int(warmup_epochs, "warmup_epochs", minimum=0)
        unknown = set(emd2_kwargs) - _EMD2_OPTIONS
        if unknown:
            raise TypeError(f"unknown emd2_loss options {sorted(unknown)}; "
                            f"allowed: {sorted(_EMD2_OPTIONS)}")
        if weight is not None:
            weight = float(weight)
            if not (math.isfinite(weight) and weight >= 0):
                raise ValueError(f"weight must be a finite number >= 0, got {weight}")
        elif not auto_weight:
            raise ValueError("give weight, or auto_weight=True to set it after warm-up")
        elif self.warmup_epochs == 0:
            raise ValueError("auto_weight needs warmup_epochs >= 1 to measure the loss ratio")
        self.weight = weight
        self.auto_weight = bool(auto_weight)
        self.class_weight = class_weight
        self.ignore_index = ignore_index
        self.reduction = reduction
        self.emd2_kwargs = emd2_kwargs
        self._sums = [0.0, 0.0]
        self._batches = 0

    def in_warmup(self, epoch: int) -> bool:
        """Whether ``epoch`` (0-based) trains on cross-entropy alone.

        See Also
        --------
        loss : adds the weighted EMD² once this is False.
        """
        return epoch < self.warmup_epochs

    def loss(self, logits: torch.Tensor, target: torch.Tensor, epoch: int) -> torch.Tensor:
        """The training loss for one batch at ``epoch`` (0-based), from logits.

        See Also
        --------
        emd2_loss : the EMD² term, with this schedule's options.
        end_epoch : sets the weight w from the means this method keeps.

        References
        ----------
        .. [1] L. Hou, C.-P. Yu, D. Samaras, "Squared Earth Mover's Distance-based loss for
           training deep neural networks", arXiv:1611.05916, 2016.
        """
        _checks.check_input(logits, "logits")  # before cross-entropy: our words, our names
        _checks.split_target(logits, target)
        ce = F.cross_entropy(logits, target, weight=self.class_weight,
                             ignore_index=self.ignore_index, reduction=self.reduction)
        warm = self.in_warmup(epoch)
        if not warm and self.weight is None:
            raise RuntimeError(
                f"epoch {epoch} is past warm-up but the EMD² weight is unset: call "
                f"end_epoch({self.warmup_epochs - 1}) at the end of the last warm-up epoch")
        with torch.set_grad_enabled(torch.is_grad_enabled() and not warm):
            e2 = emd2_loss(logits, target, weight=self.class_weight,
                           ignore_index=self.ignore_index, reduction=self.reduction,
                           **self.emd2_kwargs)
        if self.reduction != "none":
            self._sums[0] += float(ce.detach())
            self._sums[1] += float(e2.detach())
            self._batches += 1
        return ce if warm else ce + self.weight * e2

    def end_epoch(self, epoch: int, mean_ce: float | None = None,
                  mean_emd2: float | None = None) -> float | None:
        """Close ``epoch``; returns the current weight.

        At the first call with epoch >= warmup_epochs − 1 and no weight yet, w is set to
        mean_ce / mean_emd2 (by default the means of the batch losses seen by :meth:`loss`
        since the previous call).

        See Also
        --------
        loss : keeps the running means this method reads.
        in_warmup : which epochs come before the weight is set.
        """
        if self._batches:
            if mean_ce is None:
                mean_ce = self._sums[0] / self._batches
            if mean_emd2 is None:
                mean_emd2 = self._sums[1] / self._batches
        self._sums = [0.0, 0.0]
        self._batches = 0
        if self.weight is None and self.auto_weight and epoch >= self.warmup_epochs - 1:
            if mean_ce is None or mean_emd2 is None:
                raise RuntimeError("no losses were recorded this epoch: pass mean_ce and mean_emd2")
            if not (mean_emd2 > 0 and math.isfinite(mean_emd2) and math.isfinite(mean_ce)):
                raise ValueError(f"cannot set the weight from mean_ce={mean_ce}, "
                                 f"mean_emd2={mean_emd2}: both must be finite and EMD² > 0")
            self.weight = float(mean_ce) / float(mean_emd2)
        return self.weight
