// The network simplex driver: two phases over an open set of arcs, and the live solver that
// candidate rounds and point clouds grow arc by arc (emdkit.core.network_simplex's Python
// class, same API).
//
// Two phases. Phase 1 drives mass off the artificial root arcs with LEMON's big-M cost. Once
// none is left, phase 2 gives the artificial arcs cost 0 and capacity 0: paths through the
// root stay closed, and the potentials are sums of real costs only, with no big-M offset.
#pragma once

#include <cstdint>
#include <vector>

#include "common/errors.hpp"
#include "simplex/basis.hpp"
#include "simplex/start_basis.hpp"
#include "simplex/warm_start.hpp"

namespace emdkit::simplex {

// Artificial flow at most this fraction of the total supply is rounding left by the greedy
// start (f = min(residuals) chains); more than that after phase 1 means no feasible answer.
constexpr double ARTIFICIAL_FLOW_RTOL = 1e-12;
// LEMON's block pricing: a block of about sqrt(arcs) arcs, never fewer than this.
constexpr Index MIN_BLOCK_SIZE = 10;

// LEMON's big-M, proportional to the costs: any path through the root costs more than any
// path of real arcs.
double artificial_cost(double max_cost, Index n_nodes);

// LEMON's block size: about sqrt(arcs), at least MIN_BLOCK_SIZE.
Index block_size_for(Index n_real_arcs);

// Rebuild pi from the root along the thread, removing drift from incremental updates.
template <class Number>
void recompute_potentials(Basis<Number>& b, Index n_nodes) {
    const Index root = n_nodes;
    b.pi[root] = Number(0);
    for (Index u = b.thread[root]; u != root; u = b.thread[u])
        b.pi[u] = b.pi[b.parent[u]] - Number(b.pred_dir[u]) * b.cost[b.pred[u]];
}

// Largest mass still on an artificial root arc.
template <class Number>
Number artificial_flow(const Basis<Number>& b, Index n_nodes) {
    Number worst = Number(0);
    for (Index u = 0; u < n_nodes; ++u)
        if (b.state[u] == STATE_TREE) worst = std::max(worst, b.flow[u]);
    return worst;
}

struct PhaseResult {
    Status status;
    Index pivots;
    int phase;  // the phase the basis is in now (1 or 2)
};

// Run the simplex from the current basis through both phases. phase is the phase the basis is
// already in; next_arc is where pricing resumes (updated). With layout.dense() the real arcs
// are a dense row-major block and the row-screened search prices them.
PhaseResult solve_phases(Basis<double>& b, const double* supply, Index n_nodes, Index n_arcs,
                         Index block_size, Index& next_arc, Index max_iter, DenseLayout layout,
                         int phase);

// A live transportation basis over an open set of arcs: arcs are appended to it, and solve()
// pivots to optimality over the arcs added so far, from the current tree.
class NetworkSimplex {
public:
    NetworkSimplex(std::vector<double> supply, double max_cost, Index capacity);

    void add_arcs(const Index* src, const Index* tgt, const double* cost, Index count);
    // Pivot the row-minimum greedy plan over the arcs added so far into the all-artificial
    // basis (start_basis.hpp).
    void start_greedy(Index defer_node);
    // Replace the basis by a previous optimum's forest (simplex/warm_start.hpp), defined there.
    void start_warm(const WarmHint& hint);
    // Pivot to optimality over the current arcs (both phases); max_iter counts every pivot
    // since construction.
    Status solve(Index max_iter);
    double artificial_flow() const;

    const Basis<double>& basis() const { return basis_; }
    const std::vector<double>& supply() const { return supply_; }
    Index n_nodes() const { return n_nodes_; }
    Index n_arcs() const { return n_arcs_; }
    Index n_iter() const { return n_iter_; }
    int phase() const { return phase_; }
    double art_cost() const { return art_cost_; }

private:
    Index n_nodes_;
    double art_cost_;
    Basis<double> basis_;
    Index n_arcs_;
    Index next_arc_;
    Index n_iter_ = 0;
    int phase_ = 1;
    std::vector<double> supply_;
};

}  // namespace emdkit::simplex
