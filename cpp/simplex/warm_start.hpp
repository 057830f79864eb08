// Warm starts: a starting basis rebuilt from a previous optimum's arcs, repaired to be
// feasible for the current weights, with the previous potentials as a hint.
//
// The previous optimum's support (or whole spanning tree) is a forest over the current
// problem's nodes. Its arcs are kept as long as they close no cycle; each tree of the forest
// hangs from the root by one artificial arc, and the flows are those the current supplies
// force on that forest, found leaves first. A forest arc whose forced flow would be negative
// (the weights changed against it) is cut, and the subtree below it hangs from the root on
// its own artificial arc carrying the imbalance: every flow of the start is then >= 0 and
// the start is a feasible basis for phase 1. When nothing (beyond rounding) is left on the
// artificial arcs, phase 1 is skipped: the artificial arcs close (capacity 0) and their costs
// are set so that each tree's potentials start at the hinted ones, which keeps the reduced
// costs between trees those of the previous optimum.
//
// Any arcs give a valid start (a stale hint only costs pivots): the simplex and the
// certificate decide optimality exactly as after a cold start.
#pragma once

#include "simplex/basis.hpp"

namespace emdkit::simplex {

struct WarmHint {
    const Index* arcs;   // arc indices into the basis (real arcs), preferred first
    Index count;
    const double* pi;    // node potentials to start from (n_nodes), or nullptr
};

// Replace b's tree by the hinted forest (see above). Arcs of hint.arcs outside
// [n_nodes, n_arcs), with an infinite cost or closing a cycle are skipped. Returns the phase
// the basis is in (1: artificial flow to drive out; 2: feasible, artificial arcs closed).
int warm_start(Basis<double>& b, const double* supply, Index n_nodes, Index n_arcs,
               double art_cost, const WarmHint& hint);

}  // namespace emdkit::simplex
