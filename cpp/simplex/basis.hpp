// The spanning-tree basis of the network simplex and its arcs, as one bundle (LEMON's layout).
//
// Nodes 0..N-1, root N. Arcs 0..N-1 are the artificial root arcs, real arcs follow. The tree
// is stored as parent / pred (the arc above a node) / pred_dir (whether that arc points up,
// toward the parent, or down), the preorder thread and its inverse, subtree sizes and last
// successors in preorder. Reduced cost of arc e: cost[e] + pi[src[e]] - pi[tgt[e]].
//
// Number is the type of costs, flows and potentials: double for the solver; the pivot phases
// are written once for any ordered field-like type (a later exact build uses big integers).
#pragma once

#include <cstdint>
#include <vector>

namespace emdkit::simplex {

using Index = std::int64_t;

constexpr std::int8_t STATE_TREE = 0;
constexpr std::int8_t STATE_LOWER = 1;
constexpr std::int8_t DIR_UP = 1;
constexpr std::int8_t DIR_DOWN = -1;

// An arc and its ends (source, target), as the pricing that chose it knows them.
struct ArcEnds {
    Index arc, src, tgt;
};

template <class Number>
struct Basis {
    // arcs (grow with add_arcs)
    std::vector<Index> src, tgt;
    std::vector<Number> cost, flow;
    std::vector<std::int8_t> state;
    // nodes, root included
    std::vector<Index> parent, pred, thread, rev_thread, succ_num, last_succ;
    std::vector<std::int8_t> pred_dir;
    std::vector<Number> pi;
    std::vector<Index> dirty;  // scratch for update_tree: nodes whose thread successor moved

    Basis(Index n_nodes, Index arc_capacity) { resize(n_nodes, arc_capacity); }

    void resize(Index n_nodes, Index arc_capacity) {
        const auto n = static_cast<std::size_t>(n_nodes + 1);
        resize_arcs(arc_capacity);
        for (auto* v : {&parent, &pred, &thread, &rev_thread, &succ_num, &last_succ, &dirty})
            v->assign(n, 0);
        pred_dir.assign(n, 0);
        pi.assign(n, Number(0));
    }

    // Node arrays for n_nodes nodes and room for n_arcs arcs, keeping the capacity a reused
    // basis has grown: no allocation when the problem is no larger than an earlier one. Arcs
    // already present keep their contents (the caller resets them).
    void reuse(Index n_nodes, Index n_arcs) {
        const auto n = static_cast<std::size_t>(n_nodes + 1);
        for (auto* v : {&parent, &pred, &thread, &rev_thread, &succ_num, &last_succ, &dirty})
            v->resize(n);
        pred_dir.resize(n);
        pi.resize(n);
        if (static_cast<Index>(src.size()) < n_arcs) resize_arcs(n_arcs);
    }

    // New arcs start at the lower bound with zero flow.
    void resize_arcs(Index arc_capacity) {
        const auto m = static_cast<std::size_t>(arc_capacity);
        src.resize(m, 0);
        tgt.resize(m, 0);
        cost.resize(m, Number(0));
        flow.resize(m, Number(0));
        state.resize(m, STATE_LOWER);
    }
};

}  // namespace emdkit::simplex
