// Scans of one row of a dense block for DenseRowBlock (pricing.hpp), branch-free and two
// doubles at a time where SSE2 is there (every x86-64), with the same arithmetic as the
// scalar rule: each reduced cost is c + pi_i - pi_j in that order, and a minimum is exact
// whatever order it is taken in (only the sign of a zero could differ, and no comparison here
// sees it). So the arc they lead to is the one the scalar scan picks, to the bit.
//
// Why: the scans of a row are 40% of the small-problem engine's time at n = 256 (perf,
// 2026-12-03), about 5,000 instructions a pivot against 1,600 for the pivot itself
// (callgrind). Where the CPU has AVX2 (checked once at run time, so wheels stay portable),
// the two minima take four doubles at a time; AVX2 without FMA keeps every operation the
// same IEEE one.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define EMDKIT_ROW_SCAN_AVX2 1
#endif

#include "simplex/basis.hpp"

namespace emdkit::simplex {

// Relative tolerance on reduced costs, scaled by the magnitudes that were subtracted: a
// smaller reduced cost is within the rounding of its own evaluation, and pivoting on it can
// only stall. The certificate judges the final basis with sound error bounds, not with this.
constexpr double PRICING_EPS = 1e-13;

// c + ps - pt is negative beyond the rounding of its own evaluation.
inline bool clears_tolerance(double rc, double c, double ps, double pt) {
    return rc < -PRICING_EPS * std::max(std::max(std::abs(c), std::abs(ps)), std::abs(pt));
}

// min_j (cost[j] - pi_cols[j]): a cheap lower screen of a row's reduced costs.
inline double row_min_shifted_sse2(const double* cost, const double* pi_cols, Index n_cols) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    Index j = 0;
    double m = inf;
#if defined(__SSE2__)
    __m128d m0 = _mm_set1_pd(inf), m1 = m0;
    for (; j + 4 <= n_cols; j += 4) {
        m0 = _mm_min_pd(_mm_sub_pd(_mm_loadu_pd(cost + j), _mm_loadu_pd(pi_cols + j)), m0);
        m1 = _mm_min_pd(_mm_sub_pd(_mm_loadu_pd(cost + j + 2), _mm_loadu_pd(pi_cols + j + 2)),
                        m1);
    }
    alignas(16) double lanes[2];
    _mm_store_pd(lanes, _mm_min_pd(m0, m1));
    m = std::min(lanes[0], lanes[1]);
#endif
    for (; j < n_cols; ++j) m = std::min(m, cost[j] - pi_cols[j]);
    return m;
}

// The least reduced cost c_j + pi_i - pi_cols[j] over the row's arcs that clear the
// tolerance, tree arcs included (inf when none does).
inline double row_min_violation_sse2(const double* cost, double pi_i,
                                     const double* pi_cols, Index n_cols) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    Index j = 0;
    double m = inf;
#if defined(__SSE2__)
    const __m128d abs_mask = _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffffLL));
    const __m128d ps = _mm_set1_pd(pi_i);
    const __m128d abs_ps = _mm_and_pd(ps, abs_mask);
    const __m128d neg_eps = _mm_set1_pd(-PRICING_EPS);
    const __m128d infs = _mm_set1_pd(inf);
    __m128d mv = infs;
    for (; j + 2 <= n_cols; j += 2) {
        const __m128d c = _mm_loadu_pd(cost + j);
        const __m128d pt = _mm_loadu_pd(pi_cols + j);
        const __m128d rc = _mm_sub_pd(_mm_add_pd(c, ps), pt);
        const __m128d mag = _mm_max_pd(_mm_max_pd(_mm_and_pd(c, abs_mask), abs_ps),
                                       _mm_and_pd(pt, abs_mask));
        const __m128d clears = _mm_cmplt_pd(rc, _mm_mul_pd(neg_eps, mag));
        const __m128d masked = _mm_or_pd(_mm_and_pd(clears, rc), _mm_andnot_pd(clears, infs));
        mv = _mm_min_pd(masked, mv);
    }
    alignas(16) double lanes[2];
    _mm_store_pd(lanes, mv);
    m = std::min(lanes[0], lanes[1]);
#endif
    for (; j < n_cols; ++j) {
        const double rc = cost[j] + pi_i - pi_cols[j];
        if (clears_tolerance(rc, cost[j], pi_i, pi_cols[j])) m = std::min(m, rc);
    }
    return m;
}

#ifdef EMDKIT_ROW_SCAN_AVX2
__attribute__((target("avx2"))) inline double row_min_shifted_avx2(const double* cost,
                                                                  const double* pi_cols,
                                                                  Index n_cols) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    __m256d m0 = _mm256_set1_pd(inf), m1 = m0;
    Index j = 0;
    for (; j + 8 <= n_cols; j += 8) {
        m0 = _mm256_min_pd(
            _mm256_sub_pd(_mm256_loadu_pd(cost + j), _mm256_loadu_pd(pi_cols + j)), m0);
        m1 = _mm256_min_pd(
            _mm256_sub_pd(_mm256_loadu_pd(cost + j + 4), _mm256_loadu_pd(pi_cols + j + 4)), m1);
    }
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, _mm256_min_pd(m0, m1));
    double m = std::min(std::min(lanes[0], lanes[1]), std::min(lanes[2], lanes[3]));
    for (; j < n_cols; ++j) m = std::min(m, cost[j] - pi_cols[j]);
    return m;
}

__attribute__((target("avx2"))) inline double row_min_violation_avx2(const double* cost,
                                                                    double pi_i,
                                                                    const double* pi_cols,
                                                                    Index n_cols) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
    const __m256d ps = _mm256_set1_pd(pi_i);
    const __m256d abs_ps = _mm256_and_pd(ps, abs_mask);
    const __m256d neg_eps = _mm256_set1_pd(-PRICING_EPS);
    const __m256d infs = _mm256_set1_pd(inf);
    __m256d mv = infs;
    Index j = 0;
    for (; j + 4 <= n_cols; j += 4) {
        const __m256d c = _mm256_loadu_pd(cost + j);
        const __m256d pt = _mm256_loadu_pd(pi_cols + j);
        const __m256d rc = _mm256_sub_pd(_mm256_add_pd(c, ps), pt);
        const __m256d mag = _mm256_max_pd(_mm256_max_pd(_mm256_and_pd(c, abs_mask), abs_ps),
                                          _mm256_and_pd(pt, abs_mask));
        const __m256d clears = _mm256_cmp_pd(rc, _mm256_mul_pd(neg_eps, mag), _CMP_LT_OQ);
        mv = _mm256_min_pd(_mm256_blendv_pd(infs, rc, clears), mv);
    }
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, mv);
    double m = std::min(std::min(lanes[0], lanes[1]), std::min(lanes[2], lanes[3]));
    for (; j < n_cols; ++j) {
        const double rc = cost[j] + pi_i - pi_cols[j];
        if (clears_tolerance(rc, cost[j], pi_i, pi_cols[j])) m = std::min(m, rc);
    }
    return m;
}
#endif

// Whether the AVX2 scans run here: asked of the CPU once per process. EMDKIT_SIMD=portable
// in the environment turns them off, so that tests can hold both paths to the same bits.
inline bool row_scan_avx2() {
#ifdef EMDKIT_ROW_SCAN_AVX2
    static const bool has = [] {
        const char* simd = std::getenv("EMDKIT_SIMD");
        const bool portable = simd != nullptr && std::string_view(simd) == "portable";
        return !portable && __builtin_cpu_supports("avx2");
    }();
    return has;
#else
    return false;
#endif
}

// min_j (cost[j] - pi_cols[j]), a screen of the row; avx2 from row_scan_avx2().
inline double row_min_shifted(const double* cost, const double* pi_cols, Index n_cols,
                              bool avx2) {
#ifdef EMDKIT_ROW_SCAN_AVX2
    if (avx2) return row_min_shifted_avx2(cost, pi_cols, n_cols);
#endif
    static_cast<void>(avx2);
    return row_min_shifted_sse2(cost, pi_cols, n_cols);
}

// The least violating reduced cost of the row (see row_min_violation_sse2).
inline double row_min_violation(const double* cost, double pi_i, const double* pi_cols,
                                Index n_cols, bool avx2) {
#ifdef EMDKIT_ROW_SCAN_AVX2
    if (avx2) return row_min_violation_avx2(cost, pi_i, pi_cols, n_cols);
#endif
    static_cast<void>(avx2);
    return row_min_violation_sse2(cost, pi_i, pi_cols, n_cols);
}

// The least and the greatest of x[0 .. count), four at a time where AVX2 is there (exact in
// any order for data without NaN, which validation keeps out): the range of a cost block and
// each row's cheapest arc in the greedy start were scalar compare chains, 10% of a 256-point
// solve (perf, 2026-12-03).
struct Span {
    double lo, hi;
};

#ifdef EMDKIT_ROW_SCAN_AVX2
__attribute__((target("avx2"))) inline Span span_avx2(const double* x, Index count) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    __m256d lo = _mm256_set1_pd(inf), hi = _mm256_set1_pd(-inf);
    Index j = 0;
    for (; j + 4 <= count; j += 4) {
        const __m256d v = _mm256_loadu_pd(x + j);
        lo = _mm256_min_pd(v, lo);
        hi = _mm256_max_pd(v, hi);
    }
    alignas(32) double l[4], h[4];
    _mm256_store_pd(l, lo);
    _mm256_store_pd(h, hi);
    Span out{std::min(std::min(l[0], l[1]), std::min(l[2], l[3])),
             std::max(std::max(h[0], h[1]), std::max(h[2], h[3]))};
    for (; j < count; ++j) {
        out.lo = std::min(out.lo, x[j]);
        out.hi = std::max(out.hi, x[j]);
    }
    return out;
}
#endif

inline Span span_of(const double* x, Index count) {
#ifdef EMDKIT_ROW_SCAN_AVX2
    if (row_scan_avx2()) return span_avx2(x, count);
#endif
    constexpr double inf = std::numeric_limits<double>::infinity();
    Span out{inf, -inf};
    for (Index j = 0; j < count; ++j) {
        out.lo = std::min(out.lo, x[j]);
        out.hi = std::max(out.hi, x[j]);
    }
    return out;
}

// Arc j of the row is at the lower bound, and its reduced cost is target and clears the
// tolerance.
inline bool is_arc_at(const double* cost, const std::int8_t* state, double pi_i,
                      const double* pi_cols, Index j, double target) {
    const double rc = cost[j] + pi_i - pi_cols[j];
    return rc == target && clears_tolerance(rc, cost[j], pi_i, pi_cols[j]) &&
           state[j] == STATE_LOWER;
}

#ifdef EMDKIT_ROW_SCAN_AVX2
// first_arc_at, four reduced costs compared with target at a time.
__attribute__((target("avx2"))) inline Index first_arc_at_avx2(
    const double* cost, const std::int8_t* state, double pi_i, const double* pi_cols,
    Index n_cols, double target) {
    const __m256d ps = _mm256_set1_pd(pi_i);
    const __m256d want = _mm256_set1_pd(target);
    Index j = 0;
    for (; j + 4 <= n_cols; j += 4) {
        const __m256d rc = _mm256_sub_pd(
            _mm256_add_pd(_mm256_loadu_pd(cost + j), ps), _mm256_loadu_pd(pi_cols + j));
        const int hits = _mm256_movemask_pd(_mm256_cmp_pd(rc, want, _CMP_EQ_OQ));
        for (int lane = 0; lane < 4; ++lane)
            if (((hits >> lane) & 1) && is_arc_at(cost, state, pi_i, pi_cols, j + lane, target))
                return j + lane;
    }
    for (; j < n_cols; ++j)
        if (is_arc_at(cost, state, pi_i, pi_cols, j, target)) return j;
    return -1;
}
#endif

// The first arc of the row at the lower bound whose reduced cost is target and clears the
// tolerance, or -1 (target was reached only on tree arcs).
inline Index first_arc_at(const double* cost, const std::int8_t* state, double pi_i,
                          const double* pi_cols, Index n_cols, double target, bool avx2) {
#ifdef EMDKIT_ROW_SCAN_AVX2
    if (avx2) return first_arc_at_avx2(cost, state, pi_i, pi_cols, n_cols, target);
#endif
    static_cast<void>(avx2);
    for (Index j = 0; j < n_cols; ++j)
        if (is_arc_at(cost, state, pi_i, pi_cols, j, target)) return j;
    return -1;
}

}  // namespace emdkit::simplex
