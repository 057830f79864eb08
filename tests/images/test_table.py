import csv

import numpy as np
import pytest

from emdkit.images import SignatureOptions, emd_table, image_signature, plot_table, write_table_csv
from emdkit.images.evaluate import precision_at_k, within_between

from ._oracle import emd_linprog


def test_table_entries_are_the_exact_emd_between_file_signatures(tiles_dir):
    options = SignatureOptions(n_colours=6)
    paths, D, sigs = emd_table([tiles_dir / "ocean", tiles_dir / "ice"], options)
    assert len(paths) == 8 and D.shape == (8, 8)
    np.testing.assert_array_equal(D, D.T)
    assert np.all(np.diag(D) == 0)
    for i, j in [(0, 1), (0, 7), (3, 5)]:
        a, b = image_signature(paths[i], options), image_signature(paths[j], options)
        assert D[i, j] == pytest.approx(emd_linprog(a.colours, a.weights, b.colours, b.weights),
                                        rel=1e-7)


def test_csv_and_png_are_written(tiles_dir, tmp_path):
    paths, D, _ = emd_table([tiles_dir], SignatureOptions(n_colours=4))
    names = [p.stem for p in paths]
    write_table_csv(tmp_path / "t.csv", names, D)
    rows = list(csv.reader(open(tmp_path / "t.csv")))
    assert rows[0] == [""] + names
    np.testing.assert_allclose(np.array([r[1:] for r in rows[1:]], float), D, atol=1e-6)
    xy = plot_table(tmp_path / "t.png", names, D, [p.parent.name for p in paths])
    assert xy.shape == (len(names), 2)
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_dask_local_cluster_table_equals_local(tiles_dir):
    distributed = pytest.importorskip("dask.distributed")
    options = SignatureOptions(n_colours=6)
    _, local, _ = emd_table([tiles_dir], options)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  protocol="tcp://", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        _, remote, _ = emd_table([tiles_dir], options, scheduler=cluster.scheduler_address)
    np.testing.assert_array_equal(remote, local)


def test_table_needs_two_images(tmp_path):
    with pytest.raises(ValueError, match="at least 2"):
        emd_table([tmp_path])


def test_precision_and_within_between_on_a_hand_made_matrix():
    # a, b close (1); c, d close (2); everything across is 10, except a–c = 1.5
    D = np.array([[0, 1, 1.5, 10], [1, 0, 10, 10], [1.5, 10, 0, 2], [10, 10, 2, 0]], float)
    labels = ["x", "x", "y", "y"]
    # nearest other: a->b ok, b->a ok, c->a wrong, d->c ok
    assert precision_at_k(D, labels, k=1) == pytest.approx(3 / 4)
    wb = within_between(D, labels)
    assert wb.within_mean == pytest.approx(1.5)
    assert wb.between_mean == pytest.approx((1.5 + 10 + 10 + 10) / 4)
    np.testing.assert_allclose(wb.class_means, [[1, 7.875], [7.875, 2]])
    # triplets (i, same j, other k): a:(b<c,b<d) b:(a<c,a<d) c:(d<a? no, d<b) d:(c<a,c<b)
    assert wb.triplet_accuracy == pytest.approx(7 / 8)
    with pytest.raises(ValueError, match="k=4"):
        precision_at_k(D, labels, k=4)
    with pytest.raises(ValueError, match="labels"):
        within_between(D, labels[:3])
