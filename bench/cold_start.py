"""Cold start: the first call of each path in a fresh process, Numba engine against the compiled one.

Run:  .venv/bin/python bench/cold_start.py [--out bench/RESULTS_cold.md] [--repeats 3]

Each cell is a fresh Python process that imports emdkit and makes one first call. The child
times itself: ``import`` (importing emdkit and what the path needs, torch excepted) and the
``first call`` after it. Three columns:

* Numba, cold: ``EMDKIT_ENGINE=numba`` with an empty ``NUMBA_CACHE_DIR`` (what a new install, an
  upgrade, a CI runner or a container paid before the compiled engine);
* Numba, warm: the same on the cache the cold run left (every later process paid that);
* compiled: the default engine, nothing to compile or load from a cache.

Medians over ``--repeats`` processes (the cold Numba column runs once: each run compiles for
30-50 s). The issue's budget: import <= 0.3 s and each first call <= 0.5 s beyond import.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

SETUP = "import numpy as np; r = np.random.default_rng(0)"
# (label, code run before the clock starts (imports the path needs, not emdkit), first call)
PATHS = {
    "README example (1×3)": ("", "emdkit.emd([2.0], [1.0, 1.0, 5.0], [[1.0, 3.0, 10.0]])"),
    "emd 50×40 random": (SETUP + "; a, b, C = r.random(50), r.random(40), r.random((50, 40))",
                         "emdkit.emd(a, b, C)"),
    "emd 300×300": (SETUP + "; X, Y = r.random((300, 2)), r.random((300, 2)); "
                    "a, b = r.random(300), r.random(300)",
                    "emdkit.emd(a, b, emdkit.ground_distance(X, Y))"),
    "signature_emd, 3,000-point clouds": (
        SETUP + "; X, Y = r.random((3000, 2)), r.random((3000, 2)); w = np.ones(3000)",
        "emdkit.signature_emd(X, w, Y, w, 'sqeuclidean')"),
    "emd_batch 16 × 64×64": (SETUP + "; A, B, C = r.random((16, 64)), r.random((16, 64)), "
                              "r.random((16, 64, 64))", "emdkit.emd_batch(A, B, C)"),
    "pairwise_emd, 20 signatures": (
        SETUP + "; S = [(r.random((10, 3)), r.random(10)) for _ in range(20)]",
        "emdkit.pairwise_emd(S)"),
    "wasserstein_1d, 10^5 points": (SETUP + "; x, y = r.random(100000), r.random(100000)",
                                    "emdkit.wasserstein_1d(x, y)"),
    "grid_emd 32×32": (SETUP + "; a, b = r.random((32, 32)), r.random((32, 32))",
                       "emdkit.grid_emd(a, b)"),
    "nn.emd 64×64 with backward": (
        "import torch; torch.manual_seed(0); C = torch.rand(64, 64, requires_grad=True); "
        "a = torch.rand(64, dtype=torch.float64); b = torch.rand(64, dtype=torch.float64)",
        "import emdkit.nn as enn; enn.emd(a, b, C.double()).backward()"),
}

CHILD = r'''
import json, sys, time
setup, call = sys.argv[1], sys.argv[2]
exec(setup)
t0 = time.perf_counter()
import emdkit, emdkit.core.solve, emdkit.core.batch
t1 = time.perf_counter()
exec(call)
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "call": t2 - t1, "numba": "numba" in sys.modules}))
'''


def child(setup: str, call: str, engine: str, cache: str) -> dict:
    env = dict(os.environ, EMDKIT_ENGINE=engine, NUMBA_CACHE_DIR=cache)
    out = subprocess.run([sys.executable, "-c", CHILD, setup, call], env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS_cold.md")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--note", default="")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from run_core import machine
    load = os.getloadavg()
    rows = []
    for name, (setup, call) in PATHS.items():
        with tempfile.TemporaryDirectory() as cache:
            cold = child(setup, call, "numba", cache)
            warm = [child(setup, call, "numba", cache) for _ in range(args.repeats)]
        native = [child(setup, call, "native", "/nonexistent") for _ in range(args.repeats)]
        row = (name, cold, warm, native)
        rows.append(row)
        print(name, json.dumps({"cold": cold, "warm": median_of(warm, "call"),
                                "native": median_of(native, "call")}), flush=True)
    lines = ["# Cold start: Numba engine against the compiled engine", "",
             f"Machine: {machine()}; load average {load[0]:.1f} at the start. {args.note}", "",
             "Command: `.venv/bin/python bench/cold_start.py`. Each cell is a fresh Python "
             "process timing itself: *import* is `import emdkit` (torch, numpy and the inputs "
             "excepted), *first call* the call after it. Numba cold: empty `NUMBA_CACHE_DIR`; "
             f"warm: its cache; compiled: the default engine. Medians of {args.repeats} "
             "processes (Numba cold: one). *numba loaded* says whether `numba` was in "
             "`sys.modules` after the call.", "",
             "| first call | Numba cold: call (s) | Numba warm: import + call (s) | "
             "compiled: import (s) | compiled: call (s) | numba loaded (compiled) |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    for name, cold, warm, native in rows:
        lines.append(f"| {name} | {cold['call']:.2f} | {median_of(warm, 'import'):.2f} + "
                     f"{median_of(warm, 'call'):.3f} | {median_of(native, 'import'):.3f} | "
                     f"{median_of(native, 'call'):.4f} | "
                     f"{'yes' if any(r['numba'] for r in native) else 'no'} |")
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
