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
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    series = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r.get("value") and not r.get("error"):
            series[(r["solver"], r["cost"])][int(r["n"]) ** 2].append(float(r["seconds"]))
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for (solver, cost), pts in sorted(series.items()):
        xs = sorted(pts)
        ax.plot(xs, [np.median(pts[x]) for x in xs], "o-" if solver == "emdkit" else "s--",
                label=f"{solver}, {cost}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("points a side (n²)")
    ax.set_ylabel("wall seconds, median over classes")
    ax.set_title("DOTmark-like images: exact OT")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


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
