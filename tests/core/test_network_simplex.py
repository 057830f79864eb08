"""The solver kernel on its own: starting bases and open arc sets keep a valid basis."""
import numpy as np
import pytest

from emdkit.core.errors import STATUS_ARTIFICIAL_FLOW, STATUS_OPTIMAL
from emdkit.core.network_simplex import NetworkSimplex

from .oracle import lp_emd_work


def _net_outflow(ns):
    net = np.zeros(ns.n_nodes + 1)
    arcs = np.arange(ns.n_arcs)
    np.add.at(net, ns.src[arcs], ns.flow[arcs])
    np.add.at(net, ns.tgt[arcs], -ns.flow[arcs])
    return net[: ns.n_nodes]


@pytest.mark.parametrize("seed", range(25))
def test_greedy_start_on_sparse_arcs_is_a_feasible_basis_and_solves_exactly(seed):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(2, 30, size=2)
    a = rng.random(m) + 0.1
    b = rng.random(n) + 0.1
    b *= a.sum() / b.sum()
    C = rng.random((m, n))
    mask = rng.random((m, n)) < 0.3  # sparse: many rows get stuck with leftover mass
    ns = NetworkSimplex(np.concatenate([a, -b]), C.max())
    ii, jj = np.nonzero(mask)
    ns.add_arcs(ii, m + jj, C[ii, jj])
    ns.start_greedy()
    np.testing.assert_allclose(_net_outflow(ns), ns.supply, atol=1e-12)
    assert ns.flow[: ns.n_arcs].min() >= 0
    assert (ns.state[: ns.n_arcs] == 0).sum() == ns.n_nodes  # a spanning tree incl. root arcs
    # on the sparse arcs alone some mass may have nowhere to go but the root
    assert ns.solve(10**6) in (STATUS_OPTIMAL, STATUS_ARTIFICIAL_FLOW)
    # then open the rest of the arcs: pivoting resumes from the same basis to the optimum
    ii, jj = np.nonzero(~mask)
    ns.add_arcs(ii, m + jj, C[ii, jj])
    assert ns.solve(10**6) == STATUS_OPTIMAL
    np.testing.assert_allclose(_net_outflow(ns), ns.supply, atol=1e-12)
    assert ns.artificial_flow() < 1e-12
    src, tgt, f, c = ns.real_flows()
    assert f @ c == pytest.approx(lp_emd_work(a, b, C), rel=1e-9)
