"""Table and log-log plot from bench/dotmark.py's CSV.

Run:  .venv/bin/python bench/dotmark_report.py [--csv bench/dotmark_raw.csv]
                                               [--plot bench/dotmark_time.png]
Prints a markdown table (one row per size, class and cost: emdkit and POT wall and CPU
seconds, peak MB, the value agreement and emdkit's checked dual violation) and draws the
median wall time over the classes against the points a side, per solver and cost.
"""
from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _f(x, fmt="{:.2f}"):
    return "—" if x in (None, "") else fmt.format(float(x))


def table(rows) -> str:
    by = defaultdict(dict)
    for r in rows:
        by[(int(r["n"]), r["class"], r["cost"])][r["solver"]] = r
    out = ["| n | class | cost | emdkit s (CPU s) | MB | POT s (CPU s) | MB | emdkit/POT | "
           "values agree | dual violation | gap | load |",
           "|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    for (n, cls, cost), d in sorted(by.items()):
        e, p = d.get("emdkit", {}), d.get("pot", {})
        def cell(r):
            if not r:
                return "not run", "—"
            if r.get("error"):
                return r["error"][:40], "—"
            return f"{_f(r['seconds'])} ({_f(r['cpu_seconds'])})", _f(r["peak_mb"], "{:.0f}")
        es, em = cell(e)
        ps, pm = cell(p)
        ratio = agree = "—"
        if e.get("value") and p.get("value"):
            ratio = _f(float(e["seconds"]) / float(p["seconds"]))
            rel = abs(float(e["value"]) - float(p["value"])) / abs(float(p["value"]))
            agree = f"{rel:.0e}"
        out.append(f"| {n}² | {cls} | {cost} | {es} | {em} | {ps} | {pm} | {ratio} | {agree} "
                   f"| {_f(e.get('dual_violation'), '{:.0e}')} | {_f(e.get('gap'), '{:.0e}')} "
                   f"| {_f(e.get('load') or p.get('load'), '{:.1f}')} |")
    return "\n".join(out)


def plot(rows, path: Path) -> None:
    """Median wall and CPU seconds over the classes against points a side, log-log."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    series = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r.get("value") and not r.get("error"):
            series[(r["solver"], r["cost"])][int(r["n"])].append(
                (float(r["seconds"]), float(r["cpu_seconds"])))
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    sides = sorted({n for pts in series.values() for n in pts})
    for col, (ax, what) in enumerate(zip(axes, ("wall seconds", "CPU seconds"))):
        for (solver, cost), pts in sorted(series.items()):
            ns = sorted(pts)
            ax.plot([n * n for n in ns], [np.median([t[col] for t in pts[n]]) for n in ns],
                    "o-" if solver == "emdkit" else "s--", label=f"{solver}, {cost}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks([n * n for n in sides], [f"{n}²" for n in sides])
        ax.minorticks_off()
        ax.set_xlabel("image size (points a side)")
        ax.set_ylabel(f"{what}, median over classes")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_title("wall (shared 2-core machine, load 11-16)")
    axes[1].set_title("CPU (what load does not inflate)")
    axes[1].legend()
    fig.suptitle("DOTmark-like images: exact OT, emdkit vs POT")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--csv", type=Path, default=HERE / "dotmark_raw.csv")
    ap.add_argument("--plot", type=Path, default=HERE / "dotmark_time.png")
    args = ap.parse_args(argv)
    with args.csv.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    print(table(rows))
    plot(rows, args.plot)


if __name__ == "__main__":
    main()
