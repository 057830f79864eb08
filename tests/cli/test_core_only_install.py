"""Issue 14: after `pip install emdkit` (core dependencies only) every CLI area works or exits 2
with one line that names the extra to install, and never shows a traceback.

The environment is a fresh venv (no system site-packages) that sees only numpy and scipy,
linked from the running interpreter's site-packages (offline, no downloads), and emdkit's source
(with the compiled engine built in place by `make native`) through a .pth file, which is what
`pip install --no-deps -e .` amounts to. numba is not there: no path may need it.
"""
import os
import subprocess
import sysconfig
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # 25–100 s: a venv and a dozen fresh interpreters

SRC = Path(__file__).resolve().parents[2] / "src"
CORE = ("numpy", "numpy.libs", "scipy", "scipy.libs")


@pytest.fixture(scope="module")
def core_python(tmp_path_factory):
    here = Path(sysconfig.get_paths()["purelib"])
    if not all((here / name).exists() for name in ("numpy", "scipy")):
        pytest.skip("the core packages are not in this interpreter's site-packages")
    root = tmp_path_factory.mktemp("core-only")
    venv.EnvBuilder(with_pip=False, system_site_packages=False, symlinks=True).create(root)
    python = root / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                                "['purelib'])"], capture_output=True, text=True,
                               check=True).stdout.strip())
    for name in CORE:
        if (here / name).exists():
            (site / name).symlink_to(here / name)
    (site / "emdkit-src.pth").write_text(str(SRC) + "\n")
    return python


def run(python, *args, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run([python, "-m", "emdkit", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def test_the_venv_has_only_the_core(core_python, tmp_path):
    probe = subprocess.run([core_python, "-c", "import importlib.util as u; print([m for m in "
                            "('torch', 'PIL', 'matplotlib', 'tqdm', 'distributed', 'sklearn') "
                            "if u.find_spec(m)])"], capture_output=True, text=True, cwd=tmp_path)
    assert probe.stdout.strip() == "[]", probe.stderr


@pytest.mark.parametrize("argv, extra", [
    (["images", "index", "photos"], "images"),
    (["images", "search", "q.png"], "images"),
    (["images", "table", "photos"], "images"),
    (["images", "serve"], "images,web"),
    (["ordinal", "run", "--task", "digits", "--method", "ce"], "torch,ordinal"),
    (["ordinal", "sweep"], "torch,ordinal"),
    (["sgm", "e0", "--quick"], "sgm"),
    (["sgm", "e4", "--quick"], "sgm,torch"),
    (["demo"], "images,torch,ordinal,sgm"),
    (["emd", "pairwise", "a.csv", "b.csv", "--progress"], "progress"),
    (["emd", "pairwise", "a.csv", "b.csv", "--scheduler", "tcp://127.0.0.1:9"], "dask"),
])
def test_each_area_names_its_extra_and_exits_2_before_any_work(core_python, tmp_path, argv, extra):
    result = run(core_python, *argv, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and f'pip install "emdkit[{extra}]"' in lines[0], result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing computed, nothing written


def test_the_core_works_without_extras(core_python, tmp_path):
    (tmp_path / "a.csv").write_text("0,0,1\n1,0,1\n")
    (tmp_path / "b.csv").write_text("0,1,1\n1,1,1\n")
    result = run(core_python, "emd", "between", "a.csv", "b.csv", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"distance": 1.0' in result.stdout
    result = run(core_python, "demo", "--only", "core", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "core_emd_table.csv").exists()
