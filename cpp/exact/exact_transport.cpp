// The exact transportation simplex (see exact_transport.hpp).
//
// Phases: measure the input's integer grid (grid), lay out the balanced problem on the exact
// totals (ExactSimplex's constructor), build a spanning tree from the float support
// (start_from_hint, greedy_start), then price and pivot (find_entering, pivot) until no
// reduced cost is negative, and report (fill_output). Pricing screens every cell with float64
// first: a reduced cost estimated from correctly rounded potentials is certainly positive when
// it exceeds its rounding-error bound, so the exact integers are formed only for cells the
// float estimate cannot decide (the tree's own cells, ties, and wide cost ranges).
#include "exact/exact_transport.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "common/disjoint_sets.hpp"
#include "exact/dyadic.hpp"
#include "exact/exact_tree.hpp"
#include "exact/screen.hpp"

namespace emdkit::exact {

namespace {

// Block pricing prices at least sqrt(cells) cells per block (LEMON's default factor 1.0), and
// at least this many.
constexpr std::int64_t MIN_BLOCK = 64;
// The grid: weights are integers times 2^weight_lsb, costs integers times 2^cost_lsb.
struct Grid {
    long weight_lsb = 0, cost_lsb = 0;
    long weight_bits = 0, cost_bits = 0;  // the largest scaled |weight| or |cost| < 2^bits
};

struct ExponentRange {
    long lsb = LONG_MAX;  // the smallest last-place exponent among the nonzero values
    long top = LONG_MIN;  // every |value| < 2^top
    void add(double x) {
        const DyadicParts p = decompose(x);
        if (p.mantissa == 0) return;
        lsb = std::min(lsb, static_cast<long>(p.exponent));
        top = std::max(top, static_cast<long>(p.exponent) + bit_length(p.mantissa));
    }
    long grid_lsb() const { return lsb == LONG_MAX ? 0 : lsb; }
    long bits() const { return lsb == LONG_MAX ? 0 : top - lsb; }
};

void check_weights(const TransportInput& in) {
    check_marginals(in, "exact_transport");
    for (std::size_t k = 0; k < in.n_hint; ++k)
        if (in.hint_rows[k] < 0 || in.hint_cols[k] < 0)
            throw std::invalid_argument("exact_transport: negative index in the hint");
}

// The costs' grid from their exponent fields alone, in one pass that also finds a non-finite
// entry: every nonzero cost is a multiple of 2^(smallest field − 1075) (a subnormal's unit is
// 2^-1074, field 1's). A finer grid than the exact last-place one costs at most 52 bits of
// width, while finding the exact one took a third of a verification's time (n = 1,000).
ExponentRange cost_range(const TransportInput& in) {
    constexpr int FIELD_BIAS = 1075, SIGNIFICAND_BITS = 53, NOT_FINITE = 0x7FF;
    constexpr int IGNORED = NOT_FINITE;  // ±0 takes no part in the smallest field
    int min_field = IGNORED, max_field = 0;
    const std::size_t cells = in.m * in.n;
    for (std::size_t k = 0; k < cells; ++k) {  // branch-free: the compiler vectorizes it
        std::uint64_t bits;
        std::memcpy(&bits, &in.cost[k], sizeof bits);
        const int field = static_cast<int>((bits >> 52) & 0x7FF);
        const bool nonzero = (bits << 1) != 0;
        const int unit_field = field == 0 ? (nonzero ? 1 : IGNORED) : field;
        min_field = std::min(min_field, unit_field);
        max_field = std::max(max_field, field);
    }
    if (max_field == NOT_FINITE) {
        for (std::size_t k = 0; k < cells; ++k)
            if (!std::isfinite(in.cost[k]))
                throw std::invalid_argument("exact_transport: cost[" +
                                            std::to_string(k / in.n) + ", " +
                                            std::to_string(k % in.n) + "] is not finite");
    }
    ExponentRange range;
    if (min_field == IGNORED) return range;  // all zero
    range.lsb = min_field - FIELD_BIAS;
    range.top = std::max(max_field, 1) - FIELD_BIAS + SIGNIFICAND_BITS;
    return range;
}

Grid measure_grid(const TransportInput& in) {
    ExponentRange w;
    for (std::size_t i = 0; i < in.m; ++i) w.add(in.a[i]);
    for (std::size_t j = 0; j < in.n; ++j) w.add(in.b[j]);
    const ExponentRange c = cost_range(in);
    return {w.grid_lsb(), c.grid_lsb(), w.bits(), c.bits()};
}

// Calls visit(c) for the c in [0, n) where flagged(c), in increasing order, until visit
// returns true (then returns true). The flags are tested 16 at a time without a branch, a loop
// the compiler vectorizes, so a stretch with no flagged column costs only its arithmetic.
template <class Flag, class Visit>
bool scan_flagged(int n, const Flag& flagged, const Visit& visit) {
    constexpr int CHUNK = 16;
    int c = 0;
    for (; c + CHUNK <= n; c += CHUNK) {
        int any = 0;
        for (int k = 0; k < CHUNK; ++k) any |= flagged(c + k) ? 1 : 0;
        if (any == 0) continue;
        for (int k = 0; k < CHUNK; ++k)
            if (flagged(c + k) && visit(c + k)) return true;
    }
    for (; c < n; ++c)
        if (flagged(c) && visit(c)) return true;
    return false;
}

using UnionFind = DisjointSets<int>;

template <class Num>
class ExactSimplex {
public:
    ExactSimplex(const TransportInput& in, const Grid& grid);
    TransportOutput solve();

private:
    const TransportInput& in_;
    Grid grid_;
    int m_, n_;
    ExactMarginals<Num> marginals_;
    int R_, K_, dummy_;  // marginals_'s lines and dummy
    // the basis: R + K − 1 cells, their exact flows and costs
    std::vector<Cell> basis_;
    std::vector<Num> flow_, basis_cost_;
    BasisTree<Num> tree_;
    std::vector<double> abs_pot_float_;  // |tree_.pot_float|
    std::int64_t block_ = MIN_BLOCK;
    int next_row_ = 0;

    bool real(int r, int c) const { return r < m_ && c < n_; }
    double cost_at(int r, int c) const {
        return real(r, c) ? in_.cost[static_cast<std::size_t>(r) * in_.n + c] : 0.0;
    }
    Num cost_num(double x) const { return from_parts<Num>(decompose(x), grid_.cost_lsb); }

    bool start_from_hint();
    void join_by_duals(UnionFind& uf);
    bool join_least_slack(UnionFind& uf, const std::vector<double>& u,
                          const std::vector<double>& v);
    void greedy_start();
    void build_tree();
    bool tree_flows();
    bool reduced_cost_negative(int r, int c, double& score) const;
    struct Choice {
        bool found = false;
        double best = 0.0;
        Cell cell{0, 0};
    };
    bool price_row(int r, bool bland, Choice& choice) const;
    bool find_entering(bool bland, Cell& entering);
    bool pivot(const Cell& entering);
    void fill_output(TransportOutput& out) const;
    BigInt support_work(const std::vector<std::size_t>& cells) const;
};

template <class Num>
ExactSimplex<Num>::ExactSimplex(const TransportInput& in, const Grid& grid)
    : in_(in), grid_(grid), m_(static_cast<int>(in.m)), n_(static_cast<int>(in.n)),
      marginals_(in.a, in.m, in.b, in.n, grid.weight_lsb),
      R_(static_cast<int>(marginals_.supply.size())),
      K_(static_cast<int>(marginals_.demand.size())), dummy_(marginals_.dummy) {
    const auto cells = static_cast<double>(R_) * K_;
    block_ = std::max(MIN_BLOCK, static_cast<std::int64_t>(std::ceil(std::sqrt(cells))));
}

// The hint's cells plus cells joining its components into a spanning tree (along the caller's
// duals when given, else emdkit.core.exact's joins: columns to row 0, rows to column 0).
// Returns whether the tree's exact flows are all >= 0.
template <class Num>
bool ExactSimplex<Num>::start_from_hint() {
    UnionFind uf(R_ + K_);
    basis_.clear();
    for (std::size_t k = 0; k < in_.n_hint; ++k) {
        const std::int64_t r = in_.hint_rows[k], c = in_.hint_cols[k];
        if (r >= R_ || c >= K_) continue;  // a dummy the exact totals do not need
        const int ri = static_cast<int>(r), ci = static_cast<int>(c);
        if (uf.join(ri, R_ + ci)) basis_.push_back({ri, ci});
    }
    const auto tree_size = static_cast<std::size_t>(R_ + K_ - 1);
    if (basis_.size() < tree_size && in_.hint_u != nullptr && in_.hint_v != nullptr)
        join_by_duals(uf);
    for (int c = 0; c < K_; ++c)
        if (uf.join(R_ + c, 0)) basis_.push_back({0, c});
    for (int r = 1; r < R_; ++r)
        if (uf.join(r, R_)) basis_.push_back({r, 0});
    EMDKIT_INVARIANT(basis_.size() == tree_size, "hint tree is not spanning");
    basis_cost_.clear();
    for (const Cell& e : basis_) basis_cost_.push_back(cost_num(cost_at(e.r, e.c)));
    flow_.assign(basis_.size(), Num());
    build_tree();
    return tree_flows();
}

// Joins the support's components along the caller's float duals: first one row-major pass
// adding every cell that is tight and joins two components (Kruskal's rule without the sort:
// one tight cell is as good as another), then Borůvka passes adding each component's cell of
// least slack (the duals of a float solve need not be basic: their tight cells can leave
// components apart). A tree of near-tight cells keeps the exact potentials near the float
// duals, so an optimal float basis verifies without a pivot. The dummy's dual is the one that
// makes its tightest cell tight.
template <class Num>
void ExactSimplex<Num>::join_by_duals(UnionFind& uf) {
    std::vector<double> u(in_.hint_u, in_.hint_u + m_), v(in_.hint_v, in_.hint_v + n_);
    if (dummy_ == 2) u.push_back(-*std::max_element(v.begin(), v.end()));
    if (dummy_ == 1) v.push_back(-*std::max_element(u.begin(), u.end()));
    const auto tree_size = static_cast<std::size_t>(R_ + K_ - 1);
    for (int r = 0; r < R_ && basis_.size() < tree_size; ++r) {
        const double ur = u[r], abs_u = std::fabs(ur);
        auto join = [&](int c) {
            if (uf.join(r, R_ + c)) basis_.push_back({r, c});
            return basis_.size() == tree_size;
        };
        if (r < m_) {
            const double* cost = in_.cost + static_cast<std::size_t>(r) * in_.n;
            scan_flagged(n_, [&](int c) {
                return std::fabs((cost[c] - ur) - v[c]) <=
                       JOIN_RTOL * (std::fabs(cost[c]) + abs_u + std::fabs(v[c]));
            }, join);
        }
        for (int c = (r < m_ ? n_ : 0); c < K_ && basis_.size() < tree_size; ++c) {
            const double slack = (cost_at(r, c) - ur) - v[c];  // dummy cells: one by one
            if (std::fabs(slack) <= JOIN_RTOL * (std::fabs(cost_at(r, c)) + abs_u +
                                                 std::fabs(v[c])))
                join(c);
        }
    }
    while (basis_.size() < tree_size && join_least_slack(uf, u, v)) {
    }
}

// One Borůvka pass: every component's cell of least slack to another component, added in
// increasing slack while it joins two components. False when no cell qualifies (NaN duals).
template <class Num>
bool ExactSimplex<Num>::join_least_slack(UnionFind& uf, const std::vector<double>& u,
                                         const std::vector<double>& v) {
    const int nodes = R_ + K_;
    std::vector<int> label(static_cast<std::size_t>(nodes));
    for (int x = 0; x < nodes; ++x) label[x] = uf.find(x);
    std::vector<double> best(static_cast<std::size_t>(nodes), HUGE_VAL);
    std::vector<Cell> best_cell(static_cast<std::size_t>(nodes), Cell{-1, -1});
    for (int r = 0; r < R_; ++r) {
        const int lr = label[r];
        for (int c = 0; c < K_; ++c) {
            const int lc = label[R_ + c];
            if (lr == lc) continue;
            const double slack = cost_at(r, c) - u[r] - v[c];
            if (slack < best[lr]) {
                best[lr] = slack;
                best_cell[lr] = {r, c};
            }
            if (slack < best[lc]) {
                best[lc] = slack;
                best_cell[lc] = {r, c};
            }
        }
    }
    std::vector<int> found;
    for (int x = 0; x < nodes; ++x)
        if (best_cell[x].r >= 0) found.push_back(x);
    std::sort(found.begin(), found.end(), [&](int x, int y) { return best[x] < best[y]; });
    bool joined = false;
    for (int x : found) {
        const Cell e = best_cell[x];
        if (!uf.join(e.r, R_ + e.c)) continue;
        basis_.push_back(e);
        joined = true;
    }
    return joined;
}

// A feasible tree when the hint's tree is not: the hint's cells first, then the north-west
// corner over the lines left, each cell shipping min(supply left, demand left) and crossing
// out one exhausted line (both at the last cell): R + K − 1 cells, flows >= 0.
template <class Num>
void ExactSimplex<Num>::greedy_start() {
    NorthWestCorner<Num> corner(marginals_);
    basis_.clear();
    auto place = [&](int r, int c) {
        corner.place(r, c);
        basis_.push_back({r, c});
    };
    for (std::size_t k = 0; k < in_.n_hint && !corner.done(); ++k) {
        const std::int64_t r = in_.hint_rows[k], c = in_.hint_cols[k];
        if (r < R_ && c < K_ && corner.open(static_cast<int>(r), static_cast<int>(c)))
            place(static_cast<int>(r), static_cast<int>(c));
    }
    while (!corner.done()) {
        const Cell e = corner.next_corner();
        place(e.r, e.c);
    }
    basis_cost_.clear();
    for (const Cell& e : basis_) basis_cost_.push_back(cost_num(cost_at(e.r, e.c)));
    flow_.assign(basis_.size(), Num());
    build_tree();
    const bool feasible = tree_flows();
    EMDKIT_INVARIANT(feasible, "greedy start has a negative flow");
    (void)feasible;
}

// The shared tree of the basis (exact_tree.hpp), plus |potentials| for the row screens.
template <class Num>
void ExactSimplex<Num>::build_tree() {
    tree_.build(R_, K_, basis_.size(), [&](std::size_t k) { return basis_[k]; }, basis_cost_,
                grid_.cost_lsb, "exact_transport");
    abs_pot_float_.resize(tree_.pot_float.size());
    for (std::size_t x = 0; x < abs_pot_float_.size(); ++x)
        abs_pot_float_[x] = std::fabs(tree_.pot_float[x]);
}

template <class Num>
bool ExactSimplex<Num>::tree_flows() {
    return tree_.flows(marginals_, flow_);
}

// Whether cell (r, c)'s reduced cost is < 0 (exactly); `score` estimates it for the choice.
template <class Num>
bool ExactSimplex<Num>::reduced_cost_negative(int r, int c, double& score) const {
    const double cost = cost_at(r, c);
    const double u = tree_.pot_float[r], v = tree_.pot_float[R_ + c];
    const double estimate = (cost - u) - v;
    const double bound = screen_bound(cost, u, v);
    if (estimate > bound) return false;
    if (estimate < -bound) {
        score = estimate;
        return true;
    }
    Num exact = cost_num(cost);
    exact -= tree_.pot[r];
    exact -= tree_.pot[R_ + c];
    if (!exact.is_negative()) return false;
    score = exact.to_double(grid_.cost_lsb);
    return true;
}

// Prices row r's cells (the dummy column's too) and records the most negative one in
// `choice`; with Bland's rule, stops at the first negative one and returns true.
template <class Num>
bool ExactSimplex<Num>::price_row(int r, bool bland, Choice& choice) const {
    const double u = tree_.pot_float[r], abs_u = std::fabs(u);
    const double* v = tree_.pot_float.data() + R_;
    const double* abs_v = abs_pot_float_.data() + R_;
    auto visit = [&](int c) {
        double score = 0.0;
        if (!reduced_cost_negative(r, c, score)) return false;
        if (bland || !choice.found || score < choice.best) {
            choice.found = true;
            choice.best = score;
            choice.cell = {r, c};
        }
        return bland;
    };
    // the screen of reduced_cost_negative, negated so that NaN (overflowed potentials) is
    // flagged for the exact test too
    bool stop = false;
    if (r < m_) {
        const double* cost = in_.cost + static_cast<std::size_t>(r) * in_.n;
        stop = scan_flagged(n_, [&](int c) {
            return !(((cost[c] - u) - v[c]) >
                     SCREEN_REL * (std::fabs(cost[c]) + abs_u + abs_v[c]) + SCREEN_ABS);
        }, visit);
    } else {  // the dummy row: cost 0
        stop = scan_flagged(n_, [&](int c) {
            return !(((0.0 - u) - v[c]) > SCREEN_REL * (abs_u + abs_v[c]) + SCREEN_ABS);
        }, visit);
    }
    return stop || (dummy_ == 1 && visit(n_));
}

// Block pricing, whole rows at a time: the most negative cell once at least a block of cells
// has been priced since the last entering cell's row (Bland's rule: the first negative cell in
// cell order). False when no cell is negative: the basis is optimal.
template <class Num>
bool ExactSimplex<Num>::find_entering(bool bland, Cell& entering) {
    Choice choice;
    const int first = bland ? 0 : next_row_;
    std::int64_t priced = 0;
    for (int k = 0; k < R_; ++k) {
        const int r = first + k < R_ ? first + k : first + k - R_;
        if (price_row(r, bland, choice)) break;
        priced += K_;
        if (choice.found && priced >= block_) {
            next_row_ = r + 1 < R_ ? r + 1 : 0;
            break;
        }
    }
    if (choice.found) entering = choice.cell;
    return choice.found;
}

// Ships θ around the entering cell's cycle and swaps the smallest blocking cell out (ties:
// the smallest cell number, Bland's leaving rule). Returns whether θ was 0.
template <class Num>
bool ExactSimplex<Num>::pivot(const Cell& entering) {
    auto cell_id = [&](int pos) {
        return static_cast<std::int64_t>(basis_[pos].r) * K_ + basis_[pos].c;
    };
    bool degenerate = false;
    const int leaving = tree_.ship_around_cycle(
        entering, flow_, [&](int x, int y) { return cell_id(x) < cell_id(y); }, degenerate);
    basis_[leaving] = entering;
    basis_cost_[leaving] = cost_num(cost_at(entering.r, entering.c));
    build_tree();
    return degenerate;
}

template <class Num>
TransportOutput ExactSimplex<Num>::solve() {
    TransportOutput out;
    if (!start_from_hint()) {
        greedy_start();
        out.start = StartKind::hint_greedy;
    }
    BlandSwitch rule;
    Cell entering{0, 0};
    while (find_entering(rule.bland(), entering)) {
        if (in_.max_pivots >= 0 && out.pivots >= in_.max_pivots) {
            out.status = Status::max_iter;
            break;
        }
        out.bland_pivots += rule.bland() ? 1 : 0;
        rule.record(pivot(entering));
        ++out.pivots;
    }
    out.hint_optimal = out.pivots == 0 && out.start == StartKind::hint_tree &&
                       out.status == Status::optimal;
    out.dummy = dummy_;
    fill_output(out);
    return out;
}

// The support, the objective and the distance, each rounded once from the exact values.
template <class Num>
void ExactSimplex<Num>::fill_output(TransportOutput& out) const {
    for (const Cell& e : basis_) {
        out.basis_rows.push_back(e.r);
        out.basis_cols.push_back(e.c);
    }
    std::vector<std::size_t> cells;
    for (std::size_t k = 0; k < basis_.size(); ++k)
        if (real(basis_[k].r, basis_[k].c) && !flow_[k].is_zero()) cells.push_back(k);
    std::sort(cells.begin(), cells.end(), [&](std::size_t x, std::size_t y) {
        return basis_[x].r != basis_[y].r ? basis_[x].r < basis_[y].r : basis_[x].c < basis_[y].c;
    });
    const long flow_exp = grid_.weight_lsb;
    out.rows.reserve(cells.size());
    out.cols.reserve(cells.size());
    out.flows.reserve(cells.size());
    out.flow_exact.reserve(cells.size());
    for (std::size_t k : cells) {
        bool inexact = false;
        out.rows.push_back(basis_[k].r);
        out.cols.push_back(basis_[k].c);
        out.flows.push_back(flow_[k].to_double(flow_exp, &inexact));
        out.flow_exact.push_back(inexact ? 0 : 1);
    }
    const BigInt work = support_work(cells);
    const long work_exp = grid_.weight_lsb + grid_.cost_lsb;
    bool inexact = false;
    out.work = work.to_double(work_exp + in_.weight_exp + in_.cost_exp, &inexact);
    out.work_exact = !inexact;
    out.work_scaled = work.to_double(work_exp);
    // work / total: the weights' scale cancels, the costs' stays
    const BigInt total = BigInt(marginals_.smaller_total().to_big());
    out.distance = round_quotient(work, total, grid_.cost_lsb + in_.cost_exp, &inexact);
    out.distance_exact = !inexact;
    if (in_.duals_when_verified || !out.hint_optimal)
        normalized_duals(tree_.pot, marginals_, m_, n_, grid_.cost_lsb, out.u, out.v);
}

// Σ f·c over the given basis cells, exactly: in a fixed-width accumulator when Num is one
// (no allocation per term), else in BigInt.
template <class Num>
BigInt ExactSimplex<Num>::support_work(const std::vector<std::size_t>& cells) const {
    if constexpr (std::is_same_v<Num, BigInt>) {
        BigInt work;
        for (std::size_t k : cells) work += flow_[k] * basis_cost_[k];
        return work;
    } else {
        FixedDot<Num::LIMBS> dot;
        for (std::size_t k : cells) dot.add_product(flow_[k], basis_cost_[k]);
        return dot.value();
    }
}

template <class Num>
TransportOutput run(const TransportInput& in, const Grid& grid, int limbs) {
    ExactSimplex<Num> simplex(in, grid);
    TransportOutput out = simplex.solve();
    out.limbs = limbs;
    return out;
}

// The fixed widths compiled: each covers the problems whose grid needs at most that many
// limbs; 36 limbs (2,304 bits) hold any float64 input (costs 2^-1074..2^1024 span 2,098 bits).
template <int... Widths>
struct FixedWidths {
    static TransportOutput dispatch(const TransportInput& in, const Grid& grid, int limbs) {
        TransportOutput out;
        const bool done = ((limbs <= Widths ? (out = run<FixedInt<Widths>>(in, grid, Widths),
                                               true)
                                            : false) ||
                           ...);
        if (!done) out = run<BigInt>(in, grid, 0);
        return out;
    }
};
using CompiledWidths = FixedWidths<1, 2, 3, 4, 6, 9, 14, 20, 28, 36>;

}  // namespace

TransportOutput solve_exact_transport(const TransportInput& in) {
    check_weights(in);
    const Grid grid = measure_grid(in);
    if (in.width < 0) return run<BigInt>(in, grid, 0);
    const int limbs = std::max(
        limbs_needed(std::max(grid.cost_bits, grid.weight_bits), in.m + in.n + 1), in.width);
    return CompiledWidths::dispatch(in, grid, limbs);
}

}  // namespace emdkit::exact
