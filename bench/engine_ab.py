"""Per-call time of emd() on the Numba and the compiled engine, one engine per process.

Run:  python bench/engine_ab.py            (both engines, one after the other, and a table)
      EMDKIT_ENGINE=native python bench/engine_ab.py --one   (one engine, JSON lines)

Inputs: n random 2-D points a side, Euclidean costs, random positive weights (so no
assignment shortcut): n = 24 and 100 take the all-arcs block ("small"), 300 and 1000
candidate rounds. Each size is warmed up (Numba compiles or loads its cache) before timing;
the figure is the median over repeats. Values are checked equal between engines.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

SIZES = {24: 400, 100: 60, 300: 15, 1000: 5}  # n -> timed repeats


def problem(n: int):
    rng = np.random.default_rng(n)
    X, Y = rng.random((n, 2)), rng.random((n, 2))
    C = np.sqrt(((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1))
    return rng.random(n) + 0.1, rng.random(n) + 0.1, C


def run_one() -> None:
    import emdkit
    from emdkit.core.engine import engine_name
    for n, repeats in SIZES.items():
        a, b, C = problem(n)
        for _ in range(3):
            res = emdkit.emd(a, b, C)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            emdkit.emd(a, b, C)
            times.append(time.perf_counter() - t0)
        print(json.dumps({"engine": engine_name(), "n": n, "method": res.method,
                          "median_s": statistics.median(times), "work": res.work.hex()}),
              flush=True)


def main() -> None:
    if "--one" in sys.argv:
        run_one()
        return
    rows = {}
    for engine in ("numba", "native"):
        env = dict(os.environ, EMDKIT_ENGINE=engine)
        out = subprocess.run([sys.executable, __file__, "--one"], env=env, check=True,
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            r = json.loads(line)
            rows.setdefault(r["n"], {})[engine] = r
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print("| n | path | Numba | native | native/Numba | same work |")
    print("|---|---|---|---|---|---|")
    for n, r in rows.items():
        old, new = r["numba"], r["native"]
        print(f"| {n} | {old['method']} | {old['median_s'] * 1e3:.3f} ms | "
              f"{new['median_s'] * 1e3:.3f} ms | {new['median_s'] / old['median_s']:.2f} | "
              f"{old['work'] == new['work']} |")


if __name__ == "__main__":
    main()
