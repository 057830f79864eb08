// The float screen of an exact reduced cost, shared by the dense exact simplex
// (exact_transport.cpp) and the matrix-free cloud pricing (cloud_pricing.hpp).
//
// A reduced cost c − U − V (U, V exact potentials, c a float64 cost) is estimated in float64 as
// (c − ũ) − ṽ with ũ, ṽ the potentials correctly rounded. Its error is at most
// 4·2^-53·(|c| + |ũ| + |ṽ|) plus five half-units of the smallest subnormal (two roundings of the
// potentials, two of the subtractions, and the terms' growth); twice that covers the rounding of
// the bound's own sum. Beyond screen_bound the sign is certain; within it the exact sum decides.
#pragma once

#include <cmath>

namespace emdkit::exact {

constexpr double SCREEN_REL = 0x1p-50;
constexpr double SCREEN_ABS = 0x1p-1070;

inline double screen_bound(double cost, double u, double v) {
    return SCREEN_REL * (std::fabs(cost) + std::fabs(u) + std::fabs(v)) + SCREEN_ABS;
}

}  // namespace emdkit::exact
