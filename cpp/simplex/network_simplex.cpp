#include "simplex/network_simplex.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "simplex/pivot.hpp"
#include "simplex/pricing.hpp"

namespace emdkit::simplex {

double artificial_cost(double max_cost, Index n_nodes) {
    return std::max(max_cost, 1e-300) * 2.0 * double(n_nodes + 1);
}

Index block_size_for(Index n_real_arcs) {
    return std::max(static_cast<Index>(std::sqrt(double(std::max<Index>(n_real_arcs, 1)))),
                    MIN_BLOCK_SIZE);
}

namespace {

struct RunResult {
    Status status;
    Index pivots;
};

// Pivot until optimal over arcs [n_nodes, n_arcs) or until max_iter pivots. Arcs below
// n_capped have capacity 0 (the artificial arcs in phase 2).
template <class Pricing>
RunResult run_simplex(Basis<double>& b, const Pricing& pricing, Index& next_arc,
                      Index max_iter, [[maybe_unused]] Index n_nodes, Index n_capped) {
    Index it = 0;
    while (true) {
        const Entering found = pricing.find(b, next_arc);
        next_arc = found.next;
        if (found.in.arc < 0) return {Status::optimal, it};
        if (it >= max_iter) return {Status::max_iter, it};
        if (!pivot(b, found.in, n_capped)) return {Status::unbounded, it};
#ifdef EMDKIT_CHECK_INVARIANTS
        check_tree(b, n_nodes);
#endif
        ++it;
    }
}

RunResult run_simplex(Basis<double>& b, Index n_nodes, Index n_arcs, Index block_size,
                      Index& next_arc, Index max_iter, Index n_capped, DenseLayout layout) {
    const Index first_real = n_nodes;
    if (n_arcs - first_real <= 0) return {Status::optimal, 0};
    if (next_arc < first_real || next_arc >= n_arcs) next_arc = first_real;
    if (layout.dense()) {
        const DenseRowBlock pricing(first_real, layout.n_rows, layout.n_cols, block_size);
        return run_simplex(b, pricing, next_arc, max_iter, n_nodes, n_capped);
    }
    const BlockSearch pricing(first_real, n_arcs, block_size);
    return run_simplex(b, pricing, next_arc, max_iter, n_nodes, n_capped);
}

}  // namespace

PhaseResult solve_phases(Basis<double>& b, const double* supply, Index n_nodes, Index n_arcs,
                         Index block_size, Index& next_arc, Index max_iter, DenseLayout layout,
                         int phase) {
    double scale = 0.0;
    for (Index u = 0; u < n_nodes; ++u) scale += std::max(supply[u], 0.0);
    Index pivots = 0;
    if (phase == 1 && artificial_flow(b, n_nodes) > ARTIFICIAL_FLOW_RTOL * scale) {
        const RunResult run = run_simplex(b, n_nodes, n_arcs, block_size, next_arc, max_iter,
                                          0, layout);
        pivots += run.pivots;
        if (run.status != Status::optimal) return {run.status, pivots, 1};
        if (artificial_flow(b, n_nodes) > ARTIFICIAL_FLOW_RTOL * scale)
            return {Status::artificial_flow, pivots, 1};
    }
    if (phase == 1) {
        // phase 2: the artificial arcs keep only rounding; close them (cost 0, capacity 0)
        for (Index u = 0; u < n_nodes; ++u) {
            b.flow[u] = 0.0;
            b.cost[u] = 0.0;
        }
        recompute_potentials(b, n_nodes);
    }
    // Pivot, rebuild the potentials from the tree, and resume until a run with fresh
    // potentials makes no pivot. The incremental updates add sigma to a moved subtree; when
    // it hung below a big-M arc (1e10 beside costs of 1e-9; issue 20) the sum cancels to a
    // small potential that keeps an absolute error ~ M 2^-53, enough to hide a negative
    // reduced cost and stop on a suboptimal basis. The extra pass costs one pricing sweep.
    while (true) {
        const RunResult run = run_simplex(b, n_nodes, n_arcs, block_size, next_arc,
                                          std::max<Index>(max_iter - pivots, 0), n_nodes,
                                          layout);
        pivots += run.pivots;
        recompute_potentials(b, n_nodes);
        if (run.pivots == 0 || run.status != Status::optimal) return {run.status, pivots, 2};
    }
}

// ---------------------------------------------------------------- the live solver

namespace {

// Room for the root arcs, the dummy arcs and a first batch of candidates before any growth.
constexpr Index MIN_EXTRA_CAPACITY = 16;

}  // namespace

NetworkSimplex::NetworkSimplex(std::vector<double> supply, double max_cost, Index capacity)
    : n_nodes_(static_cast<Index>(supply.size())),
      art_cost_(artificial_cost(max_cost, n_nodes_)),
      basis_(n_nodes_, std::max(capacity, n_nodes_ + MIN_EXTRA_CAPACITY)),
      n_arcs_(n_nodes_),
      next_arc_(n_nodes_),
      supply_(std::move(supply)) {
    init_tree(basis_, supply_.data(), n_nodes_, art_cost_);
}

void NetworkSimplex::add_arcs(const Index* src, const Index* tgt, const double* cost,
                              Index count) {
    const Index need = n_arcs_ + count;
    const auto capacity = static_cast<Index>(basis_.src.size());
    if (need > capacity) basis_.resize_arcs(std::max(need, capacity + capacity / 2));
    for (Index k = 0; k < count; ++k) {
        const Index e = n_arcs_ + k;
        basis_.src[e] = src[k];
        basis_.tgt[e] = tgt[k];
        basis_.cost[e] = cost[k];
        basis_.flow[e] = 0.0;
        basis_.state[e] = STATE_LOWER;
    }
    n_arcs_ = need;
}

void NetworkSimplex::start_greedy(Index defer_node) {
    greedy_start(basis_, supply_.data(), n_nodes_, n_arcs_, DenseLayout{}, defer_node, -1);
}

Status NetworkSimplex::solve(Index max_iter) {
    const PhaseResult r = solve_phases(basis_, supply_.data(), n_nodes_, n_arcs_,
                                       block_size_for(n_arcs_ - n_nodes_), next_arc_,
                                       std::max<Index>(max_iter - n_iter_, 0), DenseLayout{},
                                       phase_);
    phase_ = r.phase;
    n_iter_ += r.pivots;
    return r.status;
}

double NetworkSimplex::artificial_flow() const {
    return simplex::artificial_flow(basis_, n_nodes_);
}

}  // namespace emdkit::simplex
