"""Old (Numba) against new (compiled) engine on the point-cloud and 1-D paths, alternating.

Run:  .venv/bin/python bench/engine_ab_pointcloud.py [--sizes 2000 10000] [--repeat 3]
      [--line-size 100000] [--dims 2 3] [--metrics sqeuclidean euclidean]

Each point-cloud solve is bench/run_pointcloud.py's (a fresh process, uniform clouds, one
warm-up solve first), run with EMDKIT_ENGINE=numba and =native in turn, ``--repeat`` times;
the table gives the median seconds, the ratio native/numba (< 1: the compiled engine is
faster), the larger peak RSS of each, and whether the two works are bit-identical. The 1-D rows
time ``wasserstein_1d`` (p = 1 weighted, p = 2 unweighted) and the monotone ``signature_emd``
path: the median of ``--line-repeat`` calls after a warm-up call in one process, and the median
of that over ``--repeat`` processes per engine, alternating.
Nothing is written: the lines printed are the results (paste them into bench/RESULTS*.md with
the machine's load).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENGINES = ("numba", "native")

LINE_CHILD = r'''
import json, sys, time, statistics
import numpy as np
import emdkit
n, reps = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
u, v, uw, vw = rng.normal(size=n), rng.normal(1, 2, size=n), rng.random(n), rng.random(n)
a, b = uw / uw.sum(), vw / vw.sum()
calls = {
    "wasserstein_1d p=1 weighted": lambda: emdkit.wasserstein_1d(u, v, uw, vw),
    "wasserstein_1d p=2": lambda: emdkit.wasserstein_1d(u, v, p=2),
    "signature_emd 1-D sqeuclidean (monotone)":
        lambda: emdkit.signature_emd(u[:, None], a, v[:, None], b, "sqeuclidean").work,
}
out = {}
for name, call in calls.items():
    value = call()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter(); call(); times.append(time.perf_counter() - t0)
    out[name] = {"seconds": statistics.median(times), "value": float(value).hex()}
print(json.dumps(out))
'''


def line_rows(n: int, reps: int, processes: int) -> dict:
    """Per call: per engine, the median over ``processes`` alternating processes of each
    process's median time (a loaded machine moves whole processes between fast and slow)."""
    times, values = {}, {}
    for _ in range(processes):
        for engine in ENGINES:
            done = subprocess.run([sys.executable, "-c", LINE_CHILD, str(n), str(reps)],
                                  env=dict(os.environ, EMDKIT_ENGINE=engine),
                                  capture_output=True, text=True, check=True)
            for name, cell in json.loads(done.stdout).items():
                times.setdefault(name, {}).setdefault(engine, []).append(cell["seconds"])
                values.setdefault(name, set()).add(cell["value"])
    return {name: ({e: statistics.median(t) for e, t in per.items()}, len(values[name]) == 1)
            for name, per in times.items()}


def main(argv=None) -> int:
    sys.path.insert(0, str(HERE))
    from run_core import machine
    from run_pointcloud import run

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[2000, 10000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--line-size", type=int, default=100_000)
    ap.add_argument("--line-repeat", type=int, default=21)
    ap.add_argument("--dims", type=int, nargs="+", default=[2, 3])
    ap.add_argument("--metrics", nargs="+", default=["sqeuclidean", "euclidean"])
    args = ap.parse_args(argv)
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f} at the start.")
    print("| problem | numba (s) | native (s) | native/numba | peak MB numba / native | "
          "same work |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for n in args.sizes:
        for dim in args.dims:
            for metric in args.metrics:
                cells = {engine: [] for engine in ENGINES}
                for _ in range(args.repeat):
                    for engine in ENGINES:
                        os.environ["EMDKIT_ENGINE"] = engine
                        cells[engine].append(run(n, dim, metric, "emdkit"))
                t = {e: statistics.median(c["seconds"] for c in cells[e]) for e in ENGINES}
                mb = {e: max(c["peak_mb"] for c in cells[e]) for e in ENGINES}
                same = len({c["value"] for e in ENGINES for c in cells[e]}) == 1
                print(f"| n={n:,} {dim}-D {metric} | {t['numba']:.3f} | {t['native']:.3f} | "
                      f"{t['native'] / t['numba']:.2f} | {mb['numba']:.0f} / {mb['native']:.0f} "
                      f"| {'yes' if same else 'NO'} |", flush=True)
    if args.line_size:
        for name, (t, same) in line_rows(args.line_size, args.line_repeat,
                                         args.repeat).items():
            print(f"| n={args.line_size:,} {name} | {t['numba']:.4f} | {t['native']:.4f} | "
                  f"{t['native'] / t['numba']:.2f} | | {'yes' if same else 'NO'} |", flush=True)
    print(f"Load average {os.getloadavg()[0]:.1f} at the end.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
