"""A feasible plan on a finer level from a coarse optimum: the multiscale path's start basis.

The coarse optimum ships F_IJ from cell I to cell J. Refining it takes two splits, each a
north-west corner rule on one line (no loop over cells):

1. Each coarse cell's children share out its outgoing (incoming) arcs: the children, in order
   along the axis on which the arcs' far ends spread most, are laid end to end against the arcs
   in the same order, so a child near the cell's eastern edge ships east. A child is split
   between two arcs only where one arc's share ends inside it.
2. Each coarse arc's source shares are matched to its target shares by the north-west corner
   rule again, both sides in the same order (octant of the point about its cell's mean, then
   the first coordinate): the part of I in the north-west goes to the part of J in the
   north-west, as a translation would map it.

The result is a feasible fine plan whose arcs form a forest: each coarse arc becomes a staircase
(a path), and the staircases of one cell share only the children split between consecutive
arcs, so a cycle of fine arcs would map to a cycle of the coarse forest. The network simplex
starts from it (NetworkSimplex.start_warm forces the flows the fine weights need on those arcs)
instead of from the greedy forest over the candidates, which on 2·10^4 uniform points needed
186,000 pivots at the finest level (bench/RESULTS_dotmark.md, "Large clouds").
"""
from __future__ import annotations

import numpy as np


def _lay_out(group, key, length, n_groups):
    """Items sorted by (group, key) on one line: (order, right ends, group ends).

    Each group's items lie end to end; group g ends at ``group_end[g]`` (0-length groups
    included), and its last item's right end is set to exactly that, so two layouts of the
    same group totals meet at the same points.
    """
    order = np.lexsort((key, group))
    g, ln = group[order], length[order]
    ends = np.cumsum(ln)
    total = np.bincount(g, weights=ln, minlength=n_groups)
    group_end = np.cumsum(total)
    last = np.flatnonzero(np.r_[g[1:] != g[:-1], True])
    ends[last] = group_end[g[last]]
    return order, ends, group_end


def _relayout(group, key, length, group_end):
    """Items sorted by (group, key) on a line whose groups end at ``group_end``: each group's
    lengths are rescaled to its span there. (order, right ends)."""
    order = np.lexsort((key, group))
    g, ln = group[order], length[order]
    span = np.diff(np.r_[0.0, group_end])
    have = np.bincount(g, weights=ln, minlength=group_end.shape[0])
    scaled = ln * (span[g] / np.where(have[g] > 0, have[g], 1.0))
    start = np.r_[0.0, group_end][g]
    first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    run = np.diff(np.r_[first, g.shape[0]])
    total = np.cumsum(scaled)
    within = total - np.repeat(total[first] - scaled[first], run)
    ends = start + within
    last = np.flatnonzero(np.r_[g[1:] != g[:-1], True])
    ends[last] = group_end[g[last]]
    return order, ends


def _merge(ends_a, ends_b):
    """The north-west corner of two layouts of one line: for each piece where both have an
    item, (index into ends_a, index into ends_b, length)."""
    cuts = np.union1d(ends_a, ends_b)
    lengths = np.diff(np.r_[0.0, cuts])
    keep = lengths > 0
    mid = (cuts - 0.5 * lengths)[keep]
    ia = np.minimum(np.searchsorted(ends_a, mid, side="right"), ends_a.shape[0] - 1)
    ib = np.minimum(np.searchsorted(ends_b, mid, side="right"), ends_b.shape[0] - 1)
    return ia, ib, lengths[keep]


def _children_shares(parent, P, w, arc_cell, far_end, n_cells):
    """Step 1 on one side: (child, arc, amount) pieces of each cell's children over its arcs.

    ``parent[i]``: child i's cell; ``P``, ``w``: the children's points and weights;
    ``arc_cell[k]``: arc k's cell on this side; ``far_end[k]``: the point at its other end.
    """
    lo = np.full((n_cells, P.shape[1]), np.inf)
    hi = np.full((n_cells, P.shape[1]), -np.inf)
    np.minimum.at(lo, arc_cell, far_end)
    np.maximum.at(hi, arc_cell, far_end)
    axis = np.argmax(np.where(np.isfinite(hi - lo), hi - lo, 0.0), axis=1)
    order_c, ends_c, group_end = _lay_out(parent, P[np.arange(P.shape[0]), axis[parent]], w,
                                          n_cells)
    arc_key = far_end[np.arange(far_end.shape[0]), axis[arc_cell]]
    return order_c, ends_c, group_end, arc_key


def _octant_key(P, centre):
    """Order inside a cell: the octant of each point about ``centre``, then its first
    coordinate (a key that sorts the same parts of two cells alike)."""
    rel = P - centre
    octant = ((rel > 0) * (1 << np.arange(P.shape[1]))).sum(axis=1)
    span = float(np.abs(rel[:, 0]).max(initial=0.0)) + 1.0
    return octant * (4.0 * span) + rel[:, 0]


def refine_plan(rows, cols, flows, coarse, fine_n: int, fine_X, fine_Y, fine_a, fine_b):
    """Fine arcs (i, j) of a feasible plan refining the coarse flows ``flows`` on arcs
    (``rows``, ``cols``) (real arcs with positive flow of a balanced coarse optimum; ``coarse``
    the multiscale Level holding the parent maps). Returns (i, j) as int64 arrays: a forest
    that carries the fine weights (see the module docstring)."""
    # step 1: sources over outgoing arcs, targets over incoming arcs
    oc_x, ends_x, gend_x, key_ax = _children_shares(coarse.parent_x, fine_X, fine_a, rows,
                                                    coarse.Y[cols], coarse.m)
    o_ax, ends_ax = _relayout(rows, key_ax, flows, gend_x)
    cx, kx, amt_x = _merge(ends_x, ends_ax)
    child_x, arc_x = oc_x[cx], o_ax[kx]
    oc_y, ends_y, gend_y, key_ay = _children_shares(coarse.parent_y, fine_Y, fine_b, cols,
                                                    coarse.X[rows], coarse.n)
    o_ay, ends_ay = _relayout(cols, key_ay, flows, gend_y)
    cy, ky, amt_y = _merge(ends_y, ends_ay)
    child_y, arc_y = oc_y[cy], o_ay[ky]
    # step 2: per coarse arc, its source pieces against its target pieces
    arc_end = np.cumsum(flows)
    o1, e1 = _relayout(arc_x, _octant_key(fine_X[child_x], coarse.X[rows[arc_x]]), amt_x,
                       arc_end)
    o2, e2 = _relayout(arc_y, _octant_key(fine_Y[child_y], coarse.Y[cols[arc_y]]), amt_y,
                       arc_end)
    p1, p2, _ = _merge(e1, e2)
    i, j = child_x[o1[p1]], child_y[o2[p2]]
    keys = np.unique(i * np.int64(fine_n) + j)
    return np.divmod(keys, fine_n)
