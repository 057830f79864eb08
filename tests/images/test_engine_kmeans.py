"""The compiled k-means passes give the Numba kernels' bits, so image signatures (and every
search ranked on them) are the same on both engines."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.engines import native_engine_module, numba_copy_of

KERNEL_MODULE = "emdkit.images._kmeans"


@pytest.fixture(scope="module")
def engines():
    return numba_copy_of(KERNEL_MODULE), native_engine_module()


def random_colours(seed: int, n: int, d: int, k: int, on_grid: bool):
    """Colours (on an integer grid, many exact ties in distance, or spread), weights, and
    centres drawn partly from the colours themselves (zero distances)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 6, (n, d)).astype(float) if on_grid else rng.normal(0, 40, (n, d))
    w = rng.integers(1, 50, n).astype(float)
    centres = rng.normal(0, 40, (k, d))
    if n:
        picked = rng.integers(0, n, k)
        centres[: k // 2] = x[picked[: k // 2]]
    return x, w, centres


def bits(a: np.ndarray) -> np.ndarray:
    return a.view(np.uint64)


shapes = st.fixed_dictionaries({"seed": st.integers(0, 2**32 - 1), "n": st.integers(0, 400),
                                "d": st.integers(1, 4), "k": st.integers(1, 12),
                                "on_grid": st.booleans()})


@given(shapes)
def test_lloyd_round_matches_numba_bit_for_bit(engines, s):
    x, w, centres = random_colours(s["seed"], s["n"], s["d"], s["k"], s["on_grid"])
    outputs = []
    for kernel in (engines[0]._lloyd_round, engines[1].kmeans_lloyd_round):
        labels, sums, mass = np.full(s["n"], -1), np.empty((s["k"], s["d"])), np.empty(s["k"])
        kernel(x, w, centres, labels, sums, mass)
        outputs.append((labels, sums, mass))
    (l_numba, s_numba, m_numba), (l_native, s_native, m_native) = outputs
    np.testing.assert_array_equal(l_native, l_numba)
    np.testing.assert_array_equal(bits(s_native), bits(s_numba))
    np.testing.assert_array_equal(bits(m_native), bits(m_numba))


@given(shapes, st.booleans())
def test_update_nearest_matches_numba_bit_for_bit(engines, s, from_infinity):
    x, _, centres = random_colours(s["seed"], s["n"], s["d"], s["k"], s["on_grid"])
    start = np.full(s["n"], np.inf) if from_infinity else \
        np.random.default_rng(s["seed"]).uniform(0, 900, s["n"])
    outputs = []
    for kernel in (engines[0]._update_nearest, engines[1].kmeans_update_nearest):
        nearest = start.copy()
        for centre in centres:
            kernel(x, centre, nearest)
        outputs.append(nearest)
    np.testing.assert_array_equal(bits(outputs[1]), bits(outputs[0]))


@pytest.mark.parametrize("n", [300, 9000])  # 9000 distinct colours: pooled into cubes first
def test_weighted_kmeans_gives_the_same_centres_and_masses_on_both_engines(engines, n,
                                                                           monkeypatch):
    import emdkit.images._kmeans as kmeans
    numba_module, native = engines
    rng = np.random.default_rng(n)
    coords = np.unique(rng.normal(50, 30, (n, 3)).round(1), axis=0)
    counts = rng.integers(1, 200, len(coords)).astype(float)
    expected = numba_module.weighted_kmeans(coords, counts, 12, seed=5)
    monkeypatch.setattr(kmeans, "_lloyd_round", native.kmeans_lloyd_round)
    monkeypatch.setattr(kmeans, "_update_nearest", native.kmeans_update_nearest)
    got = kmeans.weighted_kmeans(coords, counts, 12, seed=5)
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(bits(g), bits(e))


def test_bad_calls_are_refused_not_run_outside_the_arrays(engines):
    native = engines[1]
    x, w, centres = random_colours(0, 10, 3, 4, False)
    labels, sums, mass = np.empty(10, np.int64), np.empty((4, 3)), np.empty(4)
    with pytest.raises(ValueError, match="centres and sums must be"):
        native.kmeans_lloyd_round(x, w, centres[:, :2].copy(), labels, sums, mass)
    with pytest.raises(ValueError, match="w must have one weight per colour"):
        native.kmeans_lloyd_round(x, w[:5].copy(), centres, labels, sums, mass)
    with pytest.raises(ValueError, match="needs at least one centre"):
        native.kmeans_lloyd_round(x, w, centres[:0], labels, sums[:0], mass[:0])
    with pytest.raises(ValueError, match="centre must be"):
        native.kmeans_update_nearest(x, np.zeros(2), np.full(10, np.inf))
    with pytest.raises(TypeError):  # an int32 output would be converted, and the labels lost
        native.kmeans_lloyd_round(x, w, centres, labels.astype(np.int32), sums, mass)
