#include "solve/problem.hpp"

#include <algorithm>
#include <limits>

namespace emdkit::solve {

Layout balanced_layout(const double* ar, Index m, const double* bc, Index n) {
    const double sa = sequential_sum(ar, m);
    const double sb = sequential_sum(bc, n);
    int kind = DUMMY_NONE;
    if (std::abs(sa - sb) > BALANCE_RTOL * std::max(sa, sb))
        kind = sa > sb ? DUMMY_SINK : DUMMY_SOURCE;
    const Index n_rows = m + (kind == DUMMY_SOURCE);
    Layout out{std::vector<double>(static_cast<std::size_t>(n_rows + n + (kind == DUMMY_SINK))),
               kind, std::min(sa, sb)};
    std::copy(ar, ar + m, out.supply.begin());
    for (Index j = 0; j < n; ++j) out.supply[n_rows + j] = -bc[j];
    if (kind == DUMMY_SOURCE) {
        out.supply[m] = sb - sa;
    } else if (kind == DUMMY_SINK) {
        out.supply[n_rows + n] = -(sa - sb);
    }
    return out;
}

namespace {

double max_of(const double* x, Index n) {
    double hi = -std::numeric_limits<double>::infinity();
    for (Index k = 0; k < n; ++k) hi = std::max(hi, x[k]);
    return hi;
}

std::vector<Index> positive(const double* x, Index n) {
    std::vector<Index> idx;
    for (Index k = 0; k < n; ++k)
        if (x[k] > 0) idx.push_back(k);
    return idx;
}

std::vector<double> scaled(const double* x, const std::vector<Index>& idx, int exponent) {
    std::vector<double> out(idx.size());
    for (std::size_t k = 0; k < idx.size(); ++k) out[k] = std::ldexp(x[idx[k]], -exponent);
    return out;
}

// log2 of the sum of x[idx], each scaled by 2^-e first (so the sum cannot overflow).
double log2_total(const double* x, const std::vector<Index>& idx, int e) {
    const std::vector<double> s = scaled(x, idx, e);
    return std::log2(sequential_sum(s.data(), static_cast<Index>(s.size()))) + double(e);
}

void cap_at(std::vector<double>& x, double cap) {
    for (double& w : x) w = std::min(w, cap);
}

// Keep the entries with a positive (scaled) weight: underflow to zero drops a point.
void keep_positive(std::vector<Index>& idx, std::vector<double>& w) {
    std::size_t k = 0;
    for (std::size_t t = 0; t < w.size(); ++t) {
        if (w[t] > 0) {
            idx[k] = idx[t];
            w[k] = w[t];
            ++k;
        }
    }
    idx.resize(k);
    w.resize(k);
}

}  // namespace

ReducedWeights reduce_weights(const double* a, Index m, const double* b, Index n) {
    ReducedWeights out{positive(a, m), positive(b, n), {}, {}, 0};
    const int ea = power_of_two_scale(max_of(a, m));
    const int eb = power_of_two_scale(max_of(b, n));
    const double log_sa = log2_total(a, out.rows, ea);
    const double log_sb = log2_total(b, out.cols, eb);
    int exp = std::max(ea, eb);
    if (std::min(log_sa, log_sb) - double(exp) > TINY_TOTAL_LOG2) {
        out.a = scaled(a, out.rows, exp);
        out.b = scaled(b, out.cols, exp);
    } else if (log_sa < log_sb) {
        exp = ea;
        out.a = scaled(a, out.rows, exp);
        out.b = scaled(b, out.cols, exp);
        cap_at(out.b, 2.0 * sequential_sum(out.a.data(), static_cast<Index>(out.a.size())));
    } else {
        exp = eb;
        out.b = scaled(b, out.cols, exp);
        out.a = scaled(a, out.rows, exp);
        cap_at(out.a, 2.0 * sequential_sum(out.b.data(), static_cast<Index>(out.b.size())));
    }
    out.exponent = exp;
    keep_positive(out.rows, out.a);
    keep_positive(out.cols, out.b);
    return out;
}

}  // namespace emdkit::solve
