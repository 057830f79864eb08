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
#include "simplex/row_scan.hpp"

namespace emdkit::simplex {

// c + ps - pt beats best and is negative beyond the rounding of its own evaluation.
inline bool is_violated(double c, double ps, double pt, double best) {
    const double rc = c + ps - pt;
    return rc < best && clears_tolerance(rc, c, ps, pt);
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

// The screen of a row asks for its least (c - pi_j) + pi_i below -SCREEN_EPS |pi_i| as well
// as below the best so far. Sound: an arc that clears the tolerance has c + pi_i - pi_j below
// -PRICING_EPS M (M = max |c|, |pi_i|, |pi_j|), and the screen's value for it differs from that
// by at most 10 M 2^-53 ~ 1.1e-15 M (two roundings each way), so it is below
// -0.98 PRICING_EPS M <= -SCREEN_EPS |pi_i| with a margin of 45 times the rounding. Without it
// every row whose tree arcs round to a tiny negative reduced cost passed the screen: 2.8 rows
// searched exactly per pivot, n = 256 clouds (callgrind, 2026-12-03).
constexpr double SCREEN_EPS = PRICING_EPS / 2;

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
            const double bar = std::min(best, -SCREEN_EPS * std::abs(pi_i));
            if (row_min_shifted(cost + base, pi_cols, n_cols_, avx2_) + pi_i < bar) {
                const Index j = search_row(b, base, pi_i, best);
                if (j >= 0) {
                    best = cost[base + j] + pi_i - pi_cols[j];
                    in = {base + j, r, n_rows_ + j};
                }
            }
            if (++r == n_rows_) r = 0;
            ++screened;
            if (screened >= block_rows_ && in.arc >= 0) break;
        }
        return {in, first_real_ + r * n_cols_};
    }

private:
    // The column of the row's first arc at the lower bound with the least violating reduced
    // cost below best, or -1: a branch-free minimum, then a walk to its first arc. Only when
    // the minimum is held by tree arcs alone (rounding; see find) does the row get the
    // arc-by-arc scan, which is the rule both give.
    Index search_row(const Basis<double>& b, Index base, double pi_i, double best) const {
        const double* cost = b.cost.data() + base;
        const double* pi_cols = b.pi.data() + n_rows_;
        const std::int8_t* state = b.state.data() + base;
        const double least = row_min_violation(cost, pi_i, pi_cols, n_cols_, avx2_);
        if (!(least < best)) return -1;
        const Index j = first_arc_at(cost, state, pi_i, pi_cols, n_cols_, least, avx2_);
        if (j >= 0) return j;
        Index found = -1;
        for (Index c = 0; c < n_cols_; ++c) {
            if (is_violated(cost[c], pi_i, pi_cols[c], best) && state[c] == STATE_LOWER) {
                best = cost[c] + pi_i - pi_cols[c];
                found = c;
            }
        }
        return found;
    }

    Index first_real_, n_rows_, n_cols_, block_rows_;
    bool avx2_ = row_scan_avx2();
};

}  // namespace emdkit::simplex
