// Costs of listed pairs between two point clouds, and the work of a sparse support: the C++
// twins of emdkit/core/pointcloud.py's _pair_costs and support_work.
#pragma once

#include <cstddef>
#include <cstdint>

namespace emdkit {

// Two clouds, row-major: X (m, dim) and Y (n, dim).
struct CloudPair {
    const double* X;
    const double* Y;
    std::size_t m;
    std::size_t n;
    std::size_t dim;
};

// out[k] = d(X[ii[k]], Y[jj[k]]) for k < n_pairs; indices are in range (checked by the caller).
void pair_costs(const CloudPair& clouds, const std::int64_t* ii, const std::int64_t* jj,
                std::size_t n_pairs, long long metric_code, double* out);

// Σ f·c over the arcs of a row-major support that join a real row (< m) to a real column
// (< n), summed left to right: the canonical sum that every path reports as the work.
double support_work(const CloudPair& clouds, const std::int64_t* sup_r, const std::int64_t* sup_c,
                    const double* sup_f, std::size_t n_arcs, long long metric_code);

}  // namespace emdkit
