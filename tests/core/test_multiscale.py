"""The multiscale path returns the certified optimum of the single-level paths.

Oracles: the single-level point-cloud solver (k-nearest candidates, all-pairs pricing) and the
dense solver on the full cost matrix, each certified on its own; and an independent check of
the returned duals against every pair of the dense cost matrix (dual feasibility within 1e-9
relative, and Σ a u + Σ b v equal to the work within 1e-9).
"""
import importlib.util
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import emdkit
from emdkit.core import multiscale
from emdkit.core.multiscale import COARSEST_POINTS, build_levels

BENCH = Path(__file__).resolve().parents[2] / "bench" / "dotmark.py"
# gap of the certificate (result.gap <= 1e-11) on both sides, with room for the sum's rounding
SAME_OPTIMUM_RTOL = 3e-11
DUAL_RTOL = 1e-9


def _dotmark():
    spec = importlib.util.spec_from_file_location("dotmark", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_duals(res, a, b, C):
    """Dual feasibility and strong duality, from the returned u, v and the dense matrix."""
    scale = max(float(np.abs(C).max()), 1.0)
    assert np.all(res.u[:, None] + res.v[None, :] <= C + DUAL_RTOL * scale)
    dual = float(a @ res.u + b @ res.v)
    assert dual == pytest.approx(res.work, rel=DUAL_RTOL, abs=DUAL_RTOL * scale * a.sum())


def same_optimum(multi, single):
    assert multi.method == "multiscale"
    assert multi.work == pytest.approx(single.work, rel=SAME_OPTIMUM_RTOL)
    assert multi.gap <= 1e-11


def dotmark_pair(cls, n):
    gen = _dotmark()
    cells = np.indices((n, n)).reshape(2, -1).T.astype(float)
    return cells, gen.generate(cls, n, 0).ravel(), gen.generate(cls, n, 1).ravel()


def _dotmark_case(cls, n):
    if cls in ("ClassicImages", "Microscopy"):
        pytest.importorskip("skimage")
    cells, a, b = dotmark_pair(cls, n)
    multi = emdkit.signature_emd(cells, a, cells, b, "sqeuclidean", method="multiscale")
    single = emdkit.signature_emd(cells, a, cells, b, "sqeuclidean", method="pointcloud")
    same_optimum(multi, single)
    return cells, a, b, multi


CLASSES = ("WhiteNoise", "GRFrough", "GRFmoderate", "GRFsmooth", "LogGRF", "LogitGRF",
           "CauchyDensity", "Shapes", "ClassicImages", "Microscopy")


@pytest.mark.parametrize("cls", CLASSES)
def test_dotmark_32_same_optimum_as_single_level(cls):
    cells, a, b, multi = _dotmark_case(cls, 32)
    check_duals(multi, a, b, emdkit.ground_distance(cells, cells, "sqeuclidean"))


@pytest.mark.slow
@pytest.mark.parametrize("cls", CLASSES)
def test_dotmark_64_same_optimum_as_single_level(cls):
    cells, a, b, multi = _dotmark_case(cls, 64)
    check_duals(multi, a, b, emdkit.ground_distance(cells, cells, "sqeuclidean"))


@settings(max_examples=12, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), dim=st.integers(1, 3),
       metric=st.sampled_from(["sqeuclidean", "euclidean", "cityblock", "chebyshev"]))
def test_random_clouds_equal_the_dense_optimum(seed, dim, metric):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(300, 700, size=2)
    X, Y = rng.random((m, dim)), rng.random((n, dim))
    if rng.random() < 0.3:  # lattice-like: many equal coordinates and ties
        X, Y = np.round(X * 8) / 8, np.round(Y * 8) / 8
    a, b = rng.random(m), rng.random(n)
    a[rng.random(m) < 0.1] = 0.0  # zero weights: their duals are completed without a matrix
    b *= a.sum() / b.sum()
    # a small coarsest level, so that these few hundred points go through 2-3 refinements
    with mock.patch.object(multiscale, "COARSEST_POINTS", 40):
        multi = emdkit.signature_emd(X, a, Y, b, metric, method="multiscale")
    dense = emdkit.signature_emd(X, a, Y, b, metric, method="dense")
    same_optimum(multi, dense)
    C = emdkit.ground_distance(X, Y, metric)
    check_duals(multi, a, b, C)
    F = multi.flow_sparse().toarray()
    np.testing.assert_allclose(F.sum(axis=1), a, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(F.sum(axis=0), b, rtol=1e-9, atol=1e-12)


def test_levels_pool_into_nested_cells_and_keep_the_mass():
    cells = np.indices((64, 64)).reshape(2, -1).T.astype(float)
    rng = np.random.default_rng(0)
    a, b = rng.random(4096), rng.random(4096)
    levels = build_levels(cells, cells, a, b)
    assert [lv.m for lv in levels] == [4096, 1024, 256]  # 2×2 pooling on a lattice
    assert levels[-1].m <= COARSEST_POINTS
    for fine, coarse in zip(levels, levels[1:]):
        np.testing.assert_allclose(np.bincount(coarse.parent_x, fine.a), coarse.a)
        np.testing.assert_allclose(np.bincount(coarse.parent_y, fine.b), coarse.b)
        # each coarse point is the weighted mean of its children
        mean0 = np.bincount(coarse.parent_x, fine.a * fine.X[:, 0]) / coarse.a
        np.testing.assert_allclose(mean0, coarse.X[:, 0])


def test_auto_takes_multiscale_from_the_threshold_and_progress_reports_levels(capsys):
    from emdkit.core.prepare import MULTISCALE_ABOVE
    rng = np.random.default_rng(5)
    X, Y = rng.random((MULTISCALE_ABOVE, 2)), rng.random((MULTISCALE_ABOVE, 2))
    res = emdkit.signature_emd(X, None, Y, None, "sqeuclidean", progress=True)
    assert res.method == "multiscale"
    err = capsys.readouterr().err
    assert "level 0" in err and "pricing rounds" in err
    below = emdkit.signature_emd(X[:500], None, Y[:500], None, "sqeuclidean")
    assert below.method != "multiscale"


@settings(max_examples=8, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), dim=st.integers(1, 3), heavier=st.sampled_from("ab"),
       metric=st.sampled_from(["sqeuclidean", "euclidean", "cityblock"]))
def test_unequal_totals_equal_the_dense_partial_matching(seed, dim, heavier, metric):
    """Rubner's partial matching: the dummy goes through every level; same optimum as the
    dense solver (its own dummy), feasible duals, the lighter side moved entirely."""
    rng = np.random.default_rng(seed)
    m, n = rng.integers(300, 600, size=2)
    X, Y = rng.random((m, dim)), rng.random((n, dim))
    a, b = rng.random(m), rng.random(n)
    b *= a.sum() / b.sum() * (0.6 if heavier == "a" else 1.7)
    with mock.patch.object(multiscale, "COARSEST_POINTS", 40):
        multi = emdkit.signature_emd(X, a, Y, b, metric, method="multiscale")
    dense = emdkit.signature_emd(X, a, Y, b, metric, method="dense")
    # when the float certificate cannot resolve the costs' range, both settle exactly
    assert multi.method in ("multiscale", "exact_integer") and multi.gap <= 1e-11
    assert multi.distance == pytest.approx(dense.distance, rel=SAME_OPTIMUM_RTOL)
    C = emdkit.ground_distance(X, Y, metric)
    check_duals(multi, a, b, C)
    F = multi.flow_sparse().toarray()
    lighter, moved = (b, F.sum(axis=0)) if heavier == "a" else (a, F.sum(axis=1))
    np.testing.assert_allclose(moved, lighter, rtol=1e-9, atol=1e-12)
    assert np.all(F.sum(axis=1) <= a * (1 + 1e-9)) and np.all(F.sum(axis=0) <= b * (1 + 1e-9))


def test_multiscale_refuses_what_it_cannot_serve():
    X = np.random.default_rng(0).random((10, 2))
    with pytest.raises(ValueError, match="registered metric"):
        emdkit.signature_emd(X, None, X, None, lambda p, q: 0.0, method="multiscale")


def test_dense_flow_refuses_sizes_that_would_not_fit():
    from emdkit.core.result import DENSE_FLOW_MAX_BYTES, EMDResult
    side = int(np.sqrt(DENSE_FLOW_MAX_BYTES / 8)) + 1
    res = EMDResult(1.0, 1.0, 1.0, np.zeros(side), np.zeros(side), (side, side),
                    np.array([0]), np.array([0]), np.array([1.0]))
    with pytest.raises(MemoryError, match="flow_sparse"):
        res.flow
    assert res.flow_sparse().nnz == 1


def _is_forest(i, j, m):
    parent = list(range(m + int(j.max(initial=0)) + 1))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for r, c in zip(i, j):
        ra, rb = find(int(r)), find(m + int(c))
        if ra == rb:
            return False
        parent[ra] = rb
    return True


@settings(max_examples=6, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), dim=st.integers(2, 3))
def test_refined_plan_is_a_feasible_forest(seed, dim):
    """refine_plan's arcs close no cycle and carry the fine weights: scipy's HiGHS finds a
    feasible flow on them alone (the coarse plan from the dense solver)."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix
    from emdkit.core.refine_plan import refine_plan
    rng = np.random.default_rng(seed)
    m, n = rng.integers(150, 300, size=2)
    X, Y = rng.random((m, dim)), rng.random((n, dim))
    a, b = rng.random(m), rng.random(n)
    a, b = a / a.sum(), b / b.sum()
    with mock.patch.object(multiscale, "COARSEST_POINTS", 40):
        fine, coarse = build_levels(X, Y, a, b)[:2]
    res = emdkit.signature_emd(coarse.X, coarse.a, coarse.Y, coarse.b, "sqeuclidean",
                               method="dense")
    F = res.flow_sparse().tocoo()
    i, j = refine_plan(F.row.astype(np.int64), F.col.astype(np.int64), F.data, coarse, n,
                       X, Y, a, b)
    assert _is_forest(i, j, m)
    k = np.arange(i.shape[0])
    A = coo_matrix((np.ones(2 * k.shape[0]), (np.r_[i, m + j], np.r_[k, k])),
                   shape=(m + n, k.shape[0]))
    lp = linprog(np.zeros(k.shape[0]), A_eq=A, b_eq=np.r_[a, b], bounds=(0, None),
                 method="highs")
    assert lp.status == 0


@settings(max_examples=6, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), dim=st.integers(2, 3))
def test_refined_start_gives_the_dense_optimum(seed, dim):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(300, 600, size=2)
    X, Y = rng.random((m, dim)), rng.random((n, dim))
    a, b = rng.random(m), rng.random(n)
    b *= a.sum() / b.sum()
    with mock.patch.object(multiscale, "COARSEST_POINTS", 40), \
            mock.patch.object(multiscale, "REFINED_START", True):
        multi = emdkit.signature_emd(X, a, Y, b, "sqeuclidean", method="multiscale")
    dense = emdkit.signature_emd(X, a, Y, b, "sqeuclidean", method="dense")
    same_optimum(multi, dense)
    check_duals(multi, a, b, emdkit.ground_distance(X, Y, "sqeuclidean"))
