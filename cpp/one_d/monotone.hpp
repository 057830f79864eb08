// Transport on the line (emdkit/core/one_d.py): W_p between step CDFs by one merge of their
// quantile functions, and the sorted (monotone) coupling with the duals of its staircase basis.
#pragma once

#include <cstddef>
#include <cstdint>

namespace emdkit {

// One distribution on the line: atoms sorted ascending and the CDF at each (ending at 1).
struct StepCdf {
    const double* atoms;
    const double* cdf;
    std::size_t size;
};

// ∫_0^1 |F⁻¹(t) − G⁻¹(t)|^p dt (W_p^p, not W_p), summed over the merged steps in order.
double quantile_wp(const StepCdf& u, const StepCdf& v, double p);

// The staircase basis of the sorted coupling, m + n − 1 cells (zero flows included) and a dual
// per point, u[0] = 0 anchoring them.
struct Staircase {
    std::int64_t* rows;  // (m + n − 1) each, in walk order
    std::int64_t* cols;
    double* flows;
    double* u;  // (m)
    double* v;  // (n)
};

// North-west corner on sorted points x (m) with weights wx and y (n) with wy, equal totals,
// for the metric with this code (a convex function of x − y: the coupling is then optimal and
// the duals feasible). A tie steps the row first. Writes every entry of `out`.
void staircase(const double* x, const double* wx, std::size_t m, const double* y,
               const double* wy, std::size_t n, long long metric_code, const Staircase& out);

// Σ f·d(x[r] − y[c]) over the arcs of a support on the line (indices in range), summed left to
// right: the canonical sum that every path reports as the work.
double line_work(const double* x, const double* y, const std::int64_t* sup_r,
                 const std::int64_t* sup_c, const double* sup_f, std::size_t n_arcs,
                 long long metric_code);

}  // namespace emdkit
