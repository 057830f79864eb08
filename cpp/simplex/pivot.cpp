#include "simplex/pivot.hpp"

#include <limits>
#include <string>

#include "common/errors.hpp"

namespace emdkit::simplex {

namespace {

// The node where the tree paths from the entering arc's two ends meet: the end with the
// smaller subtree steps up. Written with selects, not a branch: which side steps is a coin
// toss, and the branch's mispredictions were a fifth of the pivot's (callgrind, n = 256).
template <class Number>
Index find_join(const Basis<Number>& b, ArcEnds in) {
    const Index* parent = b.parent.data();
    const Index* succ_num = b.succ_num.data();
    Index u = in.src;
    Index v = in.tgt;
    while (u != v) {
        // all ones when u steps, else zero (a mask: compilers turned ?: back into a branch)
        const Index u_steps = -static_cast<Index>(succ_num[u] < succ_num[v]);
        const Index pu = parent[u];
        const Index pv = parent[v];
        u = (pu & u_steps) | (u & ~u_steps);
        v = (v & u_steps) | (pv & ~u_steps);
    }
    return u;
}

// How much flow the tree arc above u can give: its flow if the cycle decreases it, 0 if it is
// a capacity-0 artificial arc (phase 2) that the cycle would increase, else unbounded.
template <class Number>
Number room(const Basis<Number>& b, Index u, bool decreasing, Index n_capped) {
    if (decreasing) return b.flow[b.pred[u]];
    if (b.pred[u] < n_capped) return Number(0);
    return std::numeric_limits<Number>::infinity();
}

template <class Number>
struct Leaving {
    Number delta;
    Index u_out;
    int side;  // 0: nothing blocks (unbounded); 1: first side; 2: second side
};

// The first blocking arc of the cycle, ties broken as LEMON does (first side strictly, second
// side inclusively) to keep the tree strongly feasible.
template <class Number>
Leaving<Number> find_leaving(const Basis<Number>& b, ArcEnds in, Index join, Index n_capped) {
    Leaving<Number> out{std::numeric_limits<Number>::infinity(), -1, 0};
    for (Index u = in.src; u != join; u = b.parent[u]) {
        const Number d = room(b, u, b.pred_dir[u] == DIR_UP, n_capped);
        if (d < out.delta) out = {d, u, 1};
    }
    for (Index u = in.tgt; u != join; u = b.parent[u]) {
        const Number d = room(b, u, b.pred_dir[u] == DIR_DOWN, n_capped);
        if (d <= out.delta) out = {d, u, 2};
    }
    return out;
}

// Augment delta around the cycle; the entering arc joins the tree, u_out's arc leaves. An arc
// outside the tree carries no flow (no upper bounds; a leaving arc's flow drops to exactly 0),
// so the entering arc's flow is delta without reading it (0 + delta is delta).
template <class Number>
void change_flow(Basis<Number>& b, ArcEnds in, Index join, Number delta, Index u_out) {
    const Index in_arc = in.arc;
    if (delta > Number(0)) {
        b.flow[in_arc] = delta;
        for (Index u = in.src; u != join; u = b.parent[u])
            b.flow[b.pred[u]] -= Number(b.pred_dir[u]) * delta;
        for (Index u = in.tgt; u != join; u = b.parent[u])
            b.flow[b.pred[u]] += Number(b.pred_dir[u]) * delta;
    }
    b.state[in_arc] = STATE_TREE;
    b.state[b.pred[u_out]] = STATE_LOWER;
}

// The stem from u_in up to u_out is reversed: re-hang the subtree cut off at u_out from v_in
// through the entering arc (LEMON's updateTreeStructure: thread, reverse thread, parents).
template <class Number>
void reverse_stem(Basis<Number>& b, ArcEnds in, Index u_in, Index v_in, Index u_out,
                  Index old_rev_thread, Index old_succ_num, Index old_last_succ) {
    auto& parent = b.parent;
    auto& thread = b.thread;
    auto& rev_thread = b.rev_thread;
    auto& last_succ = b.last_succ;
    auto& succ_num = b.succ_num;
    const Index thread_continue =
        old_rev_thread == v_in ? thread[old_last_succ] : thread[v_in];
    Index stem = u_in;
    Index par_stem = v_in;
    Index last = last_succ[u_in];
    Index after = thread[last];
    thread[v_in] = u_in;
    Index n_dirty = 0;
    b.dirty[n_dirty++] = v_in;
    while (stem != u_out) {
        const Index next_stem = parent[stem];
        thread[last] = next_stem;
        b.dirty[n_dirty++] = last;
        const Index before = rev_thread[stem];
        thread[before] = after;
        rev_thread[after] = before;
        parent[stem] = par_stem;
        par_stem = stem;
        stem = next_stem;
        last = last_succ[stem] == last_succ[par_stem] ? rev_thread[par_stem] : last_succ[stem];
        after = thread[last];
    }
    parent[u_out] = par_stem;
    thread[last] = thread_continue;
    rev_thread[thread_continue] = last;
    last_succ[u_out] = last;
    if (old_rev_thread != v_in) {
        thread[old_rev_thread] = after;
        rev_thread[after] = old_rev_thread;
    }
    for (Index k = 0; k < n_dirty; ++k) {
        const Index w = b.dirty[k];
        rev_thread[thread[w]] = w;
    }
    // pred, pred_dir, subtree sizes and last successors along the reversed stem
    Index tmp_sc = 0;
    const Index tmp_ls = last_succ[u_out];
    for (Index w = u_out, p = parent[w]; w != u_in; w = p, p = parent[w]) {
        b.pred[w] = b.pred[p];
        b.pred_dir[w] = static_cast<std::int8_t>(-b.pred_dir[p]);
        tmp_sc += succ_num[w] - succ_num[p];
        succ_num[w] = tmp_sc;
        last_succ[p] = tmp_ls;
    }
    b.pred[u_in] = in.arc;
    b.pred_dir[u_in] = u_in == in.src ? DIR_UP : DIR_DOWN;
    succ_num[u_in] = old_succ_num;
}

// Re-hang the subtree cut off at u_out from v_in through the entering arc, then repair the
// last successors and subtree sizes on the paths from v_in and v_out up to the join.
template <class Number>
void update_tree(Basis<Number>& b, ArcEnds in, Index join, Index u_in, Index v_in,
                 Index u_out) {
    auto& parent = b.parent;
    auto& thread = b.thread;
    auto& rev_thread = b.rev_thread;
    auto& last_succ = b.last_succ;
    auto& succ_num = b.succ_num;
    const Index old_rev_thread = rev_thread[u_out];
    const Index old_succ_num = succ_num[u_out];
    const Index old_last_succ = last_succ[u_out];
    const Index v_out = parent[u_out];
    if (u_in == u_out) {
        parent[u_in] = v_in;
        b.pred[u_in] = in.arc;
        b.pred_dir[u_in] = u_in == in.src ? DIR_UP : DIR_DOWN;
        if (thread[v_in] != u_out) {
            Index after = thread[old_last_succ];
            thread[old_rev_thread] = after;
            rev_thread[after] = old_rev_thread;
            after = thread[v_in];
            thread[v_in] = u_out;
            rev_thread[u_out] = v_in;
            thread[old_last_succ] = after;
            rev_thread[after] = old_last_succ;
        }
    } else {
        reverse_stem(b, in, u_in, v_in, u_out, old_rev_thread, old_succ_num,
                     old_last_succ);
    }
    const Index up_limit_out = last_succ[join] == v_in ? join : -1;
    const Index last_succ_out = last_succ[u_out];
    for (Index w = v_in; w != -1 && last_succ[w] == v_in; w = parent[w])
        last_succ[w] = last_succ_out;
    if (join != old_rev_thread && v_in != old_rev_thread) {
        for (Index w = v_out; w != up_limit_out && last_succ[w] == old_last_succ; w = parent[w])
            last_succ[w] = old_rev_thread;
    } else if (last_succ_out != old_last_succ) {
        for (Index w = v_out; w != up_limit_out && last_succ[w] == old_last_succ; w = parent[w])
            last_succ[w] = last_succ_out;
    }
    for (Index w = v_in; w != join; w = parent[w]) succ_num[w] += old_succ_num;
    for (Index w = v_out; w != join; w = parent[w]) succ_num[w] -= old_succ_num;
}

// Shift the potentials so that the entering arc has zero reduced cost: the moved subtree's by
// sigma or, when it holds more than half the nodes, all the others' (the root's included) by
// -sigma. Only differences of potentials enter a reduced cost, so both give the same ones, and
// the second walks fewer nodes: on grid graphs and large clouds the moved subtree is often
// most of the tree (this loop was 40% of grid_emd's time at 128², 2026-12-03, perf).
// recompute_potentials puts the root back at 0 after every run.
template <class Number>
void update_potentials(Basis<Number>& b, Index in_arc, Index u_in, Index v_in) {
    const Number sigma = b.pi[v_in] - b.pi[u_in] - Number(b.pred_dir[u_in]) * b.cost[in_arc];
    const Index end = b.thread[b.last_succ[u_in]];
    const auto n_with_root = static_cast<Index>(b.pi.size());
    if (2 * b.succ_num[u_in] <= n_with_root) {
        for (Index w = u_in; w != end; w = b.thread[w]) b.pi[w] += sigma;
    } else {
        for (Index w = end; w != u_in; w = b.thread[w]) b.pi[w] -= sigma;
    }
}

}  // namespace

template <class Number>
bool pivot(Basis<Number>& b, ArcEnds in, Index n_capped) {
#ifdef EMDKIT_CHECK_INVARIANTS
    if (b.src[in.arc] != in.src || b.tgt[in.arc] != in.tgt || b.flow[in.arc] != Number(0))
        throw EngineError("invariant: the entering arc's ends or flow are not as given");
#endif
    const Index join = find_join(b, in);
    const Leaving<Number> out = find_leaving(b, in, join, n_capped);
    if (out.side == 0) return false;
    const Index u_in = out.side == 1 ? in.src : in.tgt;
    const Index v_in = out.side == 1 ? in.tgt : in.src;
    change_flow(b, in, join, out.delta, out.u_out);
    update_tree(b, in, join, u_in, v_in, out.u_out);
    update_potentials(b, in.arc, u_in, v_in);
    return true;
}

template <class Number>
bool pivot(Basis<Number>& b, Index in_arc, Index n_capped) {
    return pivot(b, ArcEnds{in_arc, b.src[in_arc], b.tgt[in_arc]}, n_capped);
}

template <class Number>
void check_tree(const Basis<Number>& b, Index n_nodes) {
    const Index root = n_nodes;
    const auto fail = [](const std::string& what) { throw EngineError("invariant: " + what); };
    if (b.parent[root] != -1) fail("the root has a parent");
    // the thread visits every node once, in a preorder starting at the root
    std::vector<Index> position(static_cast<std::size_t>(n_nodes + 1), -1);
    Index u = root;
    for (Index k = 0; k <= n_nodes; ++k) {
        if (u < 0 || u > n_nodes || position[u] >= 0) fail("thread is not one cycle");
        position[u] = k;
        if (b.rev_thread[b.thread[u]] != u) fail("rev_thread is not thread's inverse");
        u = b.thread[u];
    }
    if (u != root) fail("thread does not return to the root");
    for (Index w = 0; w < n_nodes; ++w) {
        const Index p = b.parent[w];
        if (p < 0 || position[p] >= position[w]) fail("a parent follows its child in preorder");
        const Index e = b.pred[w];
        const bool up = b.src[e] == w && b.tgt[e] == p;
        const bool down = b.src[e] == p && b.tgt[e] == w;
        if (b.state[e] != STATE_TREE) fail("a pred arc is not in the tree");
        if (!(b.pred_dir[w] == DIR_UP ? up : down))
            fail("pred arc does not join a node to its parent");
    }
    for (Index w = 0; w <= n_nodes; ++w) {
        const Index last = b.last_succ[w];
        if (position[last] - position[w] + 1 != b.succ_num[w])
            fail("succ_num does not span the subtree up to last_succ");
    }
    for (Index w = 0; w < n_nodes; ++w) {  // a subtree lies inside its parent's subtree
        const Index p = b.parent[w];
        if (position[b.last_succ[w]] > position[b.last_succ[p]])
            fail("a subtree ends after its parent's");
    }
}

template bool pivot<double>(Basis<double>&, Index, Index);
template bool pivot<double>(Basis<double>&, ArcEnds, Index);
template void check_tree<double>(const Basis<double>&, Index);

}  // namespace emdkit::simplex
