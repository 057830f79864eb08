// The two passes of emdkit.images' count-weighted k-means (src/emdkit/images/_kmeans.py keeps
// the seeding, pooling and stopping rule in numpy): one Lloyd round, and one k-means++ step.
// Plain loops in the Numba kernels' order, so image signatures are the same bits on both
// engines.
#pragma once

#include <cstdint>

namespace emdkit::images {

// Colours x (n x d, row-major) with weights w (n), and k centres (k x d).
struct Colours {
    const double* x = nullptr;
    const double* w = nullptr;
    std::int64_t n = 0;
    std::int64_t d = 0;
};

// Assigns every colour to its nearest centre (squared distance, the first on ties) and
// accumulates the weighted sums (k x d) and masses (k) of each centre's colours.
void lloyd_round(const Colours& colours, const double* centres, std::int64_t k,
                 std::int64_t* labels, double* sums, double* mass);

// nearest[i] = min(nearest[i], |x_i - centre|^2): one k-means++ step (weights unused).
void update_nearest(const Colours& colours, const double* centre, double* nearest);

}  // namespace emdkit::images
