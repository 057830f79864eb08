#include "costs/cost_matrix.hpp"

#include <algorithm>
#include <vector>

#include "costs/ground_cost.hpp"

namespace emdkit {

namespace {

// Row i is built a coordinate at a time over all j, from Y held coordinate-major: each pass is
// a unit-stride loop that the compiler vectorises (SSE2 in a baseline wheel), and every entry
// still sees point_cost<M>'s operations in its order (0, then coordinates 0, 1, ... folded in,
// then finish), so the bits are point_cost's. The point-by-point loop was 1.1-2x slower than
// SciPy's cdist (bench/scipy_free_ab.py; bench/RESULTS_cold.md).
template <Metric M>
void rows_by_coordinate(const double* X, const double* Y, std::size_t m, std::size_t n,
                        std::size_t dim, double* out) {
    std::vector<double> columns(dim * n);  // columns[t·n + j] = Y[j][t]
    for (std::size_t j = 0; j < n; ++j) {
        for (std::size_t t = 0; t < dim; ++t) columns[t * n + j] = Y[j * dim + t];
    }
    for (std::size_t i = 0; i < m; ++i) {
        double* row = out + i * n;
        std::fill(row, row + n, 0.0);
        for (std::size_t t = 0; t < dim; ++t) {
            const double x = X[i * dim + t];
            const double* column = columns.data() + t * n;
            for (std::size_t j = 0; j < n; ++j) {
                row[j] = detail::accumulate<M>(row[j], std::fabs(x - column[j]));
            }
        }
        for (std::size_t j = 0; j < n; ++j) row[j] = detail::finish<M>(row[j]);
    }
}

}  // namespace

void cost_matrix(const double* X, const double* Y, std::size_t m, std::size_t n, std::size_t dim,
                 long long metric_code, double* out) {
    with_metric(metric_code, [&](auto tag) {
        rows_by_coordinate<decltype(tag)::value>(X, Y, m, n, dim, out);
    });
}

}  // namespace emdkit
