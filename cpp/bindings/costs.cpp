// Ground costs for Python: point_cost, box_cost, line_cost and cost_matrix with the signatures
// of emdkit/core/cost_kernels.py, and METRIC_CODES (checked against the registry by the tests).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>

#include <cstddef>
#include <string>

#include "bindings/arrays.hpp"
#include "bindings/parts.hpp"
#include "costs/cost_matrix.hpp"
#include "costs/ground_cost.hpp"

namespace nb = nanobind;

namespace emdkit {

using Vector = nb::ndarray<const double, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

namespace {

void require_dim(const Vector& v, std::size_t dim, const char* name) {
    if (v.shape(0) < dim) {
        throw nb::value_error((std::string(name) + " has fewer coordinates than x").c_str());
    }
}

}  // namespace

void bind_costs(nb::module_& m) {
    nb::dict codes;
    codes["euclidean"] = static_cast<int>(Metric::euclidean);
    codes["sqeuclidean"] = static_cast<int>(Metric::sqeuclidean);
    codes["cityblock"] = static_cast<int>(Metric::cityblock);
    codes["chebyshev"] = static_cast<int>(Metric::chebyshev);
    m.attr("METRIC_CODES") = codes;

    m.def(
        "point_cost",
        [](Vector x, Vector y, long long code) {
            require_dim(y, x.shape(0), "y");
            return point_cost(x.data(), y.data(), x.shape(0), code);
        },
        nb::arg("x"), nb::arg("y"), nb::arg("code"), "d(x, y) for the metric with this code.");
    m.def(
        "box_cost",
        [](Vector x, Vector lo, Vector hi, long long code) {
            require_dim(lo, x.shape(0), "lo");
            require_dim(hi, x.shape(0), "hi");
            return box_cost(x.data(), lo.data(), hi.data(), x.shape(0), code);
        },
        nb::arg("x"), nb::arg("lo"), nb::arg("hi"), nb::arg("code"),
        "The least d(x, y) over y in the box [lo, hi].");
    m.def(
        "cost_matrix",
        [](InArray<double, 2> X, InArray<double, 2> Y, long long code, OutArray<double, 2> out) {
            require(X.shape(1) == Y.shape(1), "X and Y must have the same number of coordinates");
            require(out.shape(0) == X.shape(0) && out.shape(1) == Y.shape(0),
                    "out must be (rows of X, rows of Y)");
            nb::gil_scoped_release unlocked;
            cost_matrix(X.data(), Y.data(), X.shape(0), Y.shape(0), X.shape(1), code, out.data());
        },
        nb::arg("X"), nb::arg("Y"), nb::arg("code"), nb::arg("out").noconvert(),
        "out[i, j] = d(X[i], Y[j]) for the metric with this code (out from np.empty: a\n"
        "zero-filled buffer of our own cost a pass over the matrix more than cdist).");
    m.def(
        "line_cost", [](double t, long long code) { return line_cost(t, code); }, nb::arg("t"),
        nb::arg("code"), "d on the line for a difference t = x - y.");
}

}  // namespace emdkit
