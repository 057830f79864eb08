// The batch kernels (emdkit/core/batch.py): many small problems, each through solve_small,
// results packed at each problem's offsets. Serial over a range of problems; the caller runs
// ranges on its threads, without the GIL.
#pragma once

#include <cstdint>

namespace emdkit::solve {

using Index = std::int64_t;

// Problem k: scaled kept weights a_flat[a_off[k] .. a_off[k + 1]), b likewise, costs
// c_flat[c_off[k] ..] (row-major). Where each problem's results go.
struct DenseBatch {
    const double* a_flat;
    const Index* a_off;
    const double* b_flat;
    const Index* b_off;
    const double* c_flat;
    const Index* c_off;
    // Problem k's scales (ExactScale): with both given, every answer is verified exactly
    // (solve/exact_check.hpp) and its exact distance and work stored; null: float answers.
    const Index* weight_exp = nullptr;
    const Index* cost_exp = nullptr;
};

// Packed outputs: support at sup_off[k], potentials at pi_off[k], and per problem a row of
// stats (status, method, pivots, gap, work, total, support size, exact (0 or 1), exact
// distance, exact work; the last two in the user's units, 0 unless exact).
struct BatchOutput {
    const Index* sup_off;
    Index* sup_r;
    Index* sup_c;
    double* sup_f;
    const Index* pi_off;
    double* pi_out;
    double* stats;  // (problems x STATS_COLUMNS), row-major
};

constexpr Index STATS_COLUMNS = 10;

void dense_kernel(Index first, Index last, const DenseBatch& in, Index max_iter,
                  bool shortcuts, const BatchOutput& out);

// Signatures packed as points (rows of dim coordinates) and weights, signature i at
// [offsets[i], offsets[i + 1]).
struct Signatures {
    const double* points;
    const double* weights;
    const Index* offsets;
    Index dim;
};

// Pairs lo..hi-1 of (first, second): distance and status of each, exactly as signature_emd's
// "small" path computes them. With `verify`, each distance is the exact optimum correctly
// rounded (solve/exact_check.hpp); a pair the check cannot serve (an inf cost) gets status
// not_certified, which the caller settles.
void pairs_kernel(Index lo, Index hi, const Signatures& sigs, const Index* first,
                  const Index* second, long long metric_code, double* out, Index* status,
                  bool verify = false);

}  // namespace emdkit::solve
