"""The exact optimum of grid_emd's network when the float basis is not exactly feasible.

Every cost of the grid network is 0 or 1 grid step, so the float solve's potentials are whole
numbers and exactly dual feasible (grid.py checks it). Only the flows are rounded: the float
basis can be optimal for the float supplies and yet carry a slightly negative flow once its
tree flows are recomputed from the supplies in integer arithmetic (DOTmark's Cauchy densities
at 256², weights over many orders of magnitude). :func:`exact_flow` then finishes the job by
the primal-dual method (Ford and Fulkerson; Ahuja, Magnanti and Orlin, "Network Flows", 1993,
section 9.8) in integer arithmetic, from that start:

* the flow: the basis's exact tree flows, the negative ones (and the mass left on the root)
  set to 0, which leaves a few nodes with an exact excess or deficit;
* augment: from the excess nodes, search the *admissible* residual graph (arcs of reduced cost
  0 forwards, arcs carrying flow backwards) breadth first, and push along every path that
  reaches a deficit; arcs of reduced cost 0 have no capacity, so only backward steps limit;
* when no deficit is reachable, lower the potentials of the reached set by the least reduced
  cost leaving it (an integer >= 1): dual feasibility and complementary slackness hold, and a
  new arc becomes admissible.

The flow is then feasible, every flow-carrying arc has reduced cost 0 and every reduced cost is
>= 0, all exactly: the flow is optimal, its work equals the dual objective (checked), and the
distance is that integer quotient rounded once. The method is complete: on a connected grid it
always ends, so grid_emd never needs to refuse. From a float optimum it needs a handful of
searches (measured in bench/RESULTS_dotmark.md).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from .errors import SolverError

# csgraph's "no predecessor" mark.
_NO_PRED = -9999


@dataclass
class ExactGridFlow:
    """An exactly optimal flow of the grid network, in the weights' integer units.

    flows: {real arc: flow > 0} (arc indices of the solver); pi: node potentials as Python
    ints (node n_nodes is the virtual dummy when the exact totals differ without a dummy node);
    searches, lifts: breadth-first searches and potential lifts the repair took.
    """

    flows: dict
    pi: list
    searches: int
    lifts: int


def exact_flow(src: np.ndarray, tgt: np.ndarray, cost: np.ndarray, supply: list, pi: np.ndarray,
               start: dict, n_sources: int, sink_nodes: np.ndarray) -> ExactGridFlow:
    """The exact optimum from a dual-feasible start (see the module docstring).

    Parameters
    ----------
    src, tgt, cost : ndarray
        The real arcs (cost whole numbers, as float64 or int).
    supply : list of int
        Exact node supplies (out − in), in units of the weights' last place.
    pi : ndarray
        Whole-number node potentials with cost + pi[src] − pi[tgt] >= 0 on every arc.
    start : dict
        {arc: flow >= 0} of the start; flows on arcs of positive reduced cost are dropped
        (their mass becomes excess), so any start will do.
    n_sources, sink_nodes :
        The source nodes are 0..n_sources−1; ``sink_nodes`` the sink nodes. When the supplies
        do not sum to 0 (no dummy node), a virtual dummy joins them by arcs of cost 0: from
        every source when the sources are heavier, else to every sink.
    """
    src, tgt = np.asarray(src, np.int64), np.asarray(tgt, np.int64)
    cost = np.asarray(cost).astype(np.int64)
    pi = np.asarray(pi).astype(np.int64)
    supply = list(supply)
    left = sum(supply)
    if left:
        src, tgt, cost, pi = _with_virtual_dummy(src, tgt, cost, pi, left, n_sources,
                                                 sink_nodes)
        supply.append(-left)
    n_nodes = len(supply)
    flow = [0] * src.size
    excess = list(supply)
    tight = cost + pi[src] - pi[tgt] == 0
    carrying = np.zeros(src.size, bool)
    for arc, f in start.items():
        if tight[arc]:  # complementary slackness: flow only where the reduced cost is 0
            flow[arc] = f
            excess[src[arc]] -= f
            excess[tgt[arc]] += f
            carrying[arc] = True
    arcs = _ArcIndex(src, tgt, n_nodes)
    searches = lifts = 0
    while any(excess):
        reduced = cost + pi[src] - pi[tgt]
        order, pred = _search(src, tgt, reduced == 0, carrying, excess, n_nodes)
        searches += 1
        reached = order[order < n_nodes]
        targets = [t for t in reached.tolist() if excess[t] < 0]
        if targets:
            _augment_all(targets, pred, arcs, reduced, flow, carrying, excess, n_nodes)
            continue
        pi = _lift(pi, reached, src, tgt, reduced, n_nodes)
        lifts += 1
    steps = sum(f * int(c) for f, c in zip(flow, cost.tolist()) if f)
    dual = -sum(s * int(p) for s, p in zip(supply, pi.tolist()))
    if steps != dual:
        raise SolverError(f"grid_emd: the exact repair ended with work {steps} and dual "
                          f"objective {dual} apart (an internal error)")
    return ExactGridFlow({e: f for e, f in enumerate(flow) if f}, pi.tolist(), searches, lifts)


def _with_virtual_dummy(src, tgt, cost, pi, left, n_sources, sink_nodes):
    """Arcs of cost 0 to a dummy node (sources heavier) or from it (sinks heavier), with the
    dummy's potential the tightest that keeps them dual feasible."""
    dummy = pi.size
    if left > 0:
        ends = np.arange(n_sources)
        new_src, new_tgt = ends, np.full(ends.size, dummy)
        dummy_pi = pi[ends].min()  # 0 + pi[i] − pi[dummy] >= 0
    else:
        ends = np.asarray(sink_nodes, np.int64)
        new_src, new_tgt = np.full(ends.size, dummy), ends
        dummy_pi = pi[ends].max()  # 0 + pi[dummy] − pi[j] >= 0
    return (np.concatenate([src, new_src]), np.concatenate([tgt, new_tgt]),
            np.concatenate([cost, np.zeros(ends.size, np.int64)]), np.append(pi, dummy_pi))


def _search(src, tgt, admissible, carrying, excess, n_nodes):
    """Breadth-first order and predecessors from a super source joined to every excess node,
    over admissible arcs forwards and flow-carrying arcs backwards."""
    starts = np.array([v for v, e in enumerate(excess) if e > 0], np.int64)
    fwd, back = np.flatnonzero(admissible), np.flatnonzero(carrying)
    rows = np.concatenate([src[fwd], tgt[back], np.full(starts.size, n_nodes)])
    cols = np.concatenate([tgt[fwd], src[back], starts])
    graph = csr_matrix((np.ones(rows.size, np.int8), (rows, cols)),
                       shape=(n_nodes + 1, n_nodes + 1))
    return breadth_first_order(graph, n_nodes, directed=True, return_predecessors=True)


def _augment_all(targets, pred, arcs, reduced, flow, carrying, excess, n_nodes):
    """Push along the search tree's path to each deficit node, as much as the path allows."""
    for t in targets:
        path, v = [], t
        while pred[v] != n_nodes:
            p = int(pred[v])
            path.append(arcs.step(p, v, reduced, carrying))
            v = p
        if any(arc < 0 for arc, _ in path):
            continue  # an earlier push this round emptied a backward step
        amount = min(excess[v], -excess[t])
        for arc, forward in path:
            if not forward:
                amount = min(amount, flow[arc])
        if amount <= 0:
            continue
        for arc, forward in path:
            flow[arc] += amount if forward else -amount
            carrying[arc] = flow[arc] > 0
        excess[v] -= amount
        excess[t] += amount


class _ArcIndex:
    """The arc joining two nodes, by binary search over the arcs sorted by (tail, head)."""

    def __init__(self, src, tgt, n_nodes):
        self.n_nodes = n_nodes
        keys = src * (n_nodes + 1) + tgt
        self.order = np.argsort(keys, kind="stable")
        self.keys = keys[self.order]

    def find(self, tail: int, head: int) -> int:
        key = tail * (self.n_nodes + 1) + head
        k = int(np.searchsorted(self.keys, key))
        return int(self.order[k]) if k < self.keys.size and self.keys[k] == key else -1

    def step(self, p: int, v: int, reduced, carrying) -> tuple[int, bool]:
        """The residual step p -> v: an admissible arc p -> v, else a carrying arc v -> p;
        arc -1 when neither is left (a push earlier in the round emptied it)."""
        e = self.find(p, v)
        if e >= 0 and reduced[e] == 0:
            return e, True
        e = self.find(v, p)
        return (e, False) if e >= 0 and carrying[e] else (-1, False)


def _lift(pi, reached, src, tgt, reduced, n_nodes):
    """Lower the reached nodes' potentials by the least reduced cost of an arc leaving them."""
    inside = np.zeros(n_nodes, bool)
    inside[reached] = True
    leaving = inside[src] & ~inside[tgt]
    if not leaving.any():
        raise SolverError("grid_emd: the exact repair found excess mass that no arc can move "
                          "(an internal error: the grid is connected)")
    step = reduced[leaving].min()
    pi = pi.copy()
    pi[inside] -= step
    return pi
