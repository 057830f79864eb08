"""Issue 21: the compiled engine is the default, every path runs on it, and numba is never
imported (nothing is compiled at run time)."""
import os
import subprocess
import sys

import pytest

EVERY_PATH = r"""
import sys
import numpy as np
import emdkit
r = np.random.default_rng(0)
X, Y = r.random((40, 2)), r.random((30, 2))
emdkit.emd([2.0], [1.0, 1.0, 5.0], [[1.0, 3.0, 10.0]])                      # one-to-many
emdkit.emd(r.random(5) + 0.1, r.random(4) + 0.1, r.random((5, 4)))             # block
emdkit.emd(np.ones(6), np.ones(6), r.random((6, 6)))                          # assignment
emdkit.emd(r.random(190) + 0.1, r.random(170) + 0.1, r.random((190, 170)))     # candidate rounds
emdkit.signature_emd(X, np.ones(40), Y, np.ones(30), method="pointcloud")
emdkit.signature_emd(X[:, 0], np.ones(40), Y[:, 0], 4 / 3 * np.ones(30))    # monotone 1-D
emdkit.wasserstein_1d(X[:, 0], Y[:, 0])
emdkit.emd_batch(r.random((3, 4)), r.random((3, 5)), r.random((3, 4, 5)))
emdkit.pairwise_emd([(X[:5], np.ones(5)), (Y[:6], np.ones(6))])
emdkit.grid_emd(r.random((6, 6)), r.random((6, 6)))
from emdkit.core.engine import engine_name
print(engine_name(), "numba" in sys.modules)
"""


def test_every_path_runs_on_the_compiled_engine_without_numba():
    pytest.importorskip("emdkit._engine", reason="the compiled engine is not built")
    env = {k: v for k, v in os.environ.items() if k != "EMDKIT_ENGINE"}
    out = subprocess.run([sys.executable, "-c", EVERY_PATH], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split()[-2:] == ["native", "False"], out.stdout
