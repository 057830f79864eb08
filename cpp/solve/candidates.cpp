#include "solve/candidates.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/parallel_for.hpp"
#include "common/topk.hpp"
#include "simplex/pricing.hpp"

namespace emdkit::solve {

namespace {

constexpr double INF = std::numeric_limits<double>::infinity();

// Columns screened together in price_row: the screen of a chunk is branch-free (the compiler
// vectorises it), and only a chunk holding a candidate takes the exact, branchy insertion.
// The screen compares with the buffer's bound as the chunk starts; the bound only falls, so
// every entry the exact test would take passes it, and the output is the same.
constexpr Index PRICE_CHUNK = 8;

// The exact test and insertion for columns [j0, j1) of row i.
inline void price_columns(const double* row, const double* pi_cols, double pi_i,
                          const std::uint8_t* in_row, Index j0, Index j1, double* vals,
                          Index* idx, std::size_t k) {
    for (Index j = j0; j < j1; ++j) {
        const double pj = pi_cols[j];
        const double c = row[j];
        const double rc = c + pi_i - pj;
        if (rc < vals[k - 1] && !in_row[j]) {
            if (rc < -simplex::PRICING_EPS *
                         std::max(std::max(std::abs(c), std::abs(pi_i)), std::abs(pj)))
                push_smallest(vals, idx, k, rc, j);
        }
    }
}

void price_row(const double* C, Index n, const double* pi, Index i, Index n_rows,
               const std::uint8_t* in_set, Index cap, double* vals, Index* idx,
               Index* out_cols, Index* out_count) {
    const auto k = static_cast<std::size_t>(cap);
    std::fill(vals, vals + cap, 0.0);  // only negative reduced costs can enter
    std::fill(idx, idx + cap, Index(-1));
    const double pi_i = pi[i];
    const double* pi_cols = pi + n_rows;
    const double* row = C + i * n;
    const std::uint8_t* in_row = in_set + i * n;
    Index j = 0;
    for (; j + PRICE_CHUNK <= n; j += PRICE_CHUNK) {
        const double bound = vals[k - 1];
        bool any = false;
        for (Index t = 0; t < PRICE_CHUNK; ++t) any |= row[j + t] + pi_i - pi_cols[j + t] < bound;
        if (any) price_columns(row, pi_cols, pi_i, in_row, j, j + PRICE_CHUNK, vals, idx, k);
    }
    price_columns(row, pi_cols, pi_i, in_row, j, n, vals, idx, k);
    out_count[i] = emit_row(idx, k, out_cols + i * cap);
}

}  // namespace

Candidates initial_candidates(const double* C, Index m, Index n, Index k) {
    Candidates out;
    out.mask.assign(static_cast<std::size_t>(m * n), 0);
    const Index kr = std::min(k, n);
    const Index kc = std::min(k, m);
    out.rows.reserve(static_cast<std::size_t>(m * kr + n * kc));
    out.cols.reserve(static_cast<std::size_t>(m * kr + n * kc));
    const auto mark = [&](Index i, Index j) {
        if (!out.mask[i * n + j]) {
            out.mask[i * n + j] = 1;
            out.rows.push_back(i);
            out.cols.push_back(j);
        }
    };
    std::vector<double> vals(static_cast<std::size_t>(kr));
    std::vector<Index> idx(static_cast<std::size_t>(kr));
    for (Index i = 0; i < m; ++i) {
        std::fill(vals.begin(), vals.end(), INF);
        std::fill(idx.begin(), idx.end(), Index(0));
        const Index start = (i * n) / m;
        const double* row = C + i * n;
        for (Index j = start; j < n; ++j) push_smallest(vals.data(), idx.data(), kr, row[j], j);
        for (Index j = 0; j < start; ++j) push_smallest(vals.data(), idx.data(), kr, row[j], j);
        for (Index t = 0; t < kr; ++t) mark(i, idx[t]);
    }
    const Index width = (n + COLUMN_BLOCKS - 1) / COLUMN_BLOCKS;
    for (Index bl = 0; bl < COLUMN_BLOCKS; ++bl) {
        const Index j0 = bl * width;
        const Index j1 = std::min(n, j0 + width);
        if (j0 >= j1) continue;
        std::vector<double> cvals(static_cast<std::size_t>((j1 - j0) * kc), INF);
        std::vector<Index> cidx(static_cast<std::size_t>((j1 - j0) * kc), 0);
        for (Index i = 0; i < m; ++i)  // row-major sweep keeps memory access contiguous
            for (Index j = j0; j < j1; ++j)
                push_smallest(&cvals[(j - j0) * kc], &cidx[(j - j0) * kc], kc, C[i * n + j], i);
        for (Index j = j0; j < j1; ++j)
            for (Index t = 0; t < kc; ++t) mark(cidx[(j - j0) * kc + t], j);
    }
    return out;
}

void price_rows(const double* C, Index m, Index n, const double* pi, Index n_rows,
                const std::uint8_t* in_set, Index cap, Index* out_cols, Index* out_count,
                Index n_threads) {
    const auto threads = static_cast<std::size_t>(std::max<Index>(n_threads, 1));
    std::vector<double> vals(threads * cap);
    std::vector<Index> idx(threads * cap);
    parallel_for_rows(static_cast<std::size_t>(m), threads,
                      [&](std::size_t worker, std::size_t begin, std::size_t end) {
                          double* v = vals.data() + worker * cap;
                          Index* x = idx.data() + worker * cap;
                          for (auto i = static_cast<Index>(begin); i < static_cast<Index>(end);
                               ++i)
                              price_row(C, n, pi, i, n_rows, in_set, cap, v, x, out_cols,
                                        out_count);
                      });
}

}  // namespace emdkit::solve
