// The registered ground costs, evaluated between two points, a point and a box, or two numbers
// on the line: the C++ twin of emdkit/core/cost_kernels.py.
//
// The metric codes are emdkit.core.costs.GROUND_COSTS[name].code; the binding exports
// METRIC_CODES and a test checks that both agree. The sums run coordinate by coordinate, left
// to right, exactly as the Numba kernels do (no FMA: -ffp-contract=off), so costs are
// bit-identical between the engines.
#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace emdkit {

enum class Metric : int {
    euclidean = 0,    // ‖x − y‖₂
    sqeuclidean = 1,  // ‖x − y‖₂²
    cityblock = 2,    // ‖x − y‖₁
    chebyshev = 3,    // ‖x − y‖∞
};

template <Metric M>
using MetricTag = std::integral_constant<Metric, M>;

namespace detail {

// One coordinate's absolute difference folded into the running value.
template <Metric M>
inline double accumulate(double acc, double d) {
    if constexpr (M == Metric::cityblock) {
        return acc + d;
    } else if constexpr (M == Metric::chebyshev) {
        return acc < d ? d : acc;  // Python's max(acc, d): the first unless the second is larger
    } else {
        return acc + d * d;
    }
}

template <Metric M>
inline double finish(double acc) {
    if constexpr (M == Metric::euclidean) {
        return std::sqrt(acc);
    } else {
        return acc;
    }
}

}  // namespace detail

// d(x, y) for points of dim coordinates.
template <Metric M>
inline double point_cost(const double* x, const double* y, std::size_t dim) {
    double acc = 0.0;
    for (std::size_t t = 0; t < dim; ++t) acc = detail::accumulate<M>(acc, std::fabs(x[t] - y[t]));
    return detail::finish<M>(acc);
}

// A lower bound of d(x, y) over every y in the box [lo, hi]: the exact distance to the box.
template <Metric M>
inline double box_cost(const double* x, const double* lo, const double* hi, std::size_t dim) {
    double acc = 0.0;
    for (std::size_t t = 0; t < dim; ++t) {
        double d = 0.0;
        if (x[t] < lo[t]) {
            d = lo[t] - x[t];
        } else if (x[t] > hi[t]) {
            d = x[t] - hi[t];
        }
        acc = detail::accumulate<M>(acc, d);
    }
    return detail::finish<M>(acc);
}

// d on the line for a difference t = x − y.
template <Metric M>
inline double line_cost(double t) {
    const double d = std::fabs(t);
    if constexpr (M == Metric::sqeuclidean) {
        return d * d;
    } else {
        return d;
    }
}

// The metric for a code; codes are validated in Python, so an unknown one is a bug.
inline Metric metric_from_code(long long code) {
    switch (code) {
        case 0: return Metric::euclidean;
        case 1: return Metric::sqeuclidean;
        case 2: return Metric::cityblock;
        case 3: return Metric::chebyshev;
        default: throw std::invalid_argument("unknown metric code " + std::to_string(code));
    }
}

// Calls fn(MetricTag<M>{}) for the metric of a code, so that a kernel is compiled once per
// metric and the per-coordinate branch on the code leaves the inner loops.
template <typename Fn>
decltype(auto) with_metric(long long code, Fn&& fn) {
    switch (metric_from_code(code)) {
        case Metric::euclidean: return fn(MetricTag<Metric::euclidean>{});
        case Metric::sqeuclidean: return fn(MetricTag<Metric::sqeuclidean>{});
        case Metric::cityblock: return fn(MetricTag<Metric::cityblock>{});
        case Metric::chebyshev: return fn(MetricTag<Metric::chebyshev>{});
    }
    throw std::invalid_argument("unknown metric code " + std::to_string(code));
}

// Runtime-dispatched forms, for callers outside the inner loops.
inline double point_cost(const double* x, const double* y, std::size_t dim, long long code) {
    return with_metric(code, [&](auto tag) { return point_cost<decltype(tag)::value>(x, y, dim); });
}

inline double box_cost(const double* x, const double* lo, const double* hi, std::size_t dim,
                       long long code) {
    return with_metric(code,
                       [&](auto tag) { return box_cost<decltype(tag)::value>(x, lo, hi, dim); });
}

inline double line_cost(double t, long long code) {
    return with_metric(code, [&](auto tag) { return line_cost<decltype(tag)::value>(t); });
}

}  // namespace emdkit
