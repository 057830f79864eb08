"""Old and new code on the same inputs, in one run: the cost of a change to the core.

Run:  .venv/bin/python bench/ab_versions.py OLD_SRC NEW_SRC [--rounds 3] [--repeats 5]

OLD_SRC and NEW_SRC are ``src`` folders of two checkouts (e.g. a ``git worktree add --detach``
of the base commit). Each round runs one worker process per version, alternating, so that a
change in the machine's load hits both alike; a worker warms its Numba cache (its own, beside
the checkout) with one call per case, then reports the median of ``--repeats`` calls per case.
We report, per case, the median over rounds of each version's medians, their ratio, and the
load average before and after. ``--only TEXT`` keeps the cases whose name contains TEXT. Cases: dense ``emd`` at n = 1000 (2-D uniform clouds, euclidean:
candidate rounds) and n = 150 (one block), and ``signature_emd`` point clouds at n = 1000 and
n = 10,000 (the matrix-free path).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

WORKER = r"""
import json, statistics, sys, time
import numpy as np
import emdkit

def clouds(n, seed):
    rng = np.random.default_rng(seed)
    return rng.random((n, 2)), rng.random(n) + 0.5, rng.random((n, 2)), rng.random(n) + 0.5

def dense(n):
    X, a, Y, b = clouds(n, n)
    C = emdkit.ground_distance(X, Y)
    return lambda: emdkit.emd(a, b, C).distance

def cloud(n):
    X, a, Y, b = clouds(n, n + 1)
    return lambda: emdkit.signature_emd(X, a, Y, b, method="pointcloud").distance

cases = {"dense n=1000": dense(1000), "dense n=150": dense(150),
         "point cloud n=1000": cloud(1000), "point cloud n=10000": cloud(10000)}
repeats = int(sys.argv[1])
out = {}
for name, fn in cases.items():
    if sys.argv[2] not in name:
        continue
    value = fn()  # warm-up (and compile on a cold cache)
    times = []
    for _ in range(repeats if "10000" not in name else max(1, repeats // 2)):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    out[name] = [statistics.median(times), value]
print(json.dumps(out))
"""


def run_worker(src: Path, repeats: int, only: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src), NUMBA_CACHE_DIR=str(src.parent / ".numba-cache"))
    proc = subprocess.run([sys.executable, "-c", WORKER, str(repeats), only], env=env,
                          check=True, capture_output=True, text=True)
    return json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--only", default="", help="the cases whose name contains this text")
    args = ap.parse_args()
    load_before = os.getloadavg()
    runs = {"old": [], "new": []}
    for _ in range(args.rounds):
        for name, src in (("old", args.old), ("new", args.new)):
            runs[name].append(run_worker(src.resolve(), args.repeats, args.only))
    load_after = os.getloadavg()
    print(f"load average (1, 5, 15 min): before {load_before}, after {load_after}; "
          f"{os.cpu_count()} CPUs; {args.rounds} rounds × {args.repeats} calls")
    print("| case | old (ms) | new (ms) | new / old | same value |")
    print("|---|---|---|---|---|")
    for case in runs["old"][0]:
        old = statistics.median(r[case][0] for r in runs["old"]) * 1e3
        new = statistics.median(r[case][0] for r in runs["new"]) * 1e3
        same = runs["old"][0][case][1] == runs["new"][0][case][1]
        print(f"| {case} | {old:.1f} | {new:.1f} | {new / old:.2f} | {same} |")


if __name__ == "__main__":
    main()
