"""Runs inside bench/.venv-wasserstein (numpy < 2): times the `wasserstein` package's exact EMD.

Args: problem.npz (X, Y uniform point clouds), beta (1: euclidean, 2: squared), repeats.
Prints {"median_s": ..., "value": ...} where value is the total cost for uniform weights 1/n.
"""
import json
import statistics
import sys
import time

import numpy as np
import wasserstein

data = np.load(sys.argv[1])
X, Y = data["X"], data["Y"]
beta, repeats = float(sys.argv[2]), int(sys.argv[3])
n = X.shape[0]
w = np.full(n, 1.0 / n)
solver = wasserstein.EMD(beta=beta, n_iter_max=10**9)
times, value = [], None
for _ in range(repeats):
    t0 = time.perf_counter()
    value = solver(w, X, w, Y)
    times.append(time.perf_counter() - t0)
print(json.dumps({"median_s": statistics.median(times), "value": float(value)}))
