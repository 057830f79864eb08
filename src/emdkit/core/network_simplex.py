"""Solver: a primal network simplex for uncapacitated transportation, compiled with Numba.

The spanning-tree bookkeeping (parent, thread, reverse thread, subtree sizes, last successors)
and the pivot's phases (find the join node, find the leaving arc, change the flow, update the
tree, update the potentials) follow LEMON's NetworkSimplex (Kovács, "Minimum-cost flow
algorithms: an experimental evaluation", Optimization Methods and Software 30, 2015), which is
also the engine inside POT. What differs here:

* The arc set is *open*: arcs can be appended to a live basis and pivoting resumes from the same
  tree. The candidate-round and point-cloud drivers use that to solve on a small arc set first.
* Two phases. Phase 1 drives mass off the artificial root arcs with LEMON's big-M cost. Once
  none is left, phase 2 gives the artificial arcs cost 0 and capacity 0: paths through the root
  stay closed, and the potentials are sums of real costs only, with no big-M offset. Reduced
  costs near 1e-7 are then visible next to costs near 1e11 (with the big-M offset they were lost
  in the rounding of potentials near 1e12).

Layout: nodes 0..N-1, root N. Arcs 0..N-1 are the artificial root arcs, real arcs follow.
Reduced cost is ``cost[e] + pi[src[e]] - pi[tgt[e]]``; a basis is optimal when it is >= 0 on
every real arc.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._jit import njit
from .engine import native_engine
from .errors import (
    STATUS_ARTIFICIAL_FLOW,
    STATUS_MAX_ITER,
    STATUS_OPTIMAL,
    STATUS_UNBOUNDED,
)

STATE_TREE = 0
STATE_LOWER = 1
DIR_UP = 1
DIR_DOWN = -1

# Relative tolerance on reduced costs, scaled by the magnitudes that were subtracted: a smaller
# reduced cost is within the rounding of its own evaluation, and pivoting on it can only stall.
# The certificate (certificate.py) judges the final basis with sound error bounds, not with this.
PRICING_EPS = 1e-13
# Artificial flow at most this fraction of the total supply is rounding left by the greedy start
# (f = min(residuals) chains); more than that after phase 1 means no feasible answer was found.
ARTIFICIAL_FLOW_RTOL = 1e-12
# LEMON's block pricing: a block of about sqrt(arcs) arcs, never fewer than this.
MIN_BLOCK_SIZE = 10

# The tree and the arcs, as one bundle passed to every kernel.
Basis = namedtuple("Basis", ["src", "tgt", "cost", "flow", "state", "parent", "pred", "thread",
                             "rev_thread", "succ_num", "last_succ", "pred_dir", "pi", "dirty"])


@njit(cache=True, nogil=True)
def new_basis(n_nodes, capacity):
    """Arrays for ``n_nodes`` nodes plus the root and room for ``capacity`` arcs."""
    n = n_nodes + 1
    return Basis(np.empty(capacity, np.int64), np.empty(capacity, np.int64),
                 np.empty(capacity, np.float64), np.zeros(capacity, np.float64),
                 np.full(capacity, STATE_LOWER, np.int8), np.empty(n, np.int64),
                 np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64),
                 np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64),
                 np.empty(n, np.float64), np.empty(n, np.int64))


@njit(cache=True, nogil=True)
def artificial_cost(max_cost, n_nodes):
    """LEMON's big-M: any path through the root costs more than any path of real arcs.

    Proportional to the costs (not max + 1, which made potentials ~n next to costs ~1e-9);
    phase 2 drops it from the potentials altogether.
    """
    return max(max_cost, 1e-300) * 2.0 * (n_nodes + 1)


@njit(cache=True, nogil=True)
def init_tree(b, supply, art_cost):
    """The all-artificial starting basis: every node hangs from the root by its own arc."""
    n_nodes = supply.shape[0]
    root = n_nodes
    b.parent[root] = -1
    b.pred[root] = -1
    b.thread[root] = 0
    b.rev_thread[0] = root
    b.succ_num[root] = n_nodes + 1
    b.last_succ[root] = root - 1
    b.pi[root] = 0.0
    for u in range(n_nodes):
        b.parent[u] = root
        b.pred[u] = u
        b.thread[u] = u + 1
        b.rev_thread[u + 1] = u
        b.succ_num[u] = 1
        b.last_succ[u] = u
        b.state[u] = STATE_TREE
        if supply[u] >= 0:
            b.pred_dir[u] = DIR_UP
            b.pi[u] = 0.0
            b.src[u] = u
            b.tgt[u] = root
            b.flow[u] = supply[u]
            b.cost[u] = 0.0
        else:
            b.pred_dir[u] = DIR_DOWN
            b.pi[u] = art_cost
            b.src[u] = root
            b.tgt[u] = u
            b.flow[u] = -supply[u]
            b.cost[u] = art_cost


# ---------------------------------------------------------------- entering arc (pricing)

@njit(cache=True, nogil=True, inline="always")
def _is_violated(c, ps, pt, best):
    """c + ps - pt beats ``best`` and is negative beyond the rounding of its own evaluation."""
    rc = c + ps - pt
    return rc < best and rc < -PRICING_EPS * max(abs(c), abs(ps), abs(pt))


@njit(cache=True, nogil=True)
def _entering_generic(b, first_real, n_arcs, block_size, next_arc):
    """Block search: the most negative reduced cost in the first block that has one."""
    in_arc = -1
    best = 0.0
    cnt = block_size
    e = next_arc
    for _ in range(n_arcs - first_real):
        if b.state[e] == STATE_LOWER:
            ps = b.pi[b.src[e]]
            pt = b.pi[b.tgt[e]]
            if _is_violated(b.cost[e], ps, pt, best):
                best = b.cost[e] + ps - pt
                in_arc = e
        e += 1
        if e == n_arcs:
            e = first_real
        cnt -= 1
        if cnt == 0:
            if in_arc >= 0:
                break
            cnt = block_size
    return in_arc, e


# fastmath without "ninf": inf costs are absent arcs (issue 20) and must stay inf here, not
# undefined. Measured: the same speed as fastmath=True (6.9 vs 7.6 ms per 1e6 entries, n = 1000).
_SCREEN_FASTMATH = {"nnan", "nsz", "reassoc", "arcp", "contract", "afn"}


@njit(cache=True, nogil=True, fastmath=_SCREEN_FASTMATH)
def _row_min_shifted(cost, base, pi, n_rows, n_cols):
    """min_j (cost[base + j] - pi[n_rows + j]): a plain min-reduction that LLVM vectorises.

    fastmath is confined to this screen; a row that passes it is searched again in exact
    arithmetic, so it only decides which rows are worth a second look.
    """
    m = np.inf
    for j in range(n_cols):
        m = min(m, cost[base + j] - pi[n_rows + j])
    return m


@njit(cache=True, nogil=True)
def _entering_dense(b, first_real, n_rows, n_cols, block_size, next_arc):
    """Row-wise block search over a dense row-major block of arcs: row i -> node n_rows + j.

    Rows are screened with a vectorised minimum of their reduced costs; rows with a negative
    minimum are searched exactly with the same tolerance as the generic search. The block is
    ``block_size`` arcs rounded up to whole rows. Tree arcs have reduced cost 0 up to rounding,
    which the tolerance nearly always rejects; only arcs that pass it are looked up, because
    potentials that cancelled to a small value beside big-M ones keep an absolute error above
    the tolerance, and pivoting on a tree arc broke the basis (the tree invariants checked by
    the compiled engine's EMDKIT_CHECK_INVARIANTS build caught it on wide-range costs).
    """
    cost = b.cost
    pi = b.pi
    in_arc = -1
    best = 0.0
    block_rows = max(1, block_size // n_cols)
    r = ((next_arc - first_real) // n_cols) % n_rows
    screened = 0
    for _ in range(n_rows):
        base = first_real + r * n_cols
        pi_i = pi[r]
        if _row_min_shifted(cost, base, pi, n_rows, n_cols) + pi_i < best:
            for j in range(n_cols):
                if _is_violated(cost[base + j], pi_i, pi[n_rows + j], best) and \
                        b.state[base + j] == STATE_LOWER:
                    best = cost[base + j] + pi_i - pi[n_rows + j]
                    in_arc = base + j
        r += 1
        if r == n_rows:
            r = 0
        screened += 1
        if screened >= block_rows and in_arc >= 0:
            break
    return in_arc, first_real + r * n_cols


# ---------------------------------------------------------------- the pivot, phase by phase

@njit(cache=True, nogil=True, inline="always")
def _find_join(b, in_arc):
    """The node where the tree paths from the entering arc's two ends meet."""
    u = b.src[in_arc]
    v = b.tgt[in_arc]
    while u != v:
        if b.succ_num[u] < b.succ_num[v]:
            u = b.parent[u]
        else:
            v = b.parent[v]
    return u


@njit(cache=True, nogil=True, inline="always")
def _room(b, u, decreasing, n_capped):
    """How much flow the tree arc above ``u`` can give: its flow if the cycle decreases it,
    0 if it is a capacity-0 artificial arc (phase 2) that the cycle would increase, else inf."""
    if decreasing:
        return b.flow[b.pred[u]]
    if b.pred[u] < n_capped:
        return 0.0
    return np.inf


@njit(cache=True, nogil=True, inline="always")
def _find_leaving(b, in_arc, join, n_capped):
    """(delta, u_out, side): the first blocking arc of the cycle, ties broken as LEMON does
    (first side strictly, second side inclusively) to keep the tree strongly feasible.
    side is 0 when no arc blocks (an unbounded cycle)."""
    delta = np.inf
    side = 0
    u_out = -1
    u = b.src[in_arc]
    while u != join:
        d = _room(b, u, b.pred_dir[u] == DIR_UP, n_capped)
        if d < delta:
            delta = d
            u_out = u
            side = 1
        u = b.parent[u]
    u = b.tgt[in_arc]
    while u != join:
        d = _room(b, u, b.pred_dir[u] == DIR_DOWN, n_capped)
        if d <= delta:
            delta = d
            u_out = u
            side = 2
        u = b.parent[u]
    return delta, u_out, side


@njit(cache=True, nogil=True, inline="always")
def _change_flow(b, in_arc, join, delta, u_out):
    """Augment ``delta`` around the cycle; the entering arc joins the tree, u_out's arc leaves."""
    if delta > 0:
        b.flow[in_arc] += delta
        u = b.src[in_arc]
        while u != join:
            b.flow[b.pred[u]] -= b.pred_dir[u] * delta
            u = b.parent[u]
        u = b.tgt[in_arc]
        while u != join:
            b.flow[b.pred[u]] += b.pred_dir[u] * delta
            u = b.parent[u]
    b.state[in_arc] = STATE_TREE
    b.state[b.pred[u_out]] = STATE_LOWER


@njit(cache=True, nogil=True, inline="always")
def _update_tree(b, in_arc, join, u_in, v_in, u_out):
    """Re-hang the subtree cut off at u_out from v_in through the entering arc (LEMON's
    updateTreeStructure: thread, reverse thread, parents, subtree sizes, last successors)."""
    parent, pred, thread, rev_thread = b.parent, b.pred, b.thread, b.rev_thread
    succ_num, last_succ, pred_dir, dirty = b.succ_num, b.last_succ, b.pred_dir, b.dirty
    old_rev_thread = rev_thread[u_out]
    old_succ_num = succ_num[u_out]
    old_last_succ = last_succ[u_out]
    v_out = parent[u_out]
    if u_in == u_out:
        parent[u_in] = v_in
        pred[u_in] = in_arc
        pred_dir[u_in] = DIR_UP if u_in == b.src[in_arc] else DIR_DOWN
        if thread[v_in] != u_out:
            after = thread[old_last_succ]
            thread[old_rev_thread] = after
            rev_thread[after] = old_rev_thread
            after = thread[v_in]
            thread[v_in] = u_out
            rev_thread[u_out] = v_in
            thread[old_last_succ] = after
            rev_thread[after] = old_last_succ
    else:
        thread_continue = thread[old_last_succ] if old_rev_thread == v_in else thread[v_in]
        stem = u_in
        par_stem = v_in
        last = last_succ[u_in]
        after = thread[last]
        thread[v_in] = u_in
        n_dirty = 0
        dirty[n_dirty] = v_in
        n_dirty += 1
        while stem != u_out:
            next_stem = parent[stem]
            thread[last] = next_stem
            dirty[n_dirty] = last
            n_dirty += 1
            before = rev_thread[stem]
            thread[before] = after
            rev_thread[after] = before
            parent[stem] = par_stem
            par_stem = stem
            stem = next_stem
            if last_succ[stem] == last_succ[par_stem]:
                last = rev_thread[par_stem]
            else:
                last = last_succ[stem]
            after = thread[last]
        parent[u_out] = par_stem
        thread[last] = thread_continue
        rev_thread[thread_continue] = last
        last_succ[u_out] = last
        if old_rev_thread != v_in:
            thread[old_rev_thread] = after
            rev_thread[after] = old_rev_thread
        for k in range(n_dirty):
            w = dirty[k]
            rev_thread[thread[w]] = w
        tmp_sc = 0
        tmp_ls = last_succ[u_out]
        w = u_out
        p = parent[w]
        while w != u_in:
            pred[w] = pred[p]
            pred_dir[w] = -pred_dir[p]
            tmp_sc += succ_num[w] - succ_num[p]
            succ_num[w] = tmp_sc
            last_succ[p] = tmp_ls
            w = p
            p = parent[w]
        pred[u_in] = in_arc
        pred_dir[u_in] = DIR_UP if u_in == b.src[in_arc] else DIR_DOWN
        succ_num[u_in] = old_succ_num

    up_limit_out = join if last_succ[join] == v_in else -1
    last_succ_out = last_succ[u_out]
    w = v_in
    while w != -1 and last_succ[w] == v_in:
        last_succ[w] = last_succ_out
        w = parent[w]
    if join != old_rev_thread and v_in != old_rev_thread:
        w = v_out
        while w != up_limit_out and last_succ[w] == old_last_succ:
            last_succ[w] = old_rev_thread
            w = parent[w]
    elif last_succ_out != old_last_succ:
        w = v_out
        while w != up_limit_out and last_succ[w] == old_last_succ:
            last_succ[w] = last_succ_out
            w = parent[w]
    w = v_in
    while w != join:
        succ_num[w] += old_succ_num
        w = parent[w]
    w = v_out
    while w != join:
        succ_num[w] -= old_succ_num
        w = parent[w]


@njit(cache=True, nogil=True, inline="always")
def _update_potentials(b, in_arc, u_in, v_in):
    """Shift the potentials so that the entering arc has zero reduced cost: the moved
    subtree's by sigma, or all the others' by -sigma when it holds more than half the nodes
    (the same reduced costs, fewer nodes walked; the C++ twin in cpp/simplex/pivot.cpp)."""
    sigma = b.pi[v_in] - b.pi[u_in] - b.pred_dir[u_in] * b.cost[in_arc]
    end = b.thread[b.last_succ[u_in]]
    if 2 * b.succ_num[u_in] <= b.pi.shape[0]:
        w = u_in
        while w != end:
            b.pi[w] += sigma
            w = b.thread[w]
    else:
        w = end
        while w != u_in:
            b.pi[w] -= sigma
            w = b.thread[w]


@njit(cache=True, nogil=True)
def pivot(b, in_arc, n_capped):
    """Bring ``in_arc`` into the tree. False if the cycle is unbounded (no arc blocks)."""
    join = _find_join(b, in_arc)
    delta, u_out, side = _find_leaving(b, in_arc, join, n_capped)
    if side == 0:
        return False
    if side == 1:
        u_in, v_in = b.src[in_arc], b.tgt[in_arc]
    else:
        u_in, v_in = b.tgt[in_arc], b.src[in_arc]
    _change_flow(b, in_arc, join, delta, u_out)
    _update_tree(b, in_arc, join, u_in, v_in, u_out)
    _update_potentials(b, in_arc, u_in, v_in)
    return True


@njit(cache=True, nogil=True)
def run_simplex(b, n_nodes, n_arcs, block_size, next_arc_box, max_iter, n_capped,
                n_dense_rows, n_dense_cols):
    """Pivot until optimal over arcs [n_nodes, n_arcs) or until ``max_iter`` pivots.

    With ``n_dense_cols > 0`` the real arcs are a dense row-major block (row i -> node
    n_dense_rows + j) and the dense search is used. Arcs below ``n_capped`` have capacity 0
    (the artificial arcs in phase 2). Returns (status, pivots done).
    """
    first_real = n_nodes
    if n_arcs - first_real <= 0:
        return STATUS_OPTIMAL, 0
    next_arc = next_arc_box[0]
    if next_arc < first_real or next_arc >= n_arcs:
        next_arc = first_real
    it = 0
    while True:
        if n_dense_cols > 0:
            in_arc, next_arc = _entering_dense(b, first_real, n_dense_rows, n_dense_cols,
                                               block_size, next_arc)
        else:
            in_arc, next_arc = _entering_generic(b, first_real, n_arcs, block_size, next_arc)
        if in_arc < 0:
            next_arc_box[0] = next_arc
            return STATUS_OPTIMAL, it
        if it >= max_iter:
            next_arc_box[0] = next_arc
            return STATUS_MAX_ITER, it
        if not pivot(b, in_arc, n_capped):
            next_arc_box[0] = next_arc
            return STATUS_UNBOUNDED, it
        it += 1


@njit(cache=True, nogil=True)
def recompute_potentials(b, n_nodes):
    """Rebuild pi from the root along the thread, removing drift from incremental updates."""
    root = n_nodes
    b.pi[root] = 0.0
    u = b.thread[root]
    while u != root:
        # tree arcs have zero reduced cost: cost + pi[src] - pi[tgt] = 0
        b.pi[u] = b.pi[b.parent[u]] - b.pred_dir[u] * b.cost[b.pred[u]]
        u = b.thread[u]


@njit(cache=True, nogil=True)
def artificial_flow(b, n_nodes):
    """Largest mass still on an artificial root arc."""
    worst = 0.0
    for u in range(n_nodes):
        if b.state[u] == STATE_TREE:
            worst = max(worst, b.flow[u])
    return worst


@njit(cache=True, nogil=True)
def solve_phases(b, supply, n_arcs, block_size, next_arc_box, max_iter, n_dense_rows,
                 n_dense_cols, phase):
    """Run the simplex from the current basis through both phases; returns (status, pivots,
    phase reached). ``phase`` is the phase the basis is already in (1 or 2)."""
    n_nodes = supply.shape[0]
    scale = 0.0
    for u in range(n_nodes):
        scale += max(supply[u], 0.0)
    pivots = 0
    if phase == 1 and artificial_flow(b, n_nodes) > ARTIFICIAL_FLOW_RTOL * scale:
        status, it = run_simplex(b, n_nodes, n_arcs, block_size, next_arc_box, max_iter, 0,
                                 n_dense_rows, n_dense_cols)
        pivots += it
        if status != STATUS_OPTIMAL:
            return status, pivots, 1
        if artificial_flow(b, n_nodes) > ARTIFICIAL_FLOW_RTOL * scale:
            return STATUS_ARTIFICIAL_FLOW, pivots, 1
    if phase == 1:
        # phase 2: the artificial arcs keep only rounding; close them (cost 0, capacity 0)
        for u in range(n_nodes):
            b.flow[u] = 0.0
            b.cost[u] = 0.0
        recompute_potentials(b, n_nodes)
    # Pivot, rebuild the potentials from the tree, and resume until a run with fresh
    # potentials makes no pivot. The incremental updates add sigma to a moved subtree; when
    # it hung below a big-M arc (1e10 beside costs of 1e-9; issue 20) the sum cancels to a
    # small potential that keeps an absolute error ~ M·2**-53, enough to hide a negative
    # reduced cost and stop on a suboptimal basis. The extra pass costs one pricing sweep.
    while True:
        status, it = run_simplex(b, n_nodes, n_arcs, block_size, next_arc_box,
                                 max(max_iter - pivots, 0), n_nodes, n_dense_rows,
                                 n_dense_cols)
        pivots += it
        recompute_potentials(b, n_nodes)
        if it == 0 or status != STATUS_OPTIMAL:
            return status, pivots, 2


@njit(cache=True, nogil=True)
def block_size_for(n_real_arcs):
    """LEMON's block size: about sqrt(arcs), at least MIN_BLOCK_SIZE."""
    return max(int(np.sqrt(max(n_real_arcs, 1))), MIN_BLOCK_SIZE)


class NetworkSimplex:
    """A live transportation basis over an open set of arcs.

    ``supply`` is +a for sources and −b for sinks and must sum to zero (up to rounding).
    Arcs are added with :meth:`add_arcs`; :meth:`solve` pivots to optimality over the arcs
    added so far and can be called again after adding more.
    """

    def __init__(self, supply: np.ndarray, max_cost: float, capacity: int = 0):
        self.n_nodes = n = int(supply.shape[0])
        self.art_cost = artificial_cost(float(max_cost), n)
        self.basis = new_basis(n, max(capacity, n + 16))
        self.n_arcs = n
        self.next_arc = np.array([n], np.int64)
        self.n_iter = 0
        self.phase = 1
        self.supply = np.ascontiguousarray(supply, dtype=np.float64)
        init_tree(self.basis, self.supply, self.art_cost)

    def __getattr__(self, name):  # ns.pi, ns.flow, ... read through to the bundle
        basis = self.__dict__.get("basis")
        if basis is not None and name in Basis._fields:
            return getattr(basis, name)
        raise AttributeError(name)

    def start_greedy(self, defer_node: int = -1) -> None:
        """Pivot the row-minimum greedy plan over the arcs added so far into the basis."""
        greedy_start(self.basis, self.supply, self.art_cost, self.n_arcs, 0, 0, defer_node, -1)

    def add_arcs(self, src: np.ndarray, tgt: np.ndarray, cost: np.ndarray) -> None:
        k = int(src.shape[0])
        need = self.n_arcs + k
        b = self.basis
        if need > b.src.shape[0]:
            new_cap = max(need, int(b.src.shape[0] * 1.5))
            grown = {}
            for name in ("src", "tgt", "cost", "flow", "state"):
                old = getattr(b, name)
                arr = np.empty(new_cap, old.dtype)
                arr[: self.n_arcs] = old[: self.n_arcs]
                grown[name] = arr
            self.basis = b = b._replace(**grown)
        sl = slice(self.n_arcs, need)
        b.src[sl] = src
        b.tgt[sl] = tgt
        b.cost[sl] = cost
        b.flow[sl] = 0.0
        b.state[sl] = STATE_LOWER
        self.n_arcs = need

    def solve(self, max_iter: int) -> int:
        """Pivot to optimality over the current arcs (both phases); returns the status code."""
        status, it, self.phase = solve_phases(
            self.basis, self.supply, self.n_arcs, block_size_for(self.n_arcs - self.n_nodes),
            self.next_arc, max(int(max_iter) - self.n_iter, 0), 0, 0, self.phase)
        self.n_iter += int(it)
        return int(status)

    def artificial_flow(self) -> float:
        """Mass still routed through the root; zero (up to rounding) when the arcs suffice."""
        return float(artificial_flow(self.basis, self.n_nodes))

    def real_flows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(source node, target node, flow, cost) of the real arcs that carry flow."""
        b = self.basis
        sl = slice(self.n_nodes, self.n_arcs)
        nz = np.flatnonzero(b.flow[sl] > 0) + self.n_nodes
        return b.src[nz], b.tgt[nz], b.flow[nz], b.cost[nz]


def pricing_rounds(ns: "NetworkSimplex", max_iter: int, first_cap: int,
                   rounds_at_fixed_cap: int, price, add_violators, when_stalled) -> None:
    """Solve, price every pair, add the violators, repeat until a sweep finds none.

    ``price(cap)`` returns (out_cols, out_count): per row, up to ``cap`` columns with a
    negative reduced cost outside the live arc set. ``add_violators(rows, cols)`` appends them.
    Every round adds arcs that were not in the set, so the loop ends; after
    ``rounds_at_fixed_cap`` rounds the cap doubles, so massive ties cannot crawl. When mass is
    left on the root and no pair prices negative, ``when_stalled()`` opens more arcs (or
    raises). Shared by candidate rounds and point clouds.
    """
    from .errors import STATUS_ARTIFICIAL_FLOW, raise_for_status
    cap = first_cap
    rounds = 0
    while True:
        status = ns.solve(max_iter)
        if status != STATUS_ARTIFICIAL_FLOW:  # mass on the root only means arcs are missing
            raise_for_status(status, max_iter, ns.n_iter)
        rounds += 1
        if rounds > rounds_at_fixed_cap:
            cap = 2 * cap
        out_cols, out_count = price(cap)
        cap = out_cols.shape[1]
        if int(out_count.sum()) == 0:
            if status == STATUS_ARTIFICIAL_FLOW:
                when_stalled()
                continue
            return
        rows = np.repeat(np.arange(out_count.shape[0]), out_count)
        cols = out_cols[np.arange(cap)[None, :] < out_count[:, None]]
        add_violators(rows, cols)


# ---------------------------------------------------------------- starting basis

@njit(cache=True, nogil=True)
def greedy_start(b, supply, art_cost, n_arcs, n_rows, n_cols, defer_node, defer_col):
    """Start from the row-minimum greedy plan, pivoted into the all-artificial basis.

    Each source in turn ships to its cheapest arc whose target still has demand, until it is
    empty or has no such arc. Every shipment exhausts a node (source or target), which keeps the
    chosen arcs a forest: the first-chosen arc of any cycle would have exhausted a line that a
    later cycle arc uses. Arcs touching ``defer_node`` (the zero-cost dummy of partial matching,
    or -1) wait for a second pass, so real mass is matched before surplus is parked on the
    dummy. The chosen arcs then enter the basis one by one through :func:`pivot` (LEMON's
    initial pivots): the start is built by the simplex's own code, and each node's leftover
    stays on its artificial arc, so the basis is feasible and the simplex only has to repair it.

    With ``n_cols > 0`` the real arcs are a dense row-major block (row i -> node n_rows + j, the
    dummy column ``defer_col``), and rows whose cheapest arc is cheapest go first, so they get
    that arc before another row uses up its column (measured: 25-35% fewer pivots than rows in
    index order on colour signatures and clouds). Otherwise sources go in index order over a
    CSR of their arcs. No sort of the arcs: O(arcs) per pass. Call after :func:`init_tree`;
    ``art_cost`` is unused (kept for the callers' signature).
    """
    n_nodes = supply.shape[0]
    first_real = n_nodes
    dense = n_cols > 0
    resid = supply.copy()
    # the arcs of each source, as a CSR (dense blocks need none: row i's arcs are contiguous)
    n_src = n_rows if dense else n_nodes
    out_start = np.zeros(n_src + 1, np.int64)
    out_arcs = np.empty(0 if dense else n_arcs - first_real, np.int64)
    if dense:
        for i in range(n_src + 1):
            out_start[i] = first_real + i * n_cols
    else:
        for e in range(first_real, n_arcs):
            out_start[b.src[e] + 1] += 1
        for u in range(n_nodes):
            out_start[u + 1] += out_start[u]
        fill = out_start[:n_nodes].copy()
        for e in range(first_real, n_arcs):
            out_arcs[fill[b.src[e]]] = e
            fill[b.src[e]] += 1
    order = np.arange(n_src)
    if dense:
        row_min = np.empty(n_rows)
        for i in range(n_rows):
            m = np.inf
            for e in range(out_start[i], out_start[i + 1]):
                if e - out_start[i] != defer_col:
                    m = min(m, b.cost[e])
            row_min[i] = m
        order = np.argsort(row_min)
    taken = np.empty(n_nodes, np.int64)
    n_taken = 0
    for use_deferred in (False, True):
        for s in order:
            if s == defer_node and not use_deferred:
                continue
            while resid[s] > 0:
                best = -1
                best_cost = np.inf
                for k in range(out_start[s], out_start[s + 1]):
                    e = k if dense else out_arcs[k]
                    t = b.tgt[e]
                    if resid[t] < 0 and b.cost[e] < best_cost:
                        if use_deferred or (t != defer_node and
                                            (not dense or e - out_start[s] != defer_col)):
                            best = e
                            best_cost = b.cost[e]
                if best < 0:
                    break
                t = b.tgt[best]
                f = min(resid[s], -resid[t])
                resid[s] -= f
                resid[t] += f
                taken[n_taken] = best
                n_taken += 1
    for k in range(n_taken):
        if not pivot(b, taken[k], 0):
            raise RuntimeError("start basis: an arc closes a cycle that nothing blocks")


# The compiled engine's live solver (cpp/simplex/network_simplex.hpp): same constructor,
# methods and attribute reads (ns.pi, ns.flow, ... are copies there).
_native = native_engine()
if _native is not None:
    NetworkSimplex = _native.NetworkSimplex  # noqa: F811
