// The problem's layout (emdkit/core/problem.py and solve.py): weights reduced to the positive
// ones and rescaled by a power of two, the balanced block with its dummy row or column, the
// cost rescaling and the default pivot bound. Sums run left to right, as in the Python.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace emdkit::solve {

using Index = std::int64_t;

// Mirrors problem.BALANCE_RTOL: totals that agree to this relative precision are one total
// written with rounding.
constexpr double BALANCE_RTOL = 1e-13;
// Mirrors problem.TINY_TOTAL_LOG2: below it the lighter side's flows would sink to subnormals.
constexpr double TINY_TOTAL_LOG2 = -500.0;
// Mirrors problem.COST_SCALE_RANGE_LOG2: costs are rescaled only outside [2^-100, 2^100].
constexpr int COST_SCALE_RANGE_LOG2 = 100;
// Mirrors solve.DEFAULT_PIVOTS_PER_NODE and solve.MIN_MAX_ITER.
constexpr Index DEFAULT_PIVOTS_PER_NODE = 200;
constexpr Index MIN_MAX_ITER = 100'000;

constexpr int DUMMY_NONE = 0;
constexpr int DUMMY_SINK = 1;
constexpr int DUMMY_SOURCE = 2;

// sum x, left to right.
inline double sequential_sum(const double* x, Index n) {
    double s = 0.0;
    for (Index k = 0; k < n; ++k) s += x[k];
    return s;
}

// The exponent e with 2^-e * max_value in [0.5, 1): rescaling by 2^-e is exact.
inline int power_of_two_scale(double max_value) {
    if (max_value <= 0 || !std::isfinite(max_value)) return 0;
    int e = 0;
    std::frexp(max_value, &e);
    return e;
}

// e such that costs * 2^-e are safe to solve with (0 for ordinary magnitudes).
inline int cost_exponent(double max_cost) {
    if (max_cost <= 0 || (std::ldexp(1.0, -COST_SCALE_RANGE_LOG2) <= max_cost &&
                          max_cost <= std::ldexp(1.0, COST_SCALE_RANGE_LOG2)))
        return 0;
    return power_of_two_scale(max_cost);
}

// The pivot bound when none is given: generous, O((m + n) log(m + n)).
inline Index default_max_iter(Index m, Index n) {
    const auto log = static_cast<Index>(std::log2(double(m + n + 2)));
    const Index bound = DEFAULT_PIVOTS_PER_NODE * (m + n) * log;
    return bound > MIN_MAX_ITER ? bound : MIN_MAX_ITER;
}

// The balanced block: +a for rows, -b for columns, a dummy row or column for the surplus.
struct Layout {
    std::vector<double> supply;
    int kind;      // DUMMY_*
    double total;  // the flow that moves: min(sum a, sum b)
};

Layout balanced_layout(const double* ar, Index m, const double* bc, Index n);

// Positive weights only, rescaled by 2^-exponent (see problem.reduce_weights).
struct ReducedWeights {
    std::vector<Index> rows, cols;
    std::vector<double> a, b;
    int exponent;
};

ReducedWeights reduce_weights(const double* a, Index m, const double* b, Index n);

// The smallest and largest of x[0 .. n), n >= 1, in one pass; both NaN when any entry is NaN
// (numpy's min and max propagate NaN the same way), so one call checks a whole array.
struct ValueRange {
    double lo, hi;
};

// Entries per step of value_range: independent minima, maxima and NaN flags that the
// compiler keeps in vector registers (measured at 10^6 entries: 2x the single-chain loop,
// on par with numpy's min and max together).
constexpr Index RANGE_LANES = 8;

inline ValueRange value_range(const double* x, Index n) {
    double lo[RANGE_LANES], hi[RANGE_LANES];
    bool nan[RANGE_LANES];
    for (Index k = 0; k < RANGE_LANES; ++k) {
        lo[k] = hi[k] = x[0];
        nan[k] = false;
    }
    Index k = 0;
    for (; k + RANGE_LANES <= n; k += RANGE_LANES) {
        for (Index l = 0; l < RANGE_LANES; ++l) {
            const double v = x[k + l];
            nan[l] |= v != v;
            lo[l] = v < lo[l] ? v : lo[l];
            hi[l] = v > hi[l] ? v : hi[l];
        }
    }
    for (; k < n; ++k) {
        const double v = x[k];
        nan[0] |= v != v;
        lo[0] = v < lo[0] ? v : lo[0];
        hi[0] = v > hi[0] ? v : hi[0];
    }
    bool any_nan = false;
    for (Index l = 0; l < RANGE_LANES; ++l) {
        any_nan |= nan[l];
        lo[0] = lo[l] < lo[0] ? lo[l] : lo[0];
        hi[0] = hi[l] > hi[0] ? hi[l] : hi[0];
    }
    if (any_nan) return {std::nan(""), std::nan("")};
    return {lo[0], hi[0]};
}

}  // namespace emdkit::solve
