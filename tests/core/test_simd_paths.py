"""The compiled engine's AVX2 row scans against its portable ones, bit for bit.

The dense pricing, the greedy start's row minima and the cost range take four doubles at a
time where the CPU has AVX2 (cpp/simplex/row_scan.hpp), and EMDKIT_SIMD=portable turns that
off for the process. Both must choose the same entering arcs, so the same problems give the
same statuses, pivots, supports, flows, potentials and work to the last bit. The choice is made
once per process, so each path runs in a subprocess of its own. On a CPU without AVX2 both runs
take the portable path and the test compares it with itself.
"""
import os
import subprocess
import sys

import pytest

pytest.importorskip("emdkit._engine", reason="the compiled engine is not built")

# Shapes with odd tails (n mod 4 and 8) and a dummy row or column; cost kinds that make ties,
# a range of 24 decades and missing arcs (inf).
_SCRIPT = r"""
import hashlib, sys
import numpy as np
from emdkit import _engine
digest = hashlib.sha256()
pivots = 0
rng = np.random.default_rng(20261203)
for m, n in [(7, 9), (13, 13), (33, 31), (40, 40), (64, 61), (100, 97)]:
    for kind in ("random", "ties", "wide", "missing"):
        a, b = rng.random(m) + 0.05, rng.random(n) + 0.05
        if kind != "missing":
            b = b * (a.sum() / b.sum())
        if kind == "ties":
            C = rng.integers(0, 4, (m, n)).astype(float)
        elif kind == "wide":
            C = rng.random((m, n)) * 10.0 ** rng.integers(-12, 12, (m, n))
        else:
            C = rng.random((m, n))
        if kind == "missing":
            C[rng.random((m, n)) < 0.3] = np.inf
            C[np.arange(m), np.arange(m) % n] = 0.5
            C[np.arange(n) % m, np.arange(n)] = 0.5
        out = _engine.solve_small(a, b, C, 10**6, False)
        pivots += int(out[9])
        for x in out:
            digest.update(np.asarray(x).tobytes())
print(digest.hexdigest(), pivots)
"""


def _run(simd):
    env = dict(os.environ)
    env.pop("EMDKIT_SIMD", None)
    if simd is not None:
        env["EMDKIT_SIMD"] = simd
    out = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True,
                         text=True, timeout=300, check=True)
    digest, pivots = out.stdout.split()
    return digest, int(pivots)


def test_avx2_and_portable_scans_give_the_same_bits():
    fast, portable = _run(None), _run("portable")
    assert portable[1] > 1000  # the problems make the simplex work, not a shortcut
    assert fast == portable
