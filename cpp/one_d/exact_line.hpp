// The sorted coupling on the line in exact arithmetic (emdkit/core/one_d.py, issue 20).
//
// The exact problem on the line: every weight and every position the float64 it is, and the
// cost h(x − y) evaluated exactly on those positions, h(t) = |t| (euclidean, cityblock and
// chebyshev coincide on the line) or t² (sqeuclidean). h is convex, so for equal totals the
// monotone (north-west corner on sorted points) coupling is optimal for these costs: the
// answer is a closed form, no simplex and no pricing. Its flows are exact differences of
// cumulative weights, and its work Σ f·h(x_i − y_j) is an integer on the grid 2^(weight_lsb +
// p·point_lsb) (p = 1 or 2): the walk keeps both in unsigned integers as wide as the input's
// exponent range needs (two limbs for ordinary inputs, up to ~34 for weights or positions
// spanning 2^-1074…2^1024), and rounds the work and the distance once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace emdkit {

struct ExactStaircase {
    // Σa = Σb exactly. When false, nothing below is filled: the weights differ in the last
    // bits, Rubner's problem is then a partial matching, and the sorted coupling is not its
    // optimum.
    bool balanced = false;
    // As Staircase (monotone.hpp): m + n − 1 cells in walk order, zero flows included, the
    // decisions taken on the exact cumulative weights (a tie steps the row first). Flows are
    // the exact ones, each correctly rounded; u, v the float64 duals along the staircase
    // (u[0] = 0), formed from the costs as the kernel computes them.
    std::vector<std::int64_t> rows, cols;
    std::vector<double> flows, u, v;
    double work = 0.0;      // Σ f·h · 2^weight_exp, correctly rounded (may overflow to inf)
    double distance = 0.0;  // Σ f·h / Σa, correctly rounded
    int weight_limbs = 0, point_limbs = 0;  // the widths the walk used (tests, benches)
};

// x (m) with weights wx and y (n) with wy sorted ascending by position, weights positive and
// finite, positions finite, m, n >= 1; metric_code as in costs/ground_cost.hpp. Throws
// std::invalid_argument on a non-positive or non-finite weight or a non-finite position.
ExactStaircase exact_staircase(const double* x, const double* wx, std::size_t m,
                               const double* y, const double* wy, std::size_t n,
                               long long metric_code, long weight_exp);

}  // namespace emdkit
