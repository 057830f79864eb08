"""NetworkSimplex.start_forest: a caller's spanning forest, flows from the supplies."""
import numpy as np
import pytest

from emdkit._engine import EngineError, NetworkSimplex


def path_network():
    # nodes 0 (+2), 1 (0), 2 (-2): arcs 0->1, 1->0, 1->2, 2->1, all of cost 1
    ns = NetworkSimplex(np.array([2.0, 0.0, -2.0]), 1.0)
    ns.add_arcs(np.array([0, 1, 1, 2]), np.array([1, 0, 2, 1]), np.ones(4))
    return ns


def test_the_tree_carries_the_supplies_and_the_solve_stays_optimal():
    ns = path_network()
    first = ns.n_nodes  # real arcs follow the artificial ones
    # the edges are given against the flow's direction; the reverse arcs must be taken
    ns.start_forest(np.array([first + 1, first + 3]), np.array([first, first + 2]))
    assert ns.artificial_flow() == 0.0
    flow = ns.flow[first:first + 4]
    np.testing.assert_array_equal(flow, [2.0, 0.0, 2.0, 0.0])
    assert ns.solve(100) == 0
    assert ns.n_iter == 0  # the start was already optimal


def test_bad_forests_are_refused():
    ns = path_network()
    first = ns.n_nodes
    with pytest.raises(EngineError, match="cycle"):
        ns.start_forest(np.array([first, first + 1]), np.array([-1, -1]))
    with pytest.raises(EngineError, match="not a real arc"):
        ns.start_forest(np.array([0]), np.array([-1]))
    with pytest.raises(EngineError, match="against its only arc"):
        ns.start_forest(np.array([first + 1, first + 3]), np.array([-1, -1]))
