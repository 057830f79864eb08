"""grid_emd: the L1 EMD on grids as a min-cost flow, against independent oracles.

Oracles: the rational-arithmetic LP (tests/core/oracle.py) on tiny grids, where an ``exact``
result must equal the exact optimum rounded once; closed forms (one unit moved; the 1-D CDF
formula); HiGHS and POT's network simplex on the dense N² cost matrix at 32².
"""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from emdkit import emd, grid_emd, wasserstein_1d
from emdkit.core import grid, grid_levels
from emdkit.core.grid import GridEMDResult
from emdkit.core.problem import TransportProblem

from .oracle import lp_emd_work, rational_emd_work


def cityblock_matrix(shape):
    cells = np.indices(shape).reshape(len(shape), -1).T.astype(float)
    return np.abs(cells[:, None, :] - cells[None, :, :]).sum(-1)


def sparse_pair(rng, shape, partial):
    """a with some empty cells (the first always filled), b dense; equal totals unless
    ``partial`` (then equal up to the rounding of the rescaling)."""
    a = rng.random(shape) * (rng.random(shape) < 0.7)
    a.flat[0] += 0.25
    b = rng.random(shape)
    return a, (b if partial else b / b.sum() * a.sum())


def rational_distance(a, b, C) -> float:
    total = min(sum(map(Fraction, a.ravel().tolist())), sum(map(Fraction, b.ravel().tolist())))
    return float(rational_emd_work(a.ravel(), b.ravel(), C) / total)


def test_one_unit_moves_its_cityblock_distance():
    a = np.zeros((4, 5, 3)); a[0, 1, 2] = 2.0
    b = np.zeros((4, 5, 3)); b[3, 4, 0] = 2.0
    r = grid_emd(a, b, spacing=0.5)
    assert isinstance(r, GridEMDResult) and r.exact
    assert (r.distance, r.work, r.total_flow) == (4.0, 8.0, 2.0)


def test_one_dimensional_grid_equals_the_cdf_formula():
    rng = np.random.default_rng(11)
    a, b = rng.random(40), rng.random(40)
    b *= a.sum() / b.sum()
    x = np.arange(40.0)
    assert grid_emd(a, b).distance == pytest.approx(wasserstein_1d(x, x, a, b), rel=1e-13)


@pytest.mark.parametrize("shape", [(2, 3), (3, 2), (6,), (1, 2, 3)])
@pytest.mark.parametrize("partial", [False, True])
def test_tiny_grids_equal_the_rational_optimum(shape, partial):
    rng = np.random.default_rng(hash((shape, partial)) % 2**32)
    for _ in range(3):
        a, b = sparse_pair(rng, shape, partial)
        r = grid_emd(a, b)
        assert r.exact and r.gap == 0.0
        assert r.distance == rational_distance(a, b, cityblock_matrix(shape))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**32 - 1), st.booleans())
def test_duals_are_feasible_for_every_pair_and_prove_the_optimum(h, w, seed, partial):
    rng = np.random.default_rng(seed)
    a = rng.random((h, w)) * (rng.random((h, w)) < 0.8)
    a.flat[rng.integers(h * w)] += 0.5
    b = rng.random((h, w)) + 1e-3
    if not partial:
        b = b / b.sum() * a.sum()
    r = grid_emd(a, b)
    C = cityblock_matrix((h, w))
    assert np.all(r.u.ravel()[:, None] + r.v.ravel()[None, :] <= C)
    dense = emd(a.ravel(), b.ravel(), C)
    assert r.distance == pytest.approx(dense.distance, rel=1e-12, abs=1e-300)
    # the edge flows move exactly the difference of the marginals they serve
    assert r.total_flow == pytest.approx(min(a.sum(), b.sum()), rel=1e-15)


def test_32x32_equals_the_dense_problem_highs_and_pot():
    rng = np.random.default_rng(3)
    a, b = rng.random((32, 32)), rng.random((32, 32))
    b *= a.sum() / b.sum()
    C = cityblock_matrix((32, 32))
    r = grid_emd(a, b)
    dense = emd(a.ravel(), b.ravel(), C)
    assert r.distance == pytest.approx(dense.distance, rel=1e-12)
    ot = pytest.importorskip("ot")
    assert r.distance == pytest.approx(ot.emd2(a.ravel() / a.sum(), b.ravel() / b.sum(), C,
                                               numItermax=10**7), rel=1e-9)


@pytest.mark.parametrize("shape, partial", [((32, 32), False), ((17, 23), True), ((150,), False),
                                            ((7, 9, 5), True)])
def test_the_coarse_start_gives_the_dense_optimum(monkeypatch, shape, partial):
    """From a coarser grid's optimum (grid_levels.py), forced on small grids: the same value
    as HiGHS-free oracles, the dense emd and POT on the N² cityblock matrix, and duals that are
    feasible for every pair."""
    monkeypatch.setattr(grid, "GRID_MULTISCALE_MIN_CELLS", 16)
    rng = np.random.default_rng(len(shape) * 100 + shape[0])
    a = rng.random(shape) * (rng.random(shape) < 0.8)
    a.flat[0] += 0.5
    b = rng.random(shape)
    if not partial:
        b *= a.sum() / b.sum()
    C = cityblock_matrix(shape)
    r = grid_emd(a, b)
    assert np.all(r.u.ravel()[:, None] + r.v.ravel()[None, :] <= C)
    dense = emd(a.ravel(), b.ravel(), C)
    assert r.distance == pytest.approx(dense.distance, rel=1e-12)
    if not partial:
        ot = pytest.importorskip("ot")
        assert r.distance == pytest.approx(ot.emd2(a.ravel() / a.sum(), b.ravel() / b.sum(),
                                                   C, numItermax=10**7), rel=1e-9)


def test_the_coarse_start_tree_is_feasible_and_spans_the_grid():
    """The carried-over start: one arc per grid edge of a spanning tree, each along its
    forced flow, so phase 1 has nothing to do when the totals balance."""
    rng = np.random.default_rng(4)
    a, b = rng.random((12, 10)), rng.random((12, 10))
    b *= a.sum() / b.sum()
    coarse = grid._solve_levels(grid_levels.pool_grid(a), grid_levels.pool_grid(b), None)
    fine = grid._GridNetwork(TransportProblem.from_weights(a.ravel(), b.ravel()), a.shape)
    start = fine.start_from(coarse)
    grid_arcs = start[start >= fine.first_edge_arc]
    assert grid_arcs.size == a.size - 1 and np.unique(grid_arcs).size == grid_arcs.size
    fine.ns.start_warm(start)
    assert fine.ns.phase == 2 and fine.ns.artificial_flow() == 0.0


def test_partial_matching_leaves_the_surplus_in_place():
    a = np.zeros((3, 3)); a[0, 0] = 3.0; a[2, 2] = 1.0
    b = np.zeros((3, 3)); b[0, 1] = 1.0
    r = grid_emd(a, b)
    assert r.exact and r.distance == 1.0 and r.total_flow == 1.0
    assert r.edge_flows[1][0, 0] == 1.0 and np.count_nonzero(r.edge_flows[0]) == 0


def test_weights_at_the_ends_of_the_float_range():
    rng = np.random.default_rng(5)
    a, b = rng.random((5, 5)), rng.random((5, 5))
    b *= a.sum() / b.sum()
    base = grid_emd(a, b).distance
    for scale in (2.0 ** -1000, 2.0 ** 1000):
        assert grid_emd(a * scale, b * scale).distance == pytest.approx(base, rel=1e-15)


def test_highs_agrees_on_a_partial_3d_grid():
    rng = np.random.default_rng(9)
    a, b = rng.random((3, 3, 3)), 2 * rng.random((3, 3, 3))
    C = cityblock_matrix((3, 3, 3))
    expected = lp_emd_work(a.ravel(), b.ravel(), C) / min(a.sum(), b.sum())
    assert grid_emd(a, b).distance == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("call, error, words", [
    (lambda: grid_emd(np.ones((2, 2)), np.ones((2, 3))), ValueError, "same shape"),
    (lambda: grid_emd(np.ones((2, 2)), np.ones((2, 2)), "euclidean"), ValueError, "metric"),
    (lambda: grid_emd(np.ones(3), np.ones(3), spacing=0.0), ValueError, "spacing"),
    (lambda: grid_emd(np.ones(3), np.ones(3), spacing=True), ValueError, "spacing"),
    (lambda: grid_emd(np.ones((1, 1, 1, 2)), np.ones((1, 1, 1, 2))), ValueError, "a must be"),
    (lambda: grid_emd([1.0, -1.0], [1.0, 1.0]), ValueError, "a contains negative"),
    (lambda: grid_emd([1.0, 1.0], [0.0, 0.0]), ValueError, "b has all-zero"),
    (lambda: grid_emd(["1", "2"], [1.0, 1.0]), TypeError, "a must contain real numbers"),
    (lambda: grid_emd([1.0, np.nan], [1.0, 1.0]), ValueError, "a contains NaN"),
])
def test_bad_input_gets_one_clear_line(call, error, words):
    with pytest.raises(error, match=words):
        call()


def _forced_repair(monkeypatch, flows_kept, zero_potentials):
    """Make grid_emd take the exact repair (grid_exact.py): the float basis's tree flows are
    reported infeasible, only ``flows_kept`` of them (a fraction) kept as the start, and with
    ``zero_potentials`` the repair starts from π = 0 (dual feasible: every cost is >= 0), so
    it must find the whole optimum by itself, lifts included."""
    real = grid._GridNetwork.exact_tree_flows
    calls = []

    def infeasible(self, supply):
        flows, _ = real(self, supply)
        kept = dict(list(flows.items())[:int(len(flows) * flows_kept)])
        calls.append(self)
        return kept, False

    monkeypatch.setattr(grid._GridNetwork, "exact_tree_flows", infeasible)
    if zero_potentials:
        potentials = grid._GridNetwork.potentials
        monkeypatch.setattr(grid._GridNetwork, "potentials",
                            lambda self: 0.0 * potentials(self))
    return calls


@pytest.mark.parametrize("shape", [(2, 3), (3, 3), (7,), (2, 2, 2)])
@pytest.mark.parametrize("partial", [False, True])
@pytest.mark.parametrize("kept, zero", [(0.5, False), (0.0, True)])
def test_the_exact_repair_gives_the_rational_optimum(monkeypatch, shape, partial, kept, zero):
    """The repair from a damaged start equals the rational LP's optimum rounded once, and its
    duals are feasible for every pair and prove it (Σ a u + Σ b v = work)."""
    calls = _forced_repair(monkeypatch, kept, zero)
    rng = np.random.default_rng(hash((shape, partial, kept)) % 2**32)
    for _ in range(2):
        a, b = sparse_pair(rng, shape, partial)
        C = cityblock_matrix(shape)
        r = grid_emd(a, b)
        assert calls and calls[-1].repair.searches >= 1
        assert r.exact and r.gap == 0.0
        assert r.distance == rational_distance(a, b, C)
        assert np.all(r.u.ravel()[:, None] + r.v.ravel()[None, :] <= C)
        if not partial:
            assert np.dot(a.ravel(), r.u.ravel()) + np.dot(b.ravel(), r.v.ravel()) == \
                pytest.approx(r.work, rel=1e-12)


def test_the_exact_repair_agrees_with_dense_emd_and_highs_at_12x12(monkeypatch):
    """From π = 0 and no flow the repair solves a 144-cell grid alone (lifting the potentials
    many times): the dense emd on the cityblock matrix and HiGHS agree, and the edge flows
    move a − b."""
    calls = _forced_repair(monkeypatch, 0.0, True)
    rng = np.random.default_rng(21)
    a, b = rng.random((12, 12)), rng.random((12, 12))
    b *= a.sum() / b.sum()
    C = cityblock_matrix((12, 12))
    r = grid_emd(a, b)
    assert calls[-1].repair.lifts >= 1 and r.exact
    dense = emd(a.ravel(), b.ravel(), C)
    assert r.distance == pytest.approx(dense.distance, rel=1e-14)
    expected = lp_emd_work(a.ravel(), b.ravel(), C) / a.sum()
    assert r.distance == pytest.approx(expected, rel=1e-9)
    net = a - b
    net[:-1, :] -= r.edge_flows[0]
    net[1:, :] += r.edge_flows[0]
    net[:, :-1] -= r.edge_flows[1]
    net[:, 1:] += r.edge_flows[1]
    # up to the last-bit difference of the totals, which partial matching leaves in place
    assert np.abs(net).max() <= abs(a.sum() - b.sum()) + 1e-15


def test_a_float_basis_that_is_not_exactly_feasible_is_repaired_exactly():
    """Two random 3×3 shapes (found by a seed search): the float optimum's tree flows,
    recomputed exactly, have a negative entry, the totals differ in their last bits (no dummy
    node: the repair adds its own), and the float potentials are not optimal for the exact
    problem (the repair lifts them). The answer equals the rational optimum rounded once, the
    dense emd and HiGHS."""
    rng = np.random.default_rng(646)
    a, b = (rng.random((3, 3)) < 0.5).astype(float), (rng.random((3, 3)) < 0.5).astype(float)
    a, b = a / a.sum(), b / b.sum()
    seen = []
    real = grid._GridNetwork.exact_tree_flows

    def spy(self, supply):
        out = real(self, supply)
        seen.append((self, out[1], sum(supply)))
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(grid._GridNetwork, "exact_tree_flows", spy)
        r = grid_emd(a, b)
    network, feasible, left = seen[-1]
    assert not feasible and left != 0 and network.repair.lifts >= 1
    C = cityblock_matrix((3, 3))
    assert r.exact and r.gap == 0.0
    assert r.distance == rational_distance(a, b, C)
    assert r.distance == pytest.approx(emd(a.ravel(), b.ravel(), C).distance, rel=1e-14)
    expected = lp_emd_work(a.ravel(), b.ravel(), C) / min(a.sum(), b.sum())
    assert r.distance == pytest.approx(expected, rel=1e-9)
    assert np.all(r.u.ravel()[:, None] + r.v.ravel()[None, :] <= C)


@pytest.mark.parametrize("shape", [(24, 20), (9, 8, 7), (300,)])
def test_merged_and_split_networks_give_the_same_exact_optimum(monkeypatch, shape):
    """Balanced grids are solved on one node per cell (a − b); the network with a node per
    weight must give the same exact distance, and both duals stay feasible for every pair.
    The coarse start is forced so that both go through the levels."""
    monkeypatch.setattr(grid, "GRID_MULTISCALE_MIN_CELLS", 16)
    rng = np.random.default_rng(sum(shape))
    a, b = sparse_pair(rng, shape, False)
    C = cityblock_matrix(shape)
    results = []
    for merged in (True, False):
        monkeypatch.setattr(grid, "MERGE_BALANCED", merged)
        r = grid_emd(a, b)
        assert r.exact and np.all(r.u.ravel()[:, None] + r.v.ravel()[None, :] <= C)
        results.append(r)
    assert results[0].distance == results[1].distance
    assert results[0].distance == pytest.approx(emd(a.ravel(), b.ravel(), C).distance,
                                                rel=1e-14)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**32 - 1), st.booleans(),
       st.sampled_from([0.0, 0.3, 0.9]), st.booleans())
def test_the_repair_equals_the_dense_exact_optimum(h, w, seed, partial, kept, zero):
    """Hypothesis over damaged starts: the repaired grid answer and the dense emd on the
    cityblock matrix are both the exact optimum rounded once, so they agree bit for bit."""
    with pytest.MonkeyPatch.context() as mp:
        _forced_repair(mp, kept, zero)
        a, b = sparse_pair(np.random.default_rng(seed), (h, w), partial)
        r = grid_emd(a, b)
    dense = emd(a.ravel(), b.ravel(), cityblock_matrix((h, w)))
    assert r.exact and dense.exact
    assert r.distance == dense.distance
