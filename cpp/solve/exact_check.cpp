#include "solve/exact_check.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

#include "common/errors.hpp"
#include "exact/exact_transport.hpp"
#include "solve/problem.hpp"

namespace emdkit::solve {

namespace {

bool verifiable(int status) {
    return status == static_cast<int>(Status::optimal) ||
           status == static_cast<int>(Status::not_certified);
}

}  // namespace

void verify_exactly(SmallResult& r, const double* ar, Index m, const double* bc, Index n,
                    const double* C, const ExactScale& scale, double lo, double hi) {
    // costs scaled down (cost_exp > 0) may have lost their smallest entries' last bits: the
    // caller verifies on the costs as posed (emdkit.core.solve.exact_solution)
    if (!verifiable(r.status) || scale.cost_exp > 0) return;
    const auto n_nodes = static_cast<Index>(r.pi.size());
    const Index n_rows = m + (r.kind == DUMMY_SOURCE ? 1 : 0);
    // the float duals in the exact simplex's terms (u rows, v columns): they choose the
    // zero-flow cells that join a degenerate support into a tree
    thread_local std::vector<double> hint_u, hint_v;
    hint_u.resize(static_cast<std::size_t>(m));
    hint_v.resize(static_cast<std::size_t>(n));
    for (Index i = 0; i < m; ++i) hint_u[i] = -r.pi[i];
    for (Index j = 0; j < n; ++j) hint_v[j] = r.pi[n_rows + j];
    exact::TransportInput in;
    in.a = ar;
    in.m = static_cast<std::size_t>(m);
    in.b = bc;
    in.n = static_cast<std::size_t>(n);
    in.cost = C;
    in.hint_rows = r.flow.rows.data();
    in.hint_cols = r.flow.cols.data();
    in.n_hint = r.flow.rows.size();
    in.hint_u = hint_u.data();
    in.hint_v = hint_v.data();
    in.weight_exp = scale.weight_exp;
    in.cost_exp = scale.cost_exp;
    // a certified float answer whose basis verifies as given keeps its certified duals
    const bool certified = r.status == static_cast<int>(Status::optimal);
    in.duals_when_verified = !certified;
    in.want_basis = false;  // the answer needs the support alone
    if (lo > 0.0) {  // no zero cost: the smallest positive one is the minimum
        in.cost_min_positive = lo;
        in.cost_max = hi;
    }
    exact::TransportOutput out;
    try {
        out = exact::solve_exact_transport(in);
    } catch (const std::invalid_argument&) {
        return;  // a missing arc (inf cost): the caller prices it (emdkit.core.exact)
    }
    if (out.status != Status::optimal) return;
    // the route keeps its name unless the float certificate had failed (as before issue 20's
    // check of every answer); the exact pivots count either way
    if (!certified) r.method = METHOD_EXACT_INTEGER;
    r.pivots += out.pivots;
    r.status = static_cast<int>(Status::optimal);
    r.gap = 0.0;
    r.flow.rows = std::move(out.rows);
    r.flow.cols = std::move(out.cols);
    r.flow.flows = std::move(out.flows);
    if (!out.u.empty()) {  // the exact duals, else the certified float ones stay
        std::fill(r.pi.begin(), r.pi.end(), 0.0);  // the dummy's potential is 0
        for (Index i = 0; i < m; ++i) r.pi[i] = -out.u[i];
        for (Index j = 0; j < n && n_rows + j < n_nodes; ++j) r.pi[n_rows + j] = out.v[j];
    }
    r.work = out.work_scaled;
    r.exact = true;
    r.exact_distance = out.distance;
    r.exact_work = out.work;
}

}  // namespace emdkit::solve
