import json

import pytest

from emdkit.cli import main


def test_index_then_search_json(tiles_dir, tmp_path, capsys):
    db = tmp_path / "cli.db"
    assert main(["images", "index", str(tiles_dir), "--db", str(db), "--no-progress", "-K", "6"]) == 0
    out = capsys.readouterr().out
    assert "16 added" in out and "16 images in" in out
    query = sorted((tiles_dir / "desert").glob("*.png"))[0]
    assert main(["images", "search", str(query), "--db", str(db), "-k", "3", "--json",
                 "--exclude-self"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert len(res["results"]) == 3 and res["candidates"] == 15
    assert 1 <= res["exact_emds"] <= 15
    assert all("desert" in r["path"] for r in res["results"])
    dists = [r["emd"] for r in res["results"]]
    assert dists == sorted(dists)
    assert main(["images", "search", str(query), "--db", str(db), "-k", "2"]) == 0
    assert "exact EMDs for 16 candidates" in capsys.readouterr().out


def test_table_command(tiles_dir, tmp_path, capsys):
    assert main(["images", "table", str(tiles_dir / "ice"), str(tiles_dir / "forest"),
                 "--csv", str(tmp_path / "t.csv"), "--png", str(tmp_path / "t.png"),
                 "--no-progress", "-K", "4"]) == 0
    assert (tmp_path / "t.csv").exists() and (tmp_path / "t.png").exists()


@pytest.mark.parametrize("argv, words", [
    (["images", "search", "{q}", "--db", "{tmp}/none.db"], "no index database"),
    (["images", "search", "{tmp}/missing.png", "--db", "{tmp}/none.db"], "query image not found"),
    (["images", "search", "{q}", "--db", "{db}", "-k", "0"], "-k must be >= 1"),
    (["images", "index", "{tmp}/nowhere", "--db", "{tmp}/x.db"], "no such file or folder"),
    (["images", "index", "{tiles}", "--db", "{db}", "--colour-space", "rgb"], "different signature settings"),
    (["images", "index", "{tiles}", "--db", "{tmp}/y.db", "-K", "0"], "n_colours must be >= 1"),
    (["images", "index", "{tiles}", "--db", "{tmp}/z.db", "--batch-size", "0"], "batch_size"),
    (["images", "table", "{tmp}/empty", "--csv", "{tmp}/t.csv"], "no image files under"),
    (["images", "index", "{tmp}/empty", "--db", "{tmp}/e.db"], "no image files under"),
    (["images", "table", "{q}", "--csv", "{tmp}/t.csv"], "a table needs at least 2 images"),
])
def test_bad_arguments_give_clear_errors(argv, words, tiles_dir, tmp_path, capsys):
    db = tmp_path / "good.db"
    (tmp_path / "empty").mkdir()
    main(["images", "index", str(tiles_dir / "ice"), "--db", str(db), "--no-progress"])
    q = sorted((tiles_dir / "ice").glob("*.png"))[0]
    capsys.readouterr()
    argv = [a.format(q=q, tmp=tmp_path, db=db, tiles=tiles_dir) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.startswith("emdkit: error:")


def test_argparse_rejects_unknown_choices(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["images", "index", ".", "--colour-space", "hsv"])
    assert exc.value.code == 2
    assert "invalid choice: 'hsv'" in capsys.readouterr().err


def test_scheduler_flag_runs_table_and_index_on_a_local_cluster(tiles_dir, tmp_path, capsys):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  protocol="tcp://", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        addr = cluster.scheduler_address
        assert main(["images", "table", str(tiles_dir / "ocean"), "--csv", str(tmp_path / "d.csv"),
                     "--scheduler", addr, "--no-progress", "-K", "5"]) == 0
        assert main(["images", "index", str(tiles_dir / "ocean"), "--db", str(tmp_path / "d.db"),
                     "--scheduler", addr, "--no-progress", "-K", "5"]) == 0
    assert main(["images", "table", str(tiles_dir / "ocean"), "--csv", str(tmp_path / "l.csv"),
                 "--no-progress", "-K", "5"]) == 0
    assert (tmp_path / "d.csv").read_text() == (tmp_path / "l.csv").read_text()
    assert "4 added" in capsys.readouterr().out


@pytest.mark.slow  # Blue Marble tiles, an index and a table: ~7 s
def test_quick_demo_writes_its_files(tmp_path, capsys):
    from emdkit.cli.images import quick_demo
    quick_demo(tmp_path)
    out = capsys.readouterr().out
    assert "precision@5" in out and "exact EMDs" in out
    for name in ("images.db", "table.csv", "table.png"):
        assert (tmp_path / name).stat().st_size > 0
