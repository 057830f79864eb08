"""The multiscale path against the single-level point-cloud path, interleaved in one process.

Run:  .venv/bin/python bench/multiscale_vs_single.py [--n 64] [--classes all]

DOTmark-like image pairs (bench/dotmark.py), squared Euclidean, on the cell centres: for
each class, signature_emd with method="multiscale" then method="pointcloud"; wall and CPU
seconds, pivots, and the relative difference of the two certified values.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dotmark import CLASSES, generate  # noqa: E402

import emdkit  # noqa: E402


def timed(fn):
    t, c = time.perf_counter(), time.process_time()
    r = fn()
    return r, time.perf_counter() - t, time.process_time() - c


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--classes", nargs="+", default=["all"])
    args = ap.parse_args(argv)
    classes = CLASSES if args.classes == ["all"] else args.classes
    cells = np.indices((args.n, args.n)).reshape(2, -1).T.astype(float)
    print(f"| class | multiscale s (CPU s) | pivots | single level s (CPU s) | pivots | "
          f"single/multi CPU | values differ | load |\n|---|---:|---:|---:|---:|---:|---:|---:|")
    for cls in classes:
        a, b = generate(cls, args.n, 0).ravel(), generate(cls, args.n, 1).ravel()
        load = os.getloadavg()[0]
        rm, wm, cm = timed(lambda: emdkit.signature_emd(cells, a, cells, b, "sqeuclidean",
                                                        method="multiscale"))
        rs, ws, cs = timed(lambda: emdkit.signature_emd(cells, a, cells, b, "sqeuclidean",
                                                        method="pointcloud"))
        rel = abs(rm.work - rs.work) / rs.work
        print(f"| {cls} | {wm:.2f} ({cm:.2f}) | {rm.n_iter} | {ws:.2f} ({cs:.2f}) | {rs.n_iter} "
              f"| {cs / cm:.1f} | {rel:.0e} | {load:.1f} |", flush=True)


if __name__ == "__main__":
    main()
