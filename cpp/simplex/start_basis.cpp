#include "simplex/start_basis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "common/errors.hpp"
#include "common/numba_sort.hpp"

namespace emdkit::simplex {

namespace {

constexpr double INF = std::numeric_limits<double>::infinity();

// Each source's arcs: contiguous rows of a dense block, or a CSR built from the arc list.
struct OutArcs {
    std::vector<Index> start;  // arcs of source s: positions start[s] .. start[s + 1]
    std::vector<Index> arcs;   // empty when dense (the position is the arc)
};

OutArcs out_arcs(const Basis<double>& b, Index n_nodes, Index n_arcs, DenseLayout layout) {
    const Index first_real = n_nodes;
    const Index n_src = layout.dense() ? layout.n_rows : n_nodes;
    OutArcs out{std::vector<Index>(static_cast<std::size_t>(n_src + 1), 0), {}};
    if (layout.dense()) {
        for (Index i = 0; i <= n_src; ++i) out.start[i] = first_real + i * layout.n_cols;
        return out;
    }
    out.arcs.resize(static_cast<std::size_t>(n_arcs - first_real));
    for (Index e = first_real; e < n_arcs; ++e) ++out.start[b.src[e] + 1];
    for (Index u = 0; u < n_nodes; ++u) out.start[u + 1] += out.start[u];
    std::vector<Index> fill(out.start.begin(), out.start.begin() + n_nodes);
    for (Index e = first_real; e < n_arcs; ++e) out.arcs[fill[b.src[e]]++] = e;
    return out;
}

// Rows by their cheapest arc (the dummy column left out), ties as Numba's argsort leaves them.
std::vector<Index> rows_by_minimum(const Basis<double>& b, const OutArcs& out, Index n_rows,
                                   Index defer_col) {
    std::vector<double> row_min(static_cast<std::size_t>(n_rows));
    for (Index i = 0; i < n_rows; ++i) {
        double m = INF;
        for (Index e = out.start[i]; e < out.start[i + 1]; ++e)
            if (e - out.start[i] != defer_col) m = std::min(m, b.cost[e]);
        row_min[i] = m;
    }
    return numba_argsort(row_min.data(), n_rows);
}

struct Forest {
    const std::vector<Index>& taken;  // the real arcs chosen
    const std::vector<double>& resid;  // leftover supply (+) or demand (-) per node
};

// Turn a forest of real arcs into a spanning-tree basis rooted at the artificial root (see
// hang_forest in network_simplex.py: one artificial arc per tree carries its leftover; trees
// with leftover on two or more nodes are dissolved; the structure is rebuilt by a DFS).
void hang_forest(Basis<double>& b, const double* supply, Index n_nodes, double art_cost,
                 const Forest& forest);

}  // namespace

void init_tree(Basis<double>& b, const double* supply, Index n_nodes, double art_cost) {
    const Index root = n_nodes;
    b.parent[root] = -1;
    b.pred[root] = -1;
    b.thread[root] = 0;
    b.rev_thread[0] = root;
    b.succ_num[root] = n_nodes + 1;
    b.last_succ[root] = root - 1;
    b.pi[root] = 0.0;
    for (Index u = 0; u < n_nodes; ++u) {
        b.parent[u] = root;
        b.pred[u] = u;
        b.thread[u] = u + 1;
        b.rev_thread[u + 1] = u;
        b.succ_num[u] = 1;
        b.last_succ[u] = u;
        b.state[u] = STATE_TREE;
        if (supply[u] >= 0) {
            b.pred_dir[u] = DIR_UP;
            b.pi[u] = 0.0;
            b.src[u] = u;
            b.tgt[u] = root;
            b.flow[u] = supply[u];
            b.cost[u] = 0.0;
        } else {
            b.pred_dir[u] = DIR_DOWN;
            b.pi[u] = art_cost;
            b.src[u] = root;
            b.tgt[u] = u;
            b.flow[u] = -supply[u];
            b.cost[u] = art_cost;
        }
    }
}

void greedy_start(Basis<double>& b, const double* supply, Index n_nodes, double art_cost,
                  Index n_arcs, DenseLayout layout, Index defer_node, Index defer_col) {
    const bool dense = layout.dense();
    std::vector<double> resid(supply, supply + n_nodes);
    const OutArcs out = out_arcs(b, n_nodes, n_arcs, layout);
    const Index n_src = dense ? layout.n_rows : n_nodes;
    std::vector<Index> order;
    if (dense) {
        order = rows_by_minimum(b, out, layout.n_rows, defer_col);
    } else {
        order.resize(static_cast<std::size_t>(n_src));
        std::iota(order.begin(), order.end(), Index(0));
    }
    std::vector<Index> taken;
    taken.reserve(static_cast<std::size_t>(n_nodes));
    for (const bool use_deferred : {false, true}) {
        for (const Index s : order) {
            if (s == defer_node && !use_deferred) continue;
            while (resid[s] > 0) {
                Index best = -1;
                double best_cost = INF;
                for (Index k = out.start[s]; k < out.start[s + 1]; ++k) {
                    const Index e = dense ? k : out.arcs[k];
                    const Index t = b.tgt[e];
                    if (resid[t] < 0 && b.cost[e] < best_cost && b.state[e] != STATE_TREE) {
                        if (use_deferred || (t != defer_node &&
                                             (!dense || e - out.start[s] != defer_col))) {
                            best = e;
                            best_cost = b.cost[e];
                        }
                    }
                }
                if (best < 0) break;
                const Index t = b.tgt[best];
                const double f = std::min(resid[s], -resid[t]);
                b.flow[best] = f;
                resid[s] -= f;
                resid[t] += f;
                b.state[best] = STATE_TREE;
                taken.push_back(best);
            }
        }
    }
    hang_forest(b, supply, n_nodes, art_cost, Forest{taken, resid});
}

namespace {

// Union-find root of u, halving paths as it goes.
Index find_root(std::vector<Index>& up, Index u) {
    while (up[u] != u) {
        up[u] = up[up[u]];
        u = up[u];
    }
    return u;
}

}  // namespace

namespace {

// The caller's forest as an undirected adjacency: edge k joins src and tgt of arcs[k].
struct EdgeAdjacency {
    std::vector<Index> start, edge;
};

EdgeAdjacency edge_adjacency(const Basis<double>& b, Index n_nodes, const Index* arcs,
                             Index count) {
    EdgeAdjacency g{std::vector<Index>(static_cast<std::size_t>(n_nodes) + 1, 0),
                    std::vector<Index>(2 * static_cast<std::size_t>(count))};
    for (Index k = 0; k < count; ++k) {
        ++g.start[b.src[arcs[k]] + 1];
        ++g.start[b.tgt[arcs[k]] + 1];
    }
    for (Index u = 0; u < n_nodes; ++u) g.start[u + 1] += g.start[u];
    std::vector<Index> fill(g.start.begin(), g.start.end() - 1);
    for (Index k = 0; k < count; ++k) {
        g.edge[fill[b.src[arcs[k]]]++] = k;
        g.edge[fill[b.tgt[arcs[k]]]++] = k;
    }
    return g;
}

// The arc of edge k that carries flow out of `from`: arcs[k] or reverse[k].
Index arc_leaving(const Basis<double>& b, const Index* arcs, const Index* reverse, Index k,
                  Index from) {
    if (b.src[arcs[k]] == from) return arcs[k];
    if (reverse[k] >= 0 && b.src[reverse[k]] == from) return reverse[k];
    throw EngineError("forest_start: an edge must carry flow against its only arc");
}

}  // namespace

void forest_start(Basis<double>& b, const double* supply, Index n_nodes, double art_cost,
                  Index n_arcs, const Index* arcs, const Index* reverse, Index count) {
    for (Index e = n_nodes; e < n_arcs; ++e) {
        b.state[e] = STATE_LOWER;
        b.flow[e] = 0.0;
    }
    std::vector<Index> up(static_cast<std::size_t>(n_nodes));
    std::iota(up.begin(), up.end(), Index(0));
    for (Index k = 0; k < count; ++k) {
        // checked in every build: a bad forest would corrupt the basis, not just slow it
        const auto real = [&](Index e) { return e >= n_nodes && e < n_arcs; };
        if (!real(arcs[k]) || !(reverse[k] == -1 || real(reverse[k])))
            throw EngineError("forest_start: not a real arc");
        const Index ru = find_root(up, b.src[arcs[k]]);
        const Index rv = find_root(up, b.tgt[arcs[k]]);
        if (ru == rv) throw EngineError("forest_start: the arcs close a cycle");
        up[ru] = rv;
    }
    // each tree is rooted at an end of a two-way edge where it has one (its leaves then hang
    // from it along their only arcs), else at its first node: a preorder from the root, then
    // subtree sums from the leaves up
    std::vector<Index> roots;
    for (Index k = 0; k < count; ++k) {
        if (reverse[k] >= 0) roots.push_back(b.src[arcs[k]]);
    }
    for (Index u = 0; u < n_nodes; ++u) roots.push_back(u);
    const EdgeAdjacency g = edge_adjacency(b, n_nodes, arcs, count);
    std::vector<Index> order, via(static_cast<std::size_t>(n_nodes), -1);
    std::vector<char> seen(static_cast<std::size_t>(n_nodes), 0);
    std::vector<double> resid(supply, supply + n_nodes), subtree(supply, supply + n_nodes);
    std::vector<Index> taken;
    taken.reserve(static_cast<std::size_t>(count));
    for (const Index r : roots) {
        if (seen[r]) continue;
        const auto first = static_cast<Index>(order.size());
        seen[r] = 1;
        order.push_back(r);
        for (auto t = static_cast<std::size_t>(first); t < order.size(); ++t) {
            const Index u = order[t];
            for (Index q = g.start[u]; q < g.start[u + 1]; ++q) {
                const Index k = g.edge[q];
                const Index w = b.src[arcs[k]] == u ? b.tgt[arcs[k]] : b.src[arcs[k]];
                if (!seen[w]) {
                    seen[w] = 1;
                    via[w] = k;
                    order.push_back(w);
                }
            }
        }
        for (auto t = static_cast<Index>(order.size()) - 1; t > first; --t) {
            const Index u = order[t];
            const Index k = via[u];
            const Index p = b.src[arcs[k]] == u ? b.tgt[arcs[k]] : b.src[arcs[k]];
            subtree[p] += subtree[u];
            const Index e = subtree[u] >= 0 ? arc_leaving(b, arcs, reverse, k, u)
                                            : arc_leaving(b, arcs, reverse, k, p);
            b.flow[e] = std::abs(subtree[u]);
            b.state[e] = STATE_TREE;
            taken.push_back(e);
            resid[u] = 0.0;  // balanced by construction; the tree's rounding stays at r
        }
        resid[r] = subtree[r];
    }
    hang_forest(b, supply, n_nodes, art_cost, Forest{taken, resid});
}

namespace {

// The forest's adjacency as a CSR: arcs of node u at adj[deg[u] .. deg[u + 1]).
struct Adjacency {
    std::vector<Index> deg, adj;
};

Adjacency forest_adjacency(const Basis<double>& b, Index n_nodes,
                           const std::vector<Index>& taken) {
    Adjacency g{std::vector<Index>(static_cast<std::size_t>(n_nodes + 1), 0),
                std::vector<Index>(2 * taken.size())};
    for (const Index e : taken) {
        ++g.deg[b.src[e] + 1];
        ++g.deg[b.tgt[e] + 1];
    }
    for (Index u = 0; u < n_nodes; ++u) g.deg[u + 1] += g.deg[u];
    std::vector<Index> fill(g.deg.begin(), g.deg.begin() + n_nodes);
    for (const Index e : taken) {
        g.adj[fill[b.src[e]]++] = e;
        g.adj[fill[b.tgt[e]]++] = e;
    }
    return g;
}

// The forest's trees: each node's component, each component's leftover mass, how many of its
// nodes kept leftover, and its representative (the last such node found, else its first).
struct Components {
    std::vector<Index> comp, rep, leftover_nodes;
    std::vector<double> sum;
};

Components components(const Basis<double>& b, Index n_nodes, const Adjacency& g,
                      const std::vector<double>& resid) {
    const auto n = static_cast<std::size_t>(n_nodes);
    Components c{std::vector<Index>(n, -1), std::vector<Index>(n, 0), std::vector<Index>(n, 0),
                 std::vector<double>(n, 0.0)};
    std::vector<Index> stack(n);
    Index n_comp = 0;
    for (Index r = 0; r < n_nodes; ++r) {
        if (c.comp[r] >= 0) continue;
        c.comp[r] = n_comp;
        c.rep[n_comp] = r;
        Index top = 0;
        stack[0] = r;
        while (top >= 0) {
            const Index u = stack[top--];
            c.sum[n_comp] += resid[u];
            if (resid[u] != 0.0) {
                ++c.leftover_nodes[n_comp];
                c.rep[n_comp] = u;
            }
            for (Index k = g.deg[u]; k < g.deg[u + 1]; ++k) {
                const Index e = g.adj[k];
                const Index w = b.src[e] == u ? b.tgt[e] : b.src[e];
                if (c.comp[w] < 0) {
                    c.comp[w] = n_comp;
                    stack[++top] = w;
                }
            }
        }
        ++n_comp;
    }
    return c;
}

// Thread, reverse thread, subtree sizes and last successors from a preorder of the tree
// (order[0] is the root).
void thread_from_preorder(Basis<double>& b, Index n_nodes, const std::vector<Index>& order) {
    const Index root = n_nodes;
    const auto n_order = static_cast<Index>(order.size());
    for (Index k = 0; k < n_order; ++k) {
        const Index u = order[k];
        const Index next = k + 1 < n_order ? order[k + 1] : root;
        b.thread[u] = next;
        b.rev_thread[next] = u;
    }
    for (Index u = 0; u <= n_nodes; ++u) {
        b.succ_num[u] = 1;
        b.last_succ[u] = u;
    }
    for (Index k = n_order - 1; k > 0; --k) b.succ_num[b.parent[order[k]]] += b.succ_num[order[k]];
    // a subtree is contiguous in preorder: its last node is succ_num - 1 places on
    for (Index k = n_order - 1; k >= 0; --k) {
        const Index u = order[k];
        b.last_succ[u] = b.succ_num[u] == 1 ? u : order[k + b.succ_num[u] - 1];
    }
}

void hang_forest(Basis<double>& b, const double* supply, Index n_nodes, double art_cost,
                 const Forest& forest) {
    const Index root = n_nodes;
    const Adjacency g = forest_adjacency(b, n_nodes, forest.taken);
    const Components c = components(b, n_nodes, g, forest.resid);
    for (const Index e : forest.taken) {
        if (c.leftover_nodes[c.comp[b.src[e]]] >= 2) {
            b.state[e] = STATE_LOWER;
            b.flow[e] = 0.0;
        }
    }
    // every artificial arc leaves the basis except one per component, re-aimed at its leftover
    for (Index u = 0; u < n_nodes; ++u) {
        b.state[u] = STATE_LOWER;
        b.flow[u] = 0.0;
    }
    b.parent[root] = -1;
    b.pred[root] = -1;
    b.pi[root] = 0.0;
    std::vector<Index> order;
    order.reserve(static_cast<std::size_t>(n_nodes + 1));
    order.push_back(root);
    std::vector<char> seen(static_cast<std::size_t>(n_nodes), 0);
    std::vector<Index> dfs(static_cast<std::size_t>(n_nodes));
    for (Index r = 0; r < n_nodes; ++r) {
        if (seen[r]) continue;
        const bool dissolved = c.leftover_nodes[c.comp[r]] >= 2;
        if (!dissolved && r != c.rep[c.comp[r]]) continue;  // reached from its representative
        // r represents its component: the artificial arc r <-> root carries the leftover
        const double mass = dissolved ? supply[r] : c.sum[c.comp[r]];
        if (mass >= 0) {
            b.src[r] = r;
            b.tgt[r] = root;
            b.cost[r] = 0.0;
            b.flow[r] = mass;
            b.pred_dir[r] = DIR_UP;
        } else {
            b.src[r] = root;
            b.tgt[r] = r;
            b.cost[r] = art_cost;
            b.flow[r] = -mass;
            b.pred_dir[r] = DIR_DOWN;
        }
        b.state[r] = STATE_TREE;
        b.parent[r] = root;
        b.pred[r] = r;
        b.pi[r] = b.pi[root] - double(b.pred_dir[r]) * b.cost[r];
        seen[r] = 1;
        Index top = 0;
        dfs[0] = r;
        while (top >= 0) {
            const Index u = dfs[top--];
            order.push_back(u);
            if (dissolved) continue;
            for (Index k = g.deg[u]; k < g.deg[u + 1]; ++k) {
                const Index e = g.adj[k];
                const Index w = b.src[e] == u ? b.tgt[e] : b.src[e];
                if (!seen[w]) {
                    seen[w] = 1;
                    b.parent[w] = u;
                    b.pred[w] = e;
                    b.pred_dir[w] = b.src[e] == w ? DIR_UP : DIR_DOWN;
                    b.pi[w] = b.pi[u] - double(b.pred_dir[w]) * b.cost[e];
                    dfs[++top] = w;
                }
            }
        }
    }
    thread_from_preorder(b, n_nodes, order);
}

}  // namespace

}  // namespace emdkit::simplex
