// One small dense problem, solved start to end in one call: the all-arcs block
// (emdkit/core/block.py). Three exact routes: constant costs (north-west corner), equal
// counts with one common weight (assignment), and the network simplex over the full block.
// Each is certified with the same sound bounds.
#pragma once

#include <cstdint>
#include <vector>

namespace emdkit::solve {

using Index = std::int64_t;

// Mirrors block.ALL_ARCS_BELOW: up to this many pairs one dense block with every arc beats
// candidate rounds (measured crossover between 20k and 40k pairs, bench/RESULTS_core.md).
// Re-measured after issue 22's workspace and pivoted start (block / rounds, CPU time, four
// families): 0.57-0.82 at 128², 0.70-1.01 at 173², 0.93-1.20 at 256², 1.35-1.77 at 350².
// After the vectorised row scans (bench/block_threshold.py, quiet, CPU time): 0.62-0.86 at
// 256², 0.70-0.92 at 300², 0.73-1.10 at 350². Hence 100k pairs (316²).
constexpr Index ALL_ARCS_BELOW = 100'000;

constexpr int METHOD_BLOCK = 0;
constexpr int METHOD_ASSIGNMENT = 1;
constexpr int METHOD_CONSTANT = 2;
constexpr int METHOD_WARM_START = 3;
// The float certificate failed, or the float basis was not optimal: the exact simplex
// (cpp/exact) settled the answer (solve/exact_check.hpp).
constexpr int METHOD_EXACT_INTEGER = 4;

// A flow on the balanced block, listed row-major.
struct BlockFlow {
    std::vector<Index> rows, cols;
    std::vector<double> flows;
};

// Everything solve_small returns (block.solve_small's tuple, in its order).
struct SmallResult {
    int status;
    int method;
    BlockFlow flow;
    std::vector<double> pi;  // block layout: u = -pi rows, v = pi columns (v repaired)
    double work;             // in the scaled units
    double total;
    int kind;
    Index pivots;
    double gap;
    // Set by the exact check (solve/exact_check.hpp): the answer is the exact optimum, its
    // distance and work in the user's units each rounded once.
    bool exact = false;
    double exact_distance = 0.0, exact_work = 0.0;
};

// The power-of-two scales of a reduced problem: the user's weights are the scaled ones times
// 2^weight_exp, the user's costs the scaled ones times 2^cost_exp (problem.py's layout).
struct ExactScale {
    long weight_exp = 0;
    long cost_exp = 0;
};

// sum f c over the real arcs of a row-major support, left to right: the same optimal flow
// gives the same bits whichever entry point ran.
double canonical_work(const Index* rows, const Index* cols, const double* flows, Index count,
                      const double* C, Index m, Index n);

// The route of a small problem (METHOD_*), the one rule for it (block.small_route in Python):
// constant when every cost is equal (lo == hi); assignment for equal totals, equal counts below
// ASSIGNMENT_BELOW and one common weight, with no missing arc (hi finite); else the block
// simplex. shortcuts=false always takes the block simplex.
int small_route(const double* ar, Index m, const double* bc, Index n, int kind, double lo,
                double hi, bool shortcuts);

// A warm start for the block (simplex/warm_start.hpp): a previous support's arcs as block
// rows and columns (dummy included), and node potentials or nullptr; potentials whose count
// is not the block's node count (n_rows + n_cols) are not used.
struct BlockWarmStart {
    const Index* rows;
    const Index* cols;
    Index count;
    const double* pi;
    Index pi_count;
};

// Exact EMD of one reduced problem: positive scaled weights ar (m), bc (n), scaled m x n costs,
// by small_route's route. shortcuts=false skips the constant and assignment routes; a warm
// start (not null) skips them too and starts the simplex from it (method METHOD_WARM_START).
// With `exact` (not null), the answer is verified exactly in the same call and returned as
// the exact optimum correctly rounded (solve/exact_check.hpp).
SmallResult solve_small(const double* ar, Index m, const double* bc, Index n, const double* C,
                        Index max_iter, bool shortcuts, const BlockWarmStart* warm = nullptr,
                        const ExactScale* exact = nullptr);

// The closed form when one side is a single point of weight w: a fractional knapsack.
struct OneToMany {
    std::vector<Index> idx;  // points with flow, in index order
    std::vector<double> flows;
    double work, total, u;
    std::vector<double> v;
};

OneToMany one_to_many(double w, const double* weights, const double* costs, Index n);

}  // namespace emdkit::solve
