"""Each study's PROTOCOL.md was committed before the raw data and the report it governs (issue 26).

The rule, read from ``git log``: the commit that first added ``reports/<study>/PROTOCOL.md`` is a
strict ancestor of (a) the commit that first added every file under ``reports/<study>/raw/`` and
(b) the last commit that touched ``reports/<study>/README.md``. In a shallow clone the history
needed is missing, so the test skips (CI uses a full clone); outside a git checkout it skips too.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STUDIES = ("ordinal", "images", "sgm")


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture(scope="module")
def full_history():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    if _git("rev-parse", "--is-shallow-repository") == "true":
        pytest.skip("shallow clone: the commits that order protocol and data are not all here")


def _first_commit(path: str) -> str:
    """The commit that first added ``path`` (following no renames: a rename is a new file)."""
    added = _git("log", "--diff-filter=A", "--format=%H", "--", path).splitlines()
    return added[-1] if added else ""


def _strictly_before(early: str, late: str) -> bool:
    if early == late:
        return False
    done = subprocess.run(["git", "merge-base", "--is-ancestor", early, late], cwd=ROOT)
    return done.returncode == 0


@pytest.mark.parametrize("study", STUDIES)
def test_protocol_precedes_raw_data_and_report(full_history, study):
    protocol = _first_commit(f"reports/{study}/PROTOCOL.md")
    if not protocol:
        pytest.fail(f"reports/{study}/PROTOCOL.md is not committed")
    raw = _git("ls-files", f"reports/{study}/raw").splitlines()
    late = {path: _first_commit(path) for path in raw}
    readme = _git("log", "-1", "--format=%H", "--", f"reports/{study}/README.md")
    if raw:  # once raw data exist, the report must have been rebuilt after the protocol too
        late[f"reports/{study}/README.md (last change)"] = readme
    wrong = [path for path, commit in late.items() if commit and not _strictly_before(protocol, commit)]
    assert not wrong, (f"committed before or with reports/{study}/PROTOCOL.md ({protocol[:10]}): "
                       + ", ".join(wrong))


def test_the_rule_sees_an_inversion(full_history):
    """The ancestry check itself: HEAD is not strictly before its own parent."""
    head, parent = _git("rev-parse", "HEAD"), _git("rev-parse", "HEAD~1")
    assert _strictly_before(parent, head)
    assert not _strictly_before(head, parent)
    assert not _strictly_before(head, head)
