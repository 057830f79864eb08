#include "pointcloud/kdtree_pricing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "common/errors.hpp"
#include "common/float_rounding.hpp"
#include "common/parallel_for.hpp"
#include "common/topk.hpp"
#include "costs/ground_cost.hpp"

namespace emdkit {

namespace {

constexpr double INF = std::numeric_limits<double>::infinity();

inline std::size_t index(std::int64_t i) { return static_cast<std::size_t>(i); }

inline bool is_leaf(const KDTreeLayout& tree, std::size_t k) { return tree.left[k] < 0; }

// Depth-first walk in kdtree.py's order: pop a node, push left then right (right is seen
// first). skip(k) prunes a node; visit_leaf(k) scans one.
template <typename Skip, typename VisitLeaf>
void walk(const KDTreeLayout& tree, std::vector<std::int64_t>& stack, Skip&& skip,
          VisitLeaf&& visit_leaf) {
    std::size_t size = 1;
    stack[0] = 0;
    while (size > 0) {
        const std::size_t k = index(stack[--size]);
        if (skip(k)) continue;
        if (is_leaf(tree, k)) {
            visit_leaf(k);
        } else {
            stack[size++] = tree.left[k];
            stack[size++] = tree.right[k];
        }
    }
}

// Per-thread scratch of the pricing sweep: the row's top-k buffer and the walk's stack.
struct RowScratch {
    std::vector<double> vals;
    std::vector<std::int64_t> idx;
    std::vector<std::int64_t> stack;
};

template <Metric M>
void price_one_row(const KDTreeLayout& tree, const PricingSweep& s, std::size_t i,
                   RowScratch& scratch) {
    const std::size_t dim = tree.dim;
    const std::size_t cap = s.cap;
    const double* x = s.X + i * dim;
    const double pi_i = s.pi_rows[i];
    double* vals = scratch.vals.data();
    std::int64_t* idx = scratch.idx.data();
    std::fill(scratch.vals.begin(), scratch.vals.end(), 0.0);  // only negative costs enter
    std::fill(scratch.idx.begin(), scratch.idx.end(), std::int64_t{-1});
    // the reduced cost in a node is at least box cost + π_i − max π
    auto skip = [&](std::size_t k) {
        return box_cost<M>(x, tree.lo + k * dim, tree.hi + k * dim, dim) + pi_i - s.node_max[k] >=
               vals[cap - 1];
    };
    auto visit_leaf = [&](std::size_t k) {
        for (std::size_t t = index(tree.start[k]); t < index(tree.end[k]); ++t) {
            const double pj = s.pi_sorted[t];
            const double c = point_cost<M>(x, tree.points + t * dim, dim);
            const double rc = c + pi_i - pj;
            const double scale = std::max(std::max(std::fabs(c), std::fabs(pi_i)), std::fabs(pj));
            if (rc < vals[cap - 1] && rc < -s.eps * scale) {
                push_smallest(vals, idx, cap, rc, tree.perm[t]);
            }
        }
    };
    walk(tree, scratch.stack, skip, visit_leaf);
    s.out_count[i] = emit_row(idx, cap, s.out_cols + i * s.out_stride);
}

template <Metric M>
double min_shifted_one(const KDTreeLayout& tree, const double* q, const double* shift_sorted,
                       const double* node_min, std::vector<std::int64_t>& stack) {
    const std::size_t dim = tree.dim;
    double best = INF;
    auto skip = [&](std::size_t k) {
        return box_cost<M>(q, tree.lo + k * dim, tree.hi + k * dim, dim) + node_min[k] > best;
    };
    auto visit_leaf = [&](std::size_t k) {
        for (std::size_t t = index(tree.start[k]); t < index(tree.end[k]); ++t) {
            const double c = point_cost<M>(q, tree.points + t * dim, dim);
            if (c + shift_sorted[t] <= best) {  // cheap screen; the exact floor for candidates
                const double d = floor_difference(c, -shift_sorted[t]);
                if (d < best) best = d;
            }
        }
    };
    walk(tree, stack, skip, visit_leaf);
    return best;
}

}  // namespace

void check_layout([[maybe_unused]] const KDTreeLayout& tree) {
#ifdef EMDKIT_CHECK_INVARIANTS
    std::vector<int> parents(tree.n_nodes, 0);
    for (std::size_t k = 0; k < tree.n_nodes; ++k) {
        EMDKIT_INVARIANT(0 <= tree.start[k] && tree.start[k] <= tree.end[k] &&
                             index(tree.end[k]) <= tree.n_points,
                         "a k-d tree node's point range lies within the points");
        if (is_leaf(tree, k)) continue;
        for (const std::int64_t child : {tree.left[k], tree.right[k]}) {
            EMDKIT_INVARIANT(child > static_cast<std::int64_t>(k) && index(child) < tree.n_nodes,
                             "a k-d tree node's children come after it");
            EMDKIT_INVARIANT(++parents[index(child)] == 1, "a k-d tree node has one parent");
        }
    }
#endif
}

void node_max_potential(const KDTreeLayout& tree, const double* values_sorted, double* node_max) {
    for (std::size_t k = tree.n_nodes; k-- > 0;) {
        if (is_leaf(tree, k)) {
            double best = -INF;
            for (std::size_t t = index(tree.start[k]); t < index(tree.end[k]); ++t) {
                best = std::max(best, values_sorted[t]);
            }
            node_max[k] = best;
        } else {
            node_max[k] = std::max(node_max[index(tree.left[k])], node_max[index(tree.right[k])]);
        }
    }
}

void price_rows(const KDTreeLayout& tree, const PricingSweep& sweep, std::size_t n_threads) {
    if (tree.n_nodes == 0 || sweep.cap == 0) return;
    with_metric(sweep.metric_code, [&](auto tag) {
        constexpr Metric M = decltype(tag)::value;
        std::vector<RowScratch> scratch(std::max<std::size_t>(n_threads, 1));
        for (RowScratch& s : scratch) {
            s.vals.resize(sweep.cap);
            s.idx.resize(sweep.cap);
            s.stack.resize(tree.n_nodes + 1);
        }
        parallel_for_rows(sweep.n_rows, n_threads,
                          [&](std::size_t worker, std::size_t begin, std::size_t end) {
                              for (std::size_t i = begin; i < end; ++i) {
                                  price_one_row<M>(tree, sweep, i, scratch[worker]);
                              }
                          });
    });
}

void min_shifted_cost(const KDTreeLayout& tree, const double* Q, std::size_t n_queries,
                      const double* shift_sorted, const double* node_min, long long metric_code,
                      double* out, std::size_t n_threads) {
    if (tree.n_nodes == 0) {
        std::fill(out, out + n_queries, INF);
        return;
    }
    with_metric(metric_code, [&](auto tag) {
        constexpr Metric M = decltype(tag)::value;
        std::vector<std::vector<std::int64_t>> stacks(std::max<std::size_t>(n_threads, 1),
                                                      std::vector<std::int64_t>(tree.n_nodes + 1));
        parallel_for_rows(n_queries, n_threads,
                          [&](std::size_t worker, std::size_t begin, std::size_t end) {
                              for (std::size_t q = begin; q < end; ++q) {
                                  out[q] = min_shifted_one<M>(tree, Q + q * tree.dim,
                                                              shift_sorted, node_min,
                                                              stacks[worker]);
                              }
                          });
    });
}

}  // namespace emdkit
