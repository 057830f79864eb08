#include "solve/batch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "common/errors.hpp"
#include "costs/ground_cost.hpp"
#include "solve/block.hpp"
#include "solve/problem.hpp"

namespace emdkit::solve {

namespace {

void store(Index k, const SmallResult& r, const BatchOutput& out) {
    double* stats = out.stats + k * STATS_COLUMNS;
    stats[0] = r.status;
    stats[1] = r.method;
    stats[2] = double(r.pivots);
    stats[3] = r.gap;
    stats[4] = r.work;
    stats[5] = r.total;
    stats[6] = double(r.flow.rows.size());
    stats[7] = r.exact ? 1.0 : 0.0;
    stats[8] = r.exact_distance;
    stats[9] = r.exact_work;
    const Index base = out.sup_off[k];
    for (std::size_t t = 0; t < r.flow.rows.size(); ++t) {
        out.sup_r[base + Index(t)] = r.flow.rows[t];
        out.sup_c[base + Index(t)] = r.flow.cols[t];
        out.sup_f[base + Index(t)] = r.flow.flows[t];
    }
    std::copy(r.pi.begin(), r.pi.end(), out.pi_out + out.pi_off[k]);
}

struct Distance {
    double value;
    Index status;
};

// One signature pair, as signature_emd's "small" path: weights reduced, costs evaluated on the
// kept points, rescaled if out of range, then solve_small with its shortcuts.
template <Metric M>
Distance signature_distance(const double* X, const double* wx, Index mx, const double* Y,
                            const double* wy, Index ny, Index dim, Index max_iter,
                            bool verify) {
    const ReducedWeights w = reduce_weights(wx, mx, wy, ny);
    const auto m = static_cast<Index>(w.rows.size());
    const auto n = static_cast<Index>(w.cols.size());
    std::vector<double> C(static_cast<std::size_t>(m * n));
    double hi = -std::numeric_limits<double>::infinity();
    for (Index i = 0; i < m; ++i) {
        for (Index j = 0; j < n; ++j) {
            const double c = point_cost<M>(X + w.rows[i] * dim, Y + w.cols[j] * dim,
                                           static_cast<std::size_t>(dim));
            C[i * n + j] = c;
            hi = std::max(hi, c);
        }
    }
    const int cexp = cost_exponent(hi);
    if (cexp != 0)
        for (double& c : C) c = std::ldexp(c, -cexp);
    const ExactScale scale{w.exponent, cexp};
    const SmallResult r = solve_small(w.a.data(), m, w.b.data(), n, C.data(), max_iter, true,
                                      nullptr, verify ? &scale : nullptr);
    if (verify) {
        if (r.exact) return {r.exact_distance, r.status};
        const Index unsettled = r.status == static_cast<int>(Status::optimal)
                                    ? static_cast<Index>(Status::not_certified)
                                    : r.status;
        return {std::ldexp(r.work / r.total, cexp), unsettled};
    }
    return {std::ldexp(r.work / r.total, cexp), r.status};
}

}  // namespace

void dense_kernel(Index first, Index last, const DenseBatch& in, Index max_iter,
                  bool shortcuts, const BatchOutput& out) {
    for (Index k = first; k < last; ++k) {
        const Index m = in.a_off[k + 1] - in.a_off[k];
        const Index n = in.b_off[k + 1] - in.b_off[k];
        const bool verify = in.weight_exp != nullptr && in.cost_exp != nullptr;
        const ExactScale scale{verify ? static_cast<long>(in.weight_exp[k]) : 0,
                               verify ? static_cast<long>(in.cost_exp[k]) : 0};
        store(k, solve_small(in.a_flat + in.a_off[k], m, in.b_flat + in.b_off[k], n,
                             in.c_flat + in.c_off[k], max_iter, shortcuts, nullptr,
                             verify ? &scale : nullptr),
              out);
    }
}

void pairs_kernel(Index lo, Index hi, const Signatures& sigs, const Index* first,
                  const Index* second, long long metric_code, double* out, Index* status,
                  bool verify) {
    with_metric(metric_code, [&](auto tag) {
        constexpr Metric M = decltype(tag)::value;
        for (Index p = lo; p < hi; ++p) {
            const Index i = first[p];
            const Index j = second[p];
            const Index mx = sigs.offsets[i + 1] - sigs.offsets[i];
            const Index ny = sigs.offsets[j + 1] - sigs.offsets[j];
            const Distance d = signature_distance<M>(
                sigs.points + sigs.offsets[i] * sigs.dim, sigs.weights + sigs.offsets[i], mx,
                sigs.points + sigs.offsets[j] * sigs.dim, sigs.weights + sigs.offsets[j], ny,
                sigs.dim, default_max_iter(mx, ny), verify);
            out[p] = d.value;
            status[p] = d.status;
        }
    });
}

}  // namespace emdkit::solve
