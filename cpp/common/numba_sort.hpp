// Argsort with exactly the tie order of Numba's np.argsort (kind="quicksort"): median-of-three
// quicksort with insertion sort below SMALL_QUICKSORT elements (numba/misc/quicksort.py).
// The greedy start orders rows by their cheapest cost, and rows with equal minima are common
// (dummy rows, equal costs): a different tie order gives a different (equally optimal) basis,
// and the engines must agree bit for bit.
#pragma once

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "common/errors.hpp"

namespace emdkit {

namespace detail {

constexpr std::int64_t SMALL_QUICKSORT = 15;
constexpr std::size_t MAX_STACK = 100;

// Numba's lt_floats: NaN sorts last.
inline bool lt_floats(double a, double b) {
    return a < b || (std::isnan(b) && !std::isnan(a));
}

inline void insertion_sort(const double* a, std::int64_t* r, std::int64_t low,
                           std::int64_t high) {
    if (high <= low) return;
    for (std::int64_t i = low + 1; i <= high; ++i) {
        const std::int64_t k = r[i];
        const double v = a[k];
        std::int64_t j = i;
        while (j > low && lt_floats(v, a[r[j - 1]])) {
            r[j] = r[j - 1];
            --j;
        }
        r[j] = k;
    }
}

inline std::int64_t partition(const double* a, std::int64_t* r, std::int64_t low,
                              std::int64_t high) {
    const std::int64_t mid = (low + high) >> 1;
    if (lt_floats(a[r[mid]], a[r[low]])) std::swap(r[low], r[mid]);
    if (lt_floats(a[r[high]], a[r[mid]])) std::swap(r[high], r[mid]);
    if (lt_floats(a[r[mid]], a[r[low]])) std::swap(r[low], r[mid]);
    const double pivot = a[r[mid]];
    std::swap(r[high], r[mid]);
    std::int64_t i = low;
    std::int64_t j = high - 1;
    while (true) {
        while (i < high && lt_floats(a[r[i]], pivot)) ++i;
        while (j >= low && lt_floats(pivot, a[r[j]])) --j;
        if (i >= j) break;
        std::swap(r[i], r[j]);
        ++i;
        --j;
    }
    std::swap(r[i], r[high]);
    return i;
}

}  // namespace detail

// The permutation that sorts a[0..n) ascending, ties as Numba's quicksort leaves them.
inline std::vector<std::int64_t> numba_argsort(const double* a, std::int64_t n) {
    std::vector<std::int64_t> r(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) r[i] = i;
    if (n < 2) return r;
    std::vector<std::pair<std::int64_t, std::int64_t>> stack;
    stack.reserve(detail::MAX_STACK);
    stack.emplace_back(0, n - 1);
    while (!stack.empty()) {
        auto [low, high] = stack.back();
        stack.pop_back();
        while (high - low >= detail::SMALL_QUICKSORT) {
            const std::int64_t i = detail::partition(a, r.data(), low, high);
            if (high - i > i - low) {  // push the larger part, loop on the smaller
                if (high > i) stack.emplace_back(i + 1, high);
                high = i - 1;
            } else {
                if (i > low) stack.emplace_back(low, i - 1);
                low = i + 1;
            }
        }
        detail::insertion_sort(a, r.data(), low, high);
    }
    return r;
}

}  // namespace emdkit
