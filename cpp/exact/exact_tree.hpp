// The spanning-tree machinery both exact transportation simplexes share: the dense one
// (exact_transport.cpp, every cell a candidate) and the sparse one (sparse_exact.cpp, an arc
// set grown by matrix-free pricing). They differ in what a basis entry is (a cell, or an index
// into the arc set) and in how they price; the tree of the basis, its exact potentials and
// flows, the pivot around the entering cycle, the switch to Bland's rule, the exact marginals
// with their dummy and the normalized duals are the same arithmetic, written once here.
//
// Nodes: rows 0..R-1, then columns R..R+K-1 (dummy included); the tree is rooted at row 0.
#pragma once

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/errors.hpp"
#include "exact/dyadic.hpp"
#include "exact/exact_transport.hpp"

namespace emdkit::exact {

// Degenerate pivots in a row before Bland's rule (smallest cell enters, smallest blocking cell
// leaves) takes over; it cannot cycle, and streaks this long are rare on real inputs, where the
// most negative cell of a block is the faster rule. The same number as emdkit.core.exact.
constexpr int DEGENERATE_STREAK_FOR_BLAND = 30;
// A cell whose float reduced cost under the caller's duals is within this fraction of its
// terms counts as tight when joining a degenerate support into a tree. Float duals of an
// optimal basis are accurate to ~1e-13 relative on the test problems; a looser test only
// admits a non-tight join, which costs a pivot, never a wrong answer.
constexpr double JOIN_RTOL = 1e-9;
// Headroom bits over the largest scaled cost (weight): potentials are sums of up to R+K−1
// costs, reduced costs and normalized duals three such terms, plus the sign bit.
constexpr long HEADROOM_BITS = 4;

// One cell of the layout: row r, column c (dummy included).
struct Cell {
    int r, c;
};

// The smallest b with 2^b >= x.
inline long ceil_log2(std::size_t x) {
    long bits = 0;
    while ((std::size_t{1} << bits) < x) ++bits;
    return bits;
}

// Limbs that hold every value the simplex forms: the wider of costs and weights (value_bits),
// times the number of nodes, with the headroom above.
inline int limbs_needed(long value_bits, std::size_t nodes) {
    const long bits = value_bits + ceil_log2(nodes + 1) + HEADROOM_BITS;
    return static_cast<int>((bits + LIMB_BITS - 1) / LIMB_BITS);
}

// The checks both solvers make on their weights (`solver` names the caller in the messages):
// a nonempty problem whose node numbers fit an int, every weight finite and > 0.
inline void check_marginals(const ExactMarginalsInput& in, const char* solver) {
    const std::string who(solver);
    if (in.m == 0 || in.n == 0) throw std::invalid_argument(who + ": empty problem");
    if (in.m + in.n + 2 > static_cast<std::size_t>(INT_MAX / 2))
        throw std::invalid_argument(who + ": too many points");
    for (std::size_t i = 0; i < in.m; ++i)
        if (!(in.a[i] > 0.0) || !std::isfinite(in.a[i]))
            throw std::invalid_argument(who + ": a[" + std::to_string(i) +
                                        "] must be finite and > 0");
    for (std::size_t j = 0; j < in.n; ++j)
        if (!(in.b[j] > 0.0) || !std::isfinite(in.b[j]))
            throw std::invalid_argument(who + ": b[" + std::to_string(j) +
                                        "] must be finite and > 0");
}

// The dyadic x = ±mantissa·2^exponent as an integer on the grid of unit 2^lsb.
template <class Num>
Num from_parts(const DyadicParts& p, long lsb) {
    if (p.mantissa == 0) return Num();
    return Num::from_dyadic(p.mantissa, static_cast<int>(p.exponent - lsb), p.negative);
}

// Dantzig-style pricing until a run of degenerate pivots this long, then Bland's rule (which
// cannot cycle) until a pivot moves flow again.
class BlandSwitch {
public:
    bool bland() const { return streak_ >= DEGENERATE_STREAK_FOR_BLAND; }
    void record(bool degenerate) { streak_ = degenerate ? streak_ + 1 : 0; }

private:
    int streak_ = 0;
};

// The exact supplies and demands on the weights' grid, balanced by the dummy the exact totals
// call for (the partial-matching decision, as emdkit.core.exact makes it).
template <class Num>
struct ExactMarginals {
    std::vector<Num> supply, demand;  // R and K of them, dummy included
    Num total_a, total_b;             // the real totals
    int dummy = 0;                    // 0 none, 1 dummy column (sink), 2 dummy row (source)

    ExactMarginals() = default;
    ExactMarginals(const double* a, std::size_t m, const double* b, std::size_t n,
                   long weight_lsb) {
        assign(a, m, b, n, weight_lsb);
    }
    // Lays out a new problem, keeping the vectors' capacity (a workspace reused across calls).
    void assign(const double* a, std::size_t m, const double* b, std::size_t n,
                long weight_lsb) {
        supply.clear();
        demand.clear();
        total_a = Num();
        total_b = Num();
        dummy = 0;
        for (std::size_t i = 0; i < m; ++i) supply.push_back(from_parts<Num>(decompose(a[i]), weight_lsb));
        for (std::size_t j = 0; j < n; ++j) demand.push_back(from_parts<Num>(decompose(b[j]), weight_lsb));
        for (const Num& x : supply) total_a += x;
        for (const Num& x : demand) total_b += x;
        if (total_a < total_b) {
            supply.push_back(total_b - total_a);
            dummy = 2;
        } else if (total_b < total_a) {
            demand.push_back(total_a - total_b);
            dummy = 1;
        }
    }
    const Num& smaller_total() const { return total_a < total_b ? total_a : total_b; }
};

// The tree of a basis: parent pointers, depths, the breadth-first order from row 0, and the
// exact potentials (u_0 = 0, u_r + v_c = cost on every tree cell) with their float roundings
// for the pricing screens. Basis entries are positions 0..R+K−2; `cell_of(k)` gives entry k's
// cell, so a dense basis of cells and a sparse basis of arc indices share it.
template <class Num>
class BasisTree {
public:
    std::vector<int> parent, parent_arc, depth, order;
    std::vector<Num> pot;           // u for rows (nodes 0..R-1), v for columns (R..R+K-1)
    std::vector<double> pot_float;  // pot, correctly rounded to the cost grid

    template <class CellOf>
    void build(int rows, int cols, std::size_t size, const CellOf& cell_of,
               const std::vector<Num>& basis_cost, long cost_lsb, const char* solver);
    // The basic flows (the arc above a node carries its subtree's excess), leaves first;
    // returns whether all are >= 0.
    bool flows(const ExactMarginals<Num>& marginals, std::vector<Num>& flow) const;
    // Ships θ around the cycle the entering cell closes and returns the position of the
    // smallest blocking entry, which leaves with flow θ (ties: the entry first in `before`,
    // Bland's leaving rule); `degenerate` tells whether θ was 0.
    template <class Before>
    int ship_around_cycle(Cell entering, std::vector<Num>& flow, const Before& before,
                          bool& degenerate);
    bool is_row(int node) const { return node < rows_; }

private:
    int rows_ = 0;
    std::vector<int> minus_, plus_;  // scratch: the entering cell's cycle
    // scratch of build and flows, kept so that a reused tree allocates nothing
    std::vector<int> start_, adjacent_, fill_;
    std::vector<char> seen_;
    mutable std::vector<Num> excess_;
};

template <class Num>
template <class CellOf>
void BasisTree<Num>::build(int rows, int cols, std::size_t size, const CellOf& cell_of,
                           const std::vector<Num>& basis_cost, long cost_lsb,
                           const char* solver) {
    rows_ = rows;
    const int nodes = rows + cols;
    std::vector<int>& start = start_;
    std::vector<int>& adjacent = adjacent_;
    std::vector<int>& fill = fill_;
    start.assign(static_cast<std::size_t>(nodes) + 1, 0);
    for (std::size_t k = 0; k < size; ++k) {
        const Cell e = cell_of(k);
        ++start[e.r + 1];
        ++start[rows + e.c + 1];
    }
    std::partial_sum(start.begin(), start.end(), start.begin());
    adjacent.resize(2 * size);
    fill.assign(start.begin(), start.end() - 1);
    for (std::size_t k = 0; k < size; ++k) {
        const Cell e = cell_of(k);
        adjacent[fill[e.r]++] = static_cast<int>(k);
        adjacent[fill[rows + e.c]++] = static_cast<int>(k);
    }
    parent.assign(nodes, -1);
    parent_arc.assign(nodes, -1);
    depth.assign(nodes, 0);
    pot.assign(nodes, Num());
    order.assign(1, 0);
    order.reserve(static_cast<std::size_t>(nodes));
    std::vector<char>& seen = seen_;
    seen.assign(static_cast<std::size_t>(nodes), 0);
    seen[0] = 1;
    for (std::size_t head = 0; head < order.size(); ++head) {
        const int x = order[head];
        for (int k = start[x]; k < start[x + 1]; ++k) {
            const int pos = adjacent[k];
            const Cell e = cell_of(static_cast<std::size_t>(pos));
            const int y = is_row(x) ? rows + e.c : e.r;
            if (seen[y]) continue;
            seen[y] = 1;
            parent[y] = x;
            parent_arc[y] = pos;
            depth[y] = depth[x] + 1;
            pot[y] = basis_cost[pos] - pot[x];
            order.push_back(y);
        }
    }
    if (static_cast<int>(order.size()) != nodes)
        throw EngineError(std::string(solver) + ": the basis is not a spanning tree");
    pot_float.resize(nodes);
    for (int x = 0; x < nodes; ++x) pot_float[x] = pot[x].to_double(cost_lsb);
}

template <class Num>
bool BasisTree<Num>::flows(const ExactMarginals<Num>& marginals, std::vector<Num>& flow) const {
    const int cols = static_cast<int>(marginals.demand.size());
    std::vector<Num>& excess = excess_;
    excess.assign(static_cast<std::size_t>(rows_ + cols), Num());
    for (int r = 0; r < rows_; ++r) excess[r] = marginals.supply[r];
    for (int c = 0; c < cols; ++c) excess[rows_ + c] -= marginals.demand[c];
    bool feasible = true;
    for (std::size_t k = order.size(); k-- > 1;) {
        const int x = order[k];
        Num& f = flow[parent_arc[x]];
        f = excess[x];
        if (!is_row(x)) f = Num() - f;
        feasible = feasible && !f.is_negative();
        excess[parent[x]] += excess[x];
    }
    EMDKIT_INVARIANT(excess[0].is_zero(), "unbalanced exact totals");
    return feasible;
}

// The cycle: entries met going from the entering cell's column up to the join and down to its
// row; −θ on entries left from a column, +θ on entries left from a row.
template <class Num>
template <class Before>
int BasisTree<Num>::ship_around_cycle(Cell entering, std::vector<Num>& flow,
                                      const Before& before, bool& degenerate) {
    minus_.clear();
    plus_.clear();
    int x = rows_ + entering.c, y = entering.r;  // climb from both ends to the join
    while (x != y) {
        if (depth[x] >= depth[y]) {
            (is_row(x) ? plus_ : minus_).push_back(parent_arc[x]);
            x = parent[x];
        } else {
            (is_row(y) ? minus_ : plus_).push_back(parent_arc[y]);
            y = parent[y];
        }
    }
    EMDKIT_INVARIANT(!minus_.empty(), "a cycle without a decreasing arc");
    int leaving = minus_.front();
    for (int pos : minus_) {
        const int cmp = compare(flow[pos], flow[leaving]);
        if (cmp < 0 || (cmp == 0 && before(pos, leaving))) leaving = pos;
    }
    const Num theta = flow[leaving];
    EMDKIT_INVARIANT(!theta.is_negative(), "pivot from an infeasible basis");
    for (int pos : minus_) flow[pos] -= theta;
    for (int pos : plus_) flow[pos] += theta;
    flow[leaving] = theta;
    degenerate = theta.is_zero();
    return leaving;
}

// A feasible tree by the north-west corner rule: each placed cell ships min(supply left,
// demand left) and crosses out one exhausted line (both at the last cell), so R + K − 1 cells
// with flows >= 0. The caller places its preferred cells first (those still open), then the
// corner's; it records each placed cell itself.
template <class Num>
class NorthWestCorner {
public:
    explicit NorthWestCorner(const ExactMarginals<Num>& marginals)
        : supply_(marginals.supply), demand_(marginals.demand),
          row_done_(supply_.size(), 0), col_done_(demand_.size(), 0),
          rows_left_(static_cast<int>(supply_.size())),
          cols_left_(static_cast<int>(demand_.size())) {}
    bool done() const { return rows_left_ == 0; }
    bool open(int r, int c) const { return !row_done_[r] && !col_done_[c]; }
    // The next cell of the corner rule (call while !done()).
    Cell next_corner() {
        while (row_done_[row_]) ++row_;
        while (col_done_[col_]) ++col_;
        return {row_, col_};
    }
    void place(int r, int c) {
        const Num f = supply_[r] < demand_[c] ? supply_[r] : demand_[c];
        supply_[r] -= f;
        demand_[c] -= f;
        if (supply_[r].is_zero() && rows_left_ > 1) {
            row_done_[r] = 1;
            --rows_left_;
        } else if (demand_[c].is_zero() && cols_left_ > 1) {
            col_done_[c] = 1;
            --cols_left_;
        } else {  // the last cell (exact balance leaves nothing else possible)
            row_done_[r] = col_done_[c] = 1;
            rows_left_ = cols_left_ = 0;
        }
    }

private:
    std::vector<Num> supply_, demand_;
    std::vector<char> row_done_, col_done_;
    int rows_left_, cols_left_;
    int row_ = 0, col_ = 0;
};

// Duals normalized as emdkit.core.solve fixes their free constant: u + s, v − s with the
// dummy's potential 0, or without a dummy s = (Σ b v − Σ a u) / (Σ a + Σ b) so that
// Σ a u = Σ b v; that s is a rational, so each dual is a correctly rounded quotient. m and n
// are the real rows and columns; u and v come back with m and n entries.
template <class Num>
void normalized_duals(const std::vector<Num>& pot, const ExactMarginals<Num>& marginals, int m,
                      int n, long cost_lsb, std::vector<double>& u, std::vector<double>& v) {
    const int R = static_cast<int>(marginals.supply.size());
    auto big = [&](int node) { return BigInt(pot[node].to_big()); };
    if (marginals.dummy != 0) {
        const BigInt shift = marginals.dummy == 2 ? -big(m) : big(R + n);
        for (int r = 0; r < m; ++r) u.push_back((big(r) + shift).to_double(cost_lsb));
        for (int c = 0; c < n; ++c) v.push_back((big(R + c) - shift).to_double(cost_lsb));
        return;
    }
    BigInt numerator;
    const BigInt denominator =
        BigInt(marginals.total_a.to_big()) + BigInt(marginals.total_b.to_big());
    for (int c = 0; c < n; ++c) numerator += BigInt(marginals.demand[c].to_big()) * big(R + c);
    for (int r = 0; r < m; ++r) numerator -= BigInt(marginals.supply[r].to_big()) * big(r);
    for (int r = 0; r < m; ++r)
        u.push_back(round_quotient(big(r) * denominator + numerator, denominator, cost_lsb));
    for (int c = 0; c < n; ++c)
        v.push_back(round_quotient(big(R + c) * denominator - numerator, denominator, cost_lsb));
}

}  // namespace emdkit::exact
