"""A learned score s_θ(t, x): small MLP trained by denoising score matching (torch, CPU).

Denoising score matching with weight σ_t²: for X_t = m_t X_0 + σ_t Z,

    L(θ) = E_{t, X_0, Z} σ_t² ‖ s_θ(t, X_t) + Z/σ_t ‖² = E ‖ σ_t s_θ(t, X_t) + Z ‖²,

minimised (up to a θ-free constant) by the true score ∇log p_t. The network outputs
σ_t s_θ, so its target Z is of unit scale at every t.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from emdkit.core.validation import check_positive_int

from .ou import check_horizon
from .targets import Target


def _ou_scale(t: torch.Tensor) -> torch.Tensor:
    return torch.sqrt(-torch.expm1(-2.0 * t))


class ScoreMLP(nn.Module):
    """s_θ(t, x) = f_θ(x, log σ_t) / σ_t with f_θ an MLP (SiLU, ``depth`` hidden layers)."""

    def __init__(self, d: int, hidden: int = 128, depth: int = 3):
        super().__init__()
        self.d = check_positive_int(d, "d")
        hidden = check_positive_int(hidden, "hidden")
        depth = check_positive_int(depth, "depth")
        layers: list[nn.Module] = []
        width = d + 1
        for _ in range(depth):
            layers += [nn.Linear(width, hidden), nn.SiLU()]
            width = hidden
        layers.append(nn.Linear(width, d))
        self.net = nn.Sequential(*layers)

    def scaled(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """σ_t s_θ(t, x), the quantity the loss compares with −Z."""
        log_sigma = torch.log(_ou_scale(t)).reshape(-1, 1)
        return self.net(torch.cat([x, log_sigma.expand(x.shape[0], 1)], dim=1))

    def forward(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return self.scaled(t, x) / _ou_scale(t).reshape(-1, 1)


def dsm_loss(model: ScoreMLP, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor,
             reduction: str = "mean") -> torch.Tensor:
    """σ_t²-weighted denoising score matching loss ‖σ_t s_θ(t, m_t x0 + σ_t z) + z‖² per sample.

    reduction: "mean" | "sum" | "none" (per-sample values, shape (n,)).
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if x0.shape != noise.shape or x0.ndim != 2:
        raise ValueError(f"x0 and noise must be the same (n, d) shape, got {tuple(x0.shape)} and "
                         f"{tuple(noise.shape)}")
    if t.shape != (x0.shape[0],):
        raise ValueError(f"t must have shape ({x0.shape[0]},), got {tuple(t.shape)}")
    xt = torch.exp(-t)[:, None] * x0 + _ou_scale(t)[:, None] * noise
    per_sample = ((model.scaled(t, xt) + noise) ** 2).sum(dim=1)
    if reduction == "mean":
        return per_sample.mean()
    if reduction == "sum":
        return per_sample.sum()
    return per_sample


class DSMLoss(nn.Module):
    """Module form of :func:`dsm_loss`."""

    def __init__(self, reduction: str = "mean"):
        super().__init__()
        self.reduction = reduction

    def forward(self, model, x0, t, noise):
        return dsm_loss(model, x0, t, noise, reduction=self.reduction)


@dataclass
class Snapshot:
    iteration: int
    loss: float  # running mean of the training loss over the last 50 steps
    model: ScoreMLP


def train_score(target: Target, T: float, eps: float, n_iter: int, snapshots: list[int],
                batch: int = 512, lr: float = 2e-3, hidden: int = 128, seed: int = 0,
                threads: int = 1) -> list[Snapshot]:
    """Train s_θ on fresh exact samples of π, t ~ Uniform[ε, T]; copies at ``snapshots`` iterations.

    Adam with a cosine learning-rate decay over ``n_iter`` steps. Deterministic for a seed.
    """
    T, eps = check_horizon(T, eps)
    n_iter = check_positive_int(n_iter, "n_iter")
    batch = check_positive_int(batch, "batch")
    if eps <= 0:
        raise ValueError("eps must be > 0 for training: σ_0 = 0 makes the loss weight vanish")
    if any(not 0 < s <= n_iter for s in snapshots):
        raise ValueError(f"snapshots must lie in 1..n_iter={n_iter}, got {snapshots}")
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = ScoreMLP(target.d, hidden=hidden)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=n_iter)
    out: list[Snapshot] = []
    recent: list[float] = []
    for it in range(1, n_iter + 1):
        x0 = torch.as_tensor(target.sample(batch, rng), dtype=torch.float32)
        t = eps + (T - eps) * torch.rand(batch)
        loss = dsm_loss(model, x0, t, torch.randn_like(x0))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        recent = (recent + [loss.item()])[-50:]
        if it in snapshots:
            out.append(Snapshot(it, float(np.mean(recent)), copy.deepcopy(model).eval()))
    return out


def numpy_score(model: ScoreMLP):
    """The model as a numpy score s(t, x) for :func:`emdkit.sgm.ou.coupled_reverse_em`."""
    def score(t: float, x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            xt = torch.as_tensor(x, dtype=torch.float32)
            tt = torch.full((x.shape[0],), float(t))
            return model(tt, xt).numpy().astype(np.float64)
    return score
