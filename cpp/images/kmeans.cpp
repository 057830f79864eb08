#include "images/kmeans.hpp"

#include <algorithm>
#include <limits>

namespace emdkit::images {

namespace {

// |a - b|^2 over d coordinates, summed in coordinate order
double squared_distance(const double* a, const double* b, std::int64_t d) {
    double s = 0.0;
    for (std::int64_t c = 0; c < d; ++c) {
        const double t = a[c] - b[c];
        s += t * t;
    }
    return s;
}

}  // namespace

void lloyd_round(const Colours& colours, const double* centres, std::int64_t k,
                 std::int64_t* labels, double* sums, double* mass) {
    const std::int64_t d = colours.d;
    std::fill(sums, sums + k * d, 0.0);
    std::fill(mass, mass + k, 0.0);
    for (std::int64_t i = 0; i < colours.n; ++i) {
        const double* xi = colours.x + i * d;
        double best = std::numeric_limits<double>::infinity();
        std::int64_t best_j = 0;
        for (std::int64_t j = 0; j < k; ++j) {
            const double s = squared_distance(xi, centres + j * d, d);
            if (s < best) {
                best = s;
                best_j = j;
            }
        }
        labels[i] = best_j;
        const double wi = colours.w[i];
        mass[best_j] += wi;
        double* sum = sums + best_j * d;
        for (std::int64_t c = 0; c < d; ++c) sum[c] += wi * xi[c];
    }
}

void update_nearest(const Colours& colours, const double* centre, double* nearest) {
    for (std::int64_t i = 0; i < colours.n; ++i) {
        const double s = squared_distance(colours.x + i * colours.d, centre, colours.d);
        if (s < nearest[i]) nearest[i] = s;
    }
}

}  // namespace emdkit::images
