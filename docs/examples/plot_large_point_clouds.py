"""
Exact EMD between large point clouds
====================================

Uniform point clouds in the unit square, solved by the dense path (the m×n cost matrix, then
the network simplex) and by the matrix-free point-cloud path (k-nearest-neighbour candidates,
certified by KD-tree pricing). Both return the same certified optimum; the time and the peak
memory of each call are measured here, on the machine that built this page.

Each call runs in a fresh Python process, so that memory freed by an earlier call cannot hide
a later one's. Memory is the growth of that process's resident set during the call (Linux's
peak-RSS counter, reset just before the call), so it includes what the compiled engine allocates.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import emdkit

MEASURE = r"""
import json, sys, time
from pathlib import Path
import numpy as np
import emdkit

def rss_mb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

n, method = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(n)
X, Y = rng.random((n, 2)), rng.random((n, 2))
w = np.full(n, 1.0 / n)
tiny = rng.random((50, 2))
emdkit.signature_emd(tiny, np.ones(50), tiny[::-1], np.ones(50), method=method)  # load the kernels
Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM) to the current RSS
before = rss_mb("VmRSS")
t0 = time.perf_counter()
r = emdkit.signature_emd(X, w, Y, w, "euclidean", method=method)
seconds = time.perf_counter() - t0
print(json.dumps({"distance": r.distance, "seconds": seconds, "mb": rss_mb("VmHWM") - before}))
"""


# the child imports the same emdkit as this process, installed or not
CHILD_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    [str(Path(emdkit.__file__).parents[1]), os.environ.get("PYTHONPATH", "")])}


def measure(n: int, method: str) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(n), method], capture_output=True,
                         text=True, check=True, env=CHILD_ENV)
    return json.loads(out.stdout)


sizes = [1000, 2000, 4000]
rows = {method: [measure(n, method) for n in sizes] for method in ("dense", "pointcloud")}
for k, n in enumerate(sizes):
    dense, cloud = rows["dense"][k], rows["pointcloud"][k]
    print(f"n={n:5d}  dense {dense['seconds']:5.2f} s {dense['mb']:6.1f} MB | pointcloud "
          f"{cloud['seconds']:5.2f} s {cloud['mb']:6.1f} MB | values differ by "
          f"{abs(dense['distance'] - cloud['distance']):.1e} | the matrix alone {n * n * 8 / 2**20:.0f} MB")

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
ns = np.array(sizes)
for method, measured in rows.items():
    axes[0].plot(ns, [m["seconds"] for m in measured], "o-", label=method)
    axes[1].plot(ns, [max(m["mb"], 0.1) for m in measured], "o-", label=method)
axes[1].plot(ns, ns * ns * 8 / 2**20, "k:", label="the m×n float64 matrix")
axes[0].set(xlabel="n points per cloud", ylabel="seconds", title="time per exact EMD")
axes[1].set(xlabel="n points per cloud", ylabel="MB (peak RSS growth, floor 0.1)",
            title="memory")
for ax in axes:
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.legend()
fig.tight_layout()
