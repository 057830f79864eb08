// Pricing without the cost matrix, on the k-d tree that emdkit/core/kdtree.py lays out in
// numpy: the most negative reduced costs c(x_i, y_j) + π_i − π_j per row (branch and bound on
// box distance − the largest potential under a node), and the certificate's repaired duals
// min_p floor(c(q, p) + shift_p). The C++ twin of kdtree.py's Numba kernels, visiting nodes
// and points in the same order so that ties resolve the same way.
#pragma once

#include <cstddef>
#include <cstdint>

namespace emdkit {

// The tree's arrays (row-major, as KDTree builds them). Node k owns the tree-ordered points
// [start[k], end[k]); left[k] < 0 marks a leaf, and children always come after their parent.
struct KDTreeLayout {
    const double* points;       // (n_points, dim), tree order
    const std::int64_t* perm;   // tree position -> original index (n_points)
    const std::int64_t* start;  // (n_nodes) each
    const std::int64_t* end;
    const std::int64_t* left;
    const std::int64_t* right;
    const double* lo;  // (n_nodes, dim): the bounding box of each node
    const double* hi;
    std::size_t n_points;
    std::size_t n_nodes;
    std::size_t dim;
};

// In the invariant-checking builds (EMDKIT_CHECK_INVARIANTS), throws EngineError unless every
// node's range lies within the points and the children form a tree below node 0 (each node but
// the root has one parent, numbered before it), so that the walks stay in bounds.
void check_layout(const KDTreeLayout& tree);

// node_max[k] = max of values_sorted over node k's points (−inf for an empty node).
void node_max_potential(const KDTreeLayout& tree, const double* values_sorted, double* node_max);

// What one pricing sweep reads and writes: rows X (n_rows, dim) with potentials pi_rows; tree
// potentials pi_sorted (tree order) and their maximum per node.
struct PricingSweep {
    const double* X;
    const double* pi_rows;
    const double* pi_sorted;
    const double* node_max;
    std::size_t n_rows;
    long long metric_code;
    double eps;               // relative tolerance: rc < −eps·max(|c|, |π_i|, |π_j|)
    std::size_t cap;          // violators kept per row (>= 1)
    std::int64_t* out_cols;   // (n_rows, out_stride): original column indices, row by row
    std::size_t out_stride;   // >= cap
    std::int64_t* out_count;  // (n_rows)
};

// Per row i, up to cap columns j with the most negative reduced cost below −eps·scale, on
// n_threads threads (rows are independent: the output does not depend on the thread count).
void price_rows(const KDTreeLayout& tree, const PricingSweep& sweep, std::size_t n_threads);

// out[q] = min over tree points p of floor(c(Q[q], p) + shift_sorted[p]), exactly rounded
// down; node_min[k] is the least shift under node k (the pruning bound).
void min_shifted_cost(const KDTreeLayout& tree, const double* Q, std::size_t n_queries,
                      const double* shift_sorted, const double* node_min, long long metric_code,
                      double* out, std::size_t n_threads);

}  // namespace emdkit
