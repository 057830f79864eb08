// The k nearest neighbours of query points among a k-d tree's points (squared Euclidean
// distance, as SciPy's cKDTree.query ranks them for p = 2), on the tree that
// emdkit/core/kdtree.py lays out: the point-cloud path's first candidate arcs. The C++ twin of
// emdkit/core/knn.py's Numba kernel, visiting nodes and points in the same order, so the two
// engines keep the same neighbours among equally distant points.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pointcloud/kdtree_pricing.hpp"

namespace emdkit {

// Row q of out (n_queries, k), row-major, receives the original indices (tree.perm) of the k
// tree points nearest to Q[q] (dim coordinates), nearest first; of equally distant points the
// one visited first comes first. Needs 1 <= k <= tree.n_points. Queries are independent, so
// the output does not depend on n_threads.
void nearest_neighbours(const KDTreeLayout& tree, const double* Q, std::size_t n_queries,
                        std::size_t k, std::int64_t* out, std::size_t n_threads);

}  // namespace emdkit
