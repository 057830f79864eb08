"""The compiled engine's ground costs against the Numba kernels (bit for bit) and SciPy."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

from emdkit.core import cost_kernels
from emdkit.core.costs import GROUND_COSTS, ground_distance
from emdkit.core.engine import engine_name

_engine = pytest.importorskip("emdkit._engine", reason="the compiled engine is not built")

CODES = [c.code for c in GROUND_COSTS.values()]
# finite coordinates over wide magnitudes, with exact ties and signed zeros among them
coordinate = st.one_of(st.floats(-1e150, 1e150, allow_nan=False, allow_infinity=False),
                       st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5]))


def points(dim):
    return st.lists(coordinate, min_size=dim, max_size=dim).map(np.array)


def same_bits(a, b):
    return np.float64(a).tobytes() == np.float64(b).tobytes()


def test_metric_codes_are_the_registry_codes():
    codes = {name: c.code for name, c in GROUND_COSTS.items()}
    assert _engine.METRIC_CODES == codes
    assert {name: getattr(cost_kernels, name.upper()) for name in codes} == codes


@given(st.integers(1, 6).flatmap(lambda d: st.tuples(points(d), points(d), points(d))),
       st.sampled_from(CODES))
def test_point_and_box_cost_are_the_numba_costs_bit_for_bit(xyz, code):
    x, a, b = xyz
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    assert same_bits(_engine.point_cost(x, a, code), cost_kernels.point_cost(x, a, code))
    assert same_bits(_engine.box_cost(x, lo, hi, code), cost_kernels.box_cost(x, lo, hi, code))


@given(coordinate, st.sampled_from(CODES))
def test_line_cost_is_the_numba_cost_bit_for_bit(t, code):
    assert same_bits(_engine.line_cost(t, code), cost_kernels.line_cost(t, code))


@pytest.mark.parametrize("name", list(GROUND_COSTS))
def test_point_cost_agrees_with_scipy(name):
    rng = np.random.default_rng(20261203)
    X, Y = rng.normal(size=(20, 3)), rng.normal(size=(20, 3))
    got = [_engine.point_cost(x, y, GROUND_COSTS[name].code) for x, y in zip(X, Y)]
    want = np.diag(cdist(X, Y, GROUND_COSTS[name].scipy_name))
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)


def test_box_cost_is_zero_inside_and_the_distance_to_the_nearest_corner_outside():
    lo, hi = np.array([0.0, 0.0]), np.array([1.0, 2.0])
    code = GROUND_COSTS["euclidean"].code
    assert _engine.box_cost(np.array([0.5, 1.0]), lo, hi, code) == 0.0
    assert _engine.box_cost(np.array([4.0, 6.0]), lo, hi, code) == 5.0


def test_an_unknown_metric_code_is_refused():
    with pytest.raises(ValueError, match="metric code 9"):
        _engine.point_cost(np.zeros(2), np.zeros(2), 9)


@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.sampled_from(list(GROUND_COSTS)))
def test_ground_distance_is_the_point_cloud_paths_costs_bit_for_bit(seed, dim, name):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 40, size=2)
    X, Y = rng.normal(size=(m, dim)), rng.normal(size=(n, dim)) * 10.0 ** rng.integers(-3, 4)
    D = ground_distance(X, Y, name)
    ii, jj = np.divmod(np.arange(m * n), n)
    pairs = _engine.pair_costs(X, Y, ii, jj, GROUND_COSTS[name].code).reshape(m, n)
    assert D.tobytes() == pairs.tobytes()
    np.testing.assert_allclose(D, cdist(X, Y, GROUND_COSTS[name].scipy_name), rtol=1e-14, atol=0)


@pytest.mark.skipif(engine_name() != "numba", reason="compares with the Numba kernel")
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.sampled_from(CODES))
def test_the_engine_cost_matrix_is_the_numba_one_bit_for_bit(seed, dim, code):
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(int(rng.integers(1, 30)), dim)), rng.normal(size=(7, dim))
    D = np.empty((X.shape[0], Y.shape[0]))  # the engine writes into the caller's buffer
    _engine.cost_matrix(X, Y, code, D)
    assert D.tobytes() == cost_kernels.cost_matrix(X, Y, code).tobytes()


def test_a_callable_metric_still_goes_through_cdist():
    X, Y = np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[3.0, 4.0]])
    D = ground_distance(X, Y, lambda x, y: float(np.abs(x - y).sum()))
    np.testing.assert_array_equal(D, [[7.0], [5.0]])
