#include "one_d/monotone.hpp"

#include <algorithm>
#include <cmath>

#include "costs/ground_cost.hpp"

namespace emdkit {

double quantile_wp(const StepCdf& u, const StepCdf& v, double p) {
    std::size_t i = 0;
    std::size_t j = 0;
    double t = 0.0;
    double total = 0.0;
    while (i < u.size && j < v.size) {
        const double next = std::min(u.cdf[i], v.cdf[j]);
        const double gap = std::fabs(u.atoms[i] - v.atoms[j]);
        if (p == 1.0) {
            total += (next - t) * gap;
        } else {
            total += (next - t) * std::pow(gap, p);
        }
        t = next;
        if (u.cdf[i] <= next) ++i;
        if (v.cdf[j] <= next) ++j;
    }
    return total;
}

void staircase(const double* x, const double* wx, std::size_t m, const double* y,
               const double* wy, std::size_t n, long long metric_code, const Staircase& out) {
    std::fill(out.u, out.u + m, 0.0);
    std::fill(out.v, out.v + n, 0.0);
    if (m == 0 || n == 0) return;
    with_metric(metric_code, [&](auto tag) {
        constexpr Metric M = decltype(tag)::value;
        const std::size_t n_cells = m + n - 1;
        std::size_t i = 0;
        std::size_t j = 0;
        double ra = wx[0];  // what row i and column j still have to ship
        double rb = wy[0];
        out.v[0] = line_cost<M>(x[0] - y[0]);  // u[0] = 0 anchors the duals
        for (std::size_t k = 0; k < n_cells; ++k) {
            const double f = std::max(std::min(ra, rb), 0.0);
            out.rows[k] = static_cast<std::int64_t>(i);
            out.cols[k] = static_cast<std::int64_t>(j);
            out.flows[k] = f;
            ra -= f;
            rb -= f;
            if (k == n_cells - 1) break;
            // step the exhausted side; a tie steps the row first (a degenerate cell)
            if (j == n - 1 || (i < m - 1 && ra <= rb)) {
                ra = wx[++i];
                out.u[i] = line_cost<M>(x[i] - y[j]) - out.v[j];
            } else {
                rb = wy[++j];
                out.v[j] = line_cost<M>(x[i] - y[j]) - out.u[i];
            }
        }
    });
}

double line_work(const double* x, const double* y, const std::int64_t* sup_r,
                 const std::int64_t* sup_c, const double* sup_f, std::size_t n_arcs,
                 long long metric_code) {
    return with_metric(metric_code, [&](auto tag) {
        constexpr Metric M = decltype(tag)::value;
        double work = 0.0;
        for (std::size_t k = 0; k < n_arcs; ++k) {
            work += sup_f[k] * line_cost<M>(x[sup_r[k]] - y[sup_c[k]]);
        }
        return work;
    });
}

}  // namespace emdkit
