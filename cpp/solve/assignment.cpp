#include "solve/assignment.hpp"

#include <limits>

namespace emdkit::solve {

namespace {

using Index = std::int64_t;
constexpr double INF = std::numeric_limits<double>::infinity();

// Scratch of one Dijkstra over columns on reduced costs.
struct Search {
    std::vector<Index> path, remaining;
    std::vector<double> dist;
    std::vector<char> seen_row, seen_col;
    explicit Search(Index n)
        : path(n, -1), remaining(n), dist(n), seen_row(n), seen_col(n) {}
};

// From row `start` to the first free column; returns the sink column (-1: none) and the
// distance to it in min_val.
Index shortest_path(const double* cost, Index n, Index start, const Assignment& a,
                    const std::vector<Index>& row_for_col, Search& s, double& min_val) {
    for (Index j = 0; j < n; ++j) {
        s.dist[j] = INF;
        s.remaining[j] = n - 1 - j;
        s.seen_row[j] = 0;
        s.seen_col[j] = 0;
    }
    Index n_remaining = n;
    min_val = 0.0;
    Index i = start;
    while (true) {
        s.seen_row[i] = 1;
        Index best = -1;
        double lowest = INF;
        for (Index k = 0; k < n_remaining; ++k) {
            const Index j = s.remaining[k];
            const double r = min_val + cost[i * n + j] - a.u[i] - a.v[j];
            if (r < s.dist[j]) {
                s.path[j] = i;
                s.dist[j] = r;
            }
            if (s.dist[j] < lowest || (s.dist[j] == lowest && row_for_col[j] < 0)) {
                lowest = s.dist[j];
                best = k;
            }
        }
        if (best < 0 || lowest == INF) return -1;
        min_val = lowest;
        const Index j = s.remaining[best];
        s.seen_col[j] = 1;
        s.remaining[best] = s.remaining[--n_remaining];
        if (row_for_col[j] < 0) return j;
        i = row_for_col[j];
    }
}

// Jonker-Volgenant's column reduction: v_j = min_i c_ij (u = 0), and each column is matched
// to the row of its minimum (the first, scanning rows in order) when that row is still free.
// Every reduced cost is then >= 0 and the matched pairs are tight, the invariant of the
// augmenting-path phase, which only has the rows left free to route.
void column_reduction(const double* cost, Index n, Assignment& a,
                      std::vector<Index>& row_for_col) {
    std::vector<Index> arg(static_cast<std::size_t>(n), 0);
    for (Index j = 0; j < n; ++j) a.v[j] = cost[j];
    for (Index i = 1; i < n; ++i) {
        const double* row = cost + i * n;
        for (Index j = 0; j < n; ++j) {
            if (row[j] < a.v[j]) {
                a.v[j] = row[j];
                arg[j] = i;
            }
        }
    }
    for (Index j = 0; j < n; ++j) {
        if (a.col_for_row[arg[j]] < 0) {
            a.col_for_row[arg[j]] = j;
            row_for_col[j] = arg[j];
        }
    }
}

}  // namespace

Assignment solve_assignment(const double* cost, Index n) {
    Assignment a{std::vector<Index>(n, -1), std::vector<double>(n, 0.0),
                 std::vector<double>(n, 0.0), 0};
    std::vector<Index> row_for_col(n, -1);
    column_reduction(cost, n, a, row_for_col);
    Search s(n);
    for (Index start = 0; start < n; ++start) {
        if (a.col_for_row[start] >= 0) continue;  // matched by the column reduction
        double min_val = 0.0;
        const Index sink = shortest_path(cost, n, start, a, row_for_col, s, min_val);
        if (sink < 0) {
            a.status = 1;
            return a;
        }
        // dual update keeps reduced costs >= 0 and makes the new path tight
        a.u[start] += min_val;
        for (Index r = 0; r < n; ++r)
            if (s.seen_row[r] && r != start) a.u[r] += min_val - s.dist[a.col_for_row[r]];
        for (Index j = 0; j < n; ++j)
            if (s.seen_col[j]) a.v[j] -= min_val - s.dist[j];
        // augment along the path back to `start`
        for (Index j = sink;;) {
            const Index r = s.path[j];
            row_for_col[j] = r;
            const Index next = a.col_for_row[r];
            a.col_for_row[r] = j;
            j = next;
            if (r == start) break;
        }
    }
    return a;
}

}  // namespace emdkit::solve
