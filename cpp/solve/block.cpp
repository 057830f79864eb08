#include "solve/block.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

#include "certificate/certificate.hpp"
#include "common/errors.hpp"
#include "simplex/network_simplex.hpp"
#include "simplex/row_scan.hpp"
#include "simplex/start_basis.hpp"
#include "simplex/warm_start.hpp"
#include "solve/assignment.hpp"
#include "solve/exact_check.hpp"
#include "solve/problem.hpp"

namespace emdkit::solve {

namespace {

// The minimum block of the dense pricing in a small problem (half LEMON's sqrt rule, floored).
constexpr Index MIN_SMALL_BLOCK = 10;
constexpr double INF = std::numeric_limits<double>::infinity();

// Any feasible flow of the balanced block (used when every cost is equal).
BlockFlow north_west_corner(const std::vector<double>& supply, Index n_rows) {
    const auto n_cols = static_cast<Index>(supply.size()) - n_rows;
    BlockFlow out;
    Index r = 0, c = 0;
    double ra = supply[0];
    double rb = -supply[n_rows];
    while (r < n_rows && c < n_cols) {
        const double f = std::min(ra, rb);
        if (f > 0) {
            out.rows.push_back(r);
            out.cols.push_back(c);
            out.flows.push_back(f);
        }
        ra -= f;
        rb -= f;
        if (ra <= 0 && r + 1 < n_rows) {
            ra = supply[++r];
        } else if (rb <= 0 && c + 1 < n_cols) {
            ++c;
            rb = -supply[n_rows + c];
        } else {
            break;
        }
    }
    return out;
}

// Optimal duals when every real cost equals value (dummy arcs cost 0).
std::vector<double> constant_potentials(Index n_rows, Index n_cols, Index m, Index n, int kind,
                                        double value) {
    std::vector<double> pi(static_cast<std::size_t>(n_rows + n_cols), 0.0);
    if (kind == DUMMY_SOURCE) {  // v <= 0 on real columns: v = 0, u = value on real rows
        for (Index r = 0; r < m; ++r) pi[r] = -value;
    } else {                     // u = 0, v = value on real columns (dummy column keeps 0)
        for (Index c = 0; c < n; ++c) pi[n_rows + c] = value;
    }
    return pi;
}

// Scratch of the block simplex, kept on each thread from one problem to the next: a batch
// loop, or emd in a loop, allocates nothing once it has met its largest block, and a block of
// the shape before keeps its arcs' ends. Every arc is at the lower bound with zero flow
// between problems (clean), so only the last tree's arcs need resetting.
struct BlockWorkspace {
    simplex::Basis<double> basis{0, 0};
    Index n_rows = 0, n_cols = 0;  // the block whose real arcs' src and tgt are written
    bool clean = true;
};

// Blocks up to this many arcs keep their workspace on the thread (about 1 MB at
// ALL_ARCS_BELOW); a larger one (a constant-cost or direct call) gets its own and frees it.
constexpr Index KEPT_WORKSPACE_ARCS = 4 * ALL_ARCS_BELOW;

// The block's real arcs, row-major from arc n_rows + n_cols on: ends (unless the workspace
// holds this shape already) and costs, the dummy row or column at cost 0. Returns the largest
// finite cost (an inf arc is absent).
double write_block(BlockWorkspace& ws, Index n_rows, Index n_cols, const double* C, Index m,
                   Index n) {
    simplex::Basis<double>& b = ws.basis;
    const Index first_real = n_rows + n_cols;
    if (ws.n_rows != n_rows || ws.n_cols != n_cols) {
        for (Index i = 0, e = first_real; i < n_rows; ++i) {
            for (Index j = 0; j < n_cols; ++j, ++e) {
                b.src[e] = i;
                b.tgt[e] = n_rows + j;
            }
        }
        ws.n_rows = n_rows;
        ws.n_cols = n_cols;
    }
    double max_cost = 0.0;
    double* cost = b.cost.data() + first_real;
    for (Index i = 0; i < n_rows; ++i) {
        double* row = cost + i * n_cols;
        if (i < m) {
            for (Index j = 0; j < n; ++j) {
                const double c = C[i * n + j];
                row[j] = c;
                if (c < INF) max_cost = std::max(max_cost, c);
            }
            for (Index j = n; j < n_cols; ++j) row[j] = 0.0;
        } else {
            std::fill(row, row + n_cols, 0.0);
        }
    }
    return max_cost;
}

// The real tree arcs that carry flow, in arc (row-major) order: every other arc is at zero.
// Then the tree's arcs go back to the lower bound, leaving the workspace clean.
BlockFlow take_flow(BlockWorkspace& ws, Index n_nodes, Index n_cols) {
    simplex::Basis<double>& b = ws.basis;
    std::vector<Index> arcs;
    arcs.reserve(static_cast<std::size_t>(n_nodes));
    for (Index u = 0; u < n_nodes; ++u)
        if (b.pred[u] >= n_nodes && b.flow[b.pred[u]] > 0) arcs.push_back(b.pred[u]);
    std::sort(arcs.begin(), arcs.end());
    BlockFlow out;
    for (const Index e : arcs) {
        out.rows.push_back((e - n_nodes) / n_cols);
        out.cols.push_back((e - n_nodes) % n_cols);
        out.flows.push_back(b.flow[e]);
    }
    for (Index u = 0; u < n_nodes; ++u) {
        b.flow[b.pred[u]] = 0.0;
        b.state[b.pred[u]] = simplex::STATE_LOWER;
    }
    ws.clean = true;
    return out;
}

struct SimplexOutcome {
    Status status;
    Index pivots;
    BlockFlow flow;
    std::vector<double> pi;
};

// The warm start's arcs as arc indices of the dense block (pairs outside it are dropped).
std::vector<Index> block_arcs(const BlockWarmStart& warm, Index n_nodes, Index n_rows,
                              Index n_cols) {
    std::vector<Index> arcs;
    arcs.reserve(static_cast<std::size_t>(warm.count));
    for (Index k = 0; k < warm.count; ++k)
        if (warm.rows[k] >= 0 && warm.rows[k] < n_rows && warm.cols[k] >= 0 &&
            warm.cols[k] < n_cols)
            arcs.push_back(n_nodes + warm.rows[k] * n_cols + warm.cols[k]);
    return arcs;
}

// Network simplex over every arc of the balanced block, in workspace ws, from the greedy
// forest or a warm start.
SimplexOutcome solve_block_simplex(const std::vector<double>& supply, Index n_rows,
                                   const double* C, Index m, Index n, Index dummy_row,
                                   Index dummy_col, Index max_iter, const BlockWarmStart* warm,
                                   BlockWorkspace& ws) {
    using namespace simplex;
    const auto n_nodes = static_cast<Index>(supply.size());
    const Index n_cols = n_nodes - n_rows;
    const Index n_arcs = n_nodes + n_rows * n_cols;
    Basis<double>& b = ws.basis;
    b.reuse(n_nodes, n_arcs);
    if (!ws.clean) {  // an exception left a tree behind
        std::fill(b.flow.begin(), b.flow.end(), 0.0);
        std::fill(b.state.begin(), b.state.end(), STATE_LOWER);
    }
    ws.clean = false;
    const double max_cost = write_block(ws, n_rows, n_cols, C, m, n);
    const double art_cost = artificial_cost(max_cost, n_nodes);
    const DenseLayout layout{n_rows, n_cols};
    int phase = 1;
    if (warm != nullptr) {
        const std::vector<Index> arcs = block_arcs(*warm, n_nodes, n_rows, n_cols);
        const double* pi = warm->pi_count == n_nodes ? warm->pi : nullptr;
        phase = warm_start(b, supply.data(), n_nodes, n_arcs, art_cost,
                           WarmHint{arcs.data(), static_cast<Index>(arcs.size()), pi});
    } else {
        init_tree(b, supply.data(), n_nodes, art_cost);
        greedy_start(b, supply.data(), n_nodes, n_arcs, layout, dummy_row, dummy_col);
    }
    Index next_arc = n_nodes;
    const Index block = std::max(block_size_for(n_rows * n_cols) / 2, MIN_SMALL_BLOCK);
    const PhaseResult r = solve_phases(b, supply.data(), n_nodes, n_arcs, block, next_arc,
                                       max_iter, layout, phase);
    SimplexOutcome out{r.status, r.pivots, {}, std::vector<double>(b.pi.begin(),
                                                                   b.pi.begin() + n_nodes)};
    out.flow = take_flow(ws, n_nodes, n_cols);
    return out;
}

SimplexOutcome solve_block_simplex(const std::vector<double>& supply, Index n_rows,
                                   const double* C, Index m, Index n, Index dummy_row,
                                   Index dummy_col, Index max_iter, const BlockWarmStart* warm) {
    const auto n_nodes = static_cast<Index>(supply.size());
    const Index n_arcs = n_nodes + n_rows * (n_nodes - n_rows);
    if (n_arcs > KEPT_WORKSPACE_ARCS) {
        BlockWorkspace own;
        return solve_block_simplex(supply, n_rows, C, m, n, dummy_row, dummy_col, max_iter,
                                   warm, own);
    }
    thread_local BlockWorkspace kept;
    return solve_block_simplex(supply, n_rows, C, m, n, dummy_row, dummy_col, max_iter, warm,
                               kept);
}

bool is_uniform_square(const double* ar, Index m, const double* bc, Index n) {
    if (m != n) return false;
    const double w = ar[0];
    for (Index k = 0; k < m; ++k)
        if (ar[k] != w || bc[k] != w) return false;
    return true;
}

}  // namespace

double canonical_work(const Index* rows, const Index* cols, const double* flows, Index count,
                      const double* C, Index m, Index n) {
    double work = 0.0;
    for (Index k = 0; k < count; ++k)
        if (rows[k] < m && cols[k] < n) work += flows[k] * C[rows[k] * n + cols[k]];
    return work;
}

int small_route(const double* ar, Index m, const double* bc, Index n, int kind, double lo,
                double hi, bool shortcuts) {
    if (!shortcuts) return METHOD_BLOCK;
    if (lo == hi) return METHOD_CONSTANT;
    // inf costs (missing arcs): the simplex says which points cannot be served
    if (kind == DUMMY_NONE && m < ASSIGNMENT_BELOW && hi < INF &&
        is_uniform_square(ar, m, bc, n))
        return METHOD_ASSIGNMENT;
    return METHOD_BLOCK;
}

SmallResult solve_small(const double* ar, Index m, const double* bc, Index n, const double* C,
                        Index max_iter, bool shortcuts, const BlockWarmStart* warm,
                        const ExactScale* exact) {
    Layout layout = balanced_layout(ar, m, bc, n);
    const int kind = layout.kind;
    const Index n_rows = m + (kind == DUMMY_SOURCE);
    const auto n_cols = static_cast<Index>(layout.supply.size()) - n_rows;
    const Index dummy_row = kind == DUMMY_SOURCE ? m : -1;
    const Index dummy_col = kind == DUMMY_SINK ? n : -1;
    const simplex::Span range = simplex::span_of(C, m * n);
    const double lo = range.lo;
    const double hi = range.hi;
    SmallResult out{static_cast<int>(Status::optimal), METHOD_BLOCK, {}, {}, 0.0,
                    layout.total, kind, 0, std::numeric_limits<double>::infinity()};
    out.method = small_route(ar, m, bc, n, kind, lo, hi, shortcuts && warm == nullptr);
    if (out.method == METHOD_CONSTANT) {
        out.flow = north_west_corner(layout.supply, n_rows);
        out.pi = constant_potentials(n_rows, n_cols, m, n, kind, lo);
    } else if (out.method == METHOD_ASSIGNMENT) {
        Assignment a = solve_assignment(C, m);
        if (a.status != 0) out.status = static_cast<int>(Status::no_augmenting_path);
        out.flow.rows.resize(static_cast<std::size_t>(m));
        std::iota(out.flow.rows.begin(), out.flow.rows.end(), Index(0));
        out.flow.cols = std::move(a.col_for_row);
        out.flow.flows.assign(static_cast<std::size_t>(m), ar[0]);
        out.pi.resize(static_cast<std::size_t>(2 * m));
        for (Index k = 0; k < m; ++k) {
            out.pi[k] = -a.u[k];
            out.pi[m + k] = a.v[k];
        }
        out.pivots = m;
    } else {
        SimplexOutcome s = solve_block_simplex(layout.supply, n_rows, C, m, n, dummy_row,
                                               dummy_col, max_iter, warm);
        if (warm != nullptr) out.method = METHOD_WARM_START;
        out.status = static_cast<int>(s.status);
        out.pivots = s.pivots;
        out.flow = std::move(s.flow);
        out.pi = std::move(s.pi);
    }
    const auto count = static_cast<Index>(out.flow.rows.size());
    out.work = canonical_work(out.flow.rows.data(), out.flow.cols.data(), out.flow.flows.data(),
                              count, C, m, n);
    if (out.status == static_cast<int>(Status::optimal)) {
        const certificate::Certificate cert = certificate::certify(
            {C, m, n}, n_rows, layout.supply.data(), static_cast<Index>(layout.supply.size()),
            out.pi.data(), {out.flow.rows.data(), out.flow.cols.data(), out.flow.flows.data(),
                            count},
            out.work, kind);
        out.gap = cert.gap;
        for (Index r = 0; r < n_rows; ++r) out.pi[r] = -cert.u[r];
        for (Index c = 0; c < n_cols; ++c) out.pi[n_rows + c] = cert.v[c];
        if (!cert.certified) out.status = static_cast<int>(Status::not_certified);
    }
    if (exact != nullptr) verify_exactly(out, ar, m, bc, n, C, *exact);
    return out;
}

OneToMany one_to_many(double w, const double* weights, const double* costs, Index n) {
    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index(0));
    std::stable_sort(order.begin(), order.end(),
                     [costs](Index a, Index b) { return costs[a] < costs[b]; });
    const double others_total = sequential_sum(weights, n);
    OneToMany out{{}, {}, 0.0, std::min(w, others_total), 0.0, {}};
    double remaining = out.total;
    double last_cost = 0.0;
    std::vector<std::pair<Index, double>> shipped;
    for (const Index j : order) {
        if (remaining <= 0.0) break;
        const double f = std::min(weights[j], remaining);
        shipped.emplace_back(j, f);
        remaining -= f;
        last_cost = costs[j];
    }
    // the support in index order, summed left to right: the canonical work
    std::stable_sort(shipped.begin(), shipped.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [j, f] : shipped) {
        out.idx.push_back(j);
        out.flows.push_back(f);
        out.work += f * costs[j];
    }
    out.v.assign(costs, costs + n);
    if (w < others_total) {
        out.u = last_cost;
        for (Index j = 0; j < n; ++j) out.v[j] = std::min(costs[j] - last_cost, 0.0);
    }
    return out;
}

}  // namespace emdkit::solve
