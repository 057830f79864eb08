"""Issue 14: default outputs never touch the tracked reports; quick runs print no FAIL; a full
run whose check fails exits 1."""
import shutil
import subprocess
from pathlib import Path

import pytest

from emdkit.cli import main
from emdkit.cli._policy import missing_modules

ROOT = Path(__file__).resolve().parents[2]

TINY_SWEEP = """
[sweep]
tasks = ["digits"]
methods = ["ce"]
seeds = [0]
[defaults]
epochs = 1
max_train = 120
max_test = 60
batch_size = 64
"""


def _git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t",
                           *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def clean_clone(tmp_path, monkeypatch):
    """A repository holding the project's .gitignore and committed reports, as the cwd."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "clone"
    repo.mkdir()
    shutil.copy(ROOT / ".gitignore", repo / ".gitignore")
    shutil.copytree(ROOT / "reports", repo / "reports")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "clone")
    monkeypatch.chdir(repo)
    return repo


@pytest.mark.slow  # a quick E0 takes 7–50 s on a shared 2-core machine
def test_sgm_quick_with_defaults_leaves_git_status_clean(clean_clone, capsys):
    if missing_modules("sgm"):
        pytest.skip("needs emdkit[sgm]")
    assert main(["sgm", "e0", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and "not evaluated" in out
    assert (clean_clone / "emdkit-output" / "sgm" / "e0.md").exists()
    assert _git(clean_clone, "status", "--porcelain") == ""


@pytest.mark.slow  # a one-epoch sweep: ~13 s on a shared 2-core machine
def test_ordinal_sweep_with_default_folders_leaves_git_status_clean(clean_clone, capsys):
    if missing_modules("torch") or missing_modules("ordinal"):
        pytest.skip("needs emdkit[torch,ordinal]")
    (clean_clone / "emdkit-output").mkdir()
    config = clean_clone / "emdkit-output" / "tiny.toml"  # no runs_dir/report_dir: the defaults
    config.write_text(TINY_SWEEP)
    assert main(["ordinal", "sweep", str(config), "--no-progress"]) == 0
    assert (clean_clone / "emdkit-output" / "ordinal" / "README.md").exists()
    assert _git(clean_clone, "status", "--porcelain") == ""


def test_the_builtin_sweep_writes_outside_the_tracked_reports():
    from emdkit.ordinal.sweep import load_sweep
    config = load_sweep(None)
    for folder in (config.runs_dir, config.report_dir):
        assert not str(folder).startswith("reports")
        ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q",
                                  str(folder / "README.md")])
        assert ignored.returncode == 0, f"{folder} is not git-ignored"


def test_a_full_run_with_a_failed_check_exits_1(tmp_path, monkeypatch, capsys):
    if missing_modules("sgm"):
        pytest.skip("needs emdkit[sgm]")
    from emdkit.sgm import experiments
    from emdkit.sgm.report import Section

    def failing(out, quick, seed):
        return Section("e0", "E0", "body", 0.1, {"slope is 1": True, "floor below 0.1": False})

    monkeypatch.setitem(experiments.EXPERIMENTS, "e0", failing)
    assert main(["sgm", "e0", "--out", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "FAIL  floor below 0.1" in captured.out
    assert captured.err.strip() == "emdkit: error: 1 check(s) failed: e0: floor below 0.1"
    assert (tmp_path / "e0.md").exists()  # everything is written before the exit code says so
    assert main(["sgm", "e0", "--quick", "--out", str(tmp_path)]) == 0
    assert "FAIL" not in capsys.readouterr().out
