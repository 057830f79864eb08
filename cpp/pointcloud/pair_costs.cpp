#include "pointcloud/pair_costs.hpp"

#include "costs/ground_cost.hpp"

namespace emdkit {

namespace {

inline std::size_t index(std::int64_t i) { return static_cast<std::size_t>(i); }

}  // namespace

void pair_costs(const CloudPair& clouds, const std::int64_t* ii, const std::int64_t* jj,
                std::size_t n_pairs, long long metric_code, double* out) {
    const std::size_t dim = clouds.dim;
    with_metric(metric_code, [&](auto tag) {
        constexpr Metric M = decltype(tag)::value;
        for (std::size_t k = 0; k < n_pairs; ++k) {
            out[k] = point_cost<M>(clouds.X + index(ii[k]) * dim, clouds.Y + index(jj[k]) * dim,
                                   dim);
        }
    });
}

double support_work(const CloudPair& clouds, const std::int64_t* sup_r, const std::int64_t* sup_c,
                    const double* sup_f, std::size_t n_arcs, long long metric_code) {
    const std::size_t dim = clouds.dim;
    return with_metric(metric_code, [&](auto tag) {
        constexpr Metric M = decltype(tag)::value;
        double work = 0.0;
        for (std::size_t k = 0; k < n_arcs; ++k) {
            const std::size_t r = index(sup_r[k]);
            const std::size_t c = index(sup_c[k]);
            if (r < clouds.m && c < clouds.n) {
                work += sup_f[k] * point_cost<M>(clouds.X + r * dim, clouds.Y + c * dim, dim);
            }
        }
        return work;
    });
}

}  // namespace emdkit
