// Exact column generation for point clouds (see sparse_exact.hpp).
//
// Phases: lay out the arc set and the integer grids (CloudProblem), start a spanning tree
// from the float basis (start_from_hint; greedy_start when its exact flows are not all >= 0),
// pivot on the arc set (find_entering, pivot) until no arc prices negative, then sweep every
// pair matrix-free (cpp/exact/cloud_pricing.hpp) and add the violators, until a sweep finds
// none; report (fill_output). A sweep that meets a pair whose cost has a finer last place than
// the cost grid adds it and restarts the simplex from the same basis on the finer grid (the
// width is chosen per grid, so the restart is a new instantiation: solve_on_grid).
#include "exact/sparse_exact.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/disjoint_sets.hpp"
#include "costs/ground_cost.hpp"
#include "exact/cloud_pricing.hpp"
#include "exact/dyadic.hpp"
#include "exact/exact_tree.hpp"

namespace emdkit::exact {

namespace {

// Block pricing over the arc set prices at least sqrt(arcs) arcs per block, at least this many.
constexpr std::size_t MIN_BLOCK = 64;
// Sweeps before the per-row violator cap starts doubling: emdkit.core.pointcloud's
// ROUNDS_AT_FIXED_CAP (the float rounds need 3-10 on non-degenerate clouds).
constexpr std::int64_t SWEEPS_AT_FIXED_CAP = 12;
// The exponent-field arithmetic of a double: a nonzero finite x is an integer below 2^53 times
// 2^(max(field, 1) − FIELD_BIAS).
constexpr int FIELD_BIAS = 1075, SIGNIFICAND_BITS = 53, FIELD_NOT_FINITE = 0x7FF;

int exponent_field(double x) {
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    return static_cast<int>((bits >> 52) & 0x7FF);
}

struct Arc {
    int r, c;
    double cost;
};

// What survives a regrid: the arc set, the basis (arc indices), the grids and the counters.
struct CloudProblem {
    const CloudTransportInput& in;
    int m, n, R = 0, K = 0, dummy = 0;
    std::vector<Arc> arcs;
    std::vector<int> basis;        // empty until the first start
    std::vector<int> hint_arcs;    // the float basis, as indices into arcs
    long weight_lsb = 0, weight_bits = 0;
    long cost_lsb = LONG_MAX, cost_top = 0;
    CloudTransportOutput out;

    explicit CloudProblem(const CloudTransportInput& input);
    double pair_cost(int r, int c) const {
        if (r >= m || c >= n) return 0.0;
        return point_cost(in.X + static_cast<std::size_t>(r) * in.dim,
                          in.Y + static_cast<std::size_t>(c) * in.dim, in.dim, in.metric_code);
    }
    int add_arc(int r, int c) {
        const double cost = pair_cost(r, c);
        if (!std::isfinite(cost))
            throw std::invalid_argument("exact_cloud_transport: the cost of pair (" +
                                        std::to_string(r) + ", " + std::to_string(c) +
                                        ") is not finite");
        cost_lsb = std::min(cost_lsb, field_lsb(cost));
        arcs.push_back({r, c, cost});
        return static_cast<int>(arcs.size()) - 1;
    }
    int limbs() const {
        const long cost_bits = std::max(0L, cost_top - cost_lsb);
        return limbs_needed(std::max(cost_bits, weight_bits), static_cast<std::size_t>(R + K));
    }
};

void check_input(const CloudTransportInput& in) {
    check_marginals(in, "exact_cloud_transport");
    for (std::size_t k = 0; k < in.m * in.dim; ++k)
        if (!std::isfinite(in.X[k])) throw std::invalid_argument("exact_cloud_transport: X not finite");
    for (std::size_t k = 0; k < in.n * in.dim; ++k)
        if (!std::isfinite(in.Y[k])) throw std::invalid_argument("exact_cloud_transport: Y not finite");
}

// An upper bound on every pair's cost: the cost across the joint bounding box. Rounding is
// monotone and the kernel's sums run in the same order, so no pair's float cost exceeds it.
double cost_bound(const CloudTransportInput& in) {
    std::vector<double> lo(in.dim, HUGE_VAL), hi(in.dim, -HUGE_VAL);
    auto widen = [&](const double* P, std::size_t count) {
        for (std::size_t k = 0; k < count; ++k)
            for (std::size_t t = 0; t < in.dim; ++t) {
                lo[t] = std::min(lo[t], P[k * in.dim + t]);
                hi[t] = std::max(hi[t], P[k * in.dim + t]);
            }
    };
    widen(in.X, in.m);
    widen(in.Y, in.n);
    return point_cost(lo.data(), hi.data(), in.dim, in.metric_code);
}

CloudProblem::CloudProblem(const CloudTransportInput& input)
    : in(input), m(static_cast<int>(input.m)), n(static_cast<int>(input.n)) {
    long lsb = LONG_MAX, top = LONG_MIN;
    auto measure = [&](double x) {
        const DyadicParts p = decompose(x);
        lsb = std::min(lsb, static_cast<long>(p.exponent));
        top = std::max(top, static_cast<long>(p.exponent) + bit_length(p.mantissa));
    };
    for (int i = 0; i < m; ++i) measure(in.a[i]);
    for (int j = 0; j < n; ++j) measure(in.b[j]);
    weight_lsb = lsb;
    weight_bits = top - lsb;
    // the exact totals on the weights' grid decide the dummy, as the simplex's will
    BigInt total_a, total_b;
    auto add = [&](double x, BigInt& total) {
        const DyadicParts p = decompose(x);
        total += BigInt::from_dyadic(p.mantissa, static_cast<int>(p.exponent - lsb), false);
    };
    for (int i = 0; i < m; ++i) add(in.a[i], total_a);
    for (int j = 0; j < n; ++j) add(in.b[j], total_b);
    const int order = compare(total_a, total_b);
    dummy = order < 0 ? 2 : (order > 0 ? 1 : 0);
    R = m + (dummy == 2);
    K = n + (dummy == 1);
    const double bound = cost_bound(in);
    cost_top = std::max(exponent_field(bound), 1) - FIELD_BIAS + SIGNIFICAND_BITS;
    if (exponent_field(bound) == FIELD_NOT_FINITE)
        throw std::invalid_argument("exact_cloud_transport: the costs overflow float64");
    std::vector<int> index_of(in.n_arcs, -1);
    arcs.reserve(in.n_arcs + static_cast<std::size_t>(std::max(m, n)));
    for (std::size_t k = 0; k < in.n_arcs; ++k) {
        const std::int64_t r = in.arc_rows[k], c = in.arc_cols[k];
        if (r < 0 || c < 0 || r >= R || c >= K || (r == m && c == n)) continue;
        if (r == m || c == n) continue;  // the dummy's arcs are added below, once each
        index_of[k] = add_arc(static_cast<int>(r), static_cast<int>(c));
    }
    std::vector<int> dummy_arc(static_cast<std::size_t>(std::max(m, n)), -1);
    if (dummy == 2)
        for (int c = 0; c < n; ++c) dummy_arc[c] = add_arc(m, c);
    if (dummy == 1)
        for (int r = 0; r < m; ++r) dummy_arc[r] = add_arc(r, n);
    for (std::size_t k = 0; k < in.n_hint; ++k) {
        const std::int64_t h = in.hint[k];
        if (h < 0 || static_cast<std::size_t>(h) >= in.n_arcs)
            throw std::invalid_argument("exact_cloud_transport: hint index out of range");
        const std::int64_t r = in.arc_rows[h], c = in.arc_cols[h];
        if (index_of[h] >= 0) {
            hint_arcs.push_back(index_of[h]);
        } else if (dummy == 2 && r == m && c >= 0 && c < n) {
            hint_arcs.push_back(dummy_arc[c]);
        } else if (dummy == 1 && c == n && r >= 0 && r < m) {
            hint_arcs.push_back(dummy_arc[r]);
        }
    }
    if (cost_lsb == LONG_MAX) cost_lsb = cost_top - SIGNIFICAND_BITS;  // every cost is 0
}

using UnionFind = DisjointSets<int>;

template <class Num>
class SparseSimplex {
public:
    explicit SparseSimplex(CloudProblem& problem);
    // True when optimal (or out of pivots); false when a sweep asks for a finer cost grid.
    bool solve();

private:
    CloudProblem& p_;
    const int R_, K_;
    const long lsb_;  // this run's cost grid; an arc added below it ends the run (off_grid)
    ExactMarginals<Num> marginals_;
    std::vector<Num> flow_, basis_cost_;  // per basis position
    BasisTree<Num> tree_;
    std::size_t next_arc_ = 0;
    BlandSwitch rule_;

    Num cost_num(double x) const { return from_parts<Num>(decompose(x), lsb_); }
    bool off_grid() const { return p_.cost_lsb < lsb_; }

    bool start();
    void start_from_hint();
    void join_tight(UnionFind& uf);
    bool join_least_slack(UnionFind& uf, const std::vector<double>& u,
                          const std::vector<double>& v);
    void greedy_start();
    void adopt_basis();
    void build_tree();
    bool tree_flows();
    bool arc_negative(const Arc& e, double& score) const;
    int find_entering(bool bland);
    bool pivot(int entering);
    bool pivot_to_optimum();
    void fill_output();
};

template <class Num>
SparseSimplex<Num>::SparseSimplex(CloudProblem& problem)
    : p_(problem), R_(problem.R), K_(problem.K), lsb_(problem.cost_lsb),
      marginals_(problem.in.a, problem.in.m, problem.in.b, problem.in.n, problem.weight_lsb) {
    EMDKIT_INVARIANT(marginals_.dummy == p_.dummy, "the dummy differs from the problem's");
}

// The hint's arcs, then arcs of the set tight under the float duals, then each component's
// least-slack arc (Borůvka), then new arcs from row 0 and column 0 for what is left apart.
template <class Num>
void SparseSimplex<Num>::start_from_hint() {
    UnionFind uf(R_ + K_);
    std::vector<int>& basis = p_.basis;
    basis.clear();
    for (int k : p_.hint_arcs)
        if (uf.join(p_.arcs[k].r, R_ + p_.arcs[k].c)) basis.push_back(k);
    const auto tree_size = static_cast<std::size_t>(R_ + K_ - 1);
    if (basis.size() < tree_size && p_.in.hint_u != nullptr && p_.in.hint_v != nullptr)
        join_tight(uf);
    for (int c = 0; c < K_ && basis.size() < tree_size; ++c)
        if (uf.join(R_ + c, 0)) basis.push_back(p_.add_arc(0, c));
    for (int r = 1; r < R_ && basis.size() < tree_size; ++r)
        if (uf.join(r, R_)) basis.push_back(p_.add_arc(r, 0));
    EMDKIT_INVARIANT(basis.size() == tree_size, "hint tree is not spanning");
}

template <class Num>
void SparseSimplex<Num>::join_tight(UnionFind& uf) {
    std::vector<double> u(p_.in.hint_u, p_.in.hint_u + p_.m), v(p_.in.hint_v, p_.in.hint_v + p_.n);
    if (p_.dummy == 2) u.push_back(-*std::max_element(v.begin(), v.end()));
    if (p_.dummy == 1) v.push_back(-*std::max_element(u.begin(), u.end()));
    const auto tree_size = static_cast<std::size_t>(R_ + K_ - 1);
    for (std::size_t k = 0; k < p_.arcs.size() && p_.basis.size() < tree_size; ++k) {
        const Arc& e = p_.arcs[k];
        const double slack = (e.cost - u[e.r]) - v[e.c];
        if (std::fabs(slack) <= JOIN_RTOL * (std::fabs(e.cost) + std::fabs(u[e.r]) + std::fabs(v[e.c])) &&
            uf.join(e.r, R_ + e.c))
            p_.basis.push_back(static_cast<int>(k));
    }
    while (p_.basis.size() < tree_size && join_least_slack(uf, u, v)) {
    }
}

// One Borůvka pass over the arc set: each component's least-slack arc to another one, joined
// in increasing slack. False when no arc joins two components.
template <class Num>
bool SparseSimplex<Num>::join_least_slack(UnionFind& uf, const std::vector<double>& u,
                                          const std::vector<double>& v) {
    const int nodes = R_ + K_;
    std::vector<double> best(static_cast<std::size_t>(nodes), HUGE_VAL);
    std::vector<int> best_arc(static_cast<std::size_t>(nodes), -1);
    for (std::size_t k = 0; k < p_.arcs.size(); ++k) {
        const Arc& e = p_.arcs[k];
        const int lr = uf.find(e.r), lc = uf.find(R_ + e.c);
        if (lr == lc) continue;
        const double slack = std::fabs((e.cost - u[e.r]) - v[e.c]);
        for (int label : {lr, lc})
            if (slack < best[label] || best_arc[label] < 0) {
                best[label] = slack;
                best_arc[label] = static_cast<int>(k);
            }
    }
    std::vector<int> found;
    for (int x = 0; x < nodes; ++x)
        if (best_arc[x] >= 0) found.push_back(x);
    std::sort(found.begin(), found.end(), [&](int x, int y) { return best[x] < best[y]; });
    bool joined = false;
    for (int x : found) {
        const Arc& e = p_.arcs[best_arc[x]];
        if (!uf.join(e.r, R_ + e.c)) continue;
        p_.basis.push_back(best_arc[x]);
        joined = true;
    }
    return joined;
}

// A feasible tree when the hint's is not (exact_transport.cpp's greedy_start on the arc set):
// the hint's arcs first, then the north-west corner over the lines left, on new arcs.
template <class Num>
void SparseSimplex<Num>::greedy_start() {
    NorthWestCorner<Num> corner(marginals_);
    p_.basis.clear();
    for (std::size_t k = 0; k < p_.hint_arcs.size() && !corner.done(); ++k) {
        const Arc e = p_.arcs[p_.hint_arcs[k]];
        if (!corner.open(e.r, e.c)) continue;
        corner.place(e.r, e.c);
        p_.basis.push_back(p_.hint_arcs[k]);
    }
    while (!corner.done()) {
        const Cell e = corner.next_corner();
        corner.place(e.r, e.c);
        p_.basis.push_back(p_.add_arc(e.r, e.c));
    }
}

// The basis's costs on this grid, its tree and potentials (flows: tree_flows).
template <class Num>
void SparseSimplex<Num>::adopt_basis() {
    basis_cost_.clear();
    for (int k : p_.basis) basis_cost_.push_back(cost_num(p_.arcs[k].cost));
    flow_.assign(p_.basis.size(), Num());
    build_tree();
}

// The shared tree of the basis (exact_tree.hpp).
template <class Num>
void SparseSimplex<Num>::build_tree() {
    tree_.build(R_, K_, p_.basis.size(),
                [&](std::size_t k) {
                    const Arc& e = p_.arcs[p_.basis[k]];
                    return Cell{e.r, e.c};
                },
                basis_cost_, lsb_, "exact_cloud_transport");
}

template <class Num>
bool SparseSimplex<Num>::tree_flows() {
    return tree_.flows(marginals_, flow_);
}

template <class Num>
bool SparseSimplex<Num>::arc_negative(const Arc& e, double& score) const {
    std::int64_t checks = 0;
    return reduced_cost_sign(e.cost, tree_.pot_float[e.r], tree_.pot_float[R_ + e.c],
                             tree_.pot[e.r], tree_.pot[R_ + e.c], lsb_, score,
                             checks) == Sign::negative;
}

// Block pricing over the arc set (Bland's rule: the first negative arc in index order).
// Returns the entering arc, or −1 when no arc prices negative.
template <class Num>
int SparseSimplex<Num>::find_entering(bool bland) {
    const std::size_t count = p_.arcs.size();
    const std::size_t block = std::max(MIN_BLOCK, static_cast<std::size_t>(std::sqrt(count)));
    const std::size_t first = bland ? 0 : next_arc_ % count;
    int best_arc = -1;
    double best = 0.0;
    for (std::size_t k = 0; k < count; ++k) {
        const std::size_t a = first + k < count ? first + k : first + k - count;
        double score = 0.0;
        if (arc_negative(p_.arcs[a], score) && (best_arc < 0 || score < best)) {
            best = score;
            best_arc = static_cast<int>(a);
            if (bland) break;
        }
        if (best_arc >= 0 && k + 1 >= block) {
            next_arc_ = a + 1;
            break;
        }
    }
    return best_arc;
}

// Ships θ around the entering arc's cycle and swaps the smallest blocking arc out (ties: the
// lowest arc index, Bland's leaving rule). Returns whether θ was 0.
template <class Num>
bool SparseSimplex<Num>::pivot(int entering) {
    const Arc in_arc = p_.arcs[entering];
    bool degenerate = false;
    const int leaving = tree_.ship_around_cycle(
        Cell{in_arc.r, in_arc.c}, flow_,
        [&](int x, int y) { return p_.basis[x] < p_.basis[y]; }, degenerate);
    p_.basis[leaving] = entering;
    basis_cost_[leaving] = cost_num(in_arc.cost);
    build_tree();
    return degenerate;
}

// Pivots until no arc of the set prices negative; false when out of pivots.
template <class Num>
bool SparseSimplex<Num>::pivot_to_optimum() {
    TransportOutput& out = p_.out.result;
    for (;;) {
        const bool bland = rule_.bland();
        const int entering = find_entering(bland);
        if (entering < 0) return true;
        if (p_.in.max_pivots >= 0 && out.pivots >= p_.in.max_pivots) {
            out.status = Status::max_iter;
            return false;
        }
        rule_.record(pivot(entering));
        ++out.pivots;
        out.bland_pivots += bland ? 1 : 0;
    }
}

// A feasible spanning tree on this grid: the basis kept over a regrid, else the hint's tree,
// else (its exact flows not all >= 0) the greedy one. False when it needed an arc off the grid.
template <class Num>
bool SparseSimplex<Num>::start() {
    if (p_.basis.empty()) start_from_hint();
    if (off_grid()) return false;
    adopt_basis();
    if (tree_flows()) return true;
    greedy_start();
    p_.out.result.start = StartKind::hint_greedy;
    if (off_grid()) return false;
    adopt_basis();
    const bool feasible = tree_flows();
    EMDKIT_INVARIANT(feasible, "greedy start has a negative flow");
    return feasible;
}

template <class Num>
bool SparseSimplex<Num>::solve() {
    TransportOutput& out = p_.out.result;
    if (!start()) return false;
    std::size_t cap = p_.in.violators_per_row;
    for (;;) {
        if (!pivot_to_optimum()) break;
        ++p_.out.sweeps;
        if (p_.out.sweeps > SWEEPS_AT_FIXED_CAP) cap *= 2;
        const SweepResult found = sweep_all_pairs<Num>(
            p_.in, tree_.pot, tree_.pot_float, R_, lsb_, std::min<std::size_t>(cap, p_.in.n));
        p_.out.exact_checks += found.exact_checks;
        for (const auto& pair : found.finer) p_.add_arc(pair.first, pair.second);
        for (const auto& pair : found.violators) p_.add_arc(pair.first, pair.second);
        p_.out.arcs_added += static_cast<std::int64_t>(found.finer.size() + found.violators.size());
        if (off_grid()) return false;  // restart from this basis on the finer grid
        if (found.violators.empty()) break;
    }
    out.hint_optimal = out.pivots == 0 && out.start == StartKind::hint_tree &&
                       out.status == Status::optimal;
    fill_output();
    return true;
}

// The support, the objective and the distance, each rounded once from the exact values.
template <class Num>
void SparseSimplex<Num>::fill_output() {
    TransportOutput& out = p_.out.result;
    out.dummy = p_.dummy;
    std::vector<std::size_t> cells;
    for (std::size_t k = 0; k < p_.basis.size(); ++k) {
        const Arc& e = p_.arcs[p_.basis[k]];
        out.basis_rows.push_back(e.r);
        out.basis_cols.push_back(e.c);
        if (e.r < p_.m && e.c < p_.n && !flow_[k].is_zero()) cells.push_back(k);
    }
    auto arc_of = [&](std::size_t k) { return p_.arcs[p_.basis[k]]; };
    std::sort(cells.begin(), cells.end(), [&](std::size_t x, std::size_t y) {
        const Arc ex = arc_of(x), ey = arc_of(y);
        return ex.r != ey.r ? ex.r < ey.r : ex.c < ey.c;
    });
    BigInt work;
    for (std::size_t k : cells) {
        bool inexact = false;
        out.rows.push_back(arc_of(k).r);
        out.cols.push_back(arc_of(k).c);
        out.flows.push_back(flow_[k].to_double(p_.weight_lsb, &inexact));
        out.flow_exact.push_back(inexact ? 0 : 1);
        work += BigInt(flow_[k].to_big()) * BigInt(basis_cost_[k].to_big());
    }
    const long work_exp = p_.weight_lsb + lsb_;
    bool inexact = false;
    out.work = work.to_double(work_exp + p_.in.weight_exp, &inexact);
    out.work_exact = !inexact;
    out.work_scaled = work.to_double(work_exp);
    const BigInt total = BigInt(marginals_.smaller_total().to_big());
    out.distance = round_quotient(work, total, lsb_, &inexact);
    out.distance_exact = !inexact;
    normalized_duals(tree_.pot, marginals_, p_.m, p_.n, lsb_, out.u, out.v);
}

template <class Num>
bool run_width(CloudProblem& problem, int limbs) {
    SparseSimplex<Num> simplex(problem);
    const bool done = simplex.solve();
    problem.out.result.limbs = limbs;
    return done;
}

// The fixed widths compiled (a subset of exact_transport.cpp's: each instantiates the simplex
// and a sweep per metric); wider grids run on BigInt.
template <int... Widths>
struct FixedWidths {
    static bool dispatch(CloudProblem& problem, int limbs) {
        bool done = false;
        const bool ran = ((limbs <= Widths ? (done = run_width<FixedInt<Widths>>(problem, Widths),
                                              true)
                                           : false) ||
                          ...);
        if (!ran) done = run_width<BigInt>(problem, 0);
        return done;
    }
};
using CompiledWidths = FixedWidths<1, 2, 3, 4, 6, 9, 14, 20, 36>;

}  // namespace

CloudTransportOutput solve_exact_cloud_transport(const CloudTransportInput& in) {
    check_input(in);
    CloudProblem problem(in);
    for (;;) {
        const bool done = in.width < 0
                              ? run_width<BigInt>(problem, 0)
                              : CompiledWidths::dispatch(problem, std::max(problem.limbs(), in.width));
        if (done || problem.out.result.status != Status::optimal) break;
        ++problem.out.regrids;
    }
    problem.out.arcs = static_cast<std::int64_t>(problem.arcs.size());
    return std::move(problem.out);
}

}  // namespace emdkit::exact
