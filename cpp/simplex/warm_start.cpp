#include "simplex/warm_start.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "common/disjoint_sets.hpp"
#include "simplex/network_simplex.hpp"
#include "simplex/pivot.hpp"

namespace emdkit::simplex {

namespace {

using NodeSets = DisjointSets<Index>;

// The hinted arcs that make a forest, in hint order.
std::vector<Index> forest_arcs(const Basis<double>& b, Index n_nodes, Index n_arcs,
                               const WarmHint& hint) {
    NodeSets sets(n_nodes);
    std::vector<Index> kept;
    for (Index k = 0; k < hint.count; ++k) {
        const Index e = hint.arcs[k];
        if (e < n_nodes || e >= n_arcs || !std::isfinite(b.cost[e])) continue;
        if (sets.join(b.src[e], b.tgt[e])) kept.push_back(e);
    }
    return kept;
}

// Lists as a CSR: the members of group g at items[start[g] .. start[g + 1]).
struct Grouped {
    std::vector<Index> start, items;
};

// Each forest arc listed under both of its ends.
Grouped incident_arcs(const Basis<double>& b, Index n_nodes, const std::vector<Index>& arcs) {
    Grouped g{std::vector<Index>(static_cast<std::size_t>(n_nodes + 1), 0),
              std::vector<Index>(2 * arcs.size())};
    for (const Index e : arcs) {
        ++g.start[b.src[e] + 1];
        ++g.start[b.tgt[e] + 1];
    }
    std::partial_sum(g.start.begin(), g.start.end(), g.start.begin());
    std::vector<Index> fill(g.start.begin(), g.start.end() - 1);
    for (const Index e : arcs) {
        g.items[fill[b.src[e]]++] = e;
        g.items[fill[b.tgt[e]]++] = e;
    }
    return g;
}

// Root every forest tree at its lowest node, hung from the root: parent, pred and pred_dir
// of every node, and the nodes in an order where each parent precedes its children.
std::vector<Index> root_forest(Basis<double>& b, Index n_nodes, const Grouped& g) {
    const Index root = n_nodes;
    std::vector<Index> order;
    order.reserve(static_cast<std::size_t>(n_nodes));
    std::vector<char> seen(static_cast<std::size_t>(n_nodes), 0);
    for (Index r = 0; r < n_nodes; ++r) {
        if (seen[r]) continue;
        seen[r] = 1;
        b.parent[r] = root;
        b.pred[r] = r;
        std::size_t top = order.size();
        order.push_back(r);
        for (; top < order.size(); ++top) {  // breadth first: order doubles as the queue
            const Index u = order[top];
            for (Index t = g.start[u]; t < g.start[u + 1]; ++t) {
                const Index e = g.items[t];
                const Index w = b.src[e] == u ? b.tgt[e] : b.src[e];
                if (seen[w]) continue;
                seen[w] = 1;
                b.parent[w] = u;
                b.pred[w] = e;
                b.pred_dir[w] = b.src[e] == w ? DIR_UP : DIR_DOWN;
                order.push_back(w);
            }
        }
    }
    return order;
}

// u hangs from the root by its artificial arc, carrying its mass (up for a surplus at cost
// 0, down for a demand at the big-M cost, as in init_tree).
void hang_from_root(Basis<double>& b, Index u, Index root, double mass, double art_cost) {
    b.parent[u] = root;
    b.pred[u] = u;
    b.state[u] = STATE_TREE;
    const bool up = mass >= 0;
    b.src[u] = up ? u : root;
    b.tgt[u] = up ? root : u;
    b.cost[u] = up ? 0.0 : art_cost;
    b.flow[u] = up ? mass : -mass;
    b.pred_dir[u] = up ? DIR_UP : DIR_DOWN;
}

// Leaves first, the flow each forest arc must carry for the current supplies; an arc that
// would carry a negative flow is cut and its subtree hung from the root with its imbalance.
void force_flows(Basis<double>& b, const double* supply, Index n_nodes, double art_cost,
                 const std::vector<Index>& order) {
    const Index root = n_nodes;
    std::vector<double> excess(supply, supply + n_nodes);
    for (auto k = static_cast<Index>(order.size()) - 1; k >= 0; --k) {
        const Index u = order[k];
        const Index p = b.parent[u];
        if (p != root) {
            const Index e = b.pred[u];
            const double f = b.pred_dir[u] == DIR_UP ? excess[u] : -excess[u];
            if (f >= 0) {
                b.flow[e] = f;
                b.state[e] = STATE_TREE;
                excess[p] += excess[u];
                continue;
            }
        }
        hang_from_root(b, u, root, excess[u], art_cost);
    }
}

// Thread, reverse thread, subtree sizes and last successors of the tree that parent
// describes, from a depth-first preorder of it.
void thread_tree(Basis<double>& b, Index n_nodes) {
    const Index root = n_nodes;
    Grouped children{std::vector<Index>(static_cast<std::size_t>(n_nodes + 2), 0),
                     std::vector<Index>(static_cast<std::size_t>(n_nodes))};
    for (Index u = 0; u < n_nodes; ++u) ++children.start[b.parent[u] + 1];
    std::partial_sum(children.start.begin(), children.start.end(), children.start.begin());
    std::vector<Index> fill(children.start.begin(), children.start.end() - 1);
    for (Index u = 0; u < n_nodes; ++u) children.items[fill[b.parent[u]]++] = u;
    std::vector<Index> preorder, stack{root};
    preorder.reserve(static_cast<std::size_t>(n_nodes + 1));
    while (!stack.empty()) {
        const Index u = stack.back();
        stack.pop_back();
        preorder.push_back(u);
        for (Index t = children.start[u + 1]; t > children.start[u]; --t)
            stack.push_back(children.items[t - 1]);
    }
    EMDKIT_INVARIANT(static_cast<Index>(preorder.size()) == n_nodes + 1,
                     "warm start: the tree does not reach every node");
    const auto n = static_cast<Index>(preorder.size());
    for (Index k = 0; k < n; ++k) {
        const Index next = preorder[(k + 1) % n];
        b.thread[preorder[k]] = next;
        b.rev_thread[next] = preorder[k];
        b.succ_num[preorder[k]] = 1;
    }
    for (Index k = n - 1; k > 0; --k) b.succ_num[b.parent[preorder[k]]] += b.succ_num[preorder[k]];
    for (Index k = 0; k < n; ++k) b.last_succ[preorder[k]] = preorder[k + b.succ_num[preorder[k]] - 1];
    b.parent[root] = -1;
    b.pred[root] = -1;
}

// Phase 2 from the start: the artificial arcs close (flow 0, capacity 0 in phase 2) and cost
// what puts each tree's top node at its hinted potential (0 without a hint).
void close_artificial_arcs(Basis<double>& b, Index n_nodes, const double* pi_hint) {
    for (Index u = 0; u < n_nodes; ++u) {
        b.flow[u] = 0.0;
        const bool hinted = pi_hint != nullptr && b.state[u] == STATE_TREE &&
                            std::isfinite(pi_hint[u]);
        b.cost[u] = hinted ? -double(b.pred_dir[u]) * pi_hint[u] : 0.0;
    }
}

}  // namespace

int warm_start(Basis<double>& b, const double* supply, Index n_nodes, Index n_arcs,
               double art_cost, const WarmHint& hint) {
    for (Index e = 0; e < n_arcs; ++e) {
        b.state[e] = STATE_LOWER;
        b.flow[e] = 0.0;
    }
    const std::vector<Index> arcs = forest_arcs(b, n_nodes, n_arcs, hint);
    const std::vector<Index> order = root_forest(b, n_nodes, incident_arcs(b, n_nodes, arcs));
    force_flows(b, supply, n_nodes, art_cost, order);
    thread_tree(b, n_nodes);
    double scale = 0.0;
    for (Index u = 0; u < n_nodes; ++u) scale += std::max(supply[u], 0.0);
    const bool feasible = artificial_flow(b, n_nodes) <= ARTIFICIAL_FLOW_RTOL * scale;
    if (feasible) close_artificial_arcs(b, n_nodes, hint.pi);
    recompute_potentials(b, n_nodes);
#ifdef EMDKIT_CHECK_INVARIANTS
    check_tree(b, n_nodes);
#endif
    return feasible ? 2 : 1;
}

// ---------------------------------------------------------------- the live solver

void NetworkSimplex::start_warm(const WarmHint& hint) {
    phase_ = warm_start(basis_, supply_.data(), n_nodes_, n_arcs_, art_cost_, hint);
}

}  // namespace emdkit::simplex
