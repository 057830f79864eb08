#include "simplex/start_basis.hpp"

#include <algorithm>
#include <limits>

#include "common/errors.hpp"
#include "common/numba_sort.hpp"
#include "simplex/pivot.hpp"
#include "simplex/row_scan.hpp"

namespace emdkit::simplex {

namespace {

constexpr double INF = std::numeric_limits<double>::infinity();

// Ship f = min(supply left, demand left) from s to t: one of the two reaches exactly 0.
void ship(std::vector<double>& resid, Index s, Index t) {
    const double f = std::min(resid[s], -resid[t]);
    resid[s] -= f;
    resid[t] += f;
}

// Rows by their cheapest arc (the deferred column left out), ties as Numba's argsort leaves
// them.
std::vector<Index> rows_by_minimum(const double* cost, Index n_rows, Index n_cols,
                                   Index defer_col) {
    std::vector<double> row_min(static_cast<std::size_t>(n_rows));
    for (Index i = 0; i < n_rows; ++i) {
        const double* row = cost + i * n_cols;
        if (defer_col < 0 || defer_col >= n_cols) {
            row_min[i] = span_of(row, n_cols).lo;
        } else {  // the columns before and after the deferred one
            row_min[i] = std::min(span_of(row, defer_col).lo,
                                  span_of(row + defer_col + 1, n_cols - defer_col - 1).lo);
        }
    }
    return numba_argsort(row_min.data(), n_rows);
}

// Dense block: each row scans only the columns that still have demand (ascending, so ties go
// to the lowest index), and a column leaves that list when it is filled.
std::vector<Index> dense_greedy_arcs(const Basis<double>& b, const double* supply,
                                     Index n_nodes, DenseLayout layout, Index defer_node,
                                     Index defer_col) {
    const Index first_real = n_nodes;
    const Index n_rows = layout.n_rows;
    const Index n_cols = layout.n_cols;
    const double* cost = b.cost.data() + first_real;
    std::vector<double> resid(supply, supply + n_nodes);
    const std::vector<Index> order = rows_by_minimum(cost, n_rows, n_cols, defer_col);
    std::vector<Index> arcs;
    arcs.reserve(static_cast<std::size_t>(n_nodes));
    std::vector<Index> open;
    open.reserve(static_cast<std::size_t>(n_cols));
    for (const bool use_deferred : {false, true}) {
        open.clear();
        for (Index j = 0; j < n_cols; ++j)
            if (resid[n_rows + j] < 0 && (use_deferred || j != defer_col)) open.push_back(j);
        for (const Index s : order) {
            if (s == defer_node && !use_deferred) continue;
            const double* row = cost + s * n_cols;
            while (resid[s] > 0 && !open.empty()) {
                std::size_t best = 0;
                for (std::size_t k = 1; k < open.size(); ++k)
                    if (row[open[k]] < row[open[best]]) best = k;
                const Index j = open[best];
                if (!(row[j] < INF)) break;  // an inf cost is a missing arc
                ship(resid, s, n_rows + j);
                arcs.push_back(first_real + s * n_cols + j);
                if (resid[n_rows + j] == 0.0)
                    open.erase(open.begin() + static_cast<std::ptrdiff_t>(best));
            }
        }
    }
    return arcs;
}

// Any arc list: sources in index order over a CSR of their arcs.
std::vector<Index> sparse_greedy_arcs(const Basis<double>& b, const double* supply,
                                      Index n_nodes, Index n_arcs, Index defer_node) {
    const Index first_real = n_nodes;
    std::vector<Index> start(static_cast<std::size_t>(n_nodes + 1), 0);
    std::vector<Index> out(static_cast<std::size_t>(n_arcs - first_real));
    for (Index e = first_real; e < n_arcs; ++e) ++start[b.src[e] + 1];
    for (Index u = 0; u < n_nodes; ++u) start[u + 1] += start[u];
    std::vector<Index> fill(start.begin(), start.begin() + n_nodes);
    for (Index e = first_real; e < n_arcs; ++e) out[fill[b.src[e]]++] = e;
    std::vector<double> resid(supply, supply + n_nodes);
    std::vector<Index> arcs;
    arcs.reserve(static_cast<std::size_t>(n_nodes));
    for (const bool use_deferred : {false, true}) {
        for (Index s = 0; s < n_nodes; ++s) {
            if (s == defer_node && !use_deferred) continue;
            while (resid[s] > 0) {
                Index best = -1;
                double best_cost = INF;
                for (Index k = start[s]; k < start[s + 1]; ++k) {
                    const Index e = out[k];
                    const Index t = b.tgt[e];
                    if (resid[t] < 0 && b.cost[e] < best_cost &&
                        (use_deferred || t != defer_node)) {
                        best = e;
                        best_cost = b.cost[e];
                    }
                }
                if (best < 0) break;
                ship(resid, s, b.tgt[best]);
                arcs.push_back(best);
            }
        }
    }
    return arcs;
}

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

void pivot_in(Basis<double>& b, const std::vector<Index>& arcs) {
    for (const Index e : arcs) {
        // every cycle through the root has a backward root arc: a sink's is root -> sink
        const bool blocked = pivot(b, e, 0);
        if (!blocked) throw EngineError("start basis: an arc closes a cycle that nothing blocks");
    }
}

std::vector<Index> greedy_arcs(const Basis<double>& b, const double* supply, Index n_nodes,
                               Index n_arcs, DenseLayout layout, Index defer_node,
                               Index defer_col) {
    if (layout.dense())
        return dense_greedy_arcs(b, supply, n_nodes, layout, defer_node, defer_col);
    return sparse_greedy_arcs(b, supply, n_nodes, n_arcs, defer_node);
}

void greedy_start(Basis<double>& b, const double* supply, Index n_nodes, Index n_arcs,
                  DenseLayout layout, Index defer_node, Index defer_col) {
    pivot_in(b, greedy_arcs(b, supply, n_nodes, n_arcs, layout, defer_node, defer_col));
}

}  // namespace emdkit::simplex
