import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emdkit.images import ImageIndex, centroid_bound, knn_search, nearest_colour_bound, search_index
from emdkit.images.search import NORM_METRICS, PreparedCandidates
from emdkit.core import ground_distance

from ._oracle import emd_linprog


def random_signature(rng, m, total=None, spread=1.0, centre=0.0):
    X = centre + spread * rng.normal(size=(m, 3))
    w = rng.uniform(0.1, 1.0, size=m)
    if total is not None:
        w *= total / w.sum()
    return X, w


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 6), n=st.integers(1, 6),
       metric=st.sampled_from(NORM_METRICS))
def test_centroid_bound_is_below_the_emd_for_equal_totals(seed, m, n, metric):
    rng = np.random.default_rng(seed)
    X, wx = random_signature(rng, m, total=2.5)
    Y, wy = random_signature(rng, n, total=2.5, centre=rng.normal())
    assert centroid_bound(X, wx, Y, wy, metric) <= emd_linprog(X, wx, Y, wy, metric) + 1e-9


def test_centroid_bound_fails_for_unequal_totals_which_is_why_search_skips_it():
    # partial matching moves the unit at 0 onto the 0 of the heavier side: EMD 0
    X, wx = np.array([[0.0, 0, 0]]), np.array([1.0])
    Y, wy = np.array([[0.0, 0, 0], [10.0, 0, 0]]), np.array([1.0, 1.0])
    assert emd_linprog(X, wx, Y, wy) == pytest.approx(0.0, abs=1e-12)
    assert centroid_bound(X, wx, Y, wy) == pytest.approx(5.0)
    far = (np.array([[3.0, 0, 0]]), np.array([1.0]))  # equal totals with the query: EMD 3
    res = knn_search((X, wx), [("far", *far), ("partial", Y, wy)], k=1)
    assert [h.name for h in res.hits] == ["partial"] and res.hits[0].distance == pytest.approx(0.0)
    assert res.centroid_bound_used == 1  # only for the equal-total candidate


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 6), n=st.integers(1, 6),
       metric=st.sampled_from(["euclidean", "sqeuclidean", "cityblock"]))
def test_nearest_colour_bound_is_below_the_emd_for_any_totals(seed, m, n, metric):
    rng = np.random.default_rng(seed)
    X, wx = random_signature(rng, m, total=rng.uniform(0.5, 3))
    Y, wy = random_signature(rng, n, total=rng.uniform(0.5, 3))
    C = ground_distance(X, Y, metric)
    assert nearest_colour_bound(wx, wy, C) <= emd_linprog(X, wx, Y, wy, metric) + 1e-9


def brute_force(query, candidates, k, metric="euclidean"):
    d = [(emd_linprog(query[0], query[1], X, w, metric), name) for name, X, w in candidates]
    return sorted(d)[:k]


@pytest.mark.parametrize("equal_totals", [True, False])
@pytest.mark.parametrize("metric", ["euclidean", "cityblock", "sqeuclidean"])
def test_search_equals_brute_force_ranking(equal_totals, metric):
    rng = np.random.default_rng(7)
    centres = rng.normal(scale=6, size=(5, 3))  # 5 well-separated groups: bounds bite
    cands = []
    for i in range(40):
        total = 1.0 if equal_totals else rng.uniform(0.5, 2.0)
        X, w = random_signature(rng, int(rng.integers(2, 7)), total=total, centre=centres[i % 5])
        cands.append((f"c{i:02d}", X, w))
    query = random_signature(rng, 5, total=1.0, centre=centres[2])
    for k in (1, 5, 12):
        res = knn_search(query, cands, k=k, metric=metric)
        ref = brute_force(query, cands, k, metric)
        assert [h.name for h in res.hits] == [name for _, name in ref]
        np.testing.assert_allclose([h.distance for h in res.hits], [d for d, _ in ref],
                                   rtol=1e-7, atol=1e-9)
        assert res.n_exact + res.n_pruned_centroid + res.n_pruned_nearest == len(cands)
    if equal_totals and metric != "sqeuclidean":
        assert res.centroid_bound_used == 40
    full = knn_search(query, cands, k=5, metric=metric, use_bounds=False)
    assert full.n_exact == 40
    assert knn_search(query, cands, k=5, metric=metric).n_exact < 40  # the bounds did prune
    # candidates prepared once (the web server's path): the same answer against the oracle
    prepared = PreparedCandidates.prepare(cands)
    res = knn_search(query, prepared, k=12, metric=metric)
    ref = brute_force(query, cands, 12, metric)
    assert [h.name for h in res.hits] == [name for _, name in ref]
    np.testing.assert_allclose([h.distance for h in res.hits], [d for d, _ in ref], rtol=1e-7, atol=1e-9)
    res = knn_search(query, prepared.without(ref[0][1]), k=3, metric=metric)
    assert [h.name for h in res.hits] == [name for _, name in ref[1:4]]


def test_ties_are_broken_by_name_like_a_sort():
    X, w = np.zeros((1, 3)), np.ones(1)
    cands = [(name, np.ones((1, 3)), np.ones(1)) for name in ["b", "d", "a", "c"]]
    res = knn_search((X, w), cands, k=3)
    assert [h.name for h in res.hits] == ["a", "b", "c"]
    res = knn_search((X, w), PreparedCandidates.prepare(cands), k=3)
    assert [h.name for h in res.hits] == ["a", "b", "c"]


def test_search_index_equals_brute_force_on_real_tiles(tiles_dir, tmp_path):
    with ImageIndex(tmp_path / "t.db") as index:
        index.update([tiles_dir])
        sigs = dict(index.signatures())
        query = sorted(tiles_dir.rglob("*.png"))[5]
        res = search_index(index, query, k=6)
        ref = brute_force(sigs[str(query.resolve())].as_pair(),
                          [(p, s.colours, s.weights) for p, s in sigs.items()], 6)
        assert [h.name for h in res.hits] == [n for _, n in ref]
        assert res.hits[0].name == str(query.resolve()) and res.hits[0].distance == 0
        res2 = search_index(index, query, k=6, exclude_self=True)
        assert [h.name for h in res2.hits] == [n for _, n in ref[1:]] + [res2.hits[-1].name]
        assert str(query.resolve()) not in [h.name for h in res2.hits]


@pytest.mark.parametrize("kwargs, exc, words", [
    ({"k": 0}, ValueError, "k must be"),
    ({"k": 1.5}, TypeError, "k must be"),
    ({"metric": "cosine"}, ValueError, "metric"),
    ({"metric": len}, TypeError, "metric"),
])
def test_bad_search_arguments(kwargs, exc, words):
    q = (np.zeros((1, 3)), np.ones(1))
    with pytest.raises(exc, match=words):
        knn_search(q, [("a", np.zeros((1, 3)), np.ones(1))], **kwargs)


def test_centroid_bound_rejects_non_norms():
    with pytest.raises(ValueError, match="norm"):
        centroid_bound(np.zeros((1, 3)), [1.0], np.ones((1, 3)), [1.0], "sqeuclidean")
