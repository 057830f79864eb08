#include "costs/cost_matrix.hpp"

#include "costs/ground_cost.hpp"

namespace emdkit {

namespace {

// d(x, y) for a dimension known at compile time: the same sum, coordinate by coordinate from
// the left, as point_cost<M> (so the same bits), unrolled. For the 1- to 3-D clouds and CIELAB
// colours that dense problems mostly have, the generic loop was 1.1-1.8x slower than SciPy's
// cdist on 2000×2000 pairs; unrolled, the two are within noise (0.8-1.2x; CPU-time medians,
// interleaved, load 11 on 2 cores; bench/RESULTS_cold.md).
template <Metric M, std::size_t Dim>
inline double fixed_point_cost(const double* x, const double* y) {
    double acc = 0.0;
    for (std::size_t t = 0; t < Dim; ++t) acc = detail::accumulate<M>(acc, std::fabs(x[t] - y[t]));
    return detail::finish<M>(acc);
}

template <Metric M, std::size_t Dim>
void fixed_rows(const double* X, const double* Y, std::size_t m, std::size_t n, double* out) {
    for (std::size_t i = 0; i < m; ++i) {
        const double* x = X + i * Dim;
        double* row = out + i * n;
        for (std::size_t j = 0; j < n; ++j) row[j] = fixed_point_cost<M, Dim>(x, Y + j * Dim);
    }
}

template <Metric M>
void any_rows(const double* X, const double* Y, std::size_t m, std::size_t n, std::size_t dim,
              double* out) {
    switch (dim) {
        case 1: return fixed_rows<M, 1>(X, Y, m, n, out);
        case 2: return fixed_rows<M, 2>(X, Y, m, n, out);
        case 3: return fixed_rows<M, 3>(X, Y, m, n, out);
        default: break;
    }
    for (std::size_t i = 0; i < m; ++i) {
        const double* x = X + i * dim;
        double* row = out + i * n;
        for (std::size_t j = 0; j < n; ++j) row[j] = point_cost<M>(x, Y + j * dim, dim);
    }
}

}  // namespace

void cost_matrix(const double* X, const double* Y, std::size_t m, std::size_t n, std::size_t dim,
                 long long metric_code, double* out) {
    with_metric(metric_code, [&](auto tag) {
        any_rows<decltype(tag)::value>(X, Y, m, n, dim, out);
    });
}

}  // namespace emdkit
