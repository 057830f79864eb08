"""The compiled engine's point-cloud and 1-D kernels against the Numba kernels, bit for bit.

Each test draws a seed (hypothesis, derandomized under the "ci" profile), builds inputs with
ties, duplicates and signed potentials, and runs both engines on the same arrays. Under
EMDKIT_ENGINE=native the modules' Numba kernels are replaced, so the comparison runs in the
default (Numba) mode, and the last test compares whole solves in two processes, one per engine;
the solver tests (test_pointcloud.py, test_one_d_and_pairwise.py,
test_large.py) check the native kernels end to end against independent oracles in both modes.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from emdkit.core import kdtree, one_d, pointcloud
from emdkit.core.costs import GROUND_COSTS
from emdkit.core.engine import engine_name
from emdkit.core.network_simplex import PRICING_EPS

_engine = pytest.importorskip("emdkit._engine", reason="the compiled engine is not built")
numba_only = pytest.mark.skipif(engine_name() != "numba",
                                reason="compares with the Numba kernels, which "
                                       "EMDKIT_ENGINE=native replaces")

CODES = st.sampled_from([c.code for c in GROUND_COSTS.values()])
SEEDS = st.integers(0, 2**32 - 1)


def assert_same_bits(got, want):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert got.tobytes() == want.tobytes()


def cloud(rng, n, dim):
    """Points on a coarse grid (many exact ties and duplicates) or spread over decades."""
    if rng.random() < 0.5:
        return rng.integers(0, 4, size=(n, dim)).astype(float)
    return rng.normal(size=(n, dim)) * 10.0 ** rng.integers(-3, 4)


def clouds_with_tree(seed, dim, tree_over):
    """rng, X (m, dim), Y (n, dim) and a k-d tree with a random leaf size over X or Y."""
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 120, size=2)
    X, Y = cloud(rng, m, dim), cloud(rng, n, dim)
    tree = kdtree.KDTree(X if tree_over == "X" else Y, leaf_size=int(rng.integers(1, 20)))
    return rng, X, Y, tree


def tree_args(tree):
    return tree.start, tree.end, tree.left, tree.right


def geometry(tree):
    return (tree.start, tree.end, tree.left, tree.right, tree.lo, tree.hi)


def priced(price, X, pi_rows, tree, pi_sorted, node_max, code, cap, *threads):
    out_cols = np.full((X.shape[0], cap), -7, np.int64)
    out_count = np.empty(X.shape[0], np.int64)
    price(X, pi_rows, tree.points, pi_sorted, tree.perm, *geometry(tree)[:4], tree.lo, tree.hi,
          node_max, code, PRICING_EPS, cap, out_cols, out_count, *threads)
    filled = [out_cols[i, :out_count[i]] for i in range(X.shape[0])]
    return out_count, filled


@numba_only
@given(SEEDS, CODES, st.integers(1, 4))
def test_tree_pricing_equals_numba_on_any_thread_count(seed, code, dim):
    rng, X, Y, tree = clouds_with_tree(seed, dim, "Y")
    m, n = X.shape[0], Y.shape[0]
    scale = float(np.abs(Y).max() + np.abs(X).max() + 1.0)
    pi_rows, pi_cols = rng.normal(size=m) * scale, rng.normal(size=n) * scale
    pi_rows[::3] = 0.0
    pi_sorted = pi_cols[tree.perm]
    want_max, got_max = np.empty(len(tree.start)), np.empty(len(tree.start))
    kdtree.node_max_potential(*tree_args(tree), pi_sorted, want_max)
    _engine.node_max_potential(*tree_args(tree), pi_sorted, got_max)
    assert_same_bits(got_max, want_max)

    cap = int(rng.integers(1, 10))
    want_count, want_cols = priced(kdtree.price_rows_serial, X, pi_rows, tree, pi_sorted,
                                   want_max, code, cap)
    for n_threads in (1, 3):
        got_count, got_cols = priced(_engine.price_rows, X, pi_rows, tree, pi_sorted, got_max,
                                     code, cap, n_threads)
        assert_same_bits(got_count, want_count)
        for got, want in zip(got_cols, want_cols):
            assert_same_bits(got, want)


@numba_only
@given(SEEDS, CODES, st.integers(1, 4))
def test_repaired_duals_without_the_matrix_equal_numba(seed, code, dim):
    rng, X, Y, tree = clouds_with_tree(seed, dim, "X")
    m = X.shape[0]
    # shifts of mixed magnitude, so that c + shift rounds and floor_difference matters
    shift_sorted = (rng.normal(size=m) * 10.0 ** rng.integers(-2, 6))[tree.perm]
    node_min = np.empty(len(tree.start))
    kdtree.node_max_potential(*tree_args(tree), -shift_sorted, node_min)
    node_min = -node_min
    want = kdtree.min_shifted_cost(Y, tree.points, shift_sorted, *geometry(tree), node_min, code)
    for n_threads in (1, 2):
        got = _engine.min_shifted_cost(Y, tree.points, shift_sorted, *geometry(tree), node_min,
                                       code, n_threads)
        assert_same_bits(got, want)


@numba_only
@given(SEEDS, CODES, st.integers(1, 5))
def test_pair_costs_and_support_work_equal_numba(seed, code, dim):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 60, size=2)
    X, Y = cloud(rng, m, dim), cloud(rng, n, dim)
    n_pairs = int(rng.integers(0, 200))
    ii, jj = rng.integers(0, m, n_pairs), rng.integers(0, n, n_pairs)
    assert_same_bits(_engine.pair_costs(X, Y, ii, jj, code),
                     pointcloud._pair_costs(X, Y, ii, jj, code))
    # a support reaching the dummy row and column (index m, n), which carry no cost
    sup_r, sup_c = rng.integers(0, m + 1, n_pairs), rng.integers(0, n + 1, n_pairs)
    sup_f = rng.random(n_pairs) * 10.0 ** rng.integers(-5, 5)
    assert_same_bits(_engine.support_work(X, Y, sup_r, sup_c, sup_f, code),
                     pointcloud.support_work(X, Y, sup_r, sup_c, sup_f, code))


def step_cdf(rng, n):
    values = np.round(rng.normal(size=n), int(rng.integers(0, 3)))  # rounding makes ties
    weights = None if rng.random() < 0.3 else rng.random(n) * (rng.random(n) < 0.9)
    if weights is not None and not weights.any():
        weights[0] = 1.0
    return one_d._sorted_cdf(values, weights)


@numba_only
@given(SEEDS, st.sampled_from([1.0, 2.0, 1.5, 3.7]))
def test_quantile_integral_equals_numba(seed, p):
    rng = np.random.default_rng(seed)
    (xu, cu), (xv, cv) = step_cdf(rng, int(rng.integers(1, 300))), \
        step_cdf(rng, int(rng.integers(1, 300)))
    assert_same_bits(_engine.quantile_wp(xu, cu, xv, cv, p),
                     one_d._quantile_wp(xu, cu, xv, cv, p))


@numba_only
@given(SEEDS, CODES)
def test_staircase_coupling_and_duals_equal_numba(seed, code):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 80, size=2)
    x, y = np.sort(np.round(rng.normal(size=m), 1)), np.sort(np.round(rng.normal(size=n), 1))
    wx = rng.integers(1, 5, m).astype(float)  # integer weights: exact ties between partial sums
    wy = rng.random(n)
    wy *= wx.sum() / wy.sum()
    got = _engine.staircase(x, wx, y, wy, code)
    want = one_d._staircase(x, wx, y, wy, code)
    for g, w in zip(got, want):
        assert_same_bits(g, w)



@numba_only
@given(SEEDS, CODES)
def test_work_on_the_line_equals_the_python_sum(seed, code):
    rng = np.random.default_rng(seed)
    m, n, n_arcs = rng.integers(1, 100, size=3)
    x, y = rng.normal(size=m) * 10.0 ** rng.integers(-3, 4), rng.normal(size=n)
    sup_r, sup_c = np.sort(rng.integers(0, m, n_arcs)), rng.integers(0, n, n_arcs)
    sup_f = rng.random(n_arcs)
    assert_same_bits(_engine.line_work(x, y, sup_r, sup_c, sup_f, code),
                     one_d._line_work(x, y, sup_r, sup_c, sup_f, code))

# Whole solves through the paths this part of the engine serves; every number is printed as
# its float64 bits (hex), so the two processes must agree bit for bit.
SOLVES = r"""
import json, sys
import numpy as np
import emdkit
# the float solves, without the compiled engine's matrix-free exact solve (which the Numba
# engine does not do): what both engines share, bit for bit
import emdkit.core.pointcloud
emdkit.core.pointcloud.EXACT_MATRIX_FREE = False
# nor its exact walk on the line (cpp/one_d/exact_line.hpp): the float staircase in both
import emdkit.core.exact
emdkit.core.exact.VERIFY_EVERY_ANSWER = False
rng = np.random.default_rng(7)
X, Y = rng.integers(0, 6, (300, 2)) / 3.0, rng.random((280, 2))
wx, wy = rng.random(300), rng.random(280)
out = {}
for metric in ("euclidean", "sqeuclidean", "cityblock", "chebyshev"):
    r = emdkit.signature_emd(X, wx, Y, wy, metric, method="pointcloud")
    out["pointcloud " + metric] = [r.method, r.work, *r.u, *r.v, *r.flow_values,
                                   *r.flow_rows.tolist(), *r.flow_cols.tolist()]
u, v = rng.normal(size=500).round(1), rng.normal(size=400)
for p in (1, 2, 1.5):
    out[f"wasserstein_1d p={p}"] = [emdkit.wasserstein_1d(u, v, rng.random(500), None, p=p)]
r = emdkit.signature_emd(u, np.full(500, 0.8), v, np.ones(400), "sqeuclidean")
out["monotone"] = [r.method, r.work, *r.u, *r.v, *r.flow_values]
print(json.dumps({k: [x.hex() if isinstance(x, float) else x for x in row]
                  for k, row in out.items()}))
"""


def solves_with(engine):
    env = dict(os.environ, EMDKIT_ENGINE=engine)
    done = subprocess.run([sys.executable, "-c", SOLVES], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_whole_solves_are_bit_identical_between_the_engines():
    pytest.importorskip("numba", reason="the reference engine needs numba (.ci/run installs it)")
    numba, native = solves_with("numba"), solves_with("native")
    assert numba.keys() == native.keys()
    assert numba["monotone"][0] == "monotone_1d"
    assert all(numba[k][0] == "pointcloud" for k in numba if k.startswith("pointcloud"))
    for key in numba:
        assert native[key] == numba[key], key
