// emdkit.nn's CDF-loss kernels (cpp/nn/cdf_loss.hpp), with the signatures of the Numba kernels
// in src/emdkit/nn/_cdf_kernel.py plus the thread count and chunk of each call. p (overwritten
// by the gradient) and s_out are written in place: they are never converted, so a caller's
// array of the wrong dtype or layout is refused (TypeError) instead of being silently copied.
#include <cstdint>
#include <string>

#include "bindings/arrays.hpp"
#include "bindings/parts.hpp"
#include "nn/cdf_loss.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace emdkit {

namespace {

template <class Real>
using Rows = CpuArray<Real, 2>;

// The call, checked so that no kernel reads or writes outside an array (the arguments are
// emdkit's own, validated in Python: a failure here is a bug in the caller).
template <class Real>
nn::CdfLossRows<Real> make_call(Rows<Real> p, CpuArray<const std::int64_t, 1> t_index,
                                const Rows<const Real>* t_soft, CpuArray<const double, 1> gaps,
                                double r, bool hard, bool through_softmax, bool with_grad,
                                double grad_scale, CpuArray<double, 1> s_out) {
    nn::CdfLossRows<Real> call;
    call.p = p.data();
    call.n = static_cast<std::int64_t>(p.shape(0));
    call.k = static_cast<std::int64_t>(p.shape(1));
    const auto n = static_cast<std::size_t>(call.n);
    if (s_out.shape(0) != n)
        throw nb::value_error(("s_out has " + std::to_string(s_out.shape(0)) + " entries for " +
                               std::to_string(n) + " rows of p").c_str());
    if (call.k > 1 && gaps.shape(0) < static_cast<std::size_t>(call.k - 1))
        throw nb::value_error("gaps must have one entry per pair of neighbouring classes");
    if (hard && t_index.shape(0) < n)
        throw nb::value_error("t_index must have one class index per row of p");
    if (!hard && (t_soft == nullptr || t_soft->shape(0) != n ||
                  t_soft->shape(1) != p.shape(1)))
        throw nb::value_error("t_soft must have the shape of p");
    call.t_index = t_index.data();
    call.t_soft = t_soft == nullptr ? nullptr : t_soft->data();
    call.gaps = gaps.data();
    call.r = r;
    call.hard = hard;
    call.through_softmax = through_softmax;
    call.with_grad = with_grad;
    call.grad_scale = grad_scale;
    call.s_out = s_out.data();
    return call;
}

nn::Threads make_threads(int n_threads, std::int64_t chunk) {
    if (n_threads < 1) throw nb::value_error("n_threads must be >= 1");
    if (chunk < 0) throw nb::value_error("chunk must be >= 0");
    return nn::Threads{n_threads, chunk};
}

// Binds kernel(p, t_index, t_soft, gaps, r, hard, through_softmax, with_grad, grad_scale,
// s_out, n_threads, chunk) for one storage type.
template <class Real>
void bind_general(nb::module_& m, const char* name,
                  void (*kernel)(const nn::CdfLossRows<Real>&, nn::Threads), const char* doc) {
    m.def(name,
          [kernel](Rows<Real> p, CpuArray<const std::int64_t, 1> t_index, Rows<const Real> t_soft,
                   CpuArray<const double, 1> gaps, double r, bool hard, bool through_softmax,
                   bool with_grad, double grad_scale, CpuArray<double, 1> s_out, int n_threads,
                   std::int64_t chunk) {
              const auto call = make_call<Real>(p, t_index, &t_soft, gaps, r, hard,
                                                through_softmax, with_grad, grad_scale, s_out);
              const auto threads = make_threads(n_threads, chunk);
              nb::gil_scoped_release released;
              kernel(call, threads);
          },
          "p"_a.noconvert(), "t_index"_a, "t_soft"_a, "gaps"_a, "r"_a, "hard"_a,
          "through_softmax"_a, "with_grad"_a, "grad_scale"_a, "s_out"_a.noconvert(),
          "n_threads"_a = 1, "chunk"_a = 0, doc);
}

// Binds kernel(p, t_index, gaps, through_softmax, with_grad, grad_scale, s_out, n_threads,
// chunk): index targets and r = 2 only.
template <class Real>
void bind_hard_squared(nb::module_& m, const char* name,
                       void (*kernel)(const nn::CdfLossRows<Real>&, nn::Threads),
                       const char* doc) {
    m.def(name,
          [kernel](Rows<Real> p, CpuArray<const std::int64_t, 1> t_index,
                   CpuArray<const double, 1> gaps, bool through_softmax, bool with_grad,
                   double grad_scale, CpuArray<double, 1> s_out, int n_threads,
                   std::int64_t chunk) {
              const auto call = make_call<Real>(p, t_index, nullptr, gaps, 2.0, true,
                                                through_softmax, with_grad, grad_scale, s_out);
              const auto threads = make_threads(n_threads, chunk);
              nb::gil_scoped_release released;
              kernel(call, threads);
          },
          "p"_a.noconvert(), "t_index"_a, "gaps"_a, "through_softmax"_a, "with_grad"_a,
          "grad_scale"_a, "s_out"_a.noconvert(), "n_threads"_a = 1, "chunk"_a = 0, doc);
}

template <class Real>
void bind_storage_type(nb::module_& m) {
    bind_general<Real>(m, "cdf_loss", &nn::cdf_loss<Real>,
                       "Per-row s (into s_out) and, with with_grad, grad_scale times its "
                       "gradient (over p), by the kernel that suits the call.");
    bind_general<Real>(m, "cdf_loss_rows", &nn::cdf_loss_rows<Real>,
                       "The CDF loss for any target and exponent, one row at a time.");
    bind_hard_squared<Real>(m, "cdf_loss_hard_squared_small_k",
                            &nn::cdf_loss_hard_squared_small_k<Real>,
                            "The CDF loss for index targets and r = 2, rows side by side.");
    bind_hard_squared<Real>(m, "cdf_loss_hard_squared_interleaved",
                            &nn::cdf_loss_hard_squared_interleaved<Real>,
                            "The CDF loss for index targets and r = 2, four rows at a time "
                            "(rows past the last multiple of four are left alone).");
}

}  // namespace

void bind_nn(nb::module_& m) {
    // the dispatch's thresholds, so a test can hold them equal to _cdf_kernel.py's
    m.attr("CDF_LOSS_SMALL_K") = nn::SMALL_K;
    m.attr("CDF_LOSS_ROWS_PER_BLOCK") = nn::ROWS_PER_BLOCK;
    m.attr("CDF_LOSS_INTERLEAVE") = nn::INTERLEAVE;
    bind_storage_type<double>(m);
    bind_storage_type<float>(m);
}

}  // namespace emdkit
