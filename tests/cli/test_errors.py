"""The CLI's error policy (issue 14): every failure is one line on stderr with the documented
exit code (2 usage, 1 runtime failure, 141 closed pipe), never a traceback."""
import errno
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from emdkit.cli import main
from emdkit.cli._policy import (EXIT_BROKEN_PIPE, EXIT_FAILURE, EXIT_USAGE, classify,
                                missing_modules)

SRC = str(Path(__file__).resolve().parents[2] / "src")


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("emdkit: error: "), err
    return lines[0]


def write_sig(path, rows, header="x,y,weight"):
    path.write_text("\n".join([header] + [",".join(map(str, r)) for r in rows]) + "\n")
    return str(path)


@pytest.fixture
def sigs(tmp_path):
    a = write_sig(tmp_path / "a.csv", [(0, 0, 1), (1, 0, 2)])
    b = write_sig(tmp_path / "b.csv", [(0, 1, 3), (2, 2, 1)])
    return a, b


@pytest.fixture
def read_only(tmp_path):
    """A folder nobody can write into, not even root (chattr +i where chmod does not bind)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
    if not made:
        pytest.skip("running as root without chattr: no way to make a read-only folder")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def _extras_or_skip(*extras):
    gone = [m for e in extras for m in missing_modules(e)]
    if gone:
        pytest.skip(f"needs {gone}")


@pytest.mark.parametrize("case", ["emd pairwise --csv", "emd between --flow", "images index --db",
                                  "images table --csv", "demo --out", "sgm e0 --out",
                                  "ordinal run --runs-dir"])
def test_read_only_output_folders_fail_in_one_line_with_exit_1(case, read_only, sigs, tmp_path,
                                                                 capsys):
    a, b = sigs
    ro = str(read_only)
    if case.startswith("images"):
        _extras_or_skip("images")
        d = tmp_path / "imgs"
        d.mkdir()
        from PIL import Image
        for i in range(2):
            Image.fromarray(np.full((4, 4, 3), 60 * i, np.uint8)).save(d / f"{i}.png")
    argv = {
        "emd pairwise --csv": ["emd", "pairwise", a, b, "--csv", f"{ro}/D.csv"],
        "emd between --flow": ["emd", "between", a, b, "--flow", f"{ro}/flow.csv"],
        "images index --db": ["images", "index", str(tmp_path / "imgs"), "--db", f"{ro}/i.db"],
        "images table --csv": ["images", "table", str(tmp_path / "imgs"), "--csv", f"{ro}/t.csv"],
        "demo --out": ["demo", "--only", "core", "--out", f"{ro}/demo"],
        "sgm e0 --out": ["sgm", "e0", "--quick", "--out", f"{ro}/sgm"],
        "ordinal run --runs-dir": ["ordinal", "run", "--task", "digits", "--method", "ce",
                                   "--epochs", "1", "--max-train", "50", "--runs-dir", f"{ro}/runs"],
    }[case]
    if case.startswith("sgm"):
        _extras_or_skip("sgm")
    if case.startswith("ordinal"):
        _extras_or_skip("torch", "ordinal")
    assert main(argv) == EXIT_FAILURE
    line = one_line_error(capsys)
    assert "permission denied" in line and ro in line
    assert list(read_only.iterdir()) == []


def test_a_closed_pipe_exits_quietly(tmp_path, sigs):
    files = [write_sig(tmp_path / f"s{i}.csv", [(i, 0, 1), (0, i, 2)]) for i in range(40)]
    proc = subprocess.Popen([sys.executable, "-m", "emdkit", "emd", "pairwise", *files],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": SRC})
    proc.stdout.close()  # the reader is gone before the first byte, like `| head -0`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == EXIT_BROKEN_PIPE
    assert err == ""


def test_an_unreachable_scheduler_times_out_in_one_line(sigs, capsys):
    pytest.importorskip("distributed")
    a, b = sigs
    t0 = time.perf_counter()
    code = main(["emd", "pairwise", a, b, "--scheduler", "tcp://127.0.0.1:9",
                 "--scheduler-timeout", "1"])
    elapsed = time.perf_counter() - t0
    assert code == EXIT_FAILURE
    line = one_line_error(capsys)
    assert "127.0.0.1:9" in line
    assert elapsed < 20  # the 1 s timeout held (dask's own default is 30 s)


def test_scheduler_timeout_must_be_positive(sigs, capsys):
    pytest.importorskip("distributed")
    assert main(["emd", "pairwise", *sigs, "--scheduler", "tcp://127.0.0.1:9",
                 "--scheduler-timeout", "0"]) == EXIT_USAGE
    assert "--scheduler-timeout" in one_line_error(capsys)


def test_max_train_zero_names_the_argument(tmp_path, capsys):
    _extras_or_skip("torch", "ordinal")
    for value in ("0", "-5"):
        assert main(["ordinal", "run", "--task", "digits", "--method", "ce", "--max-train", value,
                     "--runs-dir", str(tmp_path)]) == EXIT_USAGE
        assert f"--max-train must be >= 1, got {value}" in one_line_error(capsys)


def test_a_folder_given_as_a_csv(tmp_path, sigs, capsys):
    assert main(["emd", "between", str(tmp_path), sigs[0]]) == EXIT_USAGE
    assert f"{tmp_path} is a folder" in one_line_error(capsys)
    assert main(["emd", "pairwise", sigs[0], "--csv", str(tmp_path)]) == EXIT_USAGE
    assert "--csv" in one_line_error(capsys)


def test_an_empty_image_folder_is_an_error_and_creates_nothing(tmp_path, capsys):
    _extras_or_skip("images")
    (tmp_path / "empty").mkdir()
    for verb, extra in [("index", ["--db", str(tmp_path / "e.db")]),
                        ("table", ["--csv", str(tmp_path / "t.csv")])]:
        assert main(["images", verb, str(tmp_path / "empty"), *extra]) == EXIT_USAGE
        assert f"no image files under {tmp_path / 'empty'}" in one_line_error(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


@pytest.mark.parametrize("rows, words", [
    ([(0, 0, 1), (1, 1, -2)], "line 3: the weight (last column) is negative (-2)"),
    ([(0, 0, 1), (1, 1, float("nan"))], "line 3 has a value that is not finite"),
    ([(0, 0, 0)], "every weight (last column) is zero"),
])
def test_bad_weights_name_the_file_and_line(tmp_path, sigs, rows, words, capsys):
    bad = write_sig(tmp_path / "neg.csv", rows)
    assert main(["emd", "between", bad, sigs[0]]) == EXIT_USAGE
    line = one_line_error(capsys)
    assert bad in line and words in line


def test_unknown_metric_is_a_usage_error_without_developer_words(sigs, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["emd", "between", *sigs, "--metric", "hamming"])
    assert exc.value.code == EXIT_USAGE
    assert "callable" not in capsys.readouterr().err


def test_debug_shows_the_traceback(tmp_path, sigs, capsys):
    assert main(["emd", "between", str(tmp_path), sigs[0], "--debug"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "Traceback" in err and err.rstrip().splitlines()[-1].startswith("emdkit: error:")


def test_help_documents_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in ("1 runtime failure", "2 usage error", "141 output pipe closed", "--debug"):
        assert words in text


@pytest.mark.parametrize("exc, code, words", [
    (PermissionError(errno.EACCES, "Permission denied", "/x/out.csv"), EXIT_FAILURE,
     "permission denied: cannot write or read /x/out.csv"),
    (sqlite3.OperationalError("unable to open database file"), EXIT_FAILURE, "SQLite"),
    (OSError("Timed out trying to connect to tcp://h:1 after 1 s"), EXIT_FAILURE, "Timed out"),
    (ModuleNotFoundError("No module named 'torch'", name="torch"), EXIT_USAGE,
     'pip install "emdkit[torch]"'),
    (ZeroDivisionError("division by zero"), EXIT_FAILURE, "internal error"),
    (ValueError("bad"), EXIT_USAGE, "bad"),
])
def test_classify_maps_exceptions_to_the_documented_codes(exc, code, words):
    got_code, message = classify(exc)
    assert got_code == code and words in message
