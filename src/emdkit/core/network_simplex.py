"""Solver: a primal network simplex for uncapacitated transportation, compiled with Numba.

The spanning-tree bookkeeping (parent, thread, reverse thread, subtree sizes, last successors)
follows LEMON's NetworkSimplex (Kovács, "Minimum-cost flow algorithms: an experimental
evaluation", 2015), which is also the engine inside POT. What differs here is that the arc set is
*open*: arcs can be appended to a live basis and pivoting resumes from the same tree. The dense
and point-cloud drivers use that to solve on a small candidate set first and price the rest in
bulk, adding only the arcs whose reduced cost is negative, until no arc anywhere can improve.

Layout: nodes 0..N-1, root N. Arcs 0..N-1 are the artificial root arcs of the starting basis
(cost ``art_cost`` into demand nodes), real arcs follow. Reduced cost is
``cost[e] + pi[src[e]] - pi[tgt[e]]``; a basis is optimal when it is >= 0 on every real arc.
"""
from __future__ import annotations

import numpy as np
from numba import njit

STATE_TREE = 0
STATE_LOWER = 1
DIR_UP = 1
DIR_DOWN = -1

STATUS_OPTIMAL = 0
STATUS_MAX_ITER = 1
STATUS_UNBOUNDED = 2

# Relative tolerance on reduced costs, scaled by the magnitudes that were subtracted: anything
# smaller is rounding, and pivoting on it would only cycle.
PRICING_EPS = 1e-13


@njit(cache=True, nogil=True)
def init_tree(supply, art_cost, src, tgt, cost, flow, state,
              parent, pred, thread, rev_thread, succ_num, last_succ, pred_dir, pi):
    n_nodes = supply.shape[0]
    root = n_nodes
    parent[root] = -1
    pred[root] = -1
    thread[root] = 0
    rev_thread[0] = root
    succ_num[root] = n_nodes + 1
    last_succ[root] = root - 1
    pi[root] = 0.0
    for u in range(n_nodes):
        parent[u] = root
        pred[u] = u
        thread[u] = u + 1
        rev_thread[u + 1] = u
        succ_num[u] = 1
        last_succ[u] = u
        state[u] = STATE_TREE
        if supply[u] >= 0:
            pred_dir[u] = DIR_UP
            pi[u] = 0.0
            src[u] = u
            tgt[u] = root
            flow[u] = supply[u]
            cost[u] = 0.0
        else:
            pred_dir[u] = DIR_DOWN
            pi[u] = art_cost
            src[u] = root
            tgt[u] = u
            flow[u] = -supply[u]
            cost[u] = art_cost


@njit(cache=True, nogil=True)
def run_simplex(n_nodes, n_arcs, src, tgt, cost, flow, state,
                parent, pred, thread, rev_thread, succ_num, last_succ, pred_dir, pi,
                dirty, block_size, next_arc_box, max_iter):
    """Pivot until optimal over arcs [n_nodes, n_arcs) or until ``max_iter`` pivots.

    Returns (status, pivots done).
    """
    first_real = n_nodes
    n_search = n_arcs - first_real
    if n_search <= 0:
        return STATUS_OPTIMAL, 0
    next_arc = next_arc_box[0]
    if next_arc < first_real or next_arc >= n_arcs:
        next_arc = first_real
    inf = np.inf
    it = 0
    while True:
        # --- entering arc: block search, the most negative reduced cost in the first block
        # that has one
        in_arc = -1
        best = 0.0
        cnt = block_size
        e = next_arc
        for _ in range(n_search):
            if state[e] == STATE_LOWER:
                ps = pi[src[e]]
                pt = pi[tgt[e]]
                c = cost[e] + ps - pt
                if c < best:
                    scale = max(abs(cost[e]), abs(ps), abs(pt))
                    if c < -PRICING_EPS * scale:
                        best = c
                        in_arc = e
            e += 1
            if e == n_arcs:
                e = first_real
            cnt -= 1
            if cnt == 0:
                if in_arc >= 0:
                    break
                cnt = block_size
        if in_arc < 0:
            next_arc_box[0] = next_arc
            return STATUS_OPTIMAL, it
        next_arc = e
        if it >= max_iter:
            next_arc_box[0] = next_arc
            return STATUS_MAX_ITER, it

        # --- join node: where the two tree paths from the entering arc's ends meet
        u = src[in_arc]
        v = tgt[in_arc]
        while u != v:
            if succ_num[u] < succ_num[v]:
                u = parent[u]
            else:
                v = parent[v]
        join = u

        # --- leaving arc: the first blocking arc, ties broken to keep the tree strongly feasible
        first = src[in_arc]
        second = tgt[in_arc]
        delta = inf
        result = 0
        u_out = -1
        u = first
        while u != join:
            if pred_dir[u] == DIR_UP:
                d = flow[pred[u]]
                if d < delta:
                    delta = d
                    u_out = u
                    result = 1
            u = parent[u]
        u = second
        while u != join:
            if pred_dir[u] == DIR_DOWN:
                d = flow[pred[u]]
                if d <= delta:
                    delta = d
                    u_out = u
                    result = 2
            u = parent[u]
        if result == 0:
            next_arc_box[0] = next_arc
            return STATUS_UNBOUNDED, it
        if result == 1:
            u_in = first
            v_in = second
        else:
            u_in = second
            v_in = first

        # --- augment along the cycle
        if delta > 0:
            flow[in_arc] += delta
            u = src[in_arc]
            while u != join:
                flow[pred[u]] -= pred_dir[u] * delta
                u = parent[u]
            u = tgt[in_arc]
            while u != join:
                flow[pred[u]] += pred_dir[u] * delta
                u = parent[u]
        state[in_arc] = STATE_TREE
        state[pred[u_out]] = STATE_LOWER

        # --- re-hang the tree: the subtree cut off at u_out hangs from v_in through in_arc
        old_rev_thread = rev_thread[u_out]
        old_succ_num = succ_num[u_out]
        old_last_succ = last_succ[u_out]
        v_out = parent[u_out]
        if u_in == u_out:
            parent[u_in] = v_in
            pred[u_in] = in_arc
            pred_dir[u_in] = DIR_UP if u_in == src[in_arc] else DIR_DOWN
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
            pred_dir[u_in] = DIR_UP if u_in == src[in_arc] else DIR_DOWN
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

        # --- potentials of the moved subtree, so that in_arc has zero reduced cost
        sigma = pi[v_in] - pi[u_in] - pred_dir[u_in] * cost[in_arc]
        end = thread[last_succ[u_in]]
        w = u_in
        while w != end:
            pi[w] += sigma
            w = thread[w]
        it += 1


@njit(cache=True, nogil=True)
def recompute_potentials(n_nodes, cost, thread, parent, pred, pred_dir, pi):
    """Rebuild pi from the root along the thread, removing drift from incremental updates."""
    root = n_nodes
    pi[root] = 0.0
    u = thread[root]
    while u != root:
        # tree arcs have zero reduced cost: cost + pi[src] - pi[tgt] = 0
        pi[u] = pi[parent[u]] - pred_dir[u] * cost[pred[u]]
        u = thread[u]


class NetworkSimplex:
    """A live transportation basis over an open set of arcs.

    ``supply`` is +a for sources and −b for sinks and must sum to zero (up to rounding).
    Arcs are added with :meth:`add_arcs`; :meth:`solve` pivots to optimality over the arcs
    added so far and can be called again after adding more.
    """

    def __init__(self, supply: np.ndarray, max_cost: float, capacity: int = 0):
        self.n_nodes = n = int(supply.shape[0])
        # any path through the root must cost more than any path of real arcs
        self.art_cost = (float(max_cost) + 1.0) * (n + 1)
        capacity = max(capacity, n + 16)
        self.src = np.empty(capacity, np.int64)
        self.tgt = np.empty(capacity, np.int64)
        self.cost = np.empty(capacity, np.float64)
        self.flow = np.zeros(capacity, np.float64)
        self.state = np.ones(capacity, np.int8)
        self.n_arcs = n
        self.parent = np.empty(n + 1, np.int64)
        self.pred = np.empty(n + 1, np.int64)
        self.thread = np.empty(n + 1, np.int64)
        self.rev_thread = np.empty(n + 1, np.int64)
        self.succ_num = np.empty(n + 1, np.int64)
        self.last_succ = np.empty(n + 1, np.int64)
        self.pred_dir = np.empty(n + 1, np.int64)
        self.pi = np.empty(n + 1, np.float64)
        self.dirty = np.empty(n + 1, np.int64)
        self.next_arc = np.array([n], np.int64)
        self.n_iter = 0
        init_tree(np.ascontiguousarray(supply, dtype=np.float64), self.art_cost, self.src,
                  self.tgt, self.cost, self.flow, self.state, self.parent, self.pred,
                  self.thread, self.rev_thread, self.succ_num, self.last_succ, self.pred_dir,
                  self.pi)

    def add_arcs(self, src: np.ndarray, tgt: np.ndarray, cost: np.ndarray) -> None:
        k = int(src.shape[0])
        need = self.n_arcs + k
        if need > self.src.shape[0]:
            new_cap = max(need, int(self.src.shape[0] * 1.5))
            for name in ("src", "tgt", "cost", "flow", "state"):
                old = getattr(self, name)
                grown = np.empty(new_cap, old.dtype)
                grown[: self.n_arcs] = old[: self.n_arcs]
                setattr(self, name, grown)
        sl = slice(self.n_arcs, need)
        self.src[sl] = src
        self.tgt[sl] = tgt
        self.cost[sl] = cost
        self.flow[sl] = 0.0
        self.state[sl] = STATE_LOWER
        self.n_arcs = need

    def solve(self, max_iter: int) -> int:
        """Pivot to optimality over the current arcs; returns the status code."""
        n_real = self.n_arcs - self.n_nodes
        block = max(int(np.sqrt(max(n_real, 1))), 10)
        status, it = run_simplex(
            self.n_nodes, self.n_arcs, self.src, self.tgt, self.cost, self.flow, self.state,
            self.parent, self.pred, self.thread, self.rev_thread, self.succ_num,
            self.last_succ, self.pred_dir, self.pi, self.dirty, block, self.next_arc,
            max(int(max_iter) - self.n_iter, 0))
        self.n_iter += int(it)
        recompute_potentials(self.n_nodes, self.cost, self.thread, self.parent, self.pred,
                             self.pred_dir, self.pi)
        return int(status)

    def artificial_flow(self) -> float:
        """Mass still routed through the root; zero (up to rounding) when the arcs suffice."""
        return float(self.flow[: self.n_nodes].max(initial=0.0))

    def real_flows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(source node, target node, flow, cost) of the real arcs that carry flow."""
        sl = slice(self.n_nodes, self.n_arcs)
        nz = np.flatnonzero(self.flow[sl] > 0) + self.n_nodes
        return self.src[nz], self.tgt[nz], self.flow[nz], self.cost[nz]
