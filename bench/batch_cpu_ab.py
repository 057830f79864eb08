"""emd_batch (B = 64, 256 x 256) against a loop of ot.emd2 in CPU time, two checkouts alternating.

Run:  python bench/batch_cpu_ab.py OLD/src NEW/src [ROUNDS]

One process per checkout per round (PYTHONPATH = its src), each timing emd_batch with
n_jobs=1 and the POT loop three times (process_time, medians) on run_core.batch_rows's two
problem sets. CPU time, not wall time: on a shared machine it is what the engines themselves
cost per core, and the threads emd_batch would add are not what is compared here.
"""
import json
import os
import subprocess
import sys

SRCS = {"old": sys.argv[1], "new": sys.argv[2]}
CODE = r"""
import json, time, statistics
import numpy as np, ot, emdkit
from scipy.spatial.distance import cdist
emdkit.warmup()
out = {}
for kind in ("uniform costs in [0, 1)", "2-D point clouds, sqeuclidean"):
    rng = np.random.default_rng(3)
    B, n = 64, 256
    a = rng.random((B, n)) + 0.01
    b = rng.random((B, n)) + 0.01
    b *= (a.sum(1) / b.sum(1))[:, None]
    C = rng.random((B, n, n)) if kind.startswith("uniform") else np.stack(
        [cdist(rng.random((n, 2)), rng.random((n, 2)), "sqeuclidean") for _ in range(B)])
    tb, tp = [], []
    for _ in range(3):
        t = time.process_time()
        res = emdkit.emd_batch(a, b, C, n_jobs=1)
        tb.append(time.process_time() - t)
        t = time.process_time()
        pot = [ot.emd2(a[k], b[k], C[k], numItermax=10**9) for k in range(B)]
        tp.append(time.process_time() - t)
    err = max(abs(pot[k] - res[k].work) / res[k].work for k in range(B))
    out[kind] = (statistics.median(tb), statistics.median(tp), err)
print(json.dumps(out))
"""
for rnd in range(int(sys.argv[3]) if len(sys.argv) > 3 else 2):
    for label, src in SRCS.items():
        env = dict(os.environ, PYTHONPATH=src)
        load = os.getloadavg()[0]
        res = json.loads(subprocess.run([sys.executable, "-c", CODE], env=env, check=True,
                                        capture_output=True, text=True).stdout)
        for kind, (tb, tp, err) in res.items():
            print(json.dumps({"version": label, "round": rnd, "kind": kind, "batch_cpu": tb,
                              "pot_cpu": tp, "pot/batch": tp / tb, "err": err, "load": load}), flush=True)
