#include "certificate/certificate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/float_rounding.hpp"

namespace emdkit::certificate {

double CostBlock::finite_max() const {
    double best = 0.0;
    for (Index k = 0; k < m * n; ++k)
        if (C[k] > best && C[k] < std::numeric_limits<double>::infinity()) best = C[k];
    return best;
}

std::vector<double> repaired_column_duals(const CostBlock& C, const double* u, Index n_rows,
                                          Index n_cols) {
    std::vector<double> v(static_cast<std::size_t>(n_cols),
                          std::numeric_limits<double>::infinity());
    for (Index r = 0; r < n_rows; ++r) {
        const double ur = u[r];
        for (Index c = 0; c < n_cols; ++c) {
            const double cost = C.at(r, c);
            if (cost - ur <= v[c]) {  // cheap screen; the exact floor only for candidates
                const double d = floor_difference(cost, ur);
                if (d < v[c]) v[c] = d;
            }
        }
    }
    return v;
}

DualBound lower_bound(const double* supply, Index n, const double* u, Index n_rows,
                      const double* v) {
    constexpr double U = UNIT_ROUNDOFF;
    double total = 0.0;
    double comp = 0.0;
    double abs_sum = 0.0;
    for (Index k = 0; k < n; ++k) {
        const double p = k < n_rows ? supply[k] * u[k] : -supply[k] * v[k - n_rows];
        abs_sum += std::abs(p);
        const SumWithError s = two_sum(total, p);
        total = s.sum;
        comp += s.error;
    }
    const double value = total + comp;
    // each product is rounded once (U|p|); the compensated sum adds 2U|value| + n^2 U^2 sum|p|
    const double err = (U * abs_sum + 2.0 * U * std::abs(value) +
                        double(n * n) * U * U * abs_sum) * (1.0 + 4.0 * U);
    return {value - err, abs_sum};
}

double work_upper_bound(double work, Index n_terms) {
    return work * (1.0 + double(n_terms + 2) * UNIT_ROUNDOFF);
}

double marginal_residual(Index n_rows, const double* supply, Index n, const Support& flow) {
    std::vector<double> net(supply, supply + n);
    for (Index k = 0; k < flow.size; ++k) {
        net[flow.rows[k]] -= flow.flows[k];
        net[n_rows + flow.cols[k]] += flow.flows[k];
    }
    double total = 0.0;
    for (const double x : net) total += std::abs(x);
    return total;
}

void normalize_potentials(double* pi, Index n, Index n_rows, const double* supply, int kind) {
    double shift;
    if (kind == DUMMY_SINK) {
        shift = -pi[n - 1];
    } else if (kind == DUMMY_SOURCE) {
        shift = -pi[n_rows - 1];
    } else {
        double num = 0.0;
        double den = 0.0;
        for (Index k = 0; k < n; ++k) {
            const double w = std::abs(supply[k]);
            num += w * pi[k];
            den += w;
        }
        shift = -num / den;
    }
    for (Index k = 0; k < n; ++k) pi[k] += shift;
    if (kind == DUMMY_SINK) {
        pi[n - 1] = 0.0;
    } else if (kind == DUMMY_SOURCE) {
        pi[n_rows - 1] = 0.0;
    }
}

Verdict judge(double work, DualBound bound, Index n_terms, double residual, double cost_bound,
              double mass) {
    if (work <= 0.0) return {true, 0.0};
    const double w_up = work_upper_bound(work, n_terms);
    const double lb0 = std::max(bound.lb, 0.0);
    const double strict = (w_up + residual * cost_bound - lb0) / work;
    if (strict <= CERT_RTOL) return {true, strict};
    if (!(residual <= MARGINAL_RTOL * mass))
        return {false, std::numeric_limits<double>::infinity()};
    return {false, (w_up - lb0) / std::max(work, bound.dual_scale)};
}

Certificate certify(const CostBlock& C, Index n_rows, const double* supply, Index n_supply,
                    double* pi, const Support& flow, double work, int kind) {
    const Index n_cols = n_supply - n_rows;
    normalize_potentials(pi, n_supply, n_rows, supply, kind);
    Certificate out{false, std::vector<double>(static_cast<std::size_t>(n_rows)), {}, 0.0};
    for (Index r = 0; r < n_rows; ++r) out.u[r] = -pi[r];
    out.v = repaired_column_duals(C, out.u.data(), n_rows, n_cols);
    if (work <= 0.0) {
        out.certified = true;
        return out;
    }
    const DualBound bound = lower_bound(supply, n_supply, out.u.data(), n_rows, out.v.data());
    const double residual = marginal_residual(n_rows, supply, n_supply, flow);
    double mass = 0.0;
    for (Index k = 0; k < n_rows; ++k) mass += supply[k];
    const Verdict verdict = judge(work, bound, n_rows + n_cols, residual, C.finite_max(), mass);
    out.certified = verdict.certified;
    out.gap = verdict.gap;
    return out;
}

}  // namespace emdkit::certificate
