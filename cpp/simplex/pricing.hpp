// Pricing: how the entering arc is chosen (LEMON's named pivot rules).
//
// BlockSearch is LEMON's block search over any arc list: the most negative reduced cost in
// the first block of about sqrt(arcs) arcs that has one. DenseRowBlock is the same rule for a
// dense row-major block of arcs (row i -> node n_rows + j), which screens whole rows with a
// minimum before searching them.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

#include "simplex/basis.hpp"

namespace emdkit::simplex {

// Relative tolerance on reduced costs, scaled by the magnitudes that were subtracted: a
// smaller reduced cost is within the rounding of its own evaluation, and pivoting on it can
// only stall. The certificate judges the final basis with sound error bounds, not with this.
constexpr double PRICING_EPS = 1e-13;

// c + ps - pt beats best and is negative beyond the rounding of its own evaluation.
inline bool is_violated(double c, double ps, double pt, double best) {
    const double rc = c + ps - pt;
    return rc < best && rc < -PRICING_EPS * std::max(std::max(std::abs(c), std::abs(ps)),
                                                     std::abs(pt));
}

struct Entering {
    ArcEnds in;  // in.arc = -1: no arc prices negative (optimal over these arcs)
    Index next;  // where the next search starts
};

class BlockSearch {
public:
    BlockSearch(Index first_real, Index n_arcs, Index block_size)
        : first_real_(first_real), n_arcs_(n_arcs), block_size_(block_size) {}

    Entering find(const Basis<double>& b, Index next_arc) const {
        ArcEnds in{-1, -1, -1};
        double best = 0.0;
        Index cnt = block_size_;
        Index e = next_arc;
        const double* cost = b.cost.data();
        const double* pi = b.pi.data();
        for (Index k = first_real_; k < n_arcs_; ++k) {
            if (b.state[e] == STATE_LOWER) {
                const double ps = pi[b.src[e]];
                const double pt = pi[b.tgt[e]];
                if (is_violated(cost[e], ps, pt, best)) {
                    best = cost[e] + ps - pt;
                    in = {e, b.src[e], b.tgt[e]};
                }
            }
            if (++e == n_arcs_) e = first_real_;
            if (--cnt == 0) {
                if (in.arc >= 0) break;
                cnt = block_size_;
            }
        }
        return {in, e};
    }

private:
    Index first_real_, n_arcs_, block_size_;
};

class DenseRowBlock {
public:
    DenseRowBlock(Index first_real, Index n_rows, Index n_cols, Index block_size)
        : first_real_(first_real), n_rows_(n_rows), n_cols_(n_cols),
          block_rows_(std::max<Index>(1, block_size / n_cols)) {}

    // Rows whose screened minimum is below the best so far are searched exactly, with the
    // same tolerance as BlockSearch; a block is block_size arcs rounded up to whole rows.
    // Tree arcs have reduced cost 0 up to rounding, which the tolerance nearly always rejects;
    // only arcs that pass it are looked up, because a potential that cancelled to a small value
    // beside big-M ones keeps an absolute error above the tolerance, and pivoting on a tree
    // arc breaks the basis (check_tree caught it on wide-range costs).
    Entering find(const Basis<double>& b, Index next_arc) const {
        const double* cost = b.cost.data();
        const double* pi = b.pi.data();
        const double* pi_cols = pi + n_rows_;
        ArcEnds in{-1, -1, -1};
        double best = 0.0;
        Index r = ((next_arc - first_real_) / n_cols_) % n_rows_;
        Index screened = 0;
        for (Index k = 0; k < n_rows_; ++k) {
            const Index base = first_real_ + r * n_cols_;
            const double pi_i = pi[r];
            if (row_min_shifted(cost + base, pi_cols) + pi_i < best) {
                for (Index j = 0; j < n_cols_; ++j) {
                    if (is_violated(cost[base + j], pi_i, pi_cols[j], best) &&
                        b.state[base + j] == STATE_LOWER) {
                        best = cost[base + j] + pi_i - pi_cols[j];
                        in = {base + j, r, n_rows_ + j};
                    }
                }
            }
            if (++r == n_rows_) r = 0;
            ++screened;
            if (screened >= block_rows_ && in.arc >= 0) break;
        }
        return {in, first_real_ + r * n_cols_};
    }

private:
    // min_j (cost[j] - pi_cols[j]). Four running minima so the loop pipelines; a minimum is
    // exact whatever the order (only the sign of a zero can differ, which no comparison sees).
    double row_min_shifted(const double* cost, const double* pi_cols) const {
        constexpr double inf = std::numeric_limits<double>::infinity();
        double m0 = inf, m1 = inf, m2 = inf, m3 = inf;
        Index j = 0;
        for (; j + 4 <= n_cols_; j += 4) {
            m0 = std::min(m0, cost[j] - pi_cols[j]);
            m1 = std::min(m1, cost[j + 1] - pi_cols[j + 1]);
            m2 = std::min(m2, cost[j + 2] - pi_cols[j + 2]);
            m3 = std::min(m3, cost[j + 3] - pi_cols[j + 3]);
        }
        for (; j < n_cols_; ++j) m0 = std::min(m0, cost[j] - pi_cols[j]);
        return std::min(std::min(m0, m1), std::min(m2, m3));
    }

    Index first_real_, n_rows_, n_cols_, block_rows_;
};

}  // namespace emdkit::simplex
