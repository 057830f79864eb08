"""Issue 14's rough edges of `emdkit images table` and `search`, each pinned by a test."""
import json

import numpy as np
import pytest

from emdkit.cli import main
from emdkit.images import ImageIndex

from .conftest import save


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "imgs"
    d.mkdir()
    rng = np.random.default_rng(0)
    for i in range(4):
        save(rng.integers(0, 256, (6, 7 + i, 3), dtype=np.uint8), d / f"ok_{i}.png")
    (d / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    return d


def test_table_skips_and_lists_unreadable_files(folder, tmp_path, capsys):
    assert main(["images", "table", str(folder), "--csv", str(tmp_path / "t.csv"),
                 "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "1 unreadable image(s), skipped:" in err
    assert err.count("broken.png") == 1 and "BytesIO" not in err and "not an image file" in err
    header = (tmp_path / "t.csv").read_text().splitlines()[0].split(",")[1:]
    assert header == [f"ok_{i}.png" for i in range(4)]


def test_index_lists_an_unreadable_file_once_in_plain_words(folder, tmp_path, capsys):
    assert main(["images", "index", str(folder), "--db", str(tmp_path / "i.db"),
                 "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.count("broken.png") == 1 and "BytesIO" not in out


def test_table_with_db_reuses_the_index_signatures(folder, tmp_path, monkeypatch, capsys):
    db = tmp_path / "i.db"
    assert main(["images", "index", str(folder), "--db", str(db), "--no-progress"]) == 0
    assert main(["images", "table", str(folder), "--csv", str(tmp_path / "fresh.csv"),
                 "--no-progress"]) == 0
    import emdkit.images.index as index_module

    real = index_module.process_file

    def no_signing(path, *args, **kwargs):
        # the unreadable file is tried again on every update (it has no row); nothing else is
        assert path.endswith("broken.png"), f"{path} was signed although the index holds it"
        return real(path, *args, **kwargs)

    monkeypatch.setattr(index_module, "process_file", no_signing)
    assert main(["images", "table", str(folder), "--db", str(db), "--csv",
                 str(tmp_path / "reused.csv"), "--no-progress"]) == 0
    assert (tmp_path / "reused.csv").read_text() == (tmp_path / "fresh.csv").read_text()


def test_table_checks_output_paths_before_any_work(folder, tmp_path, monkeypatch, capsys):
    import emdkit.images.table as table_module
    monkeypatch.setattr(table_module, "image_signature",
                        lambda *a, **k: pytest.fail("work started before the path check"))
    assert main(["images", "table", str(folder), "--png", str(tmp_path / "nodir" / "t.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("emdkit: error: --png") and "does not exist" in err


def test_table_shows_progress_over_signatures_and_pairs(folder, tmp_path, capsys):
    pytest.importorskip("tqdm")
    assert main(["images", "table", str(folder), "--csv", str(tmp_path / "t.csv")]) == 0
    err = capsys.readouterr().err
    assert "signatures" in err and "%" in err


# the registry's units (issue 25): the same words as the web page's
@pytest.mark.parametrize("metric, units", [("euclidean", "ΔE*ab"), ("sqeuclidean", "(ΔE*ab)²"),
                                           ("cityblock", "ΔE*ab"), ("chebyshev", "ΔE*ab")])
def test_search_labels_the_units_of_each_metric(folder, tmp_path, metric, units, capsys):
    db = tmp_path / "i.db"
    main(["images", "index", str(folder), "--db", str(db), "--no-progress"])
    query = str(folder / "ok_0.png")
    capsys.readouterr()
    assert main(["images", "search", query, "--db", str(db), "--metric", metric, "-k", "2"]) == 0
    assert f"EMD ({units})" in capsys.readouterr().out
    assert main(["images", "search", query, "--db", str(db), "--metric", metric, "-k", "2",
                 "--json"]) == 0
    raw = capsys.readouterr().out
    assert f'"units": "{units}"' in raw  # written as is, not \\u-escaped
    assert json.loads(raw)["metric"] == metric


def test_partial_flag_builds_a_pixel_count_index(folder, tmp_path, capsys):
    db = tmp_path / "p.db"
    assert main(["images", "index", str(folder), "--db", str(db), "--partial",
                 "--no-progress"]) == 0
    assert "pixel counts (partial matching)" in capsys.readouterr().out
    with ImageIndex(db) as index:
        assert index.options.normalize is False
        assert all(s.weights.sum() == s.n_pixels for _, s in index.signatures())
