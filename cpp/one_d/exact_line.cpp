// The sorted coupling in exact arithmetic (see exact_line.hpp).
//
// Phases: measure the grids of the weights and of the positions (their smallest last place
// and their largest value), compare the exact totals, then walk the staircase once, forming
// each flow as the difference of two exact cumulative weights and adding f·h to the work.
// Every number is an unsigned integer of a width fixed per call from the grids (flows, costs
// and the work are all >= 0), in little-endian 64-bit limbs; positions carry a sign apart.
#include "one_d/exact_line.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <stdexcept>
#include <string>

#include "costs/ground_cost.hpp"
#include "exact/dyadic.hpp"

namespace emdkit {

namespace {

using exact::Limb;
using exact::LIMB_BITS;
using exact::Wide;

// The integer grid of some finite doubles: each is an integer times 2^lsb, below 2^top.
struct LineGrid {
    long lsb = LONG_MAX;
    long top = LONG_MIN;
    void add(double value) {
        const exact::DyadicParts p = exact::decompose(value);
        if (p.mantissa == 0) return;
        lsb = std::min(lsb, static_cast<long>(p.exponent));
        top = std::max(top, static_cast<long>(p.exponent) + exact::bit_length(p.mantissa));
    }
    bool empty() const { return lsb == LONG_MAX; }
};

int limbs_for(long bits) { return static_cast<int>((bits + LIMB_BITS - 1) / LIMB_BITS); }

// |value| · 2^-lsb into `count` limbs (the grid guarantees it fits); returns value < 0.
bool load(Limb* out, int count, double value, long lsb) {
    std::fill(out, out + count, Limb{0});
    const exact::DyadicParts p = exact::decompose(value);
    if (p.mantissa == 0) return false;
    const long shift = p.exponent - lsb;
    const long limb = shift / LIMB_BITS;
    const int bit = static_cast<int>(shift % LIMB_BITS);
    out[limb] = p.mantissa << bit;
    if (bit != 0 && limb + 1 < count) out[limb + 1] = p.mantissa >> (LIMB_BITS - bit);
    return p.negative;
}

int compare(const Limb* x, const Limb* y, int count) {
    for (int k = count - 1; k >= 0; --k)
        if (x[k] != y[k]) return x[k] < y[k] ? -1 : 1;
    return 0;
}

void add_to(Limb* x, const Limb* y, int count) {
    Limb carry = 0;
    for (int k = 0; k < count; ++k) {
        const Wide s = static_cast<Wide>(x[k]) + y[k] + carry;
        x[k] = static_cast<Limb>(s);
        carry = static_cast<Limb>(s >> LIMB_BITS);
    }
}

// out = x − y for x >= y.
void subtract(Limb* out, const Limb* x, const Limb* y, int count) {
    Limb borrow = 0;
    for (int k = 0; k < count; ++k) {
        const Limb xk = x[k];
        out[k] = xk - y[k] - borrow;
        borrow = (xk < y[k] || (xk == y[k] && borrow)) ? 1 : 0;
    }
}

// The limbs up to the highest nonzero one (0 for zero).
int used(const Limb* x, int count) {
    while (count > 0 && x[count - 1] == 0) --count;
    return count;
}

// acc += x·y; acc has room for the result (the caller sized it from the grids).
void multiply_add(Limb* acc, int acc_count, const Limb* x, int x_count, const Limb* y,
                  int y_count) {
    for (int i = 0; i < x_count; ++i) {
        if (x[i] == 0) continue;
        Limb carry = 0;
        for (int j = 0; j < y_count; ++j) {
            const Wide t = static_cast<Wide>(x[i]) * y[j] + acc[i + j] + carry;
            acc[i + j] = static_cast<Limb>(t);
            carry = static_cast<Limb>(t >> LIMB_BITS);
        }
        for (int k = i + y_count; carry != 0 && k < acc_count; ++k) {
            const Wide s = static_cast<Wide>(acc[k]) + carry;
            acc[k] = static_cast<Limb>(s);
            carry = static_cast<Limb>(s >> LIMB_BITS);
        }
    }
}

// One point's position on the grid: sign and magnitude.
struct GridPoint {
    std::vector<Limb> magnitude;
    bool negative = false;
};

// |x − y| on the grid into out (count limbs, room for the sum of two magnitudes).
void distance_on_grid(Limb* out, const GridPoint& x, const GridPoint& y, int count) {
    if (x.negative != y.negative) {
        std::copy(x.magnitude.begin(), x.magnitude.end(), out);
        add_to(out, y.magnitude.data(), count);
    } else if (compare(x.magnitude.data(), y.magnitude.data(), count) >= 0) {
        subtract(out, x.magnitude.data(), y.magnitude.data(), count);
    } else {
        subtract(out, y.magnitude.data(), x.magnitude.data(), count);
    }
}

void check_line(const double* values, const double* weights, std::size_t count,
                const char* side) {
    for (std::size_t k = 0; k < count; ++k) {
        if (!std::isfinite(values[k]))
            throw std::invalid_argument(std::string("exact_staircase: ") + side + "[" +
                                        std::to_string(k) + "] is not finite");
        if (!(weights[k] > 0.0) || !std::isfinite(weights[k]))
            throw std::invalid_argument(std::string("exact_staircase: w") + side + "[" +
                                        std::to_string(k) + "] must be positive and finite");
    }
}

// Σ weights on the grid (count limbs).
std::vector<Limb> exact_total(const double* weights, std::size_t size, long lsb, int count) {
    std::vector<Limb> total(static_cast<std::size_t>(count), 0), term(total.size());
    for (std::size_t k = 0; k < size; ++k) {
        load(term.data(), count, weights[k], lsb);
        add_to(total.data(), term.data(), count);
    }
    return total;
}

// The walk, for one metric: fills rows, cols, flows, u, v and the work on the grid.
template <Metric M>
class StaircaseWalk {
public:
    static constexpr int POWER = M == Metric::sqeuclidean ? 2 : 1;

    StaircaseWalk(const double* x, const double* wx, std::size_t m, const double* y,
                  const double* wy, std::size_t n, const LineGrid& weights,
                  const LineGrid& points)
        : x_(x), wx_(wx), m_(m), y_(y), wy_(wy), n_(n), weight_lsb_(weights.lsb),
          point_lsb_(points.empty() ? 0 : points.lsb) {
        // cumulative weights stay below max(m, n)·2^top; one spare bit keeps them positive
        // as two's complement (twos_complement_to_double rounds them)
        const long count_bits = exact::bit_length(std::max(m, n));
        wl_ = limbs_for(weights.top - weights.lsb + count_bits + 1);
        // a difference of two positions is below 2^(top − lsb + 1)
        pl_ = points.empty() ? 1 : limbs_for(points.top - points.lsb + 1);
        hl_ = POWER * pl_;
        // Σ f·h <= Σa · max h, below 2^(64·(wl + hl))
        al_ = wl_ + hl_;
    }

    int weight_limbs() const { return wl_; }
    int point_limbs() const { return pl_; }

    // Walks the m + n − 1 cells; returns the work Σ f·h on the grid 2^(weight_lsb +
    // POWER·point_lsb).
    exact::BigInt walk(ExactStaircase& out) {
        const std::size_t cells = m_ + n_ - 1;
        out.rows.resize(cells);
        out.cols.resize(cells);
        out.flows.resize(cells);
        out.u.assign(m_, 0.0);
        out.v.assign(n_, 0.0);
        std::vector<Limb> a(wl_), b(wl_), t(wl_, 0), f(wl_), term(wl_), d(pl_), h(hl_),
            acc(al_, 0);
        GridPoint px{std::vector<Limb>(pl_), false}, py{std::vector<Limb>(pl_), false};
        std::size_t i = 0, j = 0;
        load(a.data(), wl_, wx_[0], weight_lsb_);  // the cumulative weights A_i and B_j
        load(b.data(), wl_, wy_[0], weight_lsb_);
        px.negative = load(px.magnitude.data(), pl_, x_[0], point_lsb_);
        py.negative = load(py.magnitude.data(), pl_, y_[0], point_lsb_);
        out.v[0] = line_cost<M>(x_[0] - y_[0]);  // u[0] = 0 anchors the duals
        for (std::size_t k = 0; k < cells; ++k) {
            const bool row_first = compare(a.data(), b.data(), wl_) <= 0;
            const Limb* next = row_first ? a.data() : b.data();  // min(A_i, B_j)
            subtract(f.data(), next, t.data(), wl_);
            std::copy(next, next + wl_, t.begin());
            out.rows[k] = static_cast<std::int64_t>(i);
            out.cols[k] = static_cast<std::int64_t>(j);
            out.flows[k] = exact::twos_complement_to_double(f.data(), wl_, weight_lsb_, nullptr);
            add_work(acc, f, d, h, px, py);
            if (k == cells - 1) break;
            // step the exhausted side; a tie steps the row first (a degenerate cell)
            if (j == n_ - 1 || (i < m_ - 1 && row_first)) {
                ++i;
                load(term.data(), wl_, wx_[i], weight_lsb_);
                add_to(a.data(), term.data(), wl_);
                px.negative = load(px.magnitude.data(), pl_, x_[i], point_lsb_);
                out.u[i] = line_cost<M>(x_[i] - y_[j]) - out.v[j];
            } else {
                ++j;
                load(term.data(), wl_, wy_[j], weight_lsb_);
                add_to(b.data(), term.data(), wl_);
                py.negative = load(py.magnitude.data(), pl_, y_[j], point_lsb_);
                out.v[j] = line_cost<M>(x_[i] - y_[j]) - out.u[i];
            }
        }
        return exact::BigInt::from_magnitude(std::move(acc), false);
    }

    long work_lsb() const { return weight_lsb_ + POWER * point_lsb_; }
    long cost_lsb() const { return POWER * point_lsb_; }

private:
    const double *x_, *wx_;
    std::size_t m_;
    const double *y_, *wy_;
    std::size_t n_;
    long weight_lsb_, point_lsb_;
    int wl_ = 0, pl_ = 0, hl_ = 0, al_ = 0;  // limbs of weights, positions, costs, work

    // acc += f·h(x − y) for the current cell.
    void add_work(std::vector<Limb>& acc, const std::vector<Limb>& f, std::vector<Limb>& d,
                  std::vector<Limb>& h, const GridPoint& px, const GridPoint& py) const {
        const int f_used = used(f.data(), wl_);
        if (f_used == 0) return;
        distance_on_grid(d.data(), px, py, pl_);
        const int d_used = used(d.data(), pl_);
        if (d_used == 0) return;
        if constexpr (POWER == 1) {
            multiply_add(acc.data(), al_, f.data(), f_used, d.data(), d_used);
        } else {
            std::fill(h.begin(), h.end(), Limb{0});
            multiply_add(h.data(), hl_, d.data(), d_used, d.data(), d_used);
            multiply_add(acc.data(), al_, f.data(), f_used, h.data(), used(h.data(), hl_));
        }
    }
};

}  // namespace

ExactStaircase exact_staircase(const double* x, const double* wx, std::size_t m,
                               const double* y, const double* wy, std::size_t n,
                               long long metric_code, long weight_exp) {
    if (m == 0 || n == 0)
        throw std::invalid_argument("exact_staircase: x and y must not be empty");
    check_line(x, wx, m, "x");
    check_line(y, wy, n, "y");
    LineGrid weights, points;
    for (std::size_t i = 0; i < m; ++i) {
        weights.add(wx[i]);
        points.add(x[i]);
    }
    for (std::size_t j = 0; j < n; ++j) {
        weights.add(wy[j]);
        points.add(y[j]);
    }
    ExactStaircase out;
    with_metric(metric_code, [&](auto tag) {
        StaircaseWalk<decltype(tag)::value> walk(x, wx, m, y, wy, n, weights, points);
        out.weight_limbs = walk.weight_limbs();
        out.point_limbs = walk.point_limbs();
        const int wl = walk.weight_limbs();
        const std::vector<Limb> total_a = exact_total(wx, m, weights.lsb, wl);
        const std::vector<Limb> total_b = exact_total(wy, n, weights.lsb, wl);
        out.balanced = compare(total_a.data(), total_b.data(), wl) == 0;
        if (!out.balanced) return;
        const exact::BigInt work = walk.walk(out);
        const exact::BigInt total = exact::BigInt::from_magnitude(total_a, false);
        out.work = work.to_double(walk.work_lsb() + weight_exp);
        out.distance = exact::round_quotient(work, total, walk.cost_lsb());
    });
    return out;
}

}  // namespace emdkit
