"""Gradient descent on a 2-D point set under the exact EMD, until it takes a target's shape.

    python examples/pointcloud_descent.py --out pointcloud_descent.png

200 points start as a Gaussian blob; the target is 200 points on a heart-shaped curve. Each step
computes the exact EMD (uniform weights, euclidean ground distance) with
:func:`emdkit.nn.point_cloud_emd_loss` and moves the points along its gradient
Σ_j f_ij (x_i − y_j)/|x_i − y_j| with Adam. Equal sizes and uniform weights make each step an
assignment problem, so the loss is the mean distance from each point to its matched target point.
The figure shows the cloud at a few steps (grey: target, blue: the moving points) and the loss.
An existing file is never overwritten unless ``--overwrite`` is given.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import torch

from emdkit.nn import WarmStarts, point_cloud_emd_loss

N_POINTS = 200
STEPS = 150
LEARNING_RATE = 0.03
SHOWN_STEPS = (0, 10, 40, STEPS)


def heart(n: int) -> torch.Tensor:
    """n points along the classic heart curve, scaled to about [-1, 1]²."""
    t = torch.linspace(0, 2 * math.pi, n + 1, dtype=torch.float64)[:-1]
    x = 16 * torch.sin(t) ** 3
    y = 13 * torch.cos(t) - 5 * torch.cos(2 * t) - 2 * torch.cos(3 * t) - torch.cos(4 * t)
    return torch.stack([x, y], dim=1) / 16


def descend(target: torch.Tensor, seed: int = 0, warm_start: bool = False,
            n_points: int | None = None):
    """Adam on n_points points (default: as many as the target) toward ``target``; with
    ``warm_start`` each step's EMD starts from the previous step's optimum (same values)."""
    gen = torch.Generator().manual_seed(seed)
    shape = (n_points or target.shape[0], target.shape[1])
    points = (0.3 * torch.randn(shape, generator=gen, dtype=torch.float64)).requires_grad_()
    opt = torch.optim.Adam([points], lr=LEARNING_RATE)
    warm = WarmStarts() if warm_start else None
    snapshots, losses = {}, []
    for step in range(STEPS + 1):
        if step in SHOWN_STEPS:
            snapshots[step] = points.detach().clone()
        loss = point_cloud_emd_loss(points, target, warm_start=warm)
        losses.append(loss.item())
        if step == STEPS:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    return snapshots, losses


def plot(target, snapshots, losses, out: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(snapshots) + 1, figsize=(3.2 * (len(snapshots) + 1), 3.4))
    for ax, (step, pts) in zip(axes, snapshots.items()):
        ax.scatter(target[:, 0], target[:, 1], s=6, c="0.75", label="target")
        ax.scatter(pts[:, 0], pts[:, 1], s=6, c="tab:blue", label="points")
        ax.set_title(f"step {step}: EMD {losses[step]:.3f}")
        ax.set_aspect("equal")
        ax.set_xlim(-1.4, 1.4)
        ax.set_ylim(-1.4, 1.2)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0].legend(loc="lower left", fontsize=7)
    axes[-1].plot(losses)
    axes[-1].set_yscale("log")
    axes[-1].set_xlabel("step")
    axes[-1].set_title("exact EMD (coordinate units)")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("pointcloud_descent.png"),
                    help="PNG to write (default: ./pointcloud_descent.png)")
    ap.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    ap.add_argument("--warm-start", action="store_true",
                    help="start each step's EMD from the previous optimum (same values)")
    args = ap.parse_args(argv)
    if args.out.exists() and not args.overwrite:
        print(f"error: {args.out} exists; pass --overwrite to replace it", file=sys.stderr)
        return 2
    target = heart(N_POINTS)
    snapshots, losses = descend(target, warm_start=args.warm_start)
    plot(target, snapshots, losses, args.out)
    print(f"wrote {args.out}: exact EMD {losses[0]:.4f} at step 0, {losses[-1]:.4f} at step "
          f"{STEPS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
