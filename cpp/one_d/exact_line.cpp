// The sorted coupling in exact arithmetic (see exact_line.hpp).
//
// Phases: measure the grids of the weights and of the positions (their smallest last place
// and their largest value), compare the exact totals, then walk the staircase once, forming
// each flow as the difference of two exact cumulative weights and adding f·h to the work.
// Flows, costs and the work are all >= 0: unsigned integers of a width fixed per call from the
// grids, in 128-bit integers when the widths allow (NarrowArithmetic: ordinary inputs), else in
// little-endian 64-bit limb vectors (WideArithmetic); positions carry their sign. The walk is
// written once over both (walk_staircase).
#include "one_d/exact_line.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "costs/ground_cost.hpp"
#include "exact/dyadic.hpp"

namespace emdkit {

namespace {

using exact::Limb;
using exact::LIMB_BITS;
using exact::Wide;
__extension__ typedef __int128 SignedWide;  // a position on its grid (GCC/Clang)

// A finite double as significand · 2^exponent (not reduced: exact::decompose strips the
// trailing zeros too). Inline here, where it runs per point and per weight of the walk
// (exact::decompose is compiled out of line in dyadic.cpp).
struct Significand {
    std::uint64_t bits;  // below 2^53; 0 for ±0
    long exponent;
};

inline Significand split(double value) {
    constexpr int FRACTION_BITS = 52, FIELD_BIAS = 1075, SUBNORMAL_EXPONENT = -1074;
    std::uint64_t raw;
    std::memcpy(&raw, &value, sizeof raw);
    const int field = static_cast<int>((raw >> FRACTION_BITS) & 0x7FF);
    std::uint64_t significand = raw & ((std::uint64_t{1} << FRACTION_BITS) - 1);
    if (field == 0) return {significand, SUBNORMAL_EXPONENT};
    return {significand | (std::uint64_t{1} << FRACTION_BITS), field - FIELD_BIAS};
}

// The integer grid of some finite doubles: each is an integer times 2^lsb, below 2^top.
struct LineGrid {
    long lsb = LONG_MAX;
    long top = LONG_MIN;
    void add(double value) {
        const Significand p = split(value);
        if (p.bits == 0) return;
        lsb = std::min(lsb, p.exponent + __builtin_ctzll(p.bits));
        top = std::max(top, p.exponent + exact::bit_length(p.bits));
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

// The widths of one call: a cumulative weight is below max(m, n)·2^weights.top, a difference
// of two positions below 2^(points.top − points.lsb + 1) on their grid.
struct Widths {
    long weight_lsb = 0, point_lsb = 0;
    long weight_bits = 0, point_bits = 0;
    Widths(const LineGrid& weights, const LineGrid& points, std::size_t m, std::size_t n)
        : weight_lsb(weights.lsb), point_lsb(points.empty() ? 0 : points.lsb) {
        weight_bits = weights.top - weights.lsb + exact::bit_length(std::max(m, n));
        point_bits = points.empty() ? 1 : points.top - points.lsb + 1;
    }
};

// Arithmetic for any width: numbers in limb vectors sized once per call. Weights keep one
// spare bit, so that as two's complement they are positive (twos_complement_to_double rounds
// them); positions carry their sign apart.
template <int POWER>
class WideArithmetic {
public:
    using Weight = std::vector<Limb>;
    using Point = GridPoint;

    explicit WideArithmetic(const Widths& w)
        : lsb_(w.weight_lsb), point_lsb_(w.point_lsb), wl_(limbs_for(w.weight_bits + 1)),
          pl_(limbs_for(w.point_bits)), hl_(POWER * pl_), al_(wl_ + hl_),
          term_(static_cast<std::size_t>(wl_)), d_(static_cast<std::size_t>(pl_)),
          h_(static_cast<std::size_t>(hl_)), acc_(static_cast<std::size_t>(al_), 0) {}

    int weight_limbs() const { return wl_; }
    int point_limbs() const { return pl_; }
    Weight weight() const { return Weight(static_cast<std::size_t>(wl_), 0); }
    Point point() const { return {std::vector<Limb>(static_cast<std::size_t>(pl_)), false}; }
    void add(Weight& total, double w) {
        load(term_.data(), wl_, w, lsb_);
        add_to(total.data(), term_.data(), wl_);
    }
    void set(Point& p, double x) const {
        p.negative = load(p.magnitude.data(), pl_, x, point_lsb_);
    }
    bool less_equal(const Weight& x, const Weight& y) const {
        return compare(x.data(), y.data(), wl_) <= 0;
    }
    bool equal(const Weight& x, const Weight& y) const {
        return compare(x.data(), y.data(), wl_) == 0;
    }
    void difference(Weight& out, const Weight& x, const Weight& y) const {
        subtract(out.data(), x.data(), y.data(), wl_);
    }
    double to_double(const Weight& f) const {
        return exact::twos_complement_to_double(f.data(), wl_, lsb_, nullptr);
    }
    exact::BigInt to_big(const Weight& x) const {
        return exact::BigInt::from_twos_complement(x.data(), wl_);
    }
    // work += f·h(x − y)
    void add_work(const Weight& f, const Point& x, const Point& y) {
        const int f_used = used(f.data(), wl_);
        if (f_used == 0) return;
        distance_on_grid(d_.data(), x, y, pl_);
        add_product(acc_.data(), al_, f.data(), f_used, d_.data(), used(d_.data(), pl_),
                    h_.data(), hl_);
    }
    exact::BigInt work() const { return exact::BigInt::from_magnitude(acc_, false); }

    // acc += f·d^POWER (h: room for d^POWER)
    static void add_product(Limb* acc, int acc_count, const Limb* f, int f_used, const Limb* d,
                            int d_used, Limb* h, int h_count) {
        if (d_used == 0) return;
        if constexpr (POWER == 1) {
            multiply_add(acc, acc_count, f, f_used, d, d_used);
        } else {
            std::fill(h, h + h_count, Limb{0});
            multiply_add(h, h_count, d, d_used, d, d_used);
            multiply_add(acc, acc_count, f, f_used, h, used(h, h_count));
        }
    }

private:
    long lsb_, point_lsb_;
    int wl_, pl_, hl_, al_;  // limbs of weights, positions, costs, work
    std::vector<Limb> term_, d_, h_, acc_;
};

// The same in 128-bit integers, when the widths allow (ordinary inputs: weights within 2^70
// of each other, positions within 2^120): no loops over limbs but the work's products, several
// times faster than WideArithmetic.
template <int POWER>
class NarrowArithmetic {
public:
    using Weight = Wide;
    using Point = SignedWide;
    static constexpr long MAX_WEIGHT_BITS = 127;
    static constexpr long MAX_POINT_BITS = 127;  // |x − y| < 2^127: fits a signed __int128
    static bool fits(const Widths& w) {
        return w.weight_bits <= MAX_WEIGHT_BITS && w.point_bits <= MAX_POINT_BITS;
    }

    explicit NarrowArithmetic(const Widths& w)
        : lsb_(w.weight_lsb), point_lsb_(w.point_lsb),
          flow_scale_(w.weight_lsb >= MIN_NORMAL_EXPONENT
                          ? std::ldexp(1.0, static_cast<int>(w.weight_lsb))
                          : 0.0) {}

    int weight_limbs() const { return 2; }
    int point_limbs() const { return 2; }
    Weight weight() const { return 0; }
    Point point() const { return 0; }
    void add(Weight& total, double w) const { total += on_grid(w, lsb_); }
    void set(Point& p, double x) const {
        const Wide magnitude = on_grid(x, point_lsb_);
        p = std::signbit(x) ? -static_cast<SignedWide>(magnitude)
                            : static_cast<SignedWide>(magnitude);
    }
    bool less_equal(Weight x, Weight y) const { return x <= y; }
    bool equal(Weight x, Weight y) const { return x == y; }
    void difference(Weight& out, Weight x, Weight y) const { out = x - y; }
    double to_double(Weight f) const {
        // a 64-bit integer converts correctly rounded; times 2^lsb it stays exact while normal
        if ((f >> LIMB_BITS) == 0 && flow_scale_ != 0.0) {
            const double scaled = static_cast<double>(static_cast<Limb>(f)) * flow_scale_;
            if (scaled == 0.0 || scaled >= std::numeric_limits<double>::min()) return scaled;
        }
        const Limb limbs[2] = {static_cast<Limb>(f), static_cast<Limb>(f >> LIMB_BITS)};
        return exact::twos_complement_to_double(limbs, 2, lsb_, nullptr);
    }
    exact::BigInt to_big(Weight x) const {
        return exact::BigInt::from_magnitude({static_cast<Limb>(x), static_cast<Limb>(x >> 64)},
                                             false);
    }
    // work += f·h(x − y), the partial products of 64-bit halves added in place (straight-line
    // code: the limb loops of WideArithmetic took twice as long here)
    void add_work(Weight f, Point x, Point y) {
        if (f == 0) return;
        const Wide d = x >= y ? static_cast<Wide>(x - y) : static_cast<Wide>(y - x);
        const Limb f0 = static_cast<Limb>(f), f1 = static_cast<Limb>(f >> LIMB_BITS);
        Limb h[2 * POWER] = {static_cast<Limb>(d), static_cast<Limb>(d >> LIMB_BITS)};
        if constexpr (POWER == 2) {  // h = d², 4 limbs
            const Limb d0 = h[0], d1 = h[1];
            h[0] = h[1] = 0;
            add_at(h, 4, 0, static_cast<Wide>(d0) * d0);
            const Wide cross = static_cast<Wide>(d0) * d1;
            add_at(h, 4, 1, cross);
            add_at(h, 4, 1, cross);
            add_at(h, 4, 2, static_cast<Wide>(d1) * d1);
        }
        for (int k = 0; k < 2 * POWER; ++k) {
            if (h[k] == 0) continue;
            add_at(acc_, ACC_LIMBS, k, static_cast<Wide>(f0) * h[k]);
            if (f1 != 0) add_at(acc_, ACC_LIMBS, k + 1, static_cast<Wide>(f1) * h[k]);
        }
    }
    exact::BigInt work() const {
        return exact::BigInt::from_magnitude(std::vector<Limb>(acc_, acc_ + ACC_LIMBS), false);
    }

private:
    static constexpr int MIN_NORMAL_EXPONENT = -1022;
    static constexpr int ACC_LIMBS = 2 + 2 * POWER;  // Σ f·h < 2^127 · 2^(127·POWER)
    long lsb_, point_lsb_;
    double flow_scale_;  // 2^lsb when it is a normal double, else 0 (the slow rounding)
    Limb acc_[ACC_LIMBS] = {};

    // x[at..] += value (two limbs), the carry carried on.
    static void add_at(Limb* x, int count, int at, Wide value) {
        Wide s = static_cast<Wide>(x[at]) + static_cast<Limb>(value);
        x[at] = static_cast<Limb>(s);
        Wide carry = (s >> LIMB_BITS) + (value >> LIMB_BITS);
        for (int k = at + 1; carry != 0 && k < count; ++k) {
            s = static_cast<Wide>(x[k]) + carry;
            x[k] = static_cast<Limb>(s);
            carry = s >> LIMB_BITS;
        }
    }

    // |value| on the grid 2^lsb: its significand shifted; the grid holds every value, so a
    // right shift drops only zero bits, and a left one stays below 2^127.
    static Wide on_grid(double value, long lsb) {
        const Significand p = split(value);
        if (p.bits == 0) return 0;  // ±0: its exponent is not on the grid
        const long shift = p.exponent - lsb;
        return shift >= 0 ? static_cast<Wide>(p.bits) << shift
                          : static_cast<Wide>(p.bits >> -shift);
    }
};

// The walk, for one metric and one arithmetic: fills rows, cols, flows, u, v and the work on
// the grid 2^(weight_lsb + POWER·point_lsb).
template <Metric M, class Arithmetic>
void walk_staircase(const double* x, const double* wx, std::size_t m, const double* y,
                    const double* wy, std::size_t n, Arithmetic& ar, ExactStaircase& out) {
    const std::size_t cells = m + n - 1;
    out.rows.resize(cells);
    out.cols.resize(cells);
    out.flows.resize(cells);
    out.u.assign(m, 0.0);
    out.v.assign(n, 0.0);
    auto a = ar.weight(), b = ar.weight(), t = ar.weight(), f = ar.weight();
    auto px = ar.point(), py = ar.point();
    std::size_t i = 0, j = 0;
    ar.add(a, wx[0]);  // the cumulative weights A_i and B_j
    ar.add(b, wy[0]);
    ar.set(px, x[0]);
    ar.set(py, y[0]);
    out.v[0] = line_cost<M>(x[0] - y[0]);  // u[0] = 0 anchors the duals
    for (std::size_t k = 0; k < cells; ++k) {
        const bool row_first = ar.less_equal(a, b);
        const auto& next = row_first ? a : b;  // min(A_i, B_j)
        ar.difference(f, next, t);
        t = next;
        out.rows[k] = static_cast<std::int64_t>(i);
        out.cols[k] = static_cast<std::int64_t>(j);
        out.flows[k] = ar.to_double(f);
        ar.add_work(f, px, py);
        if (k == cells - 1) break;
        // step the exhausted side; a tie steps the row first (a degenerate cell)
        if (j == n - 1 || (i < m - 1 && row_first)) {
            ++i;
            ar.add(a, wx[i]);
            ar.set(px, x[i]);
            out.u[i] = line_cost<M>(x[i] - y[j]) - out.v[j];
        } else {
            ++j;
            ar.add(b, wy[j]);
            ar.set(py, y[j]);
            out.v[j] = line_cost<M>(x[i] - y[j]) - out.u[i];
        }
    }
}

// The exact totals compared, then the walk; the work and the distance rounded once.
template <Metric M, class Arithmetic>
void solve_on_line(const double* x, const double* wx, std::size_t m, const double* y,
                   const double* wy, std::size_t n, const Widths& widths, long weight_exp,
                   ExactStaircase& out) {
    constexpr int POWER = M == Metric::sqeuclidean ? 2 : 1;
    Arithmetic ar(widths);
    out.weight_limbs = ar.weight_limbs();
    out.point_limbs = ar.point_limbs();
    auto total_a = ar.weight(), total_b = ar.weight();
    for (std::size_t i = 0; i < m; ++i) ar.add(total_a, wx[i]);
    for (std::size_t j = 0; j < n; ++j) ar.add(total_b, wy[j]);
    out.balanced = ar.equal(total_a, total_b);
    if (!out.balanced) return;
    walk_staircase<M>(x, wx, m, y, wy, n, ar, out);
    const exact::BigInt work = ar.work();
    out.work = work.to_double(widths.weight_lsb + POWER * widths.point_lsb + weight_exp);
    out.distance = exact::round_quotient(work, ar.to_big(total_a), POWER * widths.point_lsb);
}

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
    const Widths widths(weights, points, m, n);
    with_metric(metric_code, [&](auto tag) {
        constexpr Metric M = decltype(tag)::value;
        constexpr int POWER = M == Metric::sqeuclidean ? 2 : 1;
        if (NarrowArithmetic<POWER>::fits(widths)) {
            solve_on_line<M, NarrowArithmetic<POWER>>(x, wx, m, y, wy, n, widths, weight_exp,
                                                       out);
        } else {
            solve_on_line<M, WideArithmetic<POWER>>(x, wx, m, y, wy, n, widths, weight_exp, out);
        }
    });
    return out;
}

}  // namespace emdkit
