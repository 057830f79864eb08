// Exact integers (see dyadic.hpp): magnitude arithmetic on little-endian 64-bit limbs and the
// correctly rounded conversions to float64.
#include "exact/dyadic.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <limits>

namespace emdkit::exact {

namespace {

// float64's layout: 52 stored fraction bits, an 11-bit biased exponent.
constexpr int FRACTION_BITS = 52;
constexpr int EXPONENT_BIAS = 1075;  // value = significand · 2^(field − 1075) for normals
constexpr int MIN_LSB_EXPONENT = -1074;  // the subnormals' unit
constexpr int MAX_EXPONENT = 1023;       // 2^1024 overflows
// round_to_double needs this many bits when the value has bits beyond `top` (the sticky bit):
// 53 significant bits, the rounding bit, and one below it so that a nonzero tail never ties.
constexpr int BITS_FOR_STICKY = 55;

using Mag = std::vector<Limb>;

void trim_magnitude(Mag& x) {
    while (!x.empty() && x.back() == 0) x.pop_back();
}

long magnitude_bit_length(const Limb* x, int count) {
    while (count > 0 && x[count - 1] == 0) --count;
    if (count == 0) return 0;
    return static_cast<long>(count - 1) * LIMB_BITS + bit_length(x[count - 1]);
}

// Bits [from, from + 64) of the magnitude (zeros beyond its end).
std::uint64_t bits_at(const Limb* x, int count, long from) {
    const long limb = from / LIMB_BITS;
    const int bit = static_cast<int>(from % LIMB_BITS);
    std::uint64_t out = limb < count ? x[limb] >> bit : 0;
    if (bit != 0 && limb + 1 < count) out |= x[limb + 1] << (LIMB_BITS - bit);
    return out;
}

bool any_bit_below(const Limb* x, long bits) {
    const long full = bits / LIMB_BITS;
    for (long k = 0; k < full; ++k)
        if (x[k] != 0) return true;
    const int rest = static_cast<int>(bits % LIMB_BITS);
    return rest != 0 && (x[full] & ((Limb{1} << rest) - 1)) != 0;
}

double magnitude_to_double(const Limb* mag, int count, bool negative, long exponent,
                           bool* inexact) {
    const long bits = magnitude_bit_length(mag, count);
    if (bits == 0) {
        if (inexact) *inexact = false;
        return 0.0;
    }
    if (bits <= LIMB_BITS) return round_to_double(negative, mag[0], false, exponent, inexact);
    const long drop = bits - LIMB_BITS;
    return round_to_double(negative, bits_at(mag, count, drop), any_bit_below(mag, drop),
                           exponent + drop, inexact);
}

void add_magnitude_to(Mag& x, const Mag& y) {
    if (x.size() < y.size()) x.resize(y.size(), 0);
    Limb carry = 0;
    for (std::size_t k = 0; k < x.size(); ++k) {
        const Wide s = static_cast<Wide>(x[k]) + (k < y.size() ? y[k] : 0) + carry;
        x[k] = static_cast<Limb>(s);
        carry = static_cast<Limb>(s >> LIMB_BITS);
        if (carry == 0 && k >= y.size()) break;
    }
    if (carry) x.push_back(carry);
}

// x -= y for |x| >= |y|.
void sub_magnitude_from(Mag& x, const Mag& y) {
    Limb borrow = 0;
    for (std::size_t k = 0; k < x.size(); ++k) {
        const Limb yk = k < y.size() ? y[k] : 0;
        if (k >= y.size() && borrow == 0) break;
        const Limb xk = x[k];
        x[k] = xk - yk - borrow;
        borrow = (xk < yk || (xk == yk && borrow)) ? 1 : 0;
    }
    EMDKIT_INVARIANT(borrow == 0, "magnitude subtraction went below zero");
    trim_magnitude(x);
}

Mag shift_magnitude_left(const Mag& x, long bits) {
    if (x.empty()) return {};
    const long limbs = bits / LIMB_BITS;
    const int bit = static_cast<int>(bits % LIMB_BITS);
    Mag out(x.size() + static_cast<std::size_t>(limbs) + 1, 0);
    for (std::size_t k = 0; k < x.size(); ++k) {
        out[k + static_cast<std::size_t>(limbs)] |= x[k] << bit;
        if (bit != 0) out[k + static_cast<std::size_t>(limbs) + 1] |= x[k] >> (LIMB_BITS - bit);
    }
    trim_magnitude(out);
    return out;
}

}  // namespace

DyadicParts decompose(double x) {
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    const bool negative = (bits >> 63) != 0;
    const int field = static_cast<int>((bits >> FRACTION_BITS) & 0x7FF);
    std::uint64_t mantissa = bits & ((std::uint64_t{1} << FRACTION_BITS) - 1);
    int exponent = MIN_LSB_EXPONENT;
    if (field != 0) {
        mantissa |= std::uint64_t{1} << FRACTION_BITS;
        exponent = field - EXPONENT_BIAS;
    }
    if (mantissa == 0) return {0, 0, negative};
    const int zeros = __builtin_ctzll(mantissa);
    return {mantissa >> zeros, exponent + zeros, negative};
}

double round_to_double(bool negative, std::uint64_t top, bool sticky, long exponent,
                       bool* inexact) {
    EMDKIT_INVARIANT(top != 0, "round_to_double of a zero significand");
    const long length = bit_length(top);
    EMDKIT_INVARIANT(!sticky || length >= BITS_FOR_STICKY, "too few bits to round correctly");
    const long leading = exponent + length - 1;  // the value lies in [2^leading, 2^(leading+1))
    const double sign = negative ? -1.0 : 1.0;
    if (leading > MAX_EXPONENT) {
        if (inexact) *inexact = true;
        return sign * std::numeric_limits<double>::infinity();
    }
    const long lsb = std::max(leading - FRACTION_BITS, static_cast<long>(MIN_LSB_EXPONENT));
    const long drop = lsb - exponent;  // low bits of top below the result's last place
    if (drop <= 0) {
        if (inexact) *inexact = sticky;
        return sign * std::ldexp(static_cast<double>(top), static_cast<int>(exponent));
    }
    if (drop > LIMB_BITS) {  // below half the smallest subnormal
        if (inexact) *inexact = true;
        return sign * 0.0;
    }
    const std::uint64_t kept = drop == LIMB_BITS ? 0 : top >> drop;
    const std::uint64_t rest = drop == LIMB_BITS ? top : top & ((std::uint64_t{1} << drop) - 1);
    const std::uint64_t half = std::uint64_t{1} << (drop - 1);
    const bool up = rest > half || (rest == half && (sticky || (kept & 1) != 0));
    if (inexact) *inexact = rest != 0 || sticky;
    // kept + up <= 2^53 is exact as a double; ldexp only overflows to inf past 2^1024
    return sign * std::ldexp(static_cast<double>(kept + (up ? 1 : 0)), static_cast<int>(lsb));
}

BigInt::BigInt(std::int64_t value) {
    negative_ = value < 0;
    // the magnitude of INT64_MIN does not fit an int64: negate in unsigned arithmetic
    const std::uint64_t mag = negative_ ? ~static_cast<std::uint64_t>(value) + 1
                                        : static_cast<std::uint64_t>(value);
    if (mag != 0) mag_.push_back(mag);
}

BigInt BigInt::from_dyadic(std::uint64_t mantissa, int shift, bool negative) {
    BigInt x;
    if (mantissa == 0) return x;
    x.mag_ = shift_magnitude_left(Mag{mantissa}, shift);
    x.negative_ = negative;
    return x;
}

BigInt BigInt::from_magnitude(std::vector<Limb> magnitude, bool negative) {
    BigInt x;
    x.mag_ = std::move(magnitude);
    x.negative_ = negative;
    x.trim();
    return x;
}

BigInt BigInt::from_twos_complement(const Limb* limbs, int count) {
    BigInt x;
    x.mag_.assign(limbs, limbs + count);
    x.negative_ = count > 0 && (limbs[count - 1] >> (LIMB_BITS - 1)) != 0;
    if (x.negative_) {  // magnitude = ~x + 1
        Limb carry = 1;
        for (Limb& limb : x.mag_) {
            const Wide s = static_cast<Wide>(~limb) + carry;
            limb = static_cast<Limb>(s);
            carry = static_cast<Limb>(s >> LIMB_BITS);
        }
    }
    x.trim();
    return x;
}

void BigInt::trim() {
    trim_magnitude(mag_);
    if (mag_.empty()) negative_ = false;
}

long BigInt::bit_length() const {
    return magnitude_bit_length(mag_.data(), static_cast<int>(mag_.size()));
}

int compare_magnitude(const Mag& x, const Mag& y) {
    if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
    for (std::size_t k = x.size(); k-- > 0;) {
        if (x[k] != y[k]) return x[k] < y[k] ? -1 : 1;
    }
    return 0;
}

void BigInt::add_magnitude(const Mag& other) { add_magnitude_to(mag_, other); }

// *this += (other_negative ? -1 : 1) · |other| when the signs differ.
void BigInt::sub_magnitude(const Mag& other, bool other_negative) {
    if (compare_magnitude(mag_, other) >= 0) {
        sub_magnitude_from(mag_, other);
    } else {
        Mag larger = other;
        sub_magnitude_from(larger, mag_);
        mag_ = std::move(larger);
        negative_ = other_negative;
    }
    trim();
}

BigInt& BigInt::operator+=(const BigInt& other) {
    if (other.is_zero()) return *this;
    if (is_zero()) return *this = other;
    if (negative_ == other.negative_) {
        add_magnitude(other.mag_);
    } else {
        sub_magnitude(other.mag_, other.negative_);
    }
    return *this;
}

BigInt& BigInt::operator-=(const BigInt& other) { return *this += -other; }

BigInt BigInt::operator-() const {
    BigInt x = *this;
    if (!x.is_zero()) x.negative_ = !x.negative_;
    return x;
}

BigInt operator*(const BigInt& x, const BigInt& y) {
    BigInt out;
    if (x.is_zero() || y.is_zero()) return out;
    out.mag_.assign(x.mag_.size() + y.mag_.size(), 0);
    for (std::size_t i = 0; i < x.mag_.size(); ++i) {
        Limb carry = 0;
        for (std::size_t j = 0; j < y.mag_.size(); ++j) {
            const Wide t = static_cast<Wide>(x.mag_[i]) * y.mag_[j] + out.mag_[i + j] + carry;
            out.mag_[i + j] = static_cast<Limb>(t);
            carry = static_cast<Limb>(t >> LIMB_BITS);
        }
        out.mag_[i + y.mag_.size()] = carry;
    }
    out.negative_ = x.negative_ != y.negative_;
    out.trim();
    return out;
}

BigInt BigInt::shifted_left(long bits) const {
    BigInt x;
    x.mag_ = shift_magnitude_left(mag_, bits);
    x.negative_ = negative_;
    x.trim();
    return x;
}

int compare(const BigInt& x, const BigInt& y) {
    if (x.negative_ != y.negative_) return x.negative_ ? -1 : 1;
    const int c = compare_magnitude(x.mag_, y.mag_);
    return x.negative_ ? -c : c;
}

double BigInt::to_double(long exponent, bool* inexact) const {
    return magnitude_to_double(mag_.data(), static_cast<int>(mag_.size()), negative_, exponent,
                               inexact);
}

double twos_complement_to_double(const Limb* limbs, int count, long exponent, bool* inexact) {
    const bool negative = count > 0 && (limbs[count - 1] >> (LIMB_BITS - 1)) != 0;
    if (!negative) return magnitude_to_double(limbs, count, false, exponent, inexact);
    constexpr int MAX_LIMBS = 64;
    EMDKIT_INVARIANT(count <= MAX_LIMBS, "fixed-width integer wider than expected");
    std::array<Limb, MAX_LIMBS> mag{};
    Limb carry = 1;
    for (int k = 0; k < count; ++k) {
        const Wide s = static_cast<Wide>(~limbs[k]) + carry;
        mag[static_cast<std::size_t>(k)] = static_cast<Limb>(s);
        carry = static_cast<Limb>(s >> LIMB_BITS);
    }
    return magnitude_to_double(mag.data(), count, true, exponent, inexact);
}

namespace {

// x · d for one limb d.
Mag multiply_by_limb(const Mag& x, Limb d) {
    Mag out(x.size() + 1, 0);
    Limb carry = 0;
    for (std::size_t k = 0; k < x.size(); ++k) {
        const Wide t = static_cast<Wide>(x[k]) * d + carry;
        out[k] = static_cast<Limb>(t);
        carry = static_cast<Limb>(t >> LIMB_BITS);
    }
    out[x.size()] = carry;
    trim_magnitude(out);
    return out;
}

// floor(rest / divisor) for a quotient below 2^64, leaving the remainder in `rest`: one digit
// of Knuth's algorithm D (TAOCP 4.3.1). With the divisor's top bit set, the estimate from the
// top two limbs of rest over the divisor's top limb exceeds the quotient by at most 2.
std::uint64_t divide_one_digit(Mag& rest, Mag divisor) {
    const int shift = __builtin_clzll(divisor.back());
    divisor = shift_magnitude_left(divisor, shift);
    rest = shift_magnitude_left(rest, shift);
    const std::size_t top = divisor.size();
    const Limb high = rest.size() > top ? rest[top] : 0;
    const Limb low = rest.size() >= top ? rest[top - 1] : 0;
    const Wide estimate = ((static_cast<Wide>(high) << LIMB_BITS) | low) / divisor.back();
    std::uint64_t q = estimate > ~std::uint64_t{0} ? ~std::uint64_t{0}
                                                    : static_cast<std::uint64_t>(estimate);
    Mag product = multiply_by_limb(divisor, q);
    while (compare_magnitude(product, rest) > 0) {
        --q;
        sub_magnitude_from(product, divisor);
    }
    sub_magnitude_from(rest, product);
    return q;  // the remainder's zeroness does not depend on the common shift
}

}  // namespace

double round_quotient(const BigInt& num, const BigInt& den, long exponent, bool* inexact) {
    if (den.is_zero()) throw EngineError("round_quotient: division by zero");
    if (num.is_zero()) {
        if (inexact) *inexact = false;
        return 0.0;
    }
    // Scale so that the quotient has 63 or 64 bits: |num|·2^s / |den| lies in (2^62, 2^64).
    const long s = (LIMB_BITS - 1) - (num.bit_length() - den.bit_length());
    Mag rest = shift_magnitude_left(num.magnitude(), std::max(s, 0L));
    const Mag divisor = shift_magnitude_left(den.magnitude(), std::max(-s, 0L));
    const std::uint64_t quotient = divide_one_digit(rest, divisor);
    EMDKIT_INVARIANT(bit_length(quotient) >= LIMB_BITS - 1, "quotient lost its leading bits");
    return round_to_double(num.negative() != den.negative(), quotient, !rest.empty(),
                           exponent - s, inexact);
}

double exact_dot(const double* x, const double* y, std::size_t n, long exponent) {
    // every product is an integer times 2^(lsb_x + lsb_y): find the grid, then add exactly
    long lsb = LONG_MAX;
    std::vector<DyadicParts> px(n), py(n);
    for (std::size_t k = 0; k < n; ++k) {
        px[k] = decompose(x[k]);
        py[k] = y ? decompose(y[k]) : DyadicParts{1, 0, false};
        if (px[k].mantissa != 0 && py[k].mantissa != 0)
            lsb = std::min(lsb, static_cast<long>(px[k].exponent) + py[k].exponent);
    }
    BigInt sum;
    for (std::size_t k = 0; k < n; ++k) {
        if (px[k].mantissa == 0 || py[k].mantissa == 0) continue;
        const long shift = static_cast<long>(px[k].exponent) + py[k].exponent - lsb;
        sum += BigInt::from_dyadic(px[k].mantissa, static_cast<int>(shift), px[k].negative) *
               BigInt::from_dyadic(py[k].mantissa, 0, py[k].negative);
    }
    return sum.to_double(sum.is_zero() ? 0 : lsb + exponent);
}

}  // namespace emdkit::exact
