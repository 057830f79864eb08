import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

from emdkit.images import SCHEMA_VERSION, ImageIndex, SignatureOptions, image_signature

from .conftest import save


@pytest.fixture
def photo_dir(tiles_dir, tmp_path):
    """The Blue Marble tiles plus 8 synthetic images, in a folder this test may change."""
    d = tmp_path / "photos"
    shutil.copytree(tiles_dir, d)
    rng = np.random.default_rng(0)
    for i in range(8):
        save(rng.integers(0, 256, (12, 10 + i, 3), dtype=np.uint8), d / f"synthetic_{i}.png")
    return d


def all_rows(index):
    return {p: (s.colours.tobytes(), s.weights.tobytes()) for p, s in index.signatures()}


def test_index_stores_the_signatures_and_reruns_are_incremental(photo_dir, tmp_path):
    n = len(list(photo_dir.rglob("*.png")))
    with ImageIndex(tmp_path / "i.db") as index:
        rep = index.update([photo_dir], batch_size=5)
        assert (rep.added, rep.unchanged, rep.failed) == (n, 0, [])
        assert len(index) == n
        for path, sig in index.signatures():  # the stored arrays are the file's signature
            ref = image_signature(path, index.options)
            np.testing.assert_array_equal(sig.colours, ref.colours)
            np.testing.assert_array_equal(sig.weights, ref.weights)
            assert _whole(sig)
        rep = index.update([photo_dir])
        assert (rep.added, rep.updated, rep.unchanged) == (0, 0, n)

        target = photo_dir / "synthetic_3.png"
        st = target.stat()
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # new stamp, same bytes
        save(np.zeros((5, 5, 3), np.uint8), photo_dir / "synthetic_4.png")  # new content
        (photo_dir / "synthetic_5.png").unlink()
        rep = index.update([photo_dir])
        assert (rep.added, rep.updated, rep.touched, rep.removed) == (0, 1, 1, 1)
        assert len(index) == n - 1
        assert dict(index.signatures())[str((photo_dir / "synthetic_4.png").resolve())].n_pixels == 25
    con = sqlite3.connect(tmp_path / "i.db")
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    cols = {r[1] for r in con.execute("PRAGMA table_info(images)")}
    assert {"path", "sha256", "size", "mtime_ns", "colour_space", "k", "colours", "weights"} <= cols


def test_corrupt_and_truncated_files_are_listed_and_skipped(photo_dir, tmp_path):
    good = (photo_dir / "synthetic_0.png").read_bytes()
    (photo_dir / "truncated.png").write_bytes(good[: len(good) // 2])
    (photo_dir / "garbage.jpg").write_bytes(os.urandom(300))
    (photo_dir / "empty.webp").write_bytes(b"")
    n_good = len(list(photo_dir.rglob("*.png"))) - 1
    with ImageIndex(tmp_path / "c.db") as index:
        rep = index.update([photo_dir], batch_size=4)
        failed = sorted(os.path.basename(p) for p, _ in rep.failed)
        assert failed == ["empty.webp", "garbage.jpg", "truncated.png"]
        assert rep.added == n_good and len(index) == n_good
        assert "truncated.png" in rep.summary() and "unreadable" in rep.summary()
        assert "truncated.png" not in {os.path.basename(p) for p in index.paths()}
        again = index.update([photo_dir])  # recorded once, never half-written, not re-read
        assert again.failed == [] and again.still_unreadable == 3
        assert sorted(os.path.basename(p) for p, _ in index.unreadable()) == failed


class _FailingConnection:
    """sqlite3 connection stand-in that dies on the n-th INSERT, inside a transaction."""

    def __init__(self, conn, fail_at):
        self.conn, self.inserts, self.fail_at = conn, 0, fail_at

    def execute(self, sql, *args):
        if sql.startswith("INSERT OR REPLACE"):
            self.inserts += 1
            if self.inserts == self.fail_at:
                raise KeyboardInterrupt  # what Ctrl-C looks like to Python
        return self.conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.conn, name)


def test_interrupt_mid_transaction_keeps_whole_batches_and_rerun_completes(photo_dir, tmp_path):
    db = tmp_path / "x.db"
    index = ImageIndex(db)
    real = index.conn
    index.conn = _FailingConnection(real, fail_at=7)  # 2nd batch of 5, 2nd row
    with pytest.raises(KeyboardInterrupt):
        index.update([photo_dir], batch_size=5)
    index.conn = real
    assert len(index) == 5  # the first batch only; the half-written one was rolled back
    index.close()
    with ImageIndex(db) as again:
        assert again.integrity_ok()
        rep = again.update([photo_dir])
        assert rep.added == len(list(photo_dir.rglob("*.png"))) - 5
        with ImageIndex(tmp_path / "fresh.db") as fresh:
            fresh.update([photo_dir])
            assert all_rows(again) == all_rows(fresh)


# The child indexes in batches of 3 and, at the 8th row (the 2nd row of the 3rd batch, inside
# its open transaction), announces itself through a file and blocks; the parent kills it then.
# The kill lands at a known point whatever the machine's speed: no sleep windows.
KILL_SCRIPT = """
import pathlib, sys, threading
import emdkit.images.index as ix

class Blocking:
    def __init__(self, conn):
        self.conn, self.inserts = conn, 0
    def execute(self, sql, *args):
        if sql.startswith("INSERT OR REPLACE"):
            self.inserts += 1
            if self.inserts == 8:
                self.conn.execute(sql, *args)           # the row is written, not committed
                pathlib.Path(sys.argv[3]).write_text("in transaction")
                threading.Event().wait()                # until SIGKILL
        return self.conn.execute(sql, *args)
    def __getattr__(self, name):
        return getattr(self.conn, name)

with ix.ImageIndex(sys.argv[1]) as index:
    index.conn = Blocking(index.conn)
    index.update([sys.argv[2]], batch_size=3)
"""


def _row_count(db):
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2)
        try:
            return con.execute("SELECT count(*) FROM images").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _whole(sig) -> bool:
    """A stored signature is complete: its weights are fractions of whole pixel counts."""
    counts = sig.weights * sig.n_pixels
    return abs(sig.weights.sum() - 1) < 1e-12 and np.allclose(counts, np.round(counts))


@pytest.mark.slow  # a child interpreter that imports the image stack: ~7 s
def test_kill_9_during_indexing_leaves_a_valid_database_that_a_rerun_completes(photo_dir, tmp_path):
    n = len(list(photo_dir.rglob("*.png")))
    db, ready = tmp_path / "k.db", tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(db), str(photo_dir), str(ready)])
    deadline = time.time() + 120  # only a guard against a hung child, not a timing window
    while not ready.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert ready.exists(), "the indexer never reached the 3rd batch"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    with ImageIndex(db) as index:
        done = len(index)
        assert done == 6  # two committed batches; the open 3rd one left nothing behind
        assert all(_whole(sig) for _, sig in index.signatures())
        rep = index.update([photo_dir])
        assert rep.added == n - done and rep.unchanged == done and len(index) == n
        with ImageIndex(tmp_path / "fresh.db") as fresh:
            fresh.update([photo_dir])
            assert all_rows(index) == all_rows(fresh)


def test_dask_local_cluster_index_equals_local(photo_dir, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  protocol="tcp://", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        with ImageIndex(tmp_path / "d.db") as on_dask:
            rep = on_dask.update([photo_dir], scheduler=cluster.scheduler_address)
            assert rep.failed == []
            with ImageIndex(tmp_path / "l.db") as local:
                local.update([photo_dir])
                assert all_rows(on_dask) == all_rows(local)


def test_settings_schema_and_file_errors(tmp_path, photo_dir):
    db = tmp_path / "s.db"
    ImageIndex(db, SignatureOptions(colour_space="rgb", n_colours=8)).close()
    with ImageIndex(db) as index:  # the stored settings come back
        assert index.options == SignatureOptions(colour_space="rgb", n_colours=8)
    with pytest.raises(ValueError, match="colour_space='rgb'"):
        ImageIndex(db, SignatureOptions(colour_space="lab", n_colours=8))
    with pytest.raises(FileNotFoundError, match="emdkit images index"):
        ImageIndex(tmp_path / "missing.db", must_exist=True)
    (tmp_path / "junk.db").write_bytes(b"definitely not sqlite" * 100)
    with pytest.raises(ValueError, match="not an emdkit image index"):
        ImageIndex(tmp_path / "junk.db")
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    with pytest.raises(ValueError, match="not an emdkit image index"):
        ImageIndex(tmp_path / "other.db")
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    con.commit()
    con.close()
    with pytest.raises(ValueError, match="schema version"):
        ImageIndex(db)
    with ImageIndex(tmp_path / "ok.db") as index:
        with pytest.raises(ValueError, match="batch_size"):
            index.update([photo_dir], batch_size=0)
        with pytest.raises(FileNotFoundError, match="no-such"):
            index.update([tmp_path / "no-such"])
        with pytest.raises(ValueError, match="roots is empty"):
            index.update([])
    with pytest.raises(TypeError, match="options"):
        ImageIndex(tmp_path / "t.db", {"colour_space": "lab"})
    with pytest.raises(FileNotFoundError, match="does not exist"):
        ImageIndex(tmp_path / "no-folder" / "x.db")
    with pytest.raises(ValueError, match="folder"):
        ImageIndex(tmp_path)


# A job started in the background of a non-interactive shell (as CI may be) inherits SIGINT as
# ignored, and Python then installs no KeyboardInterrupt handler; restore what a terminal gives.
CTRL_C_SCRIPT = """
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
import emdkit.images.index as ix
real = ix.process_file
def slow(*a, **k):  # 30 images x 0.1 s: the run cannot end before the signal lands
    time.sleep(0.1)
    return real(*a, **k)
ix.process_file = slow
from emdkit.cli import main
sys.exit(main(["images", "index", sys.argv[2], "--db", sys.argv[1], "--batch-size", "3",
               "--no-progress"]))
"""


@pytest.mark.slow  # a child interpreter that imports the image stack: ~10 s
def test_ctrl_c_on_the_cli_exits_130_with_a_resumable_database(photo_dir, tmp_path):
    for i in range(30):
        save(np.full((8, 8, 3), i * 8, np.uint8), photo_dir / f"flat_{i:02d}.png")
    db = tmp_path / "c.db"
    proc = subprocess.Popen([sys.executable, "-c", CTRL_C_SCRIPT, str(db), str(photo_dir)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while _row_count(db) < 3 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the indexer finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, f"exit {proc.returncode}\nstdout: {out}\nstderr: {err}"
    assert "run the same command again" in err
    with ImageIndex(db) as index:
        assert index.integrity_ok()
        rep = index.update([photo_dir])
        assert len(index) == len(list(photo_dir.rglob("*.png"))) and rep.failed == []
