// Starting bases: the all-artificial tree, and the row-minimum greedy forest hung from it.
#pragma once

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

// Start from a row-minimum forest instead of the all-artificial basis. Each source in turn
// ships to its cheapest arc whose target still has demand, until it is empty or has no such
// arc; every shipment exhausts a node, which keeps the chosen arcs a forest. Arcs touching
// defer_node (or, dense, column defer_col) wait for a second pass. In a dense block the rows
// with the cheapest minimum go first. Call after init_tree.
void greedy_start(Basis<double>& b, const double* supply, Index n_nodes, double art_cost,
                  Index n_arcs, DenseLayout layout, Index defer_node, Index defer_col);

// Start from a forest of real arcs chosen by the caller (e.g. a spanning tree of a grid): the
// flows follow from the supplies, subtree by subtree, so that every node but one per tree is
// balanced; that one (an end of a two-way edge where the tree has one) hangs from the root
// by its artificial arc, as in greedy_start. Edge k is
// arcs[k] or, where the subtree's surplus must cross it the other way, reverse[k] (-1: none).
// Every real arc is reset first. Throws EngineError when an index is not a real arc, the arcs
// close a cycle, or an edge must carry flow against its only arc. Call after init_tree.
void forest_start(Basis<double>& b, const double* supply, Index n_nodes, double art_cost,
                  Index n_arcs, const Index* arcs, const Index* reverse, Index count);

}  // namespace emdkit::simplex
