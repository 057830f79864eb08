// Starting bases: the all-artificial tree, and the row-minimum greedy start pivoted into it.
//
// A start basis is a list of arcs brought into the all-artificial tree one by one with the
// simplex's own pivot (LEMON's initial pivots): no second tree builder, and every start (the
// greedy one here, a warm start from an earlier basis) is a feasible basis by construction.
#pragma once

#include <vector>

#include "simplex/basis.hpp"

namespace emdkit::simplex {

// Where greedy_start finds the real arcs: a dense row-major block (row i -> node n_rows + j,
// arcs from first_real on) when n_cols > 0, otherwise any list of arcs.
struct DenseLayout {
    Index n_rows = 0;
    Index n_cols = 0;
    bool dense() const { return n_cols > 0; }
};

// The all-artificial starting basis: every node hangs from the root by its own arc (sources
// up at cost 0, sinks down at the big-M cost art_cost).
void init_tree(Basis<double>& b, const double* supply, Index n_nodes, double art_cost);

// Bring each arc into the basis in turn with the simplex pivot (phase 1: no arc is capped).
// The pivot pushes as much flow as the cycle allows: into the all-artificial tree, the arcs of
// a greedy shipment plan reproduce its flows, each node's leftover staying on its root arc.
void pivot_in(Basis<double>& b, const std::vector<Index>& arcs);

// The row-minimum greedy plan, as the arcs it ships on in order. Each source in turn ships to
// its cheapest arc whose target still has demand (first by index on ties), until it is empty
// or has no such arc; every shipment exhausts a node, so the arcs form a forest. Arcs touching
// defer_node (or, dense, column defer_col) wait for a second pass. In a dense block the rows
// with the cheapest minimum go first. Reads b's arcs only.
std::vector<Index> greedy_arcs(const Basis<double>& b, const double* supply, Index n_nodes,
                               Index n_arcs, DenseLayout layout, Index defer_node,
                               Index defer_col);

// init_tree's basis, then the greedy plan pivoted in. Call after init_tree.
void greedy_start(Basis<double>& b, const double* supply, Index n_nodes, Index n_arcs,
                  DenseLayout layout, Index defer_node, Index defer_col);

}  // namespace emdkit::simplex
