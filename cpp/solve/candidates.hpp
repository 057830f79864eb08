// Candidate rounds' kernels (emdkit/core/candidate_rounds.py): the first candidate arcs (the
// k cheapest of every row and column) and the pricing sweep over every pair.
#pragma once

#include <cstdint>
#include <vector>

namespace emdkit::solve {

using Index = std::int64_t;

// Mirrors candidate_rounds.COLUMN_BLOCKS: column blocks of the column-candidate sweep, each
// block's k-smallest buffers (block width x k) small enough for cache.
constexpr Index COLUMN_BLOCKS = 8;

struct Candidates {
    std::vector<std::uint8_t> mask;  // m x n, row-major: 1 where the arc is a candidate
    std::vector<Index> rows, cols;   // the arcs, listed as they were first marked
};

// The k cheapest arcs of every row (each row's scan starting at a different column, so ties
// spread out) and of every column, with no sort.
Candidates initial_candidates(const double* C, Index m, Index n, Index k);

// For each row, up to cap columns with a negative reduced cost C + pi_i - pi_{n_rows + j}
// (beyond the rounding tolerance) outside the arc set in_set (m x n), most negative first:
// out_cols (m x cap) and out_count (m). Rows run on n_threads threads (1: serial).
void price_rows(const double* C, Index m, Index n, const double* pi, Index n_rows,
                const std::uint8_t* in_set, Index cap, Index* out_cols, Index* out_count,
                Index n_threads);

}  // namespace emdkit::solve
