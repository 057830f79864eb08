"""Point-cloud benchmark (issue: large-scale exact EMD without the dense cost matrix).

Run:  .venv/bin/python bench/run_pointcloud.py [--sizes 4000 10000 20000] [--pot-max 10000]

Exact W2² (sqeuclidean) and W1 (euclidean) between uniform point clouds in 2-D and 3-D, timed in
one run beside POT's dense ``ot.emd2`` on the same points. POT needs the n×n float64 matrix
(3.2 GB at n = 20,000), so it runs up to ``--pot-max``. Each solve runs in a fresh subprocess so
that its peak memory (ru_maxrss) is its own; we report wall time, peak RSS, the relative
difference to POT and the ratio emdkit/POT (< 1: emdkit is faster).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from _output import add_out_arguments, refuse_existing_out  # bench/ is sys.path[0]

HERE = Path(__file__).resolve().parent

CHILD = r'''
import json, resource, sys, time
import numpy as np
n, dim, metric, who, seed = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
rng = np.random.default_rng(seed)
X, Y = rng.random((n, dim)), rng.random((n, dim))
w = np.full(n, 1.0 / n)
if who == "emdkit":
    import emdkit
    emdkit.signature_emd(X[:50], w[:50], Y[:50], w[:50], metric, method="pointcloud")  # load cache
    t0 = time.perf_counter()
    r = emdkit.signature_emd(X, w, Y, w, metric)
    value, extra = r.work, {"method": r.method, "pivots": r.n_iter}
else:
    import ot
    from scipy.spatial.distance import cdist
    t0 = time.perf_counter()
    value, extra = float(ot.emd2(w, w, cdist(X, Y, metric), numItermax=10**9)), {}
elapsed = time.perf_counter() - t0
print(json.dumps({"seconds": elapsed, "value": value,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}))
'''


def run(n, dim, metric, who, seed=0):
    out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(dim), metric, who, str(seed)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1]}
    return json.loads(out.stdout)


def main(argv=None):
    from run_core import machine
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[4000, 10000, 20000])
    ap.add_argument("--pot-max", type=int, default=10000)
    add_out_arguments(ap, HERE / "RESULTS_pointcloud.md")
    ap.add_argument("--note", default="")
    args = ap.parse_args(argv)
    refuse_existing_out(args)
    lines = ["# Point-cloud benchmark: exact EMD without the dense matrix", "",
             f"Machine: {machine()}. {args.note}", "",
             "Command: `.venv/bin/python bench/run_pointcloud.py`. One solve per cell, each in "
             "its own process (peak RSS is that process's). W2² = sqeuclidean work, W1 = "
             "euclidean work, uniform weights 1/n, points uniform in the unit cube.", "",
             "| problem | emdkit (s) | peak MB | POT ot.emd2 (s) | POT peak MB | emdkit/POT | rel. diff |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for n in args.sizes:
        for dim in (2, 3):
            for metric in ("sqeuclidean", "euclidean"):
                ours = run(n, dim, metric, "emdkit")
                pot = run(n, dim, metric, "pot") if n <= args.pot_max else None
                name = f"n={n:,} {dim}-D {'W2²' if metric == 'sqeuclidean' else 'W1'}"
                if "error" in ours:
                    row = f"| {name} | error: {ours['error']} | | | | | |"
                elif pot is None or "error" in pot:
                    why = "not run (dense matrix)" if pot is None else pot["error"]
                    row = (f"| {name} | {ours['seconds']:.2f} | {ours['peak_mb']:.0f} | {why} "
                           f"| | | |")
                else:
                    rel = abs(ours["value"] - pot["value"]) / pot["value"]
                    row = (f"| {name} | {ours['seconds']:.2f} | {ours['peak_mb']:.0f} | "
                           f"{pot['seconds']:.2f} | {pot['peak_mb']:.0f} | "
                           f"{ours['seconds'] / pot['seconds']:.2f} | {rel:.1e} |")
                print(row, flush=True)
                lines.append(row)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main())
