"""A starting basis for grid_emd from a coarser grid's optimum (the multiscale start).

The histograms are pooled 2× along every axis (2×2 cells become one on an image), the coarse
problem is solved (itself from a coarser one, down to ``GRID_MULTISCALE_MIN_CELLS``), and its
optimal basis is carried to the fine grid: every grid edge in the coarse tree becomes one fine
edge crossing the same block boundary, and the four cells of each block are joined inside it.
Those edges are preferred by a minimum spanning tree over all the grid's edges (which fills in
whatever the coarse tree left out: a basis can hang several subtrees from the root), the
supplies force the flow on every tree edge, and each edge's arc is taken in the direction of
its flow, so the start is feasible without artificial flow whenever the totals balance. Any
spanning tree is a valid start (grid.py's comb is another); this one routes mass roughly as the
coarse optimum does, so fewer pivots remain. The simplex and the certificate decide optimality
as after any start.
"""
from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import breadth_first_order, minimum_spanning_tree

# Cells from which grid_emd starts from a coarser level instead of the comb tree. Measured on
# DOTmark-like GRFmoderate, L1, 2026-12-03 (bench/dotmark.py): see bench/RESULTS_dotmark.md.
GRID_MULTISCALE_MIN_CELLS = 64 * 64
# Minimum-spanning-tree weights: edges carried over from the coarse tree and edges inside a
# block are taken first; the rest of the grid only completes the tree.
PREFERRED_WEIGHT, OTHER_WEIGHT = 1.0, 2.0


def pool_grid(values: np.ndarray) -> np.ndarray:
    """Sums over blocks of 2 along every axis (a last, odd cell forms a block of its own)."""
    padded = np.pad(values, [(0, s % 2) for s in values.shape])
    blocks = []
    for s in padded.shape:
        blocks += [s // 2, 2]
    return padded.reshape(blocks).sum(axis=tuple(range(1, 2 * values.ndim, 2)))


def coarse_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple((s + 1) // 2 for s in shape)


def edge_position(shape, axis, lo_cells):
    """Index, in grid.py's edge order along ``axis``, of the edges leaving ``lo_cells``."""
    reduced = list(shape)
    reduced[axis] -= 1
    return np.ravel_multi_index(np.unravel_index(lo_cells, shape), reduced)


def carried_edges(fine_shape, axis, coarse_lo):
    """Fine cells whose edge along ``axis`` crosses the block boundary that the coarse edge
    leaving ``coarse_lo`` crosses (the crossing at the blocks' first cell on other axes)."""
    coords = [2 * c for c in np.unravel_index(coarse_lo, coarse_shape(fine_shape))]
    coords[axis] = coords[axis] + 1
    return np.ravel_multi_index(coords, fine_shape)


def start_arcs(shape, edges, carried, surplus, first_edge_arc):
    """The arcs of the fine start tree, each oriented along the flow the surplus forces.

    ``edges``: grid.py's (lo, hi) cells per axis; ``carried``: per axis, the lo cells of edges
    carried over from the coarse tree; ``surplus``: a − b per cell; ``first_edge_arc``: the
    solver's index of the first grid arc (axis by axis, forward arcs then backward arcs).
    """
    n_cells = int(np.prod(shape))
    rows, cols, weights = [], [], []
    for axis, (lo, hi) in enumerate(edges):
        inside = np.unravel_index(lo, shape)[axis] % 2 == 0
        preferred = inside | np.isin(lo, carried[axis])
        rows.append(lo)
        cols.append(hi)
        weights.append(np.where(preferred, PREFERRED_WEIGHT, OTHER_WEIGHT))
    graph = coo_matrix((np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))),
                       shape=(n_cells, n_cells)).tocsr()
    tree = minimum_spanning_tree(graph)
    order, pred = breadth_first_order(tree, 0, directed=False, return_predecessors=True)
    below = surplus.astype(np.float64).copy()  # the surplus of each subtree, leaves first
    for u in order[:0:-1].tolist():
        below[pred[u]] += below[u]
    child = order[1:]
    parent = pred[child]
    lo_cell, hi_cell = np.minimum(child, parent), np.maximum(child, parent)
    forward = np.where(child == lo_cell, below[child], -below[child]) >= 0  # lo -> hi flow
    strides = np.cumprod((1,) + tuple(shape[:0:-1]))[::-1]
    arcs = np.empty(child.size, np.int64)
    first = first_edge_arc
    for axis, (lo, _) in enumerate(edges):
        on_axis = (hi_cell - lo_cell == strides[axis]) if lo.size else np.zeros(child.size, bool)
        t = edge_position(shape, axis, lo_cell[on_axis])
        arcs[on_axis] = np.where(forward[on_axis], first + t, first + lo.size + t)
        first += 2 * lo.size
    return arcs
