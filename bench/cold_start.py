"""Cold start: the first call of each path in a fresh process, on an empty Numba cache.

Run:  .venv/bin/python bench/cold_start.py [--out bench/RESULTS_cold.md]

Each row runs in its own fresh Python process twice: first with an empty NUMBA_CACHE_DIR (what
a new user, an upgrade or a fresh container pays), then again on the cache the first run left
(every later process). Wall seconds include starting Python and importing emdkit. The last
rows time `emdkit warmup` itself, cold and warm.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

SNIPPETS = {
    "import emdkit (no solver call)": "import emdkit",
    "import emdkit.metrics": "import emdkit.metrics",
    "README example (1×3)": "import emdkit; emdkit.emd([2.0], [1.0, 1.0, 5.0], [[1.0, 3.0, 10.0]])",
    "first 300×300 problem": (
        "import numpy as np, emdkit; r = np.random.default_rng(0); "
        "emdkit.signature_emd(r.random((300, 2)), r.random(300), r.random((300, 2)), "
        "r.random(300))"),
    "first point clouds (pointcloud path)": (
        "import numpy as np, emdkit; r = np.random.default_rng(0); "
        "emdkit.signature_emd(r.random((600, 2)), np.ones(600), r.random((600, 2)), "
        "np.ones(600), method='pointcloud')"),
    "first pairwise_emd (20 signatures)": (
        "import numpy as np, emdkit; r = np.random.default_rng(0); "
        "emdkit.pairwise_emd([(r.random((10, 3)), r.random(10)) for _ in range(20)])"),
    "emdkit warmup (every path)": "import emdkit; emdkit.warmup()",
}


def run(code: str, cache: str) -> float:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return time.perf_counter() - start


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS_cold.md")
    ap.add_argument("--note", default="")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from run_core import machine
    rows = []
    for name, code in SNIPPETS.items():
        with tempfile.TemporaryDirectory() as cache:
            cold = run(code, cache)
            warm = run(code, cache)
        rows.append((name, cold, warm))
        print(f"{name}: cold {cold:.1f} s, warm {warm:.2f} s", flush=True)
    lines = ["# Cold start", "", f"Machine: {machine()}. {args.note}", "",
             "Command: `.venv/bin/python bench/cold_start.py`. Each row is a fresh Python "
             "process: *cold* with an empty `NUMBA_CACHE_DIR`, *warm* on the cache the cold run "
             "left. Wall seconds, Python start-up and imports included.", "",
             "| first call | cold (s) | warm (s) |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {cold:.1f} | {warm:.2f} |" for name, cold, warm in rows]
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
