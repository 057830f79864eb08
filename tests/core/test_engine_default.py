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
emdkit.emd(r.random(340) + 0.1, r.random(300) + 0.1, r.random((340, 300)))     # candidate rounds
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


def test_no_core_path_imports_scipy_spatial():
    """SciPy's spatial package costs 0.2-0.4 s of a first call (issue 21): the k nearest
    neighbours and the named ground costs are the engine's own, cdist serves callables only."""
    pytest.importorskip("emdkit._engine", reason="the compiled engine is not built")
    env = {k: v for k, v in os.environ.items() if k != "EMDKIT_ENGINE"}
    more = ("emdkit.signature_emd(X, None, Y, None, 'cityblock')\n"                # dense
            "emdkit.signature_emd(r.random((600, 2)), None, r.random((500, 2)), None)\n"
            "emdkit.ground_distance(X, Y, 'chebyshev')\n"
            "emdkit.cdist_emd([(X, None)], [(Y, None)])\n"
            "print('scipy.spatial' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", EVERY_PATH + more], capture_output=True,
                         text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split()[-3:] == ["native", "False", "False"], out.stdout


def test_the_command_lines_help_loads_no_engine():
    """Validation binds its compiled kernel on first use: `emdkit --help` reads the metric
    registry and the policy, and solves nothing (loading the engine cost it 17 ms)."""
    code = ("import sys\nfrom emdkit.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('emdkit._engine' in sys.modules, 'numpy.ma' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split()[-2:] == ["False", "False"], out.stdout[-500:]
