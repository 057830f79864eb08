// The k-d tree's arrays as emdkit.core.kdtree.KDTree lays them out, shared by the bindings
// that take a tree (pointcloud.cpp's kernels, exact_cloud.cpp's exact solver).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "bindings/arrays.hpp"
#include "pointcloud/kdtree_pricing.hpp"

namespace emdkit {

// The layout over `pts` with its permutation (tree position -> original index; null for the
// kernels that work in tree order). Shapes are checked here, with `where` (the caller's name
// and ": ", or empty) before each message; contents by check_layout in the
// invariant-checking builds.
inline KDTreeLayout kdtree_layout(const std::string& where, const InArray<double, 2>& pts,
                                  const std::int64_t* perm, const InArray<std::int64_t, 1>& start,
                                  const InArray<std::int64_t, 1>& end,
                                  const InArray<std::int64_t, 1>& left,
                                  const InArray<std::int64_t, 1>& right,
                                  const InArray<double, 2>& lo, const InArray<double, 2>& hi) {
    const std::size_t n_nodes = start.shape(0);
    require(end.shape(0) == n_nodes && left.shape(0) == n_nodes && right.shape(0) == n_nodes,
            (where + "start, end, left and right must have one entry per node").c_str());
    require(lo.shape(0) == n_nodes && hi.shape(0) == n_nodes && lo.shape(1) == pts.shape(1) &&
                hi.shape(1) == pts.shape(1),
            (where + "lo and hi must be (n_nodes, d) like the points").c_str());
    const KDTreeLayout tree{pts.data(),  perm,         start.data(), end.data(),
                            left.data(), right.data(), lo.data(),    hi.data(),
                            pts.shape(0), n_nodes,     pts.shape(1)};
    check_layout(tree);
    return tree;
}

}  // namespace emdkit
