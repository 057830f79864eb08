"""Wide-range costs at n = 500 and 1,000 through emd() (EMDKIT_ENGINE=native), and the exact
simplex from no hint for scale. Run: EMDKIT_ENGINE=native PYTHONPATH=src python bench/exact_wide_large.py
"""
import numpy as np, emdkit, time
from emdkit import _engine as E
for n in (500, 1000):
    rng = np.random.default_rng(n)
    a, b = rng.random(n) + .1, rng.random(n) + .1
    C = 10.0 ** rng.uniform(-12, 12, (n, n))
    t = time.perf_counter(); r = emdkit.emd(a, b, C); t1 = time.perf_counter() - t
    t = time.perf_counter(); o = E.exact_transport(a, b, C, np.zeros(0, np.int64), np.zeros(0, np.int64)); t2 = time.perf_counter() - t
    print(n, r.method, f"emd {t1:.2f}s pivots {r.n_iter}", f"cold exact {t2:.2f}s pivots {o['pivots']}", r.distance == o["distance"])
