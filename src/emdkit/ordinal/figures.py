"""The ordinal report's figure (matplotlib, Agg backend): Δ MAE against CE with seed-level
intervals, from the report's test rows (:func:`emdkit.ordinal.report.family`)."""
from __future__ import annotations

from pathlib import Path

from .methods import METHOD_LABELS

METHOD_COLOURS = {"ce": "#444444", "emd2": "#d62728", "ce+emd2": "#ff7f0e", "learned-gd": "#1f77b4",
                  "perm-gd": "#9467bd", "const-gd": "#8c564b", "sord": "#2ca02c", "sord-a0.25": "#17becf",
                  "sord-a4": "#bcbd22"}
FIGURE = "forest_mae.png"


def forest(tests: list[dict], out: Path) -> str | None:
    """Δ MAE vs CE per task (and the blur interaction): seed-level 95% t-interval (bar) and the
    mean (dot); filled dots are the tests the report calls 'beats' or 'worse' after Holm.
    None when there is no MAE test against CE."""
    rows = [t for t in tests if t["measure"] == "mae" and t["b"] == "ce"]
    panels = list(dict.fromkeys(t["task"] for t in rows))
    if not panels:
        return None
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    methods = list(dict.fromkeys(t["a"] for t in rows))
    fig, axes = plt.subplots(1, len(panels), figsize=(3.0 * len(panels) + 1.6, 0.45 * len(methods) + 1.8),
                             sharey=True, squeeze=False)
    for ax, task in zip(axes[0], panels):
        for t in (t for t in rows if t["task"] == task):
            y, colour = methods.index(t["a"]), METHOD_COLOURS.get(t["a"], "k")
            ax.plot(t["t_ci"], [y, y], color=colour, lw=2.2)
            decided = t["verdict"] in ("**beats**", "**worse**")
            ax.plot([t["delta"]], [y], "o", color=colour, mfc=colour if decided else "white", ms=6)
        ax.axvline(0, color="grey", lw=1)
        ax.set_title(task, fontsize=9)
        ax.set_xlabel("Δ MAE (class steps)", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3, axis="x")
    axes[0][0].set_yticks(range(len(methods)))
    axes[0][0].set_yticklabels([METHOD_LABELS[m] for m in methods], fontsize=8)
    axes[0][0].invert_yaxis()
    fig.suptitle("Δ MAE against cross-entropy, last step\nbar: 95% t-interval over seeds; "
                 "filled: significant after Holm", fontsize=9)
    fig.tight_layout()
    fig.savefig(Path(out) / FIGURE, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return FIGURE
