// Transport on the line for Python, with the signatures of emdkit/core/one_d.py's kernels.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/tuple.h>

#include <cstddef>
#include <cstdint>
#include <tuple>
#include <vector>

#include "bindings/arrays.hpp"
#include "bindings/parts.hpp"
#include "one_d/exact_line.hpp"
#include "one_d/monotone.hpp"

namespace emdkit {

using Values = InArray<double, 1>;
using Indices = InArray<std::int64_t, 1>;

void bind_one_d(nb::module_& m) {
    m.def(
        "quantile_wp",
        [](Values u_sorted, Values u_cdf, Values v_sorted, Values v_cdf, double p) {
            require(u_cdf.shape(0) == u_sorted.shape(0) && v_cdf.shape(0) == v_sorted.shape(0),
                    "each CDF must have one entry per atom");
            const StepCdf u{u_sorted.data(), u_cdf.data(), u_sorted.shape(0)};
            const StepCdf v{v_sorted.data(), v_cdf.data(), v_sorted.shape(0)};
            nb::gil_scoped_release unlocked;
            return quantile_wp(u, v, p);
        },
        nb::arg("u_sorted"), nb::arg("u_cdf"), nb::arg("v_sorted"), nb::arg("v_cdf"),
        nb::arg("p"), "Integral over (0, 1) of |F^-1(t) - G^-1(t)|^p for step CDFs.");
    m.def(
        "staircase",
        [](Values x, Values wx, Values y, Values wy, long long code) {
            const std::size_t rows_m = x.shape(0);
            const std::size_t cols_n = y.shape(0);
            require(rows_m > 0 && cols_n > 0, "x and y must not be empty");
            require(wx.shape(0) == rows_m && wy.shape(0) == cols_n,
                    "wx and wy must have one weight per point");
            const std::size_t n_cells = rows_m + cols_n - 1;
            std::vector<std::int64_t> rows(n_cells), cols(n_cells);
            std::vector<double> flows(n_cells), u(rows_m), v(cols_n);
            {
                nb::gil_scoped_release unlocked;
                staircase(x.data(), wx.data(), rows_m, y.data(), wy.data(), cols_n, code,
                          {rows.data(), cols.data(), flows.data(), u.data(), v.data()});
            }
            return std::make_tuple(to_numpy(std::move(rows)), to_numpy(std::move(cols)),
                                   to_numpy(std::move(flows)), to_numpy(std::move(u)),
                                   to_numpy(std::move(v)));
        },
        nb::arg("x"), nb::arg("wx"), nb::arg("y"), nb::arg("wy"), nb::arg("code"),
        "North-west corner on sorted points: (rows, cols, flows, u, v) of the monotone\n"
        "coupling's staircase basis.");
    m.def(
        "exact_staircase",
        [](Values x, Values wx, Values y, Values wy, long long code,
           long weight_exp) -> nb::object {
            const std::size_t rows_m = x.shape(0);
            const std::size_t cols_n = y.shape(0);
            require(rows_m > 0 && cols_n > 0, "x and y must not be empty");
            require(wx.shape(0) == rows_m && wy.shape(0) == cols_n,
                    "wx and wy must have one weight per point");
            ExactStaircase out;
            {
                nb::gil_scoped_release unlocked;
                out = exact_staircase(x.data(), wx.data(), rows_m, y.data(), wy.data(), cols_n,
                                      code, weight_exp);
            }
            if (!out.balanced) return nb::none();
            return nb::make_tuple(to_numpy(std::move(out.rows)), to_numpy(std::move(out.cols)),
                                  to_numpy(std::move(out.flows)), to_numpy(std::move(out.u)),
                                  to_numpy(std::move(out.v)), out.distance, out.work,
                                  out.weight_limbs, out.point_limbs);
        },
        nb::arg("x"), nb::arg("wx"), nb::arg("y"), nb::arg("wy"), nb::arg("code"),
        nb::arg("weight_exp"),
        "The sorted coupling in exact arithmetic: None when the exact totals differ, else\n"
        "(rows, cols, flows, u, v, distance, work, weight_limbs, point_limbs), the distance\n"
        "and the work (times 2**weight_exp) the exact ones correctly rounded.");
    m.def(
        "line_work",
        [](Values x, Values y, Indices sup_r, Indices sup_c, Values sup_f, long long code) {
            const std::size_t n_arcs = sup_r.shape(0);
            require(sup_c.shape(0) == n_arcs && sup_f.shape(0) == n_arcs,
                    "sup_r, sup_c and sup_f must have the same length");
            require_indices(sup_r, x.shape(0), "sup_r");
            require_indices(sup_c, y.shape(0), "sup_c");
            nb::gil_scoped_release unlocked;
            return line_work(x.data(), y.data(), sup_r.data(), sup_c.data(), sup_f.data(),
                             n_arcs, code);
        },
        nb::arg("x"), nb::arg("y"), nb::arg("sup_r"), nb::arg("sup_c"), nb::arg("sup_f"),
        nb::arg("code"), "Sum of f*d(x[r] - y[c]) over a support on the line, left to right.");
}

}  // namespace emdkit
