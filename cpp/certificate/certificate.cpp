#include "certificate/certificate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/float_rounding.hpp"

namespace emdkit::certificate {

// Independent maxima kept in step by finite_max, so that the compiler vectorises the sweep
// (measured at 10^6 entries: 6 ms with one branchy chain under load, a tenth of that in lanes).
constexpr Index MAX_LANES = 8;

double CostBlock::finite_max() const {
    constexpr double inf = std::numeric_limits<double>::infinity();
    double best[MAX_LANES] = {};
    const Index size = m * n;
    Index k = 0;
    for (; k + MAX_LANES <= size; k += MAX_LANES) {
        for (Index l = 0; l < MAX_LANES; ++l) {
            const double c = C[k + l] < inf ? C[k + l] : 0.0;  // inf is an absent arc
            best[l] = c > best[l] ? c : best[l];
        }
    }
    for (; k < size; ++k) {
        const double c = C[k] < inf ? C[k] : 0.0;
        best[0] = c > best[0] ? c : best[0];
    }
    for (Index l = 1; l < MAX_LANES; ++l) best[0] = best[l] > best[0] ? best[l] : best[0];
    return best[0];
}

namespace {

// Columns screened together: the screen of a chunk is branch-free (the compiler vectorises
// it), and only a chunk with a candidate takes the exact, branchy update. Measured at
// n = 1,000 (random costs, optimal potentials, where almost no entry passes): the column
// duals in about half the time of the entry-by-entry screen.
constexpr Index SCREEN_CHUNK = 8;

// The exact update of v over columns [c0, c1) of one row: entries that pass the cheap screen
// get the rounded-down difference.
inline void repair_columns(const double* row, double ur, double* v, Index c0, Index c1) {
    for (Index c = c0; c < c1; ++c) {
        if (row[c] - ur <= v[c]) {  // cheap screen; the exact floor only for candidates
            const double d = floor_difference(row[c], ur);
            if (d < v[c]) v[c] = d;
        }
    }
}

}  // namespace

std::vector<double> repaired_column_duals(const CostBlock& C, const double* u, Index n_rows,
                                          Index n_cols) {
    std::vector<double> v(static_cast<std::size_t>(n_cols),
                          std::numeric_limits<double>::infinity());
    const std::vector<double> zeros(static_cast<std::size_t>(n_cols), 0.0);
    const Index real_cols = std::min(C.n, n_cols);
    for (Index r = 0; r < n_rows; ++r) {
        const double ur = u[r];
        // the dummy row, and the dummy column, cost 0
        const double* row = r < C.m ? C.C + r * C.n : zeros.data();
        Index c = 0;
        for (; c + SCREEN_CHUNK <= real_cols; c += SCREEN_CHUNK) {
            bool any = false;
            for (Index k = 0; k < SCREEN_CHUNK; ++k) any |= row[c + k] - ur <= v[c + k];
            if (any) repair_columns(row, ur, v.data(), c, c + SCREEN_CHUNK);
        }
        repair_columns(row, ur, v.data(), c, real_cols);
        repair_columns(zeros.data(), ur, v.data(), real_cols, n_cols);
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
    // The cost bound weighs the marginal residual in the strict verdict only. With no residual,
    // or a strict gap above CERT_RTOL even without that term (adding a non-negative term can
    // only raise it), judge's verdict and gap do not depend on it: the sweep is skipped.
    const Index n_terms = n_rows + n_cols;
    const bool bound_matters =
        residual > 0.0 &&
        (work_upper_bound(work, n_terms) - std::max(bound.lb, 0.0)) / work <= CERT_RTOL;
    const double cost_bound = bound_matters ? C.finite_max() : 0.0;
    const Verdict verdict = judge(work, bound, n_terms, residual, cost_bound, mass);
    out.certified = verdict.certified;
    out.gap = verdict.gap;
    return out;
}

}  // namespace emdkit::certificate
