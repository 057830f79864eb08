// Error-free transformations for the sound certificate (emdkit/core/certificate.py: two_sum,
// floor_difference), shared by the dense and the matrix-free certificates.
#pragma once

#include <cmath>
#include <limits>

namespace emdkit {

struct SumWithError {
    double sum;    // fl(a + b)
    double error;  // the exact rounding error: a + b = sum + error
};

// Knuth's TwoSum (needs IEEE round-to-nearest and no reassociation: no -ffast-math).
inline SumWithError two_sum(double a, double b) {
    const double s = a + b;
    const double bb = s - a;
    const double e = (a - (s - bb)) + (b - bb);
    return {s, e};
}

// The largest double <= c − u (exact when c − u is representable).
inline double floor_difference(double c, double u) {
    const SumWithError r = two_sum(c, -u);
    if (r.error < 0.0) return std::nextafter(r.sum, -std::numeric_limits<double>::infinity());
    return r.sum;
}

}  // namespace emdkit
