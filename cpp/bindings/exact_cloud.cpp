// Binding of exact_cloud_transport: the exact optimum of a point-cloud problem by matrix-free
// column generation (cpp/exact/sparse_exact.hpp); called by emdkit.core.pointcloud.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>

#include <cstdint>
#include <optional>
#include <utility>

#include "bindings/arrays.hpp"
#include "bindings/exact_dict.hpp"
#include "bindings/kdtree_layout.hpp"
#include "bindings/parts.hpp"
#include "exact/sparse_exact.hpp"

namespace emdkit {

namespace {

using Points = InArray<double, 2>;
using Values = InArray<double, 1>;
using Indices = InArray<std::int64_t, 1>;

// The tree's arrays as emdkit.core.kdtree.KDTree lays them out (perm included).
KDTreeLayout column_tree(const Points& pts, const Indices& perm, const Indices& start,
                         const Indices& end, const Indices& left, const Indices& right,
                         const Points& lo, const Points& hi) {
    require(perm.shape(0) == pts.shape(0),
            "exact_cloud_transport: the tree's points and perm differ in length");
    return kdtree_layout("exact_cloud_transport: ", pts, perm.data(), start, end, left, right,
                         lo, hi);
}

nb::dict exact_cloud_transport(const Values& a, const Values& b, const Points& X,
                               const Points& Y, long long metric_code, const Points& tree_points,
                               const Indices& perm, const Indices& start, const Indices& end,
                               const Indices& left, const Indices& right, const Points& lo,
                               const Points& hi, const Indices& arc_rows, const Indices& arc_cols,
                               const Indices& hint, const std::optional<Values>& hint_u,
                               const std::optional<Values>& hint_v, long weight_exp,
                               std::int64_t max_pivots, int width, std::size_t violators_per_row,
                               std::size_t n_threads) {
    require(X.shape(0) == a.shape(0) && Y.shape(0) == b.shape(0) && X.shape(1) == Y.shape(1),
            "exact_cloud_transport: X and Y must be (len(a), d) and (len(b), d)");
    require(tree_points.shape(0) == Y.shape(0),
            "exact_cloud_transport: the tree must hold every point of Y");
    require(arc_rows.shape(0) == arc_cols.shape(0),
            "exact_cloud_transport: arc_rows and arc_cols differ in length");
    exact::CloudTransportInput in;
    set_marginals_input(in, "exact_cloud_transport", a, b, hint_u, hint_v, weight_exp,
                        max_pivots, width);
    require(violators_per_row >= 1, "exact_cloud_transport: violators_per_row must be >= 1");
    in.X = X.data();
    in.Y = Y.data();
    in.dim = X.shape(1);
    in.metric_code = metric_code;
    in.tree = column_tree(tree_points, perm, start, end, left, right, lo, hi);
    in.arc_rows = arc_rows.data();
    in.arc_cols = arc_cols.data();
    in.n_arcs = arc_rows.shape(0);
    in.hint = hint.data();
    in.n_hint = hint.shape(0);
    in.violators_per_row = violators_per_row;
    in.n_threads = n_threads;
    exact::CloudTransportOutput cloud;
    {
        nb::gil_scoped_release release;
        cloud = exact::solve_exact_cloud_transport(in);
    }
    nb::dict d = transport_dict(std::move(cloud.result));
    d["sweeps"] = cloud.sweeps;
    d["arcs_added"] = cloud.arcs_added;
    d["exact_checks"] = cloud.exact_checks;
    d["regrids"] = cloud.regrids;
    d["arcs"] = cloud.arcs;
    return d;
}

}  // namespace

void bind_exact_cloud(nanobind::module_& m) {
    m.def("exact_cloud_transport", &exact_cloud_transport, nb::arg("a"), nb::arg("b"),
          nb::arg("X"), nb::arg("Y"), nb::arg("metric_code"), nb::arg("tree_points"),
          nb::arg("perm"), nb::arg("start"), nb::arg("end"), nb::arg("left"), nb::arg("right"),
          nb::arg("lo"), nb::arg("hi"), nb::arg("arc_rows"), nb::arg("arc_cols"),
          nb::arg("hint"), nb::arg("hint_u") = nb::none(), nb::arg("hint_v") = nb::none(),
          nb::arg("weight_exp") = 0, nb::arg("max_pivots") = -1, nb::arg("width") = 0,
          nb::arg("violators_per_row") = 8, nb::arg("n_threads") = 1,
          "Exact optimum of the point-cloud transportation problem (a, b, X, Y, metric) by "
          "matrix-free column generation from a float basis, as a dict (exact_transport's keys "
          "plus sweeps, arcs_added, exact_checks, regrids, arcs); called by "
          "emdkit.core.pointcloud.");
}

}  // namespace emdkit
