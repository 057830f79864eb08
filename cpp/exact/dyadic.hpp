// Exact integers for exact arithmetic on float64 inputs.
//
// Every finite float64 is a dyadic rational m·2^e (m an integer below 2^53, e in [-1074, 971]).
// Scaling all weights by one power of two and all costs by another turns every flow, potential,
// reduced cost and the objective Σ f·c of a transportation basis into an integer: a few hundred
// bits for ordinary inputs, at most ~2,150 for costs from 2^-1074 to 2^1024. Two types hold
// them:
//   * BigInt: sign and magnitude, 64-bit limbs in a std::vector (any width; products, the
//     objective, quotients);
//   * FixedInt<N>: two's complement in N limbs, no allocation (the simplex's flows, potentials
//     and reduced costs, whose width is bounded in advance by the input's exponent range).
// Conversions to float64 are correctly rounded (to nearest, ties to even), subnormals and
// overflow to ±inf included; a quotient num/den is rounded correctly from 64 exact quotient
// bits plus a sticky bit (see round_quotient).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/errors.hpp"

namespace emdkit::exact {

using Limb = std::uint64_t;
__extension__ typedef unsigned __int128 Wide;  // GCC/Clang: the product of two limbs

constexpr int LIMB_BITS = 64;

// x = (negative ? -1 : 1) · mantissa · 2^exponent with mantissa odd, or mantissa 0 for ±0.
struct DyadicParts {
    std::uint64_t mantissa;
    int exponent;
    bool negative;
};

// The exact parts of a finite double (the caller checks finiteness).
DyadicParts decompose(double x);

// Number of significant bits of x (0 for 0).
inline int bit_length(std::uint64_t x) { return x == 0 ? 0 : LIMB_BITS - __builtin_clzll(x); }

// A double rounded correctly from an exact value (top + δ)·2^exponent, 0 <= δ < 1, where δ > 0
// exactly when `sticky`. With `sticky`, top must carry at least 55 significant bits (so δ lies
// below the rounding position). `inexact`, if given, receives whether the result differs from
// the exact value.
double round_to_double(bool negative, std::uint64_t top, bool sticky, long exponent,
                       bool* inexact = nullptr);

// Arbitrary-width signed integer, sign and magnitude (little-endian limbs, no leading zero
// limb; zero is an empty magnitude and never negative).
class BigInt {
public:
    BigInt() = default;
    explicit BigInt(std::int64_t value);
    // (negative ? -1 : 1) · mantissa · 2^shift, shift >= 0.
    static BigInt from_dyadic(std::uint64_t mantissa, int shift, bool negative);
    // From little-endian magnitude limbs and a sign.
    static BigInt from_magnitude(std::vector<Limb> magnitude, bool negative);
    // From two's complement limbs (FixedInt's storage).
    static BigInt from_twos_complement(const Limb* limbs, int count);

    bool is_zero() const { return mag_.empty(); }
    bool negative() const { return negative_; }
    bool is_negative() const { return negative_; }
    const BigInt& to_big() const { return *this; }
    int sign() const { return is_zero() ? 0 : (negative_ ? -1 : 1); }
    long bit_length() const;
    const std::vector<Limb>& magnitude() const { return mag_; }

    BigInt& operator+=(const BigInt& other);
    BigInt& operator-=(const BigInt& other);
    friend BigInt operator+(BigInt x, const BigInt& y) { return x += y; }
    friend BigInt operator-(BigInt x, const BigInt& y) { return x -= y; }
    friend BigInt operator*(const BigInt& x, const BigInt& y);
    BigInt operator-() const;
    BigInt shifted_left(long bits) const;

    friend int compare(const BigInt& x, const BigInt& y);
    friend bool operator<(const BigInt& x, const BigInt& y) { return compare(x, y) < 0; }
    friend bool operator==(const BigInt& x, const BigInt& y) { return compare(x, y) == 0; }

    // value · 2^exponent, correctly rounded to a double; `inexact` as in round_to_double.
    double to_double(long exponent = 0, bool* inexact = nullptr) const;

private:
    std::vector<Limb> mag_;
    bool negative_ = false;

    void trim();
    void add_magnitude(const std::vector<Limb>& other);
    void sub_magnitude(const std::vector<Limb>& other, bool other_negative);
};

int compare_magnitude(const std::vector<Limb>& x, const std::vector<Limb>& y);

// (num / den) · 2^exponent correctly rounded to a double; den != 0. Exact integer division
// yields 64 quotient bits below the leading one and the remainder's nonzeroness as the sticky
// bit, which decides every rounding (halfway cases included) exactly.
double round_quotient(const BigInt& num, const BigInt& den, long exponent,
                      bool* inexact = nullptr);

// Σ x_k·y_k (y null: Σ x_k) of finite doubles, exactly, times 2^exponent, correctly rounded:
// a reference for tests (math.fsum rounds Σ x_k the same way).
double exact_dot(const double* x, const double* y, std::size_t n, long exponent);

// Signed integer in N limbs, two's complement. Arithmetic wraps like unsigned integers (no
// undefined behaviour); the caller picks N so that no value it forms can overflow.
template <int N>
class FixedInt {
public:
    static_assert(N >= 1, "at least one limb");
    static constexpr int LIMBS = N;

    FixedInt() : limbs_{} {}

    // (negative ? -1 : 1) · mantissa · 2^shift; requires shift + 64 < 64·N (not checked here).
    static FixedInt from_dyadic(std::uint64_t mantissa, int shift, bool negative) {
        FixedInt x;
        const int limb = shift / LIMB_BITS;
        const int bit = shift % LIMB_BITS;
        if (limb < N) x.limbs_[limb] = mantissa << bit;
        if (bit != 0 && limb + 1 < N) x.limbs_[limb + 1] = mantissa >> (LIMB_BITS - bit);
        if (negative) x.negate();
        return x;
    }

    bool is_negative() const { return (limbs_[N - 1] >> (LIMB_BITS - 1)) != 0; }
    bool is_zero() const {
        for (int k = 0; k < N; ++k)
            if (limbs_[k] != 0) return false;
        return true;
    }
    int sign() const { return is_negative() ? -1 : (is_zero() ? 0 : 1); }

    // Overflow (operands of one sign, a result of the other) is checked in invariant builds:
    // the width chosen from the input's exponent range must make it impossible.
    FixedInt& operator+=(const FixedInt& y) {
#ifdef EMDKIT_CHECK_INVARIANTS
        const bool xn = is_negative(), yn = y.is_negative();
#endif
        Limb carry = 0;
        for (int k = 0; k < N; ++k) {
            const Wide s = static_cast<Wide>(limbs_[k]) + y.limbs_[k] + carry;
            limbs_[k] = static_cast<Limb>(s);
            carry = static_cast<Limb>(s >> LIMB_BITS);
        }
#ifdef EMDKIT_CHECK_INVARIANTS
        if (xn == yn && is_negative() != xn) throw EngineError("exact integer overflow");
#endif
        return *this;
    }
    FixedInt& operator-=(const FixedInt& y) {
#ifdef EMDKIT_CHECK_INVARIANTS
        const bool xn = is_negative(), yn = y.is_negative();
#endif
        Limb borrow = 0;
        for (int k = 0; k < N; ++k) {
            const Limb x = limbs_[k];
            limbs_[k] = x - y.limbs_[k] - borrow;
            borrow = (x < y.limbs_[k] || (x == y.limbs_[k] && borrow)) ? 1 : 0;
        }
#ifdef EMDKIT_CHECK_INVARIANTS
        if (xn != yn && is_negative() != xn) throw EngineError("exact integer overflow");
#endif
        return *this;
    }
    friend FixedInt operator+(FixedInt x, const FixedInt& y) { return x += y; }
    friend FixedInt operator-(FixedInt x, const FixedInt& y) { return x -= y; }
    void negate() {
        Limb carry = 1;
        for (int k = 0; k < N; ++k) {
            const Wide s = static_cast<Wide>(~limbs_[k]) + carry;
            limbs_[k] = static_cast<Limb>(s);
            carry = static_cast<Limb>(s >> LIMB_BITS);
        }
    }

    friend int compare(const FixedInt& x, const FixedInt& y) {
        const bool xn = x.is_negative(), yn = y.is_negative();
        if (xn != yn) return xn ? -1 : 1;
        for (int k = N - 1; k >= 0; --k) {  // same sign: unsigned order is the signed order
            if (x.limbs_[k] != y.limbs_[k]) return x.limbs_[k] < y.limbs_[k] ? -1 : 1;
        }
        return 0;
    }
    friend bool operator<(const FixedInt& x, const FixedInt& y) { return compare(x, y) < 0; }
    friend bool operator==(const FixedInt& x, const FixedInt& y) { return compare(x, y) == 0; }

    BigInt to_big() const { return BigInt::from_twos_complement(limbs_.data(), N); }
    const Limb* limbs() const { return limbs_.data(); }
    double to_double(long exponent = 0, bool* inexact = nullptr) const;

private:
    std::array<Limb, N> limbs_;
};

// Σ x·y over pairs of FixedInt<N>, exactly, without allocating per term: each product of
// magnitudes (2N limbs) is added to or subtracted from a two's complement accumulator of 2N + 1
// limbs, which holds the sum of up to 2^63 products of N-limb values.
template <int N>
class FixedDot {
public:
    FixedDot() : acc_{} {}
    void add_product(const FixedInt<N>& x, const FixedInt<N>& y) {
        std::array<Limb, N> mx, my;
        const bool nx = magnitude(x, mx), ny = magnitude(y, my);
        std::array<Limb, 2 * N> p{};
        for (int i = 0; i < N; ++i) {
            if (mx[i] == 0) continue;
            Limb carry = 0;
            for (int j = 0; j < N; ++j) {
                const Wide t = static_cast<Wide>(mx[i]) * my[j] + p[i + j] + carry;
                p[i + j] = static_cast<Limb>(t);
                carry = static_cast<Limb>(t >> LIMB_BITS);
            }
            p[i + N] = carry;
        }
        if (nx != ny) {  // acc -= p
            Limb borrow = 0;
            for (int k = 0; k < 2 * N + 1; ++k) {
                const Limb pk = k < 2 * N ? p[k] : 0;
                const Limb a = acc_[k];
                acc_[k] = a - pk - borrow;
                borrow = (a < pk || (a == pk && borrow)) ? 1 : 0;
            }
        } else {         // acc += p
            Limb carry = 0;
            for (int k = 0; k < 2 * N + 1; ++k) {
                const Wide t = static_cast<Wide>(acc_[k]) + (k < 2 * N ? p[k] : 0) + carry;
                acc_[k] = static_cast<Limb>(t);
                carry = static_cast<Limb>(t >> LIMB_BITS);
            }
        }
    }
    BigInt value() const { return BigInt::from_twos_complement(acc_.data(), 2 * N + 1); }

private:
    std::array<Limb, 2 * N + 1> acc_;

    // |x| into out; returns whether x < 0 (N limbs hold |x| for every x but the most negative,
    // which the simplex's headroom bits exclude).
    static bool magnitude(const FixedInt<N>& x, std::array<Limb, N>& out) {
        const bool negative = x.is_negative();
        Limb carry = 1;
        for (int k = 0; k < N; ++k) {
            const Limb limb = x.limbs()[k];
            if (negative) {
                const Wide s = static_cast<Wide>(~limb) + carry;
                out[k] = static_cast<Limb>(s);
                carry = static_cast<Limb>(s >> LIMB_BITS);
            } else {
                out[k] = limb;
            }
        }
        return negative;
    }
};

// The value of N limbs of two's complement, correctly rounded (without building a BigInt).
double twos_complement_to_double(const Limb* limbs, int count, long exponent, bool* inexact);

template <int N>
double FixedInt<N>::to_double(long exponent, bool* inexact) const {
    return twos_complement_to_double(limbs_.data(), N, exponent, inexact);
}

}  // namespace emdkit::exact
