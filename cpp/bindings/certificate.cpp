// Python bindings of the sound certificate, with the signatures of emdkit/core/certificate.py.
// Potentials are normalised in place, as there: pi must be a contiguous float64 array (no
// silent conversion, which would normalise a copy).
#include "bindings/arrays.hpp"
#include "bindings/parts.hpp"
#include "certificate/certificate.hpp"
#include "common/float_rounding.hpp"

namespace emdkit {

namespace {

using certificate::Index;

certificate::CostBlock cost_block(const InArray<double, 2>& C) {
    return {C.data(), static_cast<Index>(C.shape(0)), static_cast<Index>(C.shape(1))};
}

certificate::Support support(const InArray<Index, 1>& r, const InArray<Index, 1>& c,
                             const InArray<double, 1>& f) {
    if (r.shape(0) != c.shape(0) || r.shape(0) != f.shape(0))
        throw nb::value_error("support rows, columns and flows differ in length");
    return {r.data(), c.data(), f.data(), static_cast<Index>(r.shape(0))};
}

nb::tuple certify(const InArray<double, 2>& C, Index n_rows, const InArray<double, 1>& supply,
                  OutArray<double, 1> pi, const InArray<Index, 1>& sup_r,
                  const InArray<Index, 1>& sup_c, const InArray<double, 1>& sup_f, double work,
                  int kind) {
    if (pi.shape(0) != supply.shape(0))
        throw nb::value_error("certify: pi and supply differ in length");
    const certificate::Support flow = support(sup_r, sup_c, sup_f);
    certificate::Certificate cert;
    {
        nb::gil_scoped_release release;
        cert = certificate::certify(cost_block(C), n_rows, supply.data(),
                                    static_cast<Index>(supply.shape(0)), pi.data(), flow, work,
                                    kind);
    }
    return nb::make_tuple(cert.certified, to_numpy(std::move(cert.u)),
                          to_numpy(std::move(cert.v)), cert.gap);
}

}  // namespace

void bind_certificate(nb::module_& m) {
    m.attr("CERT_RTOL") = certificate::CERT_RTOL;
    m.def("two_sum", [](double a, double b) {
        const SumWithError s = two_sum(a, b);
        return nb::make_tuple(s.sum, s.error);
    });
    m.def("floor_difference", &floor_difference, nb::arg("c"), nb::arg("u"));
    m.def("certify", &certify, nb::arg("C"), nb::arg("n_rows"), nb::arg("supply"),
          nb::arg("pi").noconvert(), nb::arg("sup_r"), nb::arg("sup_c"), nb::arg("sup_f"),
          nb::arg("work"), nb::arg("kind"));
    m.def(
        "normalize_potentials",
        [](OutArray<double, 1> pi, Index n_rows, const InArray<double, 1>& supply, int kind) {
            if (pi.shape(0) != supply.shape(0))
                throw nb::value_error("normalize_potentials: pi and supply differ in length");
            certificate::normalize_potentials(pi.data(), static_cast<Index>(pi.shape(0)),
                                              n_rows, supply.data(), kind);
        },
        nb::arg("pi").noconvert(), nb::arg("n_rows"), nb::arg("supply"), nb::arg("kind"));
    m.def(
        "repaired_column_duals",
        [](const InArray<double, 2>& C, const InArray<double, 1>& u, Index n_cols) {
            return to_numpy(certificate::repaired_column_duals(
                cost_block(C), u.data(), static_cast<Index>(u.shape(0)), n_cols));
        },
        nb::arg("C"), nb::arg("u"), nb::arg("n_cols"));
    m.def(
        "lower_bound",
        [](const InArray<double, 1>& supply, const InArray<double, 1>& u,
           const InArray<double, 1>& v) {
            const auto n = static_cast<Index>(supply.shape(0));
            const auto n_rows = static_cast<Index>(u.shape(0));
            if (n_rows + static_cast<Index>(v.shape(0)) < n)
                throw nb::value_error("lower_bound: u and v are shorter than supply");
            const certificate::DualBound b =
                certificate::lower_bound(supply.data(), n, u.data(), n_rows, v.data());
            return nb::make_tuple(b.lb, b.dual_scale);
        },
        nb::arg("supply"), nb::arg("u"), nb::arg("v"));
    m.def(
        "finite_max", [](const InArray<double, 2>& C) { return cost_block(C).finite_max(); },
        nb::arg("C"));
    m.def(
        "judge",
        [](double work, double lb, double dual_scale, Index n_terms, double residual,
           double cost_bound, double mass) {
            const certificate::Verdict v = certificate::judge(work, {lb, dual_scale}, n_terms,
                                                              residual, cost_bound, mass);
            return nb::make_tuple(v.certified, v.gap);
        },
        nb::arg("work"), nb::arg("lb"), nb::arg("dual_scale"), nb::arg("n_terms"),
        nb::arg("residual"), nb::arg("cost_bound"), nb::arg("mass"));
    m.def("work_upper_bound", &certificate::work_upper_bound, nb::arg("work"),
          nb::arg("n_terms"));
    m.def(
        "marginal_residual",
        [](Index n_rows, const InArray<double, 1>& supply, const InArray<Index, 1>& sup_r,
           const InArray<Index, 1>& sup_c, const InArray<double, 1>& sup_f) {
            return certificate::marginal_residual(n_rows, supply.data(),
                                                  static_cast<Index>(supply.shape(0)),
                                                  support(sup_r, sup_c, sup_f));
        },
        nb::arg("n_rows"), nb::arg("supply"), nb::arg("sup_r"), nb::arg("sup_c"),
        nb::arg("sup_f"));
}

}  // namespace emdkit
