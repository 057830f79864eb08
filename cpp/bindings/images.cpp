// emdkit.images' k-means passes (cpp/images/kmeans.hpp), with the signatures of the Numba
// kernels in src/emdkit/images/_kmeans.py. Outputs are written in place and never converted
// (a wrong dtype or layout is a TypeError, not a silent copy).
#include <cstdint>

#include "bindings/arrays.hpp"
#include "bindings/parts.hpp"
#include "images/kmeans.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace emdkit {

namespace {

images::Colours colours_of(const CpuArray<const double, 2>& x, const CpuArray<const double, 1>* w) {
    if (w != nullptr && w->shape(0) != x.shape(0))
        throw nb::value_error("w must have one weight per colour (row of x)");
    return images::Colours{x.data(), w == nullptr ? nullptr : w->data(),
                           static_cast<std::int64_t>(x.shape(0)),
                           static_cast<std::int64_t>(x.shape(1))};
}

void lloyd_round(CpuArray<const double, 2> x, CpuArray<const double, 1> w,
                 CpuArray<const double, 2> centres, CpuArray<std::int64_t, 1> labels,
                 CpuArray<double, 2> sums, CpuArray<double, 1> mass) {
    const images::Colours colours = colours_of(x, &w);
    const std::size_t k = centres.shape(0);
    if (centres.shape(1) != x.shape(1) || sums.shape(0) != k || sums.shape(1) != x.shape(1) ||
        mass.shape(0) != k)
        throw nb::value_error("centres and sums must be (k, d) and mass (k,) for x of (n, d)");
    if (labels.shape(0) != x.shape(0))
        throw nb::value_error("labels must have one entry per colour (row of x)");
    if (k == 0 && x.shape(0) > 0) throw nb::value_error("k-means needs at least one centre");
    nb::gil_scoped_release released;
    images::lloyd_round(colours, centres.data(), static_cast<std::int64_t>(k), labels.data(),
                        sums.data(), mass.data());
}

void update_nearest(CpuArray<const double, 2> x, CpuArray<const double, 1> centre,
                    CpuArray<double, 1> nearest) {
    const images::Colours colours = colours_of(x, nullptr);
    if (centre.shape(0) != x.shape(1)) throw nb::value_error("centre must be (d,) for x of (n, d)");
    if (nearest.shape(0) != x.shape(0))
        throw nb::value_error("nearest must have one entry per colour (row of x)");
    nb::gil_scoped_release released;
    images::update_nearest(colours, centre.data(), nearest.data());
}

}  // namespace

void bind_images(nb::module_& m) {
    m.def("kmeans_lloyd_round", &lloyd_round, "x"_a, "w"_a, "centres"_a,
          "labels"_a.noconvert(), "sums"_a.noconvert(), "mass"_a.noconvert(),
          "One Lloyd round: nearest centre of every colour, weighted sums and masses.");
    m.def("kmeans_update_nearest", &update_nearest, "x"_a, "centre"_a, "nearest"_a.noconvert(),
          "One k-means++ step: nearest[i] = min(nearest[i], |x_i - centre|^2).");
}

}  // namespace emdkit
