// Exact pricing of every pair of two point clouds without the cost matrix: the sweep of
// sparse_exact.cpp's column generation.
//
// A reduced cost c − U − V (U, V exact potentials on an integer grid of unit 2^lsb, c the
// kernel's float64 cost) is first estimated in float64 from u, v = U, V correctly rounded; the
// estimate's error is within screen_bound (exact/screen.hpp, with its derivation), so beyond
// that bound the sign is certain and only the pairs within it are formed in integers. A k-d tree over the columns prunes a whole node the same way: its box
// cost B is at most every pair's float cost in it (rounding is monotone and box_cost sums in
// point_cost's order), its largest v is the rounding of the largest V, so B − u − max v beyond
// the bound proves every pair in the node positive.
#pragma once

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "common/parallel_for.hpp"
#include "common/topk.hpp"
#include "costs/ground_cost.hpp"
#include "exact/dyadic.hpp"
#include "exact/exact_tree.hpp"
#include "exact/screen.hpp"
#include "exact/sparse_exact.hpp"
#include "pointcloud/kdtree_pricing.hpp"

namespace emdkit::exact {

// The last place of x's exponent field (LONG_MAX for ±0): x is an integer times 2^it.
inline long field_lsb(double x) {
    if (x == 0.0) return LONG_MAX;
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    const int field = static_cast<int>((bits >> 52) & 0x7FF);
    constexpr int FIELD_BIAS = 1075;
    return (field > 1 ? field : 1) - FIELD_BIAS;
}

enum class Sign { nonnegative, negative, off_grid };

// The sign of cost − U − V; `score` estimates a negative one (for choosing among violators);
// off_grid when the cost is finer than the grid and the float bound could not decide.
// `checks` counts the pairs formed in integers.
template <class Num>
Sign reduced_cost_sign(double cost, double u, double v, const Num& U, const Num& V, long lsb,
                       double& score, std::int64_t& checks) {
    const double estimate = (cost - u) - v;
    const double bound = screen_bound(cost, u, v);
    if (estimate > bound) return Sign::nonnegative;
    if (estimate < -bound) {
        score = estimate;
        return Sign::negative;
    }
    if (!std::isfinite(cost)) return Sign::nonnegative;  // +inf against finite potentials
    if (field_lsb(cost) < lsb) return Sign::off_grid;
    ++checks;
    Num exact = from_parts<Num>(decompose(cost), lsb);
    exact -= U;
    exact -= V;
    if (!exact.is_negative()) return Sign::nonnegative;
    score = exact.to_double(lsb);
    return Sign::negative;
}

struct SweepResult {
    std::vector<std::pair<int, int>> violators;  // per row, the `cap` most negative, row-major
    std::vector<std::pair<int, int>> finer;      // undecided pairs off the cost grid
    std::int64_t exact_checks = 0;
};

namespace detail {

struct SweepScratch {
    std::vector<double> vals;
    std::vector<std::int64_t> idx, stack;
    std::vector<std::pair<int, int>> finer;
    std::int64_t checks = 0;
};

// Row i against every column: the walk of kdtree_pricing.cpp (pop a node, push left then
// right), pruning a node when its bound proves it positive.
template <class Num, Metric M>
void sweep_row(const CloudTransportInput& in, const std::vector<Num>& pot,
               const std::vector<double>& pot_float, const std::vector<double>& v_sorted,
               const std::vector<double>& node_max, int R, long lsb, std::size_t cap, int i,
               SweepScratch& s, std::int64_t* out_cols, std::int64_t& out_count) {
    const KDTreeLayout& tree = in.tree;
    const std::size_t dim = in.dim;
    const double* x = in.X + static_cast<std::size_t>(i) * dim;
    const double u = pot_float[i];
    std::fill(s.vals.begin(), s.vals.end(), 0.0);  // only negative reduced costs enter
    std::fill(s.idx.begin(), s.idx.end(), std::int64_t{-1});
    std::size_t size = 1;
    s.stack[0] = 0;
    while (size > 0) {
        const auto k = static_cast<std::size_t>(s.stack[--size]);
        const double box = box_cost<M>(x, tree.lo + k * dim, tree.hi + k * dim, dim);
        if ((box - u) - node_max[k] > screen_bound(box, u, node_max[k])) continue;
        if (tree.left[k] >= 0) {
            s.stack[size++] = tree.left[k];
            s.stack[size++] = tree.right[k];
            continue;
        }
        for (auto t = static_cast<std::size_t>(tree.start[k]); t < static_cast<std::size_t>(tree.end[k]); ++t) {
            const int j = static_cast<int>(tree.perm[t]);
            const double c = point_cost<M>(x, tree.points + t * dim, dim);
            double score = 0.0;
            const Sign sign = reduced_cost_sign<Num>(c, u, v_sorted[t], pot[i], pot[R + j], lsb,
                                                     score, s.checks);
            if (sign == Sign::off_grid) s.finer.emplace_back(i, j);
            if (sign == Sign::negative) push_smallest(s.vals.data(), s.idx.data(), cap, score, j);
        }
    }
    out_count = emit_row(s.idx.data(), cap, out_cols);
}

}  // namespace detail

// Every pair (i < m, j < n) priced against the potentials pot (rows 0..R−1, columns R..),
// on in.n_threads threads; the result does not depend on the thread count.
template <class Num>
SweepResult sweep_all_pairs(const CloudTransportInput& in, const std::vector<Num>& pot,
                            const std::vector<double>& pot_float, int R, long lsb,
                            std::size_t cap) {
    const KDTreeLayout& tree = in.tree;
    std::vector<double> v_sorted(tree.n_points), node_max(tree.n_nodes);
    for (std::size_t t = 0; t < tree.n_points; ++t)
        v_sorted[t] = pot_float[R + static_cast<std::size_t>(tree.perm[t])];
    node_max_potential(tree, v_sorted.data(), node_max.data());
    std::vector<std::int64_t> out_cols(in.m * cap), out_count(in.m, 0);
    const std::size_t workers = std::max<std::size_t>(in.n_threads, 1);
    std::vector<detail::SweepScratch> scratch(workers);
    for (detail::SweepScratch& s : scratch) {
        s.vals.resize(cap);
        s.idx.resize(cap);
        s.stack.resize(tree.n_nodes + 1);
    }
    with_metric(in.metric_code, [&](auto tag) {
        constexpr Metric M = decltype(tag)::value;
        parallel_for_rows(in.m, workers, [&](std::size_t w, std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i)
                detail::sweep_row<Num, M>(in, pot, pot_float, v_sorted, node_max, R, lsb, cap,
                                          static_cast<int>(i), scratch[w], out_cols.data() + i * cap,
                                          out_count[i]);
        });
    });
    SweepResult result;
    for (std::size_t i = 0; i < in.m; ++i)
        for (std::int64_t t = 0; t < out_count[i]; ++t)
            result.violators.emplace_back(static_cast<int>(i),
                                          static_cast<int>(out_cols[i * cap + static_cast<std::size_t>(t)]));
    for (detail::SweepScratch& s : scratch) {
        result.finer.insert(result.finer.end(), s.finer.begin(), s.finer.end());
        result.exact_checks += s.checks;
    }
    std::sort(result.finer.begin(), result.finer.end());  // as if found on one thread
    return result;
}

}  // namespace emdkit::exact
