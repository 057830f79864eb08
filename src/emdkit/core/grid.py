"""Exact EMD between histograms on a regular grid with the L1 (cityblock) ground distance.

With cost |Δx| + |Δy| (+ |Δz|), a unit of mass moving from one cell to another can always go
step by step between neighbouring cells at the same total cost, so the transport problem over
all N² pairs equals a minimum-cost flow on the grid graph, with 2·d arcs a cell instead of N
(Ling & Okada, "An efficient Earth Mover's Distance algorithm for robust histogram comparison",
IEEE TPAMI 29(5), 2007). The network, in the node layout of :mod:`emdkit.core.problem`:

* one *source* node per cell with a > 0 (the kept rows), one *sink* node per cell with b > 0
  (the kept columns), and the zero-cost dummy of partial matching when the totals differ;
* one *grid* node per cell (supply 0), source → grid and grid → sink arcs of cost 0, and arcs
  both ways between neighbouring grid nodes, of cost 1 (one grid step).

Keeping the weights on their own nodes keeps them exact, and is what partial matching needs
(the dummy's arcs leave the sources). When the totals balance, the float solve merges each
cell's nodes into one with supply a − b (rounded): a network a third the size, and the same
optimum, since the arcs joining a weight's node to its cell cost nothing.

Every cost is 0 or 1, so the potentials are whole numbers of grid steps and every reduced cost
is computed exactly in float64: dual feasibility is checked without rounding, and the duals
satisfy u_i + v_j <= d_ij for every pair of cells by telescoping along a shortest path.

The answer is then made exact: with the potentials exact, the basis is optimal exactly when its
tree flows, recomputed from the exact weights in integer arithmetic, are non-negative. When one
is negative, or the exact totals differ in their last bits where the float problem balanced
them, the optimum is finished in integer arithmetic from that basis (grid_exact.py, a
primal-dual repair that always ends). The work is then an exact integer sum, and the distance
that integer quotient rounded once to the nearest float64 (``exact=True``, ``gap=0``): no valid
input is refused.
"""
from __future__ import annotations

from dataclasses import dataclass

import math
from fractions import Fraction
from itertools import accumulate

import numpy as np
from numpy.typing import ArrayLike

from .errors import SolverError, raise_for_status
from .grid_exact import exact_flow
from .grid_levels import GRID_MULTISCALE_MIN_CELLS, carried_edges, pool_grid, start_arcs
from .network_simplex import DIR_UP, STATE_TREE, NetworkSimplex
from .problem import DUMMY_NONE, TransportProblem, sequential_sum
from .validation import as_real_array, check_positive_int

GRID_METRICS = ("cityblock",)
# Pivots allowed per node of the network: phase 1 from the greedy start and phase 2 together
# took 1.2-2.4 pivots a node on DOTmark-like 32²-128² instances (bench/dotmark.py); 50 leaves
# room for degenerate streaks without letting a stalled solve run for ever.
MAX_PIVOTS_PER_NODE = 50
# Balanced totals (no dummy): the weights merge into one supply a − b per grid node, a network
# a third the size, whose pivots walk trees a third the size: 256² L1 went from 26-29 s to
# 6.3-6.6 s of CPU (WhiteNoise, GRFrough, GRFmoderate; bench/RESULTS_dotmark.md). a − b is
# rounded, but the exact answer is rebuilt from the exact weights (exact_tree_flows,
# exact_repair). False keeps a node per weight (tests compare the two).
MERGE_BALANCED = True


@dataclass(frozen=True)
class GridEMDResult:
    """The exact EMD between two grid histograms, with its flow along the grid's edges.

    Attributes
    ----------
    distance : float
        EMD = work / total_flow, in the units of ``spacing`` (grid steps when it is 1).
    work : float
        Σ over edges of ``|flow|`` × spacing: the optimal transport cost, in weight × length
        units.
    total_flow : float
        min(Σ a, Σ b), in weight units.
    u, v : numpy.ndarray, shapes of ``a`` and ``b``
        Dual potentials in length units: u_p + v_q <= spacing · ‖p − q‖₁ for every pair of
        cells, and Σ a u + Σ b v = work within ``gap``.
    edge_flows : tuple of numpy.ndarray
        ``edge_flows[k]`` is the net mass moved from each cell to its successor along axis k
        (shape of ``a`` with one cell fewer along that axis; negative values move backwards).
    n_iter : int
        Network-simplex pivots.
    gap : float
        The certificate's bound on (work − optimum) / work: 0, every answer being exact.
    exact : bool
        True: the optimum was verified (or finished) in exact integer arithmetic, so
        ``distance`` is the exact optimum rounded once to the nearest float64 (with
        ``spacing`` 1 or any power of two), and ``edge_flows`` the exact optimal flows, each
        rounded once.
    method : str
        ``"grid_network_simplex"``.
    """

    distance: float
    work: float
    total_flow: float
    u: np.ndarray
    v: np.ndarray
    edge_flows: tuple
    n_iter: int
    gap: float
    exact: bool = False
    method: str = "grid_network_simplex"

    def __float__(self) -> float:
        return float(self.distance)


def _as_grid(values: ArrayLike, name: str) -> np.ndarray:
    arr = as_real_array(values, name)
    if arr.ndim not in (1, 2, 3):
        raise ValueError(f"{name} must be a 1-D, 2-D or 3-D histogram, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: a histogram needs at least one cell")
    lo, hi = arr.min(), arr.max()
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"{name} contains NaN or inf")
    if lo < 0:
        raise ValueError(f"{name} contains negative weights (min {lo:g})")
    if hi <= 0:
        raise ValueError(f"{name} has all-zero weights: there is no mass to move")
    return np.ascontiguousarray(arr)


def _grid_edges(shape: tuple[int, ...]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(cell, successor) flat-index pairs along each axis."""
    index = np.arange(int(np.prod(shape))).reshape(shape)
    edges = []
    for axis in range(len(shape)):
        first = [slice(None)] * len(shape)
        second = [slice(None)] * len(shape)
        first[axis] = slice(0, -1)
        second[axis] = slice(1, None)
        edges.append((index[tuple(first)].ravel(), index[tuple(second)].ravel()))
    return edges


class _GridNetwork:
    """The min-cost-flow network of the module docstring, built on one live solver."""

    def __init__(self, problem: TransportProblem, shape: tuple[int, ...]):
        self.problem = problem
        self.shape = shape
        n_cells = int(np.prod(shape))
        self.merged = MERGE_BALANCED and problem.dummy_kind == DUMMY_NONE
        self.grid0 = 0 if self.merged else problem.supply.shape[0]  # node of cell p: grid0 + p
        supply = self.surplus() if self.merged else \
            np.concatenate([problem.supply, np.zeros(n_cells)])
        self.edges = _grid_edges(shape)
        n_edge_arcs = 2 * sum(e[0].size for e in self.edges)
        capacity = supply.shape[0] + problem.m + problem.n + n_edge_arcs + problem.n_rows
        # every cost is 0 or 1 grid step: the big-M of phase 1 follows from the largest
        self.ns = NetworkSimplex(supply, 1.0, capacity=capacity)
        self.own_arcs = np.zeros(0, np.int64)  # the source and sink arcs
        if not self.merged:
            self.ns.add_arcs(*problem.dummy_arcs())
            r, c = np.arange(problem.m), np.arange(problem.n)
            self.own_arcs = np.arange(self.ns.n_arcs, self.ns.n_arcs + problem.m + problem.n)
            self.ns.add_arcs(r, self.grid0 + problem.rows, np.zeros(problem.m))
            self.ns.add_arcs(self.grid0 + problem.cols, problem.n_rows + c, np.zeros(problem.n))
        self.first_edge_arc = self.ns.n_arcs
        for lo, hi in self.edges:
            ones = np.ones(lo.size)
            self.ns.add_arcs(self.grid0 + lo, self.grid0 + hi, ones)
            self.ns.add_arcs(self.grid0 + hi, self.grid0 + lo, ones)

    def solve(self, max_iter: int, start: np.ndarray | None = None) -> None:
        """Pivot to the optimum from ``start`` (arcs of a spanning tree), else the comb.

        The Numba reference solver (``EMDKIT_ENGINE=numba``) has no warm start: it pivots from
        its all-artificial basis instead (slower, same optimum)."""
        if hasattr(self.ns, "start_warm"):
            self.ns.start_warm(self.comb_tree() if start is None else start)
        raise_for_status(self.ns.solve(max_iter), max_iter, self.ns.n_iter, where="grid_emd")

    def surplus(self) -> np.ndarray:
        """a − b per cell, in the problem's scaled weight units."""
        p = self.problem
        out = np.zeros(int(np.prod(self.shape)))
        out[p.rows] += p.supply[:p.m]
        out[p.cols] += p.supply[p.n_rows:p.n_rows + p.n]
        return out

    def tree_edges(self) -> list[np.ndarray]:
        """Per axis, the lo cells of the grid edges whose arc (either way) is in the basis."""
        state = self.ns.state
        out, k = [], self.first_edge_arc
        for lo, _ in self.edges:
            in_tree = (state[k:k + lo.size] == STATE_TREE) | \
                (state[k + lo.size:k + 2 * lo.size] == STATE_TREE)
            out.append(lo[in_tree])
            k += 2 * lo.size
        return out

    def start_from(self, coarse: "_GridNetwork") -> np.ndarray:
        """A start tree carried over from a coarser grid's optimal basis (grid_levels.py)."""
        p = self.problem
        carried = [carried_edges(self.shape, axis, lo)
                   for axis, lo in enumerate(coarse.tree_edges())]
        grid_arcs = start_arcs(self.shape, self.edges, carried, self.surplus(),
                               self.first_edge_arc)
        return np.concatenate([self.own_arcs, grid_arcs]).astype(np.int64)

    def comb_tree(self) -> np.ndarray:
        """A spanning tree of the network to start from, its arcs oriented along its flows.

        The grid's edges along the last axis, then along each earlier axis only where every
        later coordinate is at the middle (a comb: lines joined by central spines), and every
        source and sink arc. On a tree the supplies force the flows: an edge carries the
        surplus of the side it cuts off from the spine, so each edge's arc is taken in the
        direction of that surplus and the start (NetworkSimplex.start_warm) is feasible with
        no mass on artificial arcs; greedy starts cannot route through the grid's zero-supply
        nodes, and phase 1 from all-artificial took 4.5 pivots a cell.
        """
        line = self.surplus().reshape(self.shape)
        arcs = [self.own_arcs]
        first = [self.first_edge_arc]
        for lo, _ in self.edges:
            first.append(first[-1] + 2 * lo.size)
        for axis in range(len(self.shape) - 1, -1, -1):
            lo = self.edges[axis][0]
            total = line.sum(axis=axis, keepdims=True)
            cut = np.cumsum(line, axis=axis)
            cut = np.take(cut, np.arange(self.shape[axis] - 1), axis=axis)
            beyond = np.arange(self.shape[axis] - 1) >= self.shape[axis] // 2
            beyond = beyond.reshape([-1] + [1] * (line.ndim - axis - 1))
            flow = (cut - beyond * total).ravel()  # mass crossing each edge towards +axis
            later = np.unravel_index(lo, self.shape)[axis + 1:]
            on_spine = np.ones(lo.size, bool)
            for coord, side in zip(later, self.shape[axis + 1:]):
                on_spine &= coord == side // 2
            t = np.flatnonzero(on_spine)
            arcs.append(np.where(flow >= 0, first[axis] + t, first[axis] + lo.size + t))
            line = total.squeeze(axis=axis)
        return np.concatenate(arcs).astype(np.int64)

    def edge_flows(self, arc_flow) -> tuple[list[np.ndarray], float]:
        """Net flow per edge along each axis, and the steps Σ |arc flow| (summed by ``total``).

        ``arc_flow(first, count)`` returns the flows of arcs first..first+count-1.
        """
        k = self.first_edge_arc
        out, steps = [], 0
        for lo, _ in self.edges:
            forward, backward = arc_flow(k, lo.size), arc_flow(k + lo.size, lo.size)
            steps += _total(forward) + _total(backward)
            out.append(forward - backward)
            k += 2 * lo.size
        return out, steps

    def potentials(self) -> np.ndarray:
        """Node potentials as whole numbers of grid steps, checked dual feasible exactly."""
        ns = self.ns
        pi = ns.pi[:ns.n_nodes].copy()
        pi -= pi[0]
        real = slice(ns.n_nodes, ns.n_arcs)
        reduced = ns.cost[real] + pi[ns.src[real]] - pi[ns.tgt[real]]
        if not np.all(np.isfinite(pi)) or reduced.min(initial=0.0) < 0.0:
            raise SolverError("grid_emd: the final potentials are not dual feasible "
                              f"(most negative reduced cost {reduced.min():g} grid steps)")
        return pi

    def layout_potentials(self, pi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(potentials of the layout's nodes, of the grid's), shifted by a whole number to 0
        at the dummy, or at the first row if balanced. Merged, a weight's node has its cell's
        potential (the arc joining them has cost 0 and is tight)."""
        p = self.problem
        grid_pi = pi[self.grid0:self.grid0 + int(np.prod(self.shape))]
        layout = np.concatenate([grid_pi[p.rows], grid_pi[p.cols]]) if self.merged \
            else pi[:self.grid0]
        shift = layout[p.dummy_node if p.dummy_kind != DUMMY_NONE else 0]
        return layout - shift, grid_pi - shift

    def exact_supplies(self) -> tuple[list, list, int]:
        """The supplies as exact integers in units of 2**unit_exp: (the layout's, the
        network's nodes', unit_exp). Weights are dyadic, so they are exact, and so is the
        dummy's surplus, taken as minus the sum of the others; merged, a cell's supply is its
        exact a − b."""
        p = self.problem
        layout, unit_exp = _dyadic_integers(p.supply)
        if p.dummy_kind != DUMMY_NONE:
            layout[p.dummy_node] = 0
            layout[p.dummy_node] = -sum(layout)
        n_cells = int(np.prod(self.shape))
        if not self.merged:
            return layout, layout + [0] * n_cells, unit_exp
        cells = [0] * n_cells
        for cell, x in zip(p.rows.tolist(), layout[:p.m]):
            cells[cell] += x
        for cell, x in zip(p.cols.tolist(), layout[p.n_rows:p.n_rows + p.n]):
            cells[cell] += x
        return layout, cells, unit_exp

    def exact_tree_flows(self, supply: list) -> tuple[dict, bool]:
        """The basis's flows in exact integer arithmetic, from the nodes' exact ``supply``.

        The subtree below node u is a contiguous run of the thread (preorder), so the flow on
        its tree arc is a difference of two prefix sums. Returns ({arc: flow} for the real
        tree arcs with a positive flow, whether the basis is exactly feasible). It is not when
        a tree flow is negative, or when mass is left on the root's arcs (possible only without
        a dummy, where the totals agree within rounding, BALANCE_RTOL, but not exactly):
        grid_exact.py then finishes from the positive flows.
        """
        ns = self.ns
        n = ns.n_nodes
        thread = ns.thread.tolist()
        order, u = [], thread[n]
        while u != n:
            order.append(u)
            u = thread[u]
        prefix = [0, *accumulate(supply[u] for u in order)]
        succ, pred, up = ns.succ_num.tolist(), ns.pred.tolist(), ns.pred_dir.tolist()
        flows, feasible = {}, True
        for pos, u in enumerate(order):
            below = prefix[pos + succ[u]] - prefix[pos]
            f = below if up[u] == DIR_UP else -below
            if f < 0 or (f and pred[u] < n):  # arcs 0..n-1 hang nodes from the root
                feasible = False
            if f > 0 and pred[u] >= n:
                flows[pred[u]] = f
        return flows, feasible

    def exact_repair(self, flows: dict, layout_supply: list, pi: np.ndarray
                     ) -> tuple[dict, np.ndarray, np.ndarray]:
        """The exact optimum from the basis's positive exact flows (grid_exact.py), on the
        split network (a node per weight, as the module docstring lays out; a merged network
        is split first, each weight's arc carrying the whole weight): its grid arcs' flows
        (solver arc indices) and :meth:`layout_potentials`."""
        p, ns = self.problem, self.ns
        n_layout, n_cells = len(layout_supply), int(np.prod(self.shape))
        real = slice(self.first_edge_arc, ns.n_arcs)
        if self.merged:  # layout nodes first, then the grid's, as in the split network
            g = n_layout
            own_src = np.concatenate([np.arange(p.m), g + p.cols])
            own_tgt = np.concatenate([g + p.rows, p.n_rows + np.arange(p.n)])
            src = np.concatenate([own_src, g + ns.src[real]])
            tgt = np.concatenate([own_tgt, g + ns.tgt[real]])
            start = {k: x if k < p.m else -x for k, x in enumerate(layout_supply)}
            pi = np.concatenate([pi[p.rows], pi[p.cols], pi])
        else:
            g = self.grid0
            src = np.concatenate([ns.src[ns.n_nodes:self.first_edge_arc], ns.src[real]])
            tgt = np.concatenate([ns.tgt[ns.n_nodes:self.first_edge_arc], ns.tgt[real]])
            start = {}
        n_own = self.first_edge_arc - ns.n_nodes if not self.merged else p.m + p.n
        cost = np.concatenate([np.zeros(n_own), ns.cost[real]])
        for arc, f in flows.items():
            if arc >= self.first_edge_arc:
                start[n_own + arc - self.first_edge_arc] = f
            else:
                start[arc - ns.n_nodes] = f
        out = exact_flow(src, tgt, cost, layout_supply + [0] * n_cells, pi, start, p.m,
                         p.n_rows + np.arange(p.n))
        self.repair = out
        node_pi = np.array(out.pi[:g + n_cells], dtype=np.float64)
        grid_flows = {self.first_edge_arc + k - n_own: f for k, f in out.flows.items()
                      if k >= n_own}
        shift = node_pi[p.dummy_node if p.dummy_kind != DUMMY_NONE else 0]
        return grid_flows, node_pi[:g] - shift, node_pi[g:] - shift


def grid_emd(a: ArrayLike, b: ArrayLike, metric: str = "cityblock", *, spacing: float = 1.0,
             max_iter: int | None = None) -> GridEMDResult:
    r"""Exact EMD between two histograms on the same regular 1-D, 2-D or 3-D grid.

    .. math::

        \mathrm{EMD}(a, b) = \frac{\min_f \sum_{p, q} f_{pq}\, s \lVert p - q \rVert_1}
                                  {\min(\sum a, \sum b)}

    over flows f >= 0 with Σ_q f_pq <= a_p, Σ_p f_pq <= b_q and Σ f = min(Σa, Σb) (Rubner's
    partial matching when the totals differ), where p, q are cell indices and s the spacing.
    It is solved as a minimum-cost flow on the grid graph (2·d arcs a cell, not N² pairs) by the
    network simplex, from the optimum of the 2× coarser grid on large grids, and the optimum is
    then verified, or finished, in exact integer arithmetic: the distance is the exact optimum
    rounded once.

    Parameters
    ----------
    a, b : array_like, same shape (n,), (h, w) or (d, h, w)
        Non-negative weights per cell, each with a positive total.
    metric : {"cityblock"}
        The ground distance between cell centres. Only the L1 distance is a graph distance on
        the grid's 2·d neighbours; for other metrics use :func:`emdkit.signature_emd` on the
        cell centres.
    spacing : float, default 1.0
        The distance between neighbouring cell centres (the unit of the result).
    max_iter : int, optional
        Pivot limit; by default ``MAX_PIVOTS_PER_NODE`` per node of the network.

    Returns
    -------
    GridEMDResult
        The distance, work, total flow, dual potentials and the flow along each axis.

    Raises
    ------
    TypeError
        If ``a`` or ``b`` are not real numbers.
    ValueError
        If the shapes differ, a weight is negative, NaN or inf, a side has no mass, the metric
        is not a grid metric, or ``spacing`` is not a positive finite number.
    SolverError
        If the pivot limit ``max_iter`` is reached (never by default on the grids measured:
        about 2 pivots a node at 256², bench/RESULTS_dotmark.md).

    See Also
    --------
    emdkit.emd : the same distance from a dense cost matrix (N² pairs).
    emdkit.signature_emd : EMD between point sets with any named metric.
    emdkit.wasserstein_1d : the 1-D closed form (any p).

    References
    ----------
    .. [1] H. Ling and K. Okada, "An efficient Earth Mover's Distance algorithm for robust
       histogram comparison", IEEE TPAMI 29(5), 840-853, 2007.
    .. [2] Y. Rubner, C. Tomasi and L. J. Guibas, "The Earth Mover's Distance as a metric for
       image retrieval", IJCV 40(2), 99-121, 2000.

    Examples
    --------
    >>> import numpy as np
    >>> from emdkit import grid_emd
    >>> a = np.zeros((3, 3)); a[0, 0] = 1.0
    >>> b = np.zeros((3, 3)); b[2, 1] = 1.0
    >>> grid_emd(a, b).distance   # two steps down, one right
    3.0
    """
    a_arr, b_arr = _as_grid(a, "a"), _as_grid(b, "b")
    if a_arr.shape != b_arr.shape:
        raise ValueError(f"a and b must have the same shape, got {a_arr.shape} and "
                         f"{b_arr.shape}")
    if metric not in GRID_METRICS:
        raise ValueError(f"metric must be one of {', '.join(GRID_METRICS)} for grid_emd, got "
                         f"{metric!r}; use signature_emd on the cell centres for other metrics")
    if isinstance(spacing, (bool, np.bool_)) or not isinstance(spacing, (int, float, np.number)) \
            or not (np.isfinite(spacing) and spacing > 0):
        raise ValueError(f"spacing must be a positive finite number, got {spacing!r}")
    max_iter = None if max_iter is None else check_positive_int(max_iter, "max_iter")
    network = _solve_levels(a_arr, b_arr, max_iter)
    problem = network.problem
    layout_supply, node_supply, unit_exp = network.exact_supplies()
    pi = network.potentials()
    flows, feasible = network.exact_tree_flows(node_supply)
    if feasible:
        layout_pi, grid_pi = network.layout_potentials(pi)
    else:
        flows, layout_pi, grid_pi = network.exact_repair(flows, layout_supply, pi)
    ints, steps = network.edge_flows(
        lambda first, count: np.array([flows.get(e, 0) for e in range(first, first + count)],
                                      dtype=object))
    total = min(sum(layout_supply[:problem.m]),
                -sum(layout_supply[problem.n_rows:problem.n_rows + problem.n]))
    distance = float(Fraction(steps, total))  # one rounding of the exact quotient
    edge = [np.array([math.ldexp(float(x), unit_exp) for x in f]) for f in ints]
    work_steps = math.ldexp(float(steps), unit_exp)
    return _assemble(problem, a_arr.shape, layout_pi, grid_pi, edge, work_steps, distance,
                     0.0, True, network.ns.n_iter, float(spacing))


def _solve_levels(a: np.ndarray, b: np.ndarray, max_iter: int | None) -> _GridNetwork:
    """The optimal network of a, b: from the comb on small grids, else from the optimum of
    the 2× coarser grid (grid_levels.py), solved the same way."""
    problem = TransportProblem.from_weights(a.ravel(), b.ravel())
    network = _GridNetwork(problem, a.shape)
    start = None
    if a.size > GRID_MULTISCALE_MIN_CELLS:
        start = network.start_from(_solve_levels(pool_grid(a), pool_grid(b), None))
    network.solve(MAX_PIVOTS_PER_NODE * network.ns.n_nodes if max_iter is None else max_iter,
                  start)
    return network


def _assemble(problem, shape, layout, pi_grid, flows, work_steps, distance, gap, exact, n_iter,
              spacing):
    """Undo the weight scaling, put the duals back on the grid, in the caller's units."""
    exp = problem.weight_exp
    u = -pi_grid.copy()  # a cell without source weight: the dual of its grid node
    v = pi_grid.copy()
    u[problem.rows] = -layout[:problem.m]
    v[problem.cols] = layout[problem.n_rows:problem.n_rows + problem.n]
    edge_flows = tuple(np.ldexp(f, exp).reshape(_edge_shape(shape, k))
                       for k, f in enumerate(flows))
    return GridEMDResult(float(distance) * spacing, float(np.ldexp(work_steps, exp)) * spacing,
                         problem.total_flow, u.reshape(shape) * spacing,
                         v.reshape(shape) * spacing, edge_flows, int(n_iter), float(gap),
                         bool(exact))


def _total(values) -> float | int:
    """Σ values, left to right: exact for integers, the kernels' order for floats."""
    if values.dtype == object:
        return sum(values.tolist())
    return float(sequential_sum(values))


def _dyadic_integers(values: np.ndarray) -> tuple[list[int], int]:
    """Finite floats as exact integers m_k with values[k] = m_k · 2**unit_exp."""
    mantissa, exponent = np.frexp(values)
    m53 = (mantissa * 2.0 ** 53).astype(np.int64).tolist()  # exact: |mantissa| < 1
    e53 = (exponent.astype(np.int64) - 53).tolist()
    nonzero = [e for m, e in zip(m53, e53) if m]
    unit = min(nonzero) if nonzero else 0
    return [m << (e - unit) if m else 0 for m, e in zip(m53, e53)], unit


def _edge_shape(shape: tuple[int, ...], axis: int) -> tuple[int, ...]:
    return tuple(s - 1 if k == axis else s for k, s in enumerate(shape))
