"""The compiled engine's ground costs against the Numba kernels (bit for bit) and SciPy."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

from emdkit.core import cost_kernels
from emdkit.core.costs import GROUND_COSTS

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
    assert _engine.METRIC_CODES == {name: c.code for name, c in GROUND_COSTS.items()}


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
