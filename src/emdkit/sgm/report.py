"""Report helpers for the experiments: slope fits, Markdown tables, CSV, figures (matplotlib Agg)."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np


@dataclass
class Section:
    """One experiment's part of reports/sgm/README.md."""
    key: str
    title: str
    body: str
    seconds: float = 0.0
    checks: dict[str, bool] = field(default_factory=dict)


def loglog_slope(x: Sequence[float], y: Sequence[float]) -> float:
    """Least-squares slope of log y against log x."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 2 or np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("loglog_slope needs >= 2 positive points")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def log_rate(x: Sequence[float], y: Sequence[float]) -> float:
    """Least-squares slope of log y against x (an exponential rate); nan with < 2 points."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    return float(np.polyfit(x, np.log(y), 1)[0]) if len(x) > 1 else float("nan")


def markdown_table(rows: list[dict], floatfmt: str = ".4g") -> str:
    if not rows:
        return ""
    keys = list(rows[0])

    def fmt(v):
        if isinstance(v, (float, np.floating)):
            return format(float(v), floatfmt)
        return str(v)
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(fmt(r[k]) for k in keys) + " |" for r in rows]
    return "\n".join(lines)


def write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def figure(ncols: int = 1, width: float = 5.2, height: float = 3.9):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), squeeze=False)
    return fig, axes[0]


def save(fig, path: Path) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    import matplotlib.pyplot as plt
    plt.close(fig)
    return path.name


def reference_line(ax, x, y_at_first, slope, label):
    """A dotted guide line of the given log-log slope through (x[0], y_at_first)."""
    x = np.asarray(x, float)
    ax.plot(x, y_at_first * (x / x[0]) ** slope, ":", color="grey", label=label)
