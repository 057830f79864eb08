"""Issue 24, item 7: a damaged file under --roots is recorded as unreadable, with its reason,
reported once, and shown by the web page as such, not as "not yet indexed" forever."""
import os
import sqlite3

import numpy as np
import pytest

from emdkit.images import ImageIndex

from .conftest import save


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "photos"
    d.mkdir()
    rng = np.random.default_rng(24)
    for i in range(3):
        save(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8), d / f"ok_{i}.png")
    (d / "damaged.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))  # header, no image
    return d


def test_a_damaged_file_is_recorded_once_and_retried_only_when_it_changes(folder, tmp_path):
    damaged = str(folder / "damaged.png")
    with ImageIndex(tmp_path / "i.db") as index:
        first = index.update([folder])
        assert [p for p, _ in first.failed] == [damaged] and first.added == 3
        assert index.unreadable() == first.failed and first.failed[0][1]  # with its reason
        second = index.update([folder])
        assert second.failed == [] and second.still_unreadable == 1 and second.unchanged == 3
        assert "1 known unreadable" in second.summary()
        # repaired: indexed, and no longer listed as unreadable
        save(np.zeros((8, 8, 3), np.uint8), folder / "damaged.png")
        third = index.update([folder])
        assert third.added == 1 and third.still_unreadable == 0 and index.unreadable() == []
        # gone: its record is pruned with the folder's other rows
        (folder / "damaged.png").write_bytes(b"broken again")
        index.update([folder])
        assert [p for p, _ in index.unreadable()] == [damaged] and len(index) == 3
        os.remove(damaged)
        index.update([folder])
        assert index.unreadable() == []


def test_an_index_from_before_the_table_gains_it_when_an_indexer_opens_it(folder, tmp_path):
    db = tmp_path / "old.db"
    with ImageIndex(db) as index:
        index.update([folder])
    con = sqlite3.connect(db)
    con.execute("DROP TABLE unreadable")
    con.commit()
    con.close()
    with ImageIndex(db) as index:
        rep = index.update([folder])
        assert rep.still_unreadable == 0 and [p for p, _ in rep.failed] == [
            str(folder / "damaged.png")]


def test_the_web_page_shows_unreadable_files_with_their_reason_not_as_unindexed(folder,
                                                                                 tmp_path):
    pytest.importorskip("starlette", reason="the web page needs the web extra")
    from starlette.testclient import TestClient

    from emdkit.images.web import create_app

    db = tmp_path / "w.db"
    with ImageIndex(db) as index:
        reason = index.update([folder]).failed[0][1]
        index.update([folder])  # re-indexing must leave the page as it is
    with TestClient(create_app(db, [folder], warm_up=False)) as c:
        info = c.get("/api/info").json()
        assert info["unindexed_under_roots"] == 0
        assert info["unreadable"] == [{"path": str(folder / "damaged.png"), "reason": reason}]
        page = c.get("/").text
        assert "0 image file(s) under photos not yet indexed" in page
        assert "Run <code>emdkit images index</code> again" not in page
        assert page.count("could not be read") == 1 and "damaged.png" in page
