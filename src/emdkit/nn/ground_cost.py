"""Losses under a ground-distance matrix D, for classes that do not lie on a line.

Convention (as in :mod:`emdkit.metrics`): D[t, i] is the cost of predicting class i when the
truth is class t (rows = true class). For a symmetric D the order does not matter.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _checks
from ._solve import solve_dense_batch

KINDS = ("exact", "weighted_squared")


class _ExactEMD(torch.autograd.Function):
    """Per-sample exact EMD(t_n → p_n) under D by the network simplex; gradients from its duals.

    The optimal value W(a, b) = max {Σ a_i u_i + Σ b_j v_j : u_i + v_j ≤ D_ij} is convex and
    piecewise linear, and the optimal potentials are its (sub)gradients: ∂W/∂b = v, ∂W/∂a = u,
    ∂W/∂D = the optimal flow. For a class with zero mass the solver returns the largest feasible
    potential, the derivative for adding mass there. With Σa = Σb the potentials are fixed only
    up to a shared constant (u + c, v − c). We evaluate W(t/Σt, p/Σp) — the rescaling only
    removes rounding (float32 softmax rows miss 1 by ~1e-7, which the solver would otherwise
    treat as partial matching) — and return that function's exact gradient,
    (v − <p/Σp, v>)/Σp, which is free of the constant. On the simplex it is the dual gradient
    projected on Σ dp = 0; through a softmax the two are identical.
    """

    @staticmethod
    def forward(ctx, p: torch.Tensor, q: torch.Tensor, D: torch.Tensor) -> torch.Tensor:
        P = p.detach().cpu().double().numpy()
        Q = q.detach().cpu().double().numpy()
        C = D.detach().cpu().double().numpy()
        n, k = P.shape
        work = np.empty(n)
        U = np.empty((n, k))
        V = np.empty((n, k))
        flows = np.empty((n, k, k)) if ctx.needs_input_grad[2] else None
        sq, sp = Q.sum(axis=1, keepdims=True), P.sum(axis=1, keepdims=True)
        A, B = Q / sq, P / sp
        results = solve_dense_batch(A, B, np.broadcast_to(C, (n, k, k)))
        for row, res in enumerate(results):
            work[row] = res.work
            U[row] = (res.u - A[row] @ res.u) / sq[row]
            V[row] = (res.v - B[row] @ res.v) / sp[row]
            if flows is not None:
                flows[row] = res.flow
        like = dict(dtype=p.dtype, device=p.device)
        ctx.save_for_backward(torch.as_tensor(U, **like), torch.as_tensor(V, **like),
                              None if flows is None else torch.as_tensor(flows, **like))
        return torch.as_tensor(work, **like)

    @staticmethod
    def backward(ctx, grad_w: torch.Tensor):
        _checks.refuse_double_backward("ground_cost_loss(kind='exact') with a soft target")
        U, V, flows = ctx.saved_tensors
        g = grad_w.unsqueeze(1)
        grad_p = g * V if ctx.needs_input_grad[0] else None
        grad_q = g * U if ctx.needs_input_grad[1] else None
        grad_d = (grad_w[:, None, None] * flows).sum(0) if flows is not None else None
        return grad_p, grad_q, grad_d


def _as_ground_matrix(D, k: int, like: torch.Tensor, kind: str) -> torch.Tensor:
    D = _checks.as_real_tensor(D, "D").to(dtype=like.dtype, device=like.device)
    if D.shape != (k, k):
        raise ValueError(f"D must have shape ({k}, {k}) for {k} classes, got {tuple(D.shape)}")
    if not bool(torch.isfinite(D).all()):
        raise ValueError("D contains NaN or inf")
    if kind == "exact" and bool((D < 0).any()):
        raise ValueError("D has negative entries; kind='exact' needs a ground distance >= 0 "
                         "(a learned D with negative entries is for kind='weighted_squared')")
    return D


def ground_cost_loss(input: torch.Tensor, target: torch.Tensor, D, *, kind: str = "exact",
                     from_logits: bool = True, reduction: str = "mean") -> torch.Tensor:
    """EMD-based loss under a ground-distance matrix ``D`` (rows = true class).

    kind="exact": the exact EMD from the target to the prediction.
        For a class index t it is linear, loss_n = Σ_i p_i D[t, i] (the expected cost, in D's
        units). Being linear in p it is minimised by putting all mass on the cheapest class, so
        on its own it rewards overconfidence and gives no gradient signal that sharpens a
        correct, spread-out prediction: combine it with cross-entropy.
        For a soft target t_n the exact EMD(t_n, p_n) is solved per sample by
        :func:`emdkit.emd` (network simplex, on the CPU) with gradients from the dual potentials.
    kind="weighted_squared": loss_n = Σ_i (p_i − t_i)² D[t, i], the form Hou et al. train with
        when D is learned (it may have negative entries, e.g. from
        :class:`GroundDistanceLearner`). For a soft target the row D[t, ·] is replaced by its
        expectation Σ_c t_c D[c, ·]. Units: D's units × probability².

    Parameters
    ----------
    input : (B, K) or (B, K, d1, ...) logits, or probabilities with ``from_logits=False``.
    target : class indices (B,) / (B, d1, ...), or distributions of the input's shape.
    D : (K, K) tensor or array.
    reduction : "mean" (over samples), "sum" or "none".

    Raises
    ------
    TypeError, ValueError
        Bad input, named; arrays go through the core's gate (:mod:`emdkit.core.validation`).
    NotImplementedError
        In a double backward (``create_graph=True``) of kind="exact" with a soft target.

    See Also
    --------
    emd2_loss : classes on a line (closed form).
    GroundDistanceLearner : learns D from the features.
    emd : the exact EMD it uses for soft targets.

    References
    ----------
    .. [1] L. Hou, C.-P. Yu, D. Samaras, "Squared Earth Mover's Distance-based loss for training
       deep neural networks", arXiv:1611.05916, 2016.
    .. [2] C. Frogner, C. Zhang, H. Mobahi, M. Araya-Polo, T. Poggio, "Learning with a Wasserstein
       loss", NeurIPS 2015.
    """
    _checks.check_input(input)
    hard = _checks.split_target(input, target)
    reduction = _checks.check_reduction(reduction)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    out_shape = _checks.batch_shape(input)
    k = input.shape[0] if input.ndim == 1 else input.shape[1]
    x = _checks.flatten_classes(input)
    if from_logits:
        p = torch.softmax(x, dim=-1)
    else:
        _checks.check_distributions(x, "input")
        p = x
    Dm = _as_ground_matrix(D, k, p, kind)

    if hard:
        t = target.reshape(-1).long()
        _checks.check_indices(t, k, ignore_index=None)
        rows = Dm[t]
        if kind == "exact":
            losses = (p * rows).sum(dim=-1)
        else:
            losses = ((p - F.one_hot(t, k).to(p.dtype)) ** 2 * rows).sum(dim=-1)
    else:
        q = _checks.flatten_classes(target).to(p.dtype)
        _checks.check_distributions(q, "target")
        if kind == "exact":
            losses = _ExactEMD.apply(p, q, Dm)
        else:
            losses = ((p - q) ** 2 * (q @ Dm)).sum(dim=-1)
    out = _checks.reduce(losses, reduction)
    return out.reshape(out_shape) if reduction == "none" else out


class GroundCostLoss(nn.Module):
    """Module form of :func:`ground_cost_loss`; ``D`` is a buffer and can be replaced each epoch
    (e.g. ``loss.D = learner.matrix``)."""

    def __init__(self, D, *, kind: str = "exact", from_logits: bool = True,
                 reduction: str = "mean") -> None:
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        self.kind = kind
        self.from_logits = from_logits
        self.reduction = _checks.check_reduction(reduction)
        self.register_buffer("D", _checks.as_real_tensor(D, "D"))

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The loss of ``input`` against ``target`` under the current ``D``, as
        :func:`ground_cost_loss` with this module's options.

        See Also
        --------
        ground_cost_loss : the function, which documents the arguments and each ``kind``.
        GroundDistanceLearner : learns a ``D`` to assign to this module each epoch.

        References
        ----------
        .. [1] L. Hou, C.-P. Yu, D. Samaras, "Squared Earth Mover's Distance-based loss for
           training deep neural networks", arXiv:1611.05916, 2016.
        .. [2] C. Frogner, C. Zhang, H. Mobahi, M. Araya-Polo, T. Poggio, "Learning with a
           Wasserstein loss", NeurIPS 2015.
        """
        return ground_cost_loss(input, target, self.D, kind=self.kind,
                                from_logits=self.from_logits, reduction=self.reduction)

    def extra_repr(self) -> str:
        """The options shown by ``repr(module)`` (PyTorch's hook).

        See Also
        --------
        forward : where the options are used.
        """
        return f"kind={self.kind!r}, K={self.D.shape[0]}, reduction={self.reduction!r}"
