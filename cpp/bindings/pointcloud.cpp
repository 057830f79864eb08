// The matrix-free point-cloud kernels for Python, with the signatures of
// emdkit/core/kdtree.py and pointcloud.py (price_rows takes the thread count explicitly).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bindings/arrays.hpp"
#include "bindings/kdtree_layout.hpp"
#include "bindings/parts.hpp"
#include "pointcloud/kdtree_pricing.hpp"
#include "pointcloud/knn.hpp"
#include "pointcloud/pair_costs.hpp"

namespace emdkit {

namespace {

using Points = InArray<double, 2>;
using Values = InArray<double, 1>;
using Indices = InArray<std::int64_t, 1>;

// The tree's arrays as KDTree lays them out, without the permutation.
KDTreeLayout tree_layout(const Points& pts, const Indices& start, const Indices& end,
                         const Indices& left, const Indices& right, const Points& lo,
                         const Points& hi) {
    return kdtree_layout("", pts, nullptr, start, end, left, right, lo, hi);
}

CloudPair clouds_of(const Points& X, const Points& Y) {
    require(X.shape(1) == Y.shape(1), "X and Y must have the same number of coordinates");
    return {X.data(), Y.data(), X.shape(0), Y.shape(0), X.shape(1)};
}

void bind_tree_kernels(nb::module_& m) {
    m.def(
        "node_max_potential",
        [](Indices start, Indices end, Indices left, Indices right, Values values_sorted,
           OutArray<double, 1> node_max) {
            const std::size_t n_nodes = start.shape(0);
            require(end.shape(0) == n_nodes && left.shape(0) == n_nodes &&
                        right.shape(0) == n_nodes && node_max.shape(0) == n_nodes,
                    "start, end, left, right and node_max must have one entry per node");
            const KDTreeLayout tree{nullptr,      nullptr,     start.data(), end.data(),
                                    left.data(),  right.data(), nullptr,     nullptr,
                                    values_sorted.shape(0), n_nodes, 0};
            check_layout(tree);
            nb::gil_scoped_release unlocked;
            node_max_potential(tree, values_sorted.data(), node_max.data());
        },
        nb::arg("start"), nb::arg("end"), nb::arg("left"), nb::arg("right"),
        nb::arg("values_sorted"), nb::arg("node_max").noconvert(),
        "node_max[k] = the largest of values_sorted under node k (in place).");
    m.def(
        "price_rows",
        [](Points X, Values pi_rows, Points pts, Values pi_sorted, Indices perm, Indices start,
           Indices end, Indices left, Indices right, Points lo, Points hi, Values node_max,
           long long code, double eps, std::size_t cap, OutArray<std::int64_t, 2> out_cols,
           OutArray<std::int64_t, 1> out_count, std::size_t n_threads) {
            KDTreeLayout tree = tree_layout(pts, start, end, left, right, lo, hi);
            tree.perm = perm.data();
            const std::size_t n_rows = X.shape(0);
            require(X.shape(1) == tree.dim, "X and pts must have the same number of coordinates");
            require(pi_rows.shape(0) >= n_rows, "pi_rows must have a potential per row of X");
            require(pi_sorted.shape(0) == tree.n_points && perm.shape(0) == tree.n_points,
                    "pi_sorted and perm must have one entry per tree point");
            require(node_max.shape(0) == tree.n_nodes, "node_max must have one entry per node");
            require(cap >= 1 && out_cols.shape(0) == n_rows && out_cols.shape(1) >= cap &&
                        out_count.shape(0) == n_rows,
                    "out_cols must be (rows, >= cap) and out_count (rows,), with cap >= 1");
            const PricingSweep sweep{X.data(),     pi_rows.data(),  pi_sorted.data(),
                                     node_max.data(), n_rows,       code,
                                     eps,          cap,             out_cols.data(),
                                     out_cols.shape(1), out_count.data()};
            nb::gil_scoped_release unlocked;
            price_rows(tree, sweep, n_threads);
        },
        nb::arg("X"), nb::arg("pi_rows"), nb::arg("pts"), nb::arg("pi_sorted"), nb::arg("perm"),
        nb::arg("start"), nb::arg("end"), nb::arg("left"), nb::arg("right"), nb::arg("lo"),
        nb::arg("hi"), nb::arg("node_max"), nb::arg("code"), nb::arg("eps"), nb::arg("cap"),
        nb::arg("out_cols").noconvert(), nb::arg("out_count").noconvert(),
        nb::arg("n_threads") = 1,
        "Per row i, up to cap columns j (original numbering) with the most negative\n"
        "c(x_i, y_j) + pi_rows[i] - pi_j below -eps*scale, on n_threads threads.");
    m.def(
        "min_shifted_cost",
        [](Points Q, Points pts, Values shift_sorted, Indices start, Indices end, Indices left,
           Indices right, Points lo, Points hi, Values node_min, long long code,
           std::size_t n_threads) {
            const KDTreeLayout tree = tree_layout(pts, start, end, left, right, lo, hi);
            require(Q.shape(1) == tree.dim, "Q and pts must have the same number of coordinates");
            require(shift_sorted.shape(0) == tree.n_points,
                    "shift_sorted must have one entry per tree point");
            require(node_min.shape(0) == tree.n_nodes, "node_min must have one entry per node");
            std::vector<double> out(Q.shape(0));
            {
                nb::gil_scoped_release unlocked;
                min_shifted_cost(tree, Q.data(), Q.shape(0), shift_sorted.data(), node_min.data(),
                                 code, out.data(), n_threads);
            }
            return to_numpy(std::move(out));
        },
        nb::arg("Q"), nb::arg("pts"), nb::arg("shift_sorted"), nb::arg("start"), nb::arg("end"),
        nb::arg("left"), nb::arg("right"), nb::arg("lo"), nb::arg("hi"), nb::arg("node_min"),
        nb::arg("code"), nb::arg("n_threads") = 1,
        "For each query q: min over tree points p of floor(c(q, p) + shift_p), rounded down.");
}

void bind_pair_kernels(nb::module_& m) {
    m.def(
        "pair_costs",
        [](Points X, Points Y, Indices ii, Indices jj, long long code) {
            const CloudPair clouds = clouds_of(X, Y);
            require(jj.shape(0) == ii.shape(0), "ii and jj must have the same length");
            require_indices(ii, clouds.m, "ii");
            require_indices(jj, clouds.n, "jj");
            std::vector<double> out(ii.shape(0));
            {
                nb::gil_scoped_release unlocked;
                pair_costs(clouds, ii.data(), jj.data(), ii.shape(0), code, out.data());
            }
            return to_numpy(std::move(out));
        },
        nb::arg("X"), nb::arg("Y"), nb::arg("ii"), nb::arg("jj"), nb::arg("code"),
        "out[k] = d(X[ii[k]], Y[jj[k]]).");
    m.def(
        "support_work",
        [](Points X, Points Y, Indices sup_r, Indices sup_c, Values sup_f, long long code) {
            const CloudPair clouds = clouds_of(X, Y);
            require(sup_c.shape(0) == sup_r.shape(0) && sup_f.shape(0) == sup_r.shape(0),
                    "sup_r, sup_c and sup_f must have the same length");
            const std::int64_t* rows = sup_r.data();
            const std::int64_t* cols = sup_c.data();
            for (std::size_t k = 0; k < sup_r.shape(0); ++k) {
                require(rows[k] >= 0 && cols[k] >= 0, "sup_r and sup_c must be >= 0");
            }
            nb::gil_scoped_release unlocked;
            return support_work(clouds, sup_r.data(), sup_c.data(), sup_f.data(),
                                sup_r.shape(0), code);
        },
        nb::arg("X"), nb::arg("Y"), nb::arg("sup_r"), nb::arg("sup_c"), nb::arg("sup_f"),
        nb::arg("code"),
        "Sum of f*c over the real arcs of a row-major support, left to right.");
}

void bind_knn(nb::module_& m) {
    m.def(
        "nearest_neighbours",
        [](Points Q, Points pts, Indices perm, Indices start, Indices end, Indices left,
           Indices right, Points lo, Points hi, std::size_t k, std::size_t n_threads) {
            KDTreeLayout tree = tree_layout(pts, start, end, left, right, lo, hi);
            tree.perm = perm.data();
            require(Q.shape(1) == tree.dim, "Q and pts must have the same number of coordinates");
            require(perm.shape(0) == tree.n_points, "perm must have one entry per tree point");
            require(k >= 1 && k <= tree.n_points && tree.n_nodes > 0,
                    "k must be between 1 and the number of tree points");
            std::vector<std::int64_t> out(Q.shape(0) * k);
            {
                nb::gil_scoped_release unlocked;
                nearest_neighbours(tree, Q.data(), Q.shape(0), k, out.data(), n_threads);
            }
            return to_numpy(std::move(out), Q.shape(0), k);
        },
        nb::arg("Q"), nb::arg("pts"), nb::arg("perm"), nb::arg("start"), nb::arg("end"),
        nb::arg("left"), nb::arg("right"), nb::arg("lo"), nb::arg("hi"), nb::arg("k"),
        nb::arg("n_threads") = 1,
        "(n_queries, k) original indices of the k tree points nearest to each query\n"
        "(squared Euclidean ranking, nearest first), on n_threads threads.");
}

}  // namespace

void bind_pointcloud(nb::module_& m) {
    bind_tree_kernels(m);
    bind_pair_kernels(m);
    bind_knn(m);
}

}  // namespace emdkit
