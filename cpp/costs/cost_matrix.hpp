// The dense ground-cost matrix of two point clouds under a registered metric: what
// emdkit.ground_distance returns for a metric name, so that the dense paths and the
// matrix-free point-cloud path (pair_costs) read the same bits for the same pair.
#pragma once

#include <cstddef>

namespace emdkit {

// out[i·n + j] = d(X[i], Y[j]) for X (m, dim) and Y (n, dim), row-major; point_cost's
// coordinate-by-coordinate sum, left to right.
void cost_matrix(const double* X, const double* Y, std::size_t m, std::size_t n, std::size_t dim,
                 long long metric_code, double* out);

}  // namespace emdkit
