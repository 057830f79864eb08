#include "pointcloud/knn.hpp"

#include <algorithm>
#include <limits>
#include <vector>

#include "common/errors.hpp"
#include "common/parallel_for.hpp"
#include "common/topk.hpp"
#include "costs/ground_cost.hpp"

namespace emdkit {

namespace {

constexpr Metric RANKING = Metric::sqeuclidean;  // cKDTree's p = 2 ranks by the squared distance

// A node waiting on the walk's stack, with the least squared distance from the query to its box.
struct PendingNode {
    std::int64_t node;
    double bound;
};

// Per-thread scratch: the query's k best so far (ascending) and the walk's stack.
struct QueryScratch {
    std::vector<double> dist;
    std::vector<std::int64_t> idx;
    std::vector<PendingNode> stack;
};

inline std::size_t index(std::int64_t i) { return static_cast<std::size_t>(i); }

double node_bound(const KDTreeLayout& tree, const double* q, std::int64_t node) {
    const std::size_t at = index(node) * tree.dim;
    return box_cost<RANKING>(q, tree.lo + at, tree.hi + at, tree.dim);
}

// Depth first, the nearer child first (it is pushed last); a node whose box is no nearer than
// the current k-th neighbour cannot improve the row and is skipped.
void query_one(const KDTreeLayout& tree, const double* q, std::size_t k, QueryScratch& s,
               std::int64_t* out_row) {
    const std::size_t dim = tree.dim;
    std::fill(s.dist.begin(), s.dist.end(), std::numeric_limits<double>::infinity());
    std::fill(s.idx.begin(), s.idx.end(), std::int64_t{-1});
    std::size_t size = 0;
    s.stack[size++] = {0, node_bound(tree, q, 0)};
    while (size > 0) {
        const PendingNode top = s.stack[--size];
        if (top.bound >= s.dist[k - 1]) continue;
        const std::size_t node = index(top.node);
        if (tree.left[node] < 0) {
            for (std::size_t t = index(tree.start[node]); t < index(tree.end[node]); ++t) {
                const double d = point_cost<RANKING>(q, tree.points + t * dim, dim);
                push_smallest(s.dist.data(), s.idx.data(), k, d, tree.perm[t]);
            }
            continue;
        }
        PendingNode near{tree.left[node], node_bound(tree, q, tree.left[node])};
        PendingNode far{tree.right[node], node_bound(tree, q, tree.right[node])};
        if (far.bound < near.bound) std::swap(near, far);
        s.stack[size++] = far;
        s.stack[size++] = near;
    }
    for (std::size_t t = 0; t < k; ++t) {
        EMDKIT_INVARIANT(s.idx[t] >= 0, "every query finds k neighbours among >= k points");
        out_row[t] = s.idx[t];
    }
}

}  // namespace

void nearest_neighbours(const KDTreeLayout& tree, const double* Q, std::size_t n_queries,
                        std::size_t k, std::int64_t* out, std::size_t n_threads) {
    if (n_queries == 0) return;
    EMDKIT_INVARIANT(k >= 1 && k <= tree.n_points && tree.n_nodes > 0,
                     "a k-nearest-neighbour query asks for 1 <= k <= the tree's points");
    std::vector<QueryScratch> scratch(std::max<std::size_t>(n_threads, 1));
    for (QueryScratch& s : scratch) {
        s.dist.resize(k);
        s.idx.resize(k);
        s.stack.resize(tree.n_nodes + 1);
    }
    parallel_for_rows(n_queries, n_threads,
                      [&](std::size_t worker, std::size_t begin, std::size_t end) {
                          for (std::size_t q = begin; q < end; ++q) {
                              query_one(tree, Q + q * tree.dim, k, scratch[worker], out + q * k);
                          }
                      });
}

}  // namespace emdkit
