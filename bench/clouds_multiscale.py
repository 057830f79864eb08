"""Large uniform clouds with random weights: the multiscale path at 10^5 points (issue 23).

Run:  .venv/bin/python bench/clouds_multiscale.py --n 100000 --dim 2 [--seed 0]

One solve in this process: wall and CPU seconds, peak RSS, pivots, the certificate's gap and
an independent check of the returned duals in numpy on 2,048 random rows against every
column (max (u_i + v_j − c_ij) relative to the largest cost; Σ a u + Σ b v against the work).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import time

import numpy as np

import emdkit

CHECK_ROWS = 2048


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--dim", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--progress", action="store_true")
    args = ap.parse_args(argv)
    rng = np.random.default_rng([args.seed, args.n, args.dim])
    X, Y = rng.random((args.n, args.dim)), rng.random((args.n, args.dim))
    a, b = rng.random(args.n), rng.random(args.n)
    a, b = a / a.sum(), b / b.sum()
    load = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    r = emdkit.signature_emd(X, a, Y, b, "sqeuclidean", progress=args.progress)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = np.sort(rng.choice(args.n, CHECK_ROWS, replace=False))
    c = ((X[rows, None, :] - Y[None, :, :]) ** 2).sum(-1)
    violation = float((r.u[rows, None] + r.v[None, :] - c).max()) / args.dim
    dual_gap = abs(float(a @ r.u + b @ r.v) - r.work) / r.work
    print(json.dumps({"n": args.n, "dim": args.dim, "seconds": wall, "cpu_seconds": cpu,
                      "peak_mb": peak, "method": r.method, "pivots": r.n_iter, "gap": r.gap,
                      "value": r.distance, "dual_violation": violation, "dual_gap": dual_gap,
                      "load_before": load, "load_after": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
