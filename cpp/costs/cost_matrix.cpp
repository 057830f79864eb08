#include "costs/cost_matrix.hpp"

#include "costs/ground_cost.hpp"

namespace emdkit {

void cost_matrix(const double* X, const double* Y, std::size_t m, std::size_t n, std::size_t dim,
                 long long metric_code, double* out) {
    with_metric(metric_code, [&](auto tag) {
        constexpr Metric M = decltype(tag)::value;
        for (std::size_t i = 0; i < m; ++i) {
            const double* x = X + i * dim;
            double* row = out + i * n;
            for (std::size_t j = 0; j < n; ++j) row[j] = point_cost<M>(x, Y + j * dim, dim);
        }
    });
}

}  // namespace emdkit
