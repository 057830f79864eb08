// One pivot of the primal network simplex, phase by phase, as in LEMON's NetworkSimplex
// (Kovács, "Minimum-cost flow algorithms: an experimental evaluation", OMS 30, 2015):
// find the join node, find the leaving arc, change the flow, update the tree, update the
// potentials. Written for any Number type (explicitly instantiated for double in pivot.cpp).
#pragma once

#include "simplex/basis.hpp"

namespace emdkit::simplex {

// Bring in_arc into the tree. Arcs below n_capped have capacity 0 (the artificial arcs in
// phase 2). Returns false when no arc of the cycle blocks (an unbounded cycle).
template <class Number>
bool pivot(Basis<Number>& b, Index in_arc, Index n_capped);

// The same, with the entering arc's ends given by the caller (a dense block's pricing knows
// its row and column): the pivot then reads nothing of the entering arc but its cost.
template <class Number>
bool pivot(Basis<Number>& b, ArcEnds in, Index n_capped);

// The tree invariants (thread a single cycle through every node in preorder, rev_thread its
// inverse, subtree sizes and last successors consistent, tree arcs join parent and child).
// Throws EngineError when one is broken. O(nodes); called after every pivot only in builds
// with EMDKIT_CHECK_INVARIANTS.
template <class Number>
void check_tree(const Basis<Number>& b, Index n_nodes);

}  // namespace emdkit::simplex
