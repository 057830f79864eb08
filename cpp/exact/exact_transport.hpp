// The exact optimum of a transportation problem posed in float64, in integer arithmetic.
//
// Every weight and cost is a dyadic rational; scaled by 2^-weight_lsb and 2^-cost_lsb (the
// smallest last-place exponents among them), every flow, potential and reduced cost of a basis
// is an integer of bounded width (dyadic.hpp). The solver starts from a float solution's
// support, verifies it exactly (tree flows >= 0, every reduced cost >= 0: optimal), and
// otherwise continues the transportation simplex in exact arithmetic until it is optimal.
//
// Layout, as emdkit.core.exact lays it out: rows 0..m-1, columns 0..n-1, and when the exact
// totals differ a zero-cost dummy row m (Σb > Σa) or dummy column n (Σa > Σb) holding the
// difference. Cells are numbered r·K + c (K columns, dummy included); that order is Bland's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/errors.hpp"

namespace emdkit::exact {

// What both exact solvers take besides their costs (this one's matrix, sparse_exact.hpp's
// point clouds), as raw arrays: the binding validates shapes, the solver checks values.
struct ExactMarginalsInput {
    const double* a = nullptr;  // m positive finite weights
    std::size_t m = 0;
    const double* b = nullptr;  // n positive finite weights
    std::size_t n = 0;
    // Optional float duals (u_r + v_c ≈ cost on the support), m and n of them, or null: they
    // choose the zero-flow cells that join a degenerate support into a spanning tree.
    const double* hint_u = nullptr;
    const double* hint_v = nullptr;
    // The work is reported times 2^weight_exp (TransportInput: times 2^(weight_exp +
    // cost_exp)), rounded once. Flows and duals stay in the input's units (the caller
    // rescales them by powers of two).
    long weight_exp = 0;
    std::int64_t max_pivots = -1;  // < 0: no limit (Bland's rule guarantees termination)
    // 0: the narrowest fixed width the input's exponent range needs; k > 0: at least k limbs
    // (tests); -1: the arbitrary-width BigInt throughout (tests, measurements).
    int width = 0;
};

struct TransportInput : ExactMarginalsInput {
    const double* cost = nullptr;  // m × n finite costs, row-major
    // The starting support: cells (hint_rows[k], hint_cols[k]) of the layout above; cells out
    // of the layout (a dummy the exact totals do not need) are skipped.
    const std::int64_t* hint_rows = nullptr;
    const std::int64_t* hint_cols = nullptr;
    std::size_t n_hint = 0;
    // The distance is reported times 2^cost_exp (and the work times 2^(weight_exp +
    // cost_exp)): the caller's scaled problem back in its own units.
    long cost_exp = 0;
    // false: when the start proves optimal as given (hint_optimal), the duals are not formed
    // (u, v left empty): the caller keeps its own certified ones. Their normalization divides
    // wide integers node by node, the larger part of verifying a small problem.
    bool duals_when_verified = true;
    // false: the final basis (basis_rows, basis_cols) and flow_exact are not reported (the
    // in-engine check of every small answer needs neither).
    bool want_basis = true;
    // When the caller knows them (> 0 both: every cost is finite, >= 0, none below
    // cost_min_positive but the zeros, none above cost_max), the costs' grid is read from
    // these two instead of a pass over every cost (a sixth of verifying a 64 × 64 answer).
    double cost_min_positive = 0.0, cost_max = 0.0;
};

enum class StartKind : int {
    hint_tree = 0,   // the support joined into a spanning tree, exactly feasible
    hint_greedy = 1, // the support's tree flows were negative: a feasible tree built greedily
};

struct TransportOutput {
    Status status = Status::optimal;
    // Cells of real rows and columns with a positive exact flow, row-major.
    std::vector<std::int64_t> rows, cols;
    std::vector<double> flows;               // exact flows, correctly rounded
    std::vector<std::uint8_t> flow_exact;    // 1 where that rounding was exact
    // The final basis, R + K − 1 cells of the layout (dummy and zero flows included): a
    // certificate a caller can check independently (tree flows >= 0, reduced costs >= 0).
    std::vector<std::int64_t> basis_rows, basis_cols;
    // Optimal duals u (m), v (n) with u_r + v_c <= cost exactly (before rounding), normalized
    // as emdkit.core.solve does: the dummy's potential 0, or Σ a u = Σ b v without a dummy;
    // each correctly rounded. Empty when duals_when_verified is false and hint_optimal.
    std::vector<double> u, v;
    double work = 0.0;         // Σ f·c · 2^(weight_exp + cost_exp), correctly rounded
    double work_scaled = 0.0;  // Σ f·c, correctly rounded
    double distance = 0.0;     // Σ f·c / min(Σa, Σb) · 2^cost_exp, correctly rounded
    bool work_exact = false, distance_exact = false;  // whether those roundings were exact
    int dummy = 0;             // 0 none, 1 dummy column (sink), 2 dummy row (source)
    std::int64_t pivots = 0;
    std::int64_t bland_pivots = 0;  // of which under Bland's rule (long degenerate streaks)
    bool hint_optimal = false; // the start was optimal as given (pure verification)
    StartKind start = StartKind::hint_tree;
    int limbs = 0;             // the fixed width used (0: BigInt)
};

// Solves exactly; throws std::invalid_argument on a weight <= 0 or a non-finite value.
TransportOutput solve_exact_transport(const TransportInput& input);

}  // namespace emdkit::exact
