"""grid_emd under either engine (the numba CI step runs this file with EMDKIT_ENGINE=numba).

The Numba reference solver has no warm start, so the grid network pivots from its
all-artificial basis there; the answer must still be the exact optimum, rounded once, that the
rational-arithmetic LP (tests/core/oracle.py) gives, and ``exact`` must hold.
"""
import numpy as np
import pytest

from emdkit import grid_emd

from .test_grid import cityblock_matrix, rational_distance, sparse_pair


@pytest.mark.parametrize("shape", [(2, 3), (5,), (1, 2, 3)])
@pytest.mark.parametrize("partial", [False, True])
def test_grid_emd_is_the_rational_optimum_under_this_engine(shape, partial):
    rng = np.random.default_rng(sum(shape) * 10 + partial)
    a, b = sparse_pair(rng, shape, partial)
    r = grid_emd(a, b)
    assert r.exact
    assert r.distance == rational_distance(a, b, cityblock_matrix(shape))
