"""The wheel stands on its own: built by `python -m build`, checked by twine, installed by pip alone.

A fresh venv (no make, no editable install, no extras) gets the wheel; its core dependencies
come from the package index. There the README's quick start and `emdkit --help` must run.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# ~1.5 min (two builds, a venv, numpy/scipy/numba from the index, the first compile): too long
# for `make test`'s budget, so it runs where asked, as .ci/run does.
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.environ.get("EMDKIT_WHEEL_TEST") != "1",
                                 reason="set EMDKIT_WHEEL_TEST=1 to build and install the wheel "
                                        "(.ci/run does)")]


def _readme_quick_start() -> str:
    """The first ```python block of the README, run as written."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert blocks, "README.md has no python code block"
    return blocks[0]


# The fresh venv must not see this checkout: no PYTHONPATH (a test run may set it to src/).
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def _run(*cmd, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=CLEAN_ENV)


def test_wheel_builds_checks_installs_and_runs(tmp_path):
    for tool in ("build", "twine"):
        if shutil.which(tool, path=str(Path(sys.executable).parent)) is None:
            try:
                __import__(tool)
            except ImportError:
                pytest.skip(f"{tool} is not installed: pip install 'emdkit[docs]'")
    dist = tmp_path / "dist"
    built = _run(sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", dist, ROOT)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in dist.iterdir())
    checked = _run(sys.executable, "-m", "twine", "check", "--strict", *wheels, *sdists)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    from emdkit import __version__
    assert wheels[0].name.startswith(f"emdkit-{__version__}-"), wheels[0].name

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    installed = _run(python, "-m", "pip", "install", "--quiet", wheels[0], cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]

    # run outside the repository, so that src/ cannot be imported by accident
    where = _run(python, "-c", "import emdkit; print(emdkit.__file__, emdkit.__version__)",
                 cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert str(env_dir) in where.stdout and __version__ in where.stdout, where.stdout

    script = "import numpy as np\n" + _readme_quick_start() + (
        "\nassert (r.distance, r.work, r.total_flow) == (2.0, 4.0, 2.0), r"
        "\nassert np.allclose(r.flow, [[1.0, 1.0, 0.0]]), r.flow"
        "\nprint('quick start ok', r.distance)\n")
    quick = _run(python, "-c", script, cwd=tmp_path)
    assert quick.returncode == 0, quick.stdout + quick.stderr
    assert "quick start ok 2.0" in quick.stdout

    helped = _run(env_dir / "bin" / "emdkit", "--help", cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr
    assert "usage: emdkit" in helped.stdout and "emd" in helped.stdout, helped.stdout
