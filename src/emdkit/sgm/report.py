"""Report helpers for the experiments: slope fits, Markdown tables, CSV, figures (matplotlib Agg)."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np


@dataclass
class Section:
    """One experiment's part of reports/sgm/README.md.

    tests : checks that could fail (a measurement against a rule stated before the run).
    identities : checks that hold by construction (closed forms, decompositions); they guard
        the code, not the theory, and are listed apart.
    """
    key: str
    title: str
    body: str
    seconds: float = 0.0
    tests: dict[str, bool] = field(default_factory=dict)
    identities: dict[str, bool] = field(default_factory=dict)

    @property
    def checks(self) -> dict[str, bool]:
        """Tests and identities together (identities prefixed), for the CLI's PASS/FAIL lines."""
        return {**self.tests, **{f"identity: {k}": v for k, v in self.identities.items()}}


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


def _tidy_log_axis(axis, lo: float, hi: float) -> None:
    """Plain-number labels on a log axis, majors only: matplotlib labels minor ticks when an
    axis spans less than a decade, and those labels overlap."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    decades = np.log10(hi / lo)
    subs = (1.0,) if decades > 2.5 else (1.0, 2.0, 5.0) if decades > 0.9 else (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)
    axis.set_major_locator(LogLocator(base=10, subs=subs))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def save(fig, path: Path) -> str:
    for ax in fig.axes:
        if ax.get_xscale() == "log":
            _tidy_log_axis(ax.xaxis, *sorted(ax.get_xlim()))
        if ax.get_yscale() == "log":
            _tidy_log_axis(ax.yaxis, *sorted(ax.get_ylim()))
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")  # tight: no label is cut off
    import matplotlib.pyplot as plt
    plt.close(fig)
    return path.name


def guide_line(ax, x, y, slope: float, label: str, log_x: bool = True, style: str = ":",
               data_x=None, data_y=None) -> None:
    """A grey guide line of fixed slope whose level is fitted to data (least squares in log y).

    log_x : slope in log y per log x (power law) or, if False, per unit x (exponential e^{slope·x}).
    The level is fitted to (data_x, data_y) when given, else to (x, y); the line is drawn over x.
    """
    x = np.asarray(x, float)
    fx = np.asarray(x if data_x is None else data_x, float)
    fy = np.asarray(y if data_y is None else data_y, float)
    if fx.shape != fy.shape or fx.size == 0:
        raise ValueError("guide_line needs matching, non-empty data to fit its level")
    basis = np.log if log_x else (lambda v: v)
    level = float(np.mean(np.log(fy) - slope * basis(fx)))
    ax.plot(x, np.exp(level + slope * basis(x)), style, color="grey", label=label)


PAPER_CONSTANTS_NOTE = (
    "**The theorem's constants.** The seed text (`seeds/002`, a Japanese summary of Bruno & "
    "Sabanis, arXiv 2505.03432) states the bound's form — O(√d), order one in γ, an "
    "e^{−T}-type horizon term, a √ε_SN score term — but no constants, and the paper itself is "
    "not available offline here. The bound is therefore *not* evaluated next to the "
    "measurements: every comparison below is with the bound's rate (slope), not its value.")


def write_readme(out: Path, sections: list[Section], quick: bool,
                 command: str = "PYTHONPATH=src python -m emdkit sgm all --out reports/sgm") -> Path:
    """reports/sgm/README.md: identities and tests listed apart, wall time, reproducing command."""
    import os
    import platform
    total = sum(s.seconds for s in sections)

    def lines(kind):
        if quick:  # a smoke run is too small for any check to mean anything: no ✅, no ❌
            return "Not evaluated: a --quick run is too small for the checks to mean anything."
        return "\n".join(f"- {'✅' if ok else '❌'} {k}" for s in sections
                         for k, ok in getattr(s, kind).items()) or "- (none)"
    timing = "\n".join(f"| {s.key} | {s.seconds:.1f} |" for s in sections)
    n_tests = sum(len(s.tests) for s in sections)
    n_failed = sum(not ok for s in sections for ok in s.tests.values())
    text = f"""# W2 convergence of score-based generative models — emdkit sgm

Reproduce: `{command}`{" --quick (this is a QUICK smoke run: the numbers are not meaningful)" if quick else ""}
(wall time below).

Setting (Bruno & Sabanis, arXiv 2505.03432): forward OU dX = −X dt + √2 dW, reverse
Euler–Maruyama Y_{{k+1}} = Y_k + γ(Y_k + 2 s(T − kγ, Y_k)) + √(2γ) Z_{{k+1}}, Y₀ ~ N(0, I_d), run
until the early stop ε. The theorem bounds W2(law(Y_K), π) by O(√d)·(γ + e^{{−T}}-type + √ε) plus a
score term. Each experiment isolates one term; where sampling floors would hide it we measure W2
through exact laws (Gaussian oracle) or synchronous couplings (upper bounds with no floor).

{PAPER_CONSTANTS_NOTE}

## Tests (could fail; each rule was fixed before the run and is stated in its section)

{"" if quick else f"{n_tests - n_failed} of {n_tests} pass."}

{lines("tests")}

## Identities (hold by construction; they check the code, not the theory)

{lines("identities")}

## Wall time

All {len(sections)} experiments: **{total:.0f} s ({total / 60:.1f} min)** of wall time, measured on a
*shared* machine ({os.cpu_count()} CPU cores, {platform.processor() or platform.machine()}, other jobs
running; 1-minute load average when the run ended: {os.getloadavg()[0]:.1f}); a quiet machine is faster.

| experiment | seconds |
|---|---|
{timing}

""" + "\n".join(f"## {s.title}\n\n{s.body}" for s in sections)
    path = out / "README.md"
    path.write_text(text)
    return path
