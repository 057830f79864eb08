// Bindings of the exact part: exact_transport (the exact transportation simplex) and the
// correctly rounded reductions the tests check it with (exact_dot, exact_round_quotient).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "bindings/exact_dict.hpp"
#include "bindings/parts.hpp"
#include "exact/dyadic.hpp"
#include "exact/exact_transport.hpp"

namespace emdkit {

namespace {

namespace nb = nanobind;

template <typename T, std::size_t N>
using In = nb::ndarray<const T, nb::ndim<N>, nb::c_contig, nb::device::cpu>;

nb::dict exact_transport(const In<double, 1>& a, const In<double, 1>& b, const In<double, 2>& C,
                         const In<std::int64_t, 1>& hint_rows,
                         const In<std::int64_t, 1>& hint_cols,
                         const std::optional<In<double, 1>>& hint_u,
                         const std::optional<In<double, 1>>& hint_v, long weight_exp,
                         long cost_exp, std::int64_t max_pivots, int width,
                         bool duals_when_verified) {
    require(C.shape(0) == a.shape(0) && C.shape(1) == b.shape(0),
            "exact_transport: C must have shape (len(a), len(b))");
    require(hint_rows.shape(0) == hint_cols.shape(0),
            "exact_transport: hint_rows and hint_cols differ in length");
    exact::TransportInput in;
    set_marginals_input(in, "exact_transport", a, b, hint_u, hint_v, weight_exp, max_pivots,
                        width);
    in.cost = C.data();
    in.hint_rows = hint_rows.data();
    in.hint_cols = hint_cols.data();
    in.n_hint = hint_rows.shape(0);
    in.cost_exp = cost_exp;
    in.duals_when_verified = duals_when_verified;
    exact::TransportOutput out;
    {
        nb::gil_scoped_release release;
        out = exact::solve_exact_transport(in);
    }
    return transport_dict(std::move(out));
}

double exact_dot(const In<double, 1>& x, const std::optional<In<double, 1>>& y,
                 long exponent) {
    require(!y || y->shape(0) == x.shape(0), "exact_dot: x and y differ in length");
    return exact::exact_dot(x.data(), y ? y->data() : nullptr, x.shape(0), exponent);
}

double exact_round_quotient(const In<std::uint64_t, 1>& num, bool num_negative,
                            const In<std::uint64_t, 1>& den, long exponent) {
    auto big = [](const In<std::uint64_t, 1>& limbs, bool negative) {
        return exact::BigInt::from_magnitude(
            std::vector<exact::Limb>(limbs.data(), limbs.data() + limbs.shape(0)), negative);
    };
    const exact::BigInt d = big(den, false);
    require(!d.is_zero(), "exact_round_quotient: zero denominator");
    return exact::round_quotient(big(num, num_negative), d, exponent);
}

}  // namespace

void bind_exact(nanobind::module_& m) {
    m.def("exact_transport", &exact_transport, nb::arg("a"), nb::arg("b"), nb::arg("C"),
          nb::arg("hint_rows"), nb::arg("hint_cols"), nb::arg("hint_u") = nb::none(),
          nb::arg("hint_v") = nb::none(), nb::arg("weight_exp") = 0, nb::arg("cost_exp") = 0,
          nb::arg("max_pivots") = -1, nb::arg("width") = 0,
          nb::arg("duals_when_verified") = true,
          "Exact optimum of the transportation problem (a, b, C) from a float support, as a "
          "dict (keys and units: cpp/exact/exact_transport.hpp's TransportOutput); called by "
          "emdkit.core.exact.solve_exact.");
    m.def("exact_dot", &exact_dot, nb::arg("x"), nb::arg("y") = nb::none(),
          nb::arg("exponent") = 0,
          "Σ x·y (or Σ x) · 2**exponent, exactly, correctly rounded (a test reference).");
    m.def("exact_round_quotient", &exact_round_quotient, nb::arg("num"),
          nb::arg("num_negative"), nb::arg("den"), nb::arg("exponent") = 0,
          "num/den · 2**exponent correctly rounded, num and den as little-endian uint64 limbs.");
}

}  // namespace emdkit
