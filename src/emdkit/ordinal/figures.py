"""PNG figures of the sweep report (matplotlib, Agg backend)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

METHOD_COLOURS = {"ce": "#444444", "emd2": "#d62728", "ce+emd2": "#ff7f0e", "learned-gd": "#1f77b4",
                  "perm-gd": "#9467bd", "const-gd": "#8c564b", "sord": "#2ca02c", "sord-a0.25": "#17becf",
                  "sord-a4": "#bcbd22"}


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _save(fig, path: Path) -> Path:
    fig.savefig(path, dpi=110)
    _plt().close(fig)
    return path


def learning_curves(methods: dict, task: str, out: Path, ordered: bool = True) -> Path:
    """Test MAE and test accuracy per epoch, mean over seeds with a min-max band.

    Solid: the EMA weights (the reported numbers) where the runs have them; CE's last-step
    weights are drawn dashed beside them, to show what the average smooths.
    """
    from .methods import METHOD_LABELS
    plt = _plt()
    has_ema = all("ema_mae" in r.history[-1] for runs in methods.values() for r in runs)
    prefix = "ema_" if has_ema else "test_"
    n_epochs = min(len(r.history) for runs in methods.values() for r in runs)
    zoom_from = max(1, (2 * n_epochs) // 3)  # the last third, where the methods separate
    # classes without order: accuracy only (their MAE measures nothing)
    main = ("mae", "test MAE (class steps)") if ordered else ("accuracy", "test accuracy")
    panels = [(main[0], main[1], 0), (main[0], main[1].split(" (")[0] + ", last third (zoom)", zoom_from)]
    if ordered:
        panels.append(("accuracy", "test accuracy", 0))
    fig, axes = plt.subplots(1, len(panels), figsize=(4.7 * len(panels), 3.8))
    for ax, (name, label, first) in zip(axes, panels):
        key = prefix + name
        if has_ema and "ce" in methods:
            raw = np.array([[row["test_" + name] for row in r.history[:n_epochs]] for r in methods["ce"]])
            ax.plot(np.arange(first + 1, n_epochs + 1), raw.mean(axis=0)[first:], color=METHOD_COLOURS["ce"],
                    lw=1, ls="--", label="cross-entropy, last-step weights")
        for method, runs in methods.items():
            curves = np.array([[row[key] for row in r.history[:n_epochs]] for r in runs])[:, first:]
            epochs = np.arange(first + 1, n_epochs + 1)
            colour = METHOD_COLOURS.get(method)
            ax.plot(epochs, curves.mean(axis=0), label=METHOD_LABELS[method], color=colour, lw=1.8)
            if first == 0:  # bands would hide the differences in the zoom
                ax.fill_between(epochs, curves.min(axis=0), curves.max(axis=0), color=colour, alpha=0.15)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    axes[-1].legend(fontsize=8, loc="lower right")
    what = "EMA weights" if has_ema else "last-step weights"
    fig.suptitle(f"{task}: learning curves, {what} (mean over seeds; band = min–max; zoom without bands)",
                 fontsize=11)
    fig.tight_layout()
    path = out / f"curves_{task}.png"
    return _save(fig, path)


def confusion_matrices(methods: dict, task: str, out: Path, ordered: bool = True) -> Path:
    """Row-normalised test confusion matrices of the first seed, one panel per method."""
    from .methods import METHOD_LABELS
    plt = _plt()
    n = len(methods)
    fig, axes = plt.subplots(1, n, figsize=(3.1 * n, 3.9), squeeze=False)
    for ax, (method, runs) in zip(axes[0], methods.items()):
        m = np.asarray(runs[0].confusion, dtype=float)
        m = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
        ax.imshow(m, cmap="Blues", vmin=0, vmax=1)
        measure = ("MAE", runs[0].metrics["mae"]) if ordered else ("accuracy", runs[0].metrics["accuracy"])
        ax.set_title(f"{METHOD_LABELS[method]}\nseed {runs[0].spec.seed}, {measure[0]} {measure[1]:.3f}",
                     fontsize=8.5)
        ax.set_xlabel("predicted class", fontsize=8)
        ax.set_ylabel("true class", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle(f"{task}: confusion matrices (rows normalised)", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    path = out / f"confusion_{task}.png"
    return _save(fig, path)


def ground_distance(runs: list, task: str, out: Path) -> Path:
    """The learned D of the first run beside |i - j|, and rho(D, |i - j|) per epoch for every seed."""
    from .evaluate import ground_distance_spearman
    plt = _plt()
    run = runs[0]
    D = np.asarray(run.ground_distance, dtype=float)
    k = D.shape[0]
    ref = np.abs(np.subtract.outer(np.arange(k), np.arange(k))).astype(float)
    fig, axes = plt.subplots(1, 3, figsize=(12.5, 3.8), gridspec_kw={"width_ratios": [1, 1, 1.15]})
    shown = D.copy()
    np.fill_diagonal(shown, np.nan)  # the diagonal is a convention, not learned: drawn blank
    for ax, mat, title in [(axes[0], shown, f"learned D (seed {run.spec.seed}, last epoch; diagonal blank)"),
                           (axes[1], ref, "|i − j| (true order)")]:
        im = ax.imshow(mat, cmap="viridis")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("class j")
        ax.set_ylabel("class i")
        fig.colorbar(im, ax=ax, fraction=0.046)
    for r in runs:
        rhos = r.method_info.get("gd_spearman_per_epoch", [])
        epochs = np.asarray(r.method_info.get("gd_epochs", []), dtype=int) + 1
        axes[2].plot(epochs, rhos, marker="o", ms=3, label=f"seed {r.spec.seed}")
    axes[2].axhline(0.8, color="grey", ls="--", lw=1, label="ρ = 0.8")
    axes[2].set_ylim(-1.05, 1.05)
    axes[2].set_xlabel("epoch")
    axes[2].set_ylabel("Spearman ρ(D, |i − j|)")
    axes[2].set_title("order recovered during training", fontsize=9)
    axes[2].grid(alpha=0.3)
    axes[2].legend(fontsize=7, loc="lower right")
    fig.suptitle(f"{task}: Spearman ρ(D, |i − j|) = {ground_distance_spearman(D):.3f} "
                 f"(off-diagonal, seed {run.spec.seed})", fontsize=11)
    fig.tight_layout()
    path = out / f"ground_distance_{task}.png"
    return _save(fig, path)


def forest(found: dict, tasks: list[str], challengers, out: Path) -> Path | None:
    """Δ MAE vs CE per task and challenger: bootstrap interval (bar) and the seed mean (dot).

    Filled dots are the cells the decision rule calls 'beats' or 'worse'. None when no ordered
    task has a challenger to compare (a sweep of unordered tasks only).
    """
    from .methods import METHOD_LABELS
    REFERENCE = "ce"
    tasks = [t for t in tasks if any((t, REFERENCE, c, "mae") in found for c in challengers)]
    if not tasks:
        return None
    plt = _plt()
    fig, axes = plt.subplots(1, len(tasks), figsize=(3.3 * len(tasks) + 1.6, 3.8), sharey=True, squeeze=False)
    for ax, task in zip(axes[0], tasks):
        for row, ch in enumerate(challengers):
            c = found.get((task, REFERENCE, ch, "mae"))
            if c is None:
                continue
            colour = METHOD_COLOURS.get(ch, "k")
            ax.plot(c.ci, [row, row], color=colour, lw=2.2)
            decided = c.verdict in ("beats", "worse")
            ax.plot([c.delta], [row], "o", color=colour, mfc=colour if decided else "white", ms=6)
        ax.axvline(0, color="grey", lw=1)
        ax.set_title(task, fontsize=10)
        ax.set_xlabel("Δ MAE vs CE (class steps)", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(plt.MaxNLocator(4))
        ax.grid(alpha=0.3, axis="x")
    axes[0][0].set_yticks(range(len(challengers)))
    axes[0][0].set_yticklabels([METHOD_LABELS[c] for c in challengers], fontsize=8)
    axes[0][0].invert_yaxis()
    fig.suptitle("Δ MAE against cross-entropy (mean over seeds, bar = 95% bootstrap interval over test "
                 "examples)\nfilled dot = verdict 'beats' or 'worse' under the stated rule", fontsize=9.5)
    fig.tight_layout()
    return _save(fig, out / "forest_mae.png")
