// Python bindings of the dense exact core: solve_small and its routes (block.py,
// assignment.py), the layout helpers (problem.py), candidate rounds' kernels and the batch
// kernels (batch.py), with the Numba kernels' signatures and return types. Output arrays that
// the kernels fill in place must be contiguous of the right dtype (no silent copies).
#include <nanobind/stl/optional.h>

#include <optional>

#include "bindings/arrays.hpp"
#include "bindings/parts.hpp"
#include "solve/assignment.hpp"
#include "solve/batch.hpp"
#include "solve/block.hpp"
#include "solve/candidates.hpp"
#include "solve/problem.hpp"

namespace emdkit {

namespace {

using solve::Index;

Index rows_of(const InArray<double, 2>& C) { return static_cast<Index>(C.shape(0)); }
Index cols_of(const InArray<double, 2>& C) { return static_cast<Index>(C.shape(1)); }
Index size_of(const InArray<double, 1>& a) { return static_cast<Index>(a.shape(0)); }

std::optional<solve::BlockWarmStart> warm_start_of(
    const InArray<double, 1>& ar, const InArray<double, 1>& bc, const InArray<double, 2>& C,
    const std::optional<InArray<Index, 1>>& warm_rows,
    const std::optional<InArray<Index, 1>>& warm_cols,
    const std::optional<InArray<double, 1>>& warm_pi) {
    if (rows_of(C) != size_of(ar) || cols_of(C) != size_of(bc) || size_of(ar) == 0 ||
        size_of(bc) == 0)
        throw nb::value_error("solve_small: C must be (len(ar), len(bc)), both non-empty");
    if (warm_rows.has_value() != warm_cols.has_value() ||
        (warm_rows && warm_rows->shape(0) != warm_cols->shape(0)))
        throw nb::value_error("solve_small: warm_rows and warm_cols go together, same length");
    if (warm_pi && !warm_rows)
        throw nb::value_error("solve_small: warm_pi needs warm_rows and warm_cols");
    std::optional<solve::BlockWarmStart> warm;
    if (warm_rows)
        warm = solve::BlockWarmStart{warm_rows->data(), warm_cols->data(),
                                     static_cast<Index>(warm_rows->shape(0)),
                                     warm_pi ? warm_pi->data() : nullptr,
                                     warm_pi ? static_cast<Index>(warm_pi->shape(0)) : 0};
    return warm;
}

solve::SmallResult run_small(const InArray<double, 1>& ar, const InArray<double, 1>& bc,
                             const InArray<double, 2>& C, Index max_iter, bool shortcuts,
                             const std::optional<solve::BlockWarmStart>& warm,
                             const solve::ExactScale* exact) {
    nb::gil_scoped_release release;
    return solve::solve_small(ar.data(), size_of(ar), bc.data(), size_of(bc), C.data(),
                              max_iter, shortcuts, warm ? &*warm : nullptr, exact);
}

nb::tuple small_tuple(solve::SmallResult& r) {
    return nb::make_tuple(r.status, r.method, to_numpy(std::move(r.flow.rows)),
                          to_numpy(std::move(r.flow.cols)), to_numpy(std::move(r.flow.flows)),
                          to_numpy(std::move(r.pi)), r.work, r.total, r.kind, r.pivots, r.gap);
}

nb::tuple solve_small(const InArray<double, 1>& ar, const InArray<double, 1>& bc,
                      const InArray<double, 2>& C, Index max_iter, bool shortcuts,
                      std::optional<InArray<Index, 1>> warm_rows,
                      std::optional<InArray<Index, 1>> warm_cols,
                      std::optional<InArray<double, 1>> warm_pi) {
    const auto warm = warm_start_of(ar, bc, C, warm_rows, warm_cols, warm_pi);
    solve::SmallResult r = run_small(ar, bc, C, max_iter, shortcuts, warm, nullptr);
    return small_tuple(r);
}

// solve_small's tuple, verified exactly in the same call, followed by (exact, distance, work):
// whether the exact check settled it, and the exact distance and work in the user's units
// (weights × 2^weight_exp, costs × 2^cost_exp), each rounded once.
nb::tuple solve_small_exact(const InArray<double, 1>& ar, const InArray<double, 1>& bc,
                            const InArray<double, 2>& C, Index max_iter, bool shortcuts,
                            long weight_exp, long cost_exp,
                            std::optional<InArray<Index, 1>> warm_rows,
                            std::optional<InArray<Index, 1>> warm_cols,
                            std::optional<InArray<double, 1>> warm_pi) {
    const auto warm = warm_start_of(ar, bc, C, warm_rows, warm_cols, warm_pi);
    const solve::ExactScale scale{weight_exp, cost_exp};
    solve::SmallResult r = run_small(ar, bc, C, max_iter, shortcuts, warm, &scale);
    const bool exact = r.exact;
    const double distance = r.exact_distance, work = r.exact_work;
    return nb::make_tuple(small_tuple(r), exact, distance, work);
}

nb::tuple one_to_many(double w, const InArray<double, 1>& weights,
                      const InArray<double, 1>& costs) {
    if (weights.shape(0) != costs.shape(0))
        throw nb::value_error("one_to_many: weights and costs differ in length");
    solve::OneToMany r = solve::one_to_many(w, weights.data(), costs.data(), size_of(weights));
    return nb::make_tuple(to_numpy(std::move(r.idx)), to_numpy(std::move(r.flows)), r.work,
                          r.total, r.u, to_numpy(std::move(r.v)));
}

nb::tuple solve_assignment(const InArray<double, 2>& cost) {
    if (rows_of(cost) != cols_of(cost))
        throw nb::value_error("solve_assignment: the cost matrix must be square");
    solve::Assignment a;
    {
        nb::gil_scoped_release release;
        a = solve::solve_assignment(cost.data(), rows_of(cost));
    }
    return nb::make_tuple(to_numpy(std::move(a.col_for_row)), to_numpy(std::move(a.u)),
                          to_numpy(std::move(a.v)), a.status);
}

void price_rows(const InArray<double, 2>& C, const InArray<double, 1>& pi, Index n_rows,
                const InArray<bool, 2>& in_set, Index cap, OutArray<Index, 2> out_cols,
                OutArray<Index, 1> out_count, Index n_threads) {
    const Index m = rows_of(C);
    const Index n = cols_of(C);
    if (static_cast<Index>(in_set.shape(0)) != m || static_cast<Index>(in_set.shape(1)) != n ||
        static_cast<Index>(out_cols.shape(0)) < m ||
        static_cast<Index>(out_cols.shape(1)) != cap ||
        static_cast<Index>(out_count.shape(0)) < m || size_of(pi) < n_rows + n || cap < 1)
        throw nb::value_error("price_rows: array shapes do not match C");
    nb::gil_scoped_release release;
    solve::price_rows(C.data(), m, n, pi.data(), n_rows,
                      reinterpret_cast<const std::uint8_t*>(in_set.data()), cap,
                      out_cols.data(), out_count.data(), n_threads);
}

nb::tuple initial_candidates(const InArray<double, 2>& C, Index k) {
    solve::Candidates c;
    {
        nb::gil_scoped_release release;
        c = solve::initial_candidates(C.data(), rows_of(C), cols_of(C), k);
    }
    return nb::make_tuple(to_numpy_bool(std::move(c.mask), C.shape(0), C.shape(1)),
                          to_numpy(std::move(c.rows)), to_numpy(std::move(c.cols)));
}

// Arrays are checked only for kind and contiguity: offsets come from batch.py, which sizes
// every packed array from them.
void dense_kernel(Index first, Index last, const InArray<double, 1>& a_flat,
                  const InArray<Index, 1>& a_off, const InArray<double, 1>& b_flat,
                  const InArray<Index, 1>& b_off, const InArray<double, 1>& c_flat,
                  const InArray<Index, 1>& c_off, Index max_iter, bool shortcuts,
                  const InArray<Index, 1>& sup_off, OutArray<Index, 1> sup_r,
                  OutArray<Index, 1> sup_c, OutArray<double, 1> sup_f,
                  const InArray<Index, 1>& pi_off, OutArray<double, 1> pi_out,
                  OutArray<double, 2> stats, std::optional<InArray<Index, 1>> weight_exp,
                  std::optional<InArray<Index, 1>> cost_exp) {
    if (stats.shape(1) != static_cast<std::size_t>(solve::STATS_COLUMNS))
        throw nb::value_error("dense_kernel: stats must have 10 columns");
    if (weight_exp.has_value() != cost_exp.has_value() ||
        (weight_exp && (weight_exp->shape(0) < static_cast<std::size_t>(last) ||
                        cost_exp->shape(0) < static_cast<std::size_t>(last))))
        throw nb::value_error("dense_kernel: weight_exp and cost_exp go together, one per problem");
    const solve::DenseBatch in{a_flat.data(), a_off.data(), b_flat.data(),
                               b_off.data(),  c_flat.data(), c_off.data(),
                               weight_exp ? weight_exp->data() : nullptr,
                               cost_exp ? cost_exp->data() : nullptr};
    const solve::BatchOutput out{sup_off.data(), sup_r.data(),  sup_c.data(), sup_f.data(),
                                 pi_off.data(),  pi_out.data(), stats.data()};
    nb::gil_scoped_release release;
    solve::dense_kernel(first, last, in, max_iter, shortcuts, out);
}

void pairs_kernel(Index lo, Index hi, const InArray<double, 2>& points,
                  const InArray<double, 1>& weights, const InArray<Index, 1>& offsets,
                  const InArray<Index, 1>& first, const InArray<Index, 1>& second,
                  long long code, OutArray<double, 1> out, OutArray<Index, 1> status,
                  bool verify) {
    const solve::Signatures sigs{points.data(), weights.data(), offsets.data(),
                                 static_cast<Index>(points.shape(1))};
    nb::gil_scoped_release release;
    solve::pairs_kernel(lo, hi, sigs, first.data(), second.data(), code, out.data(),
                        status.data(), verify);
}

}  // namespace

void bind_solve(nb::module_& m) {
    m.def("solve_small", &solve_small, nb::arg("ar"), nb::arg("bc"), nb::arg("C"),
          nb::arg("max_iter"), nb::arg("shortcuts") = true,
          nb::arg("warm_rows").none() = nb::none(), nb::arg("warm_cols").none() = nb::none(),
          nb::arg("warm_pi").none() = nb::none());
    m.def("solve_small_exact", &solve_small_exact, nb::arg("ar"), nb::arg("bc"), nb::arg("C"),
          nb::arg("max_iter"), nb::arg("shortcuts"), nb::arg("weight_exp"),
          nb::arg("cost_exp"), nb::arg("warm_rows").none() = nb::none(),
          nb::arg("warm_cols").none() = nb::none(), nb::arg("warm_pi").none() = nb::none());
    m.def(
        "small_route",
        [](const InArray<double, 1>& ar, const InArray<double, 1>& bc, int kind, double lo,
           double hi, bool shortcuts) {
            if (size_of(ar) == 0 || size_of(bc) == 0)
                throw nb::value_error("small_route: empty weights");
            return solve::small_route(ar.data(), size_of(ar), bc.data(), size_of(bc), kind, lo,
                                      hi, shortcuts);
        },
        nb::arg("ar"), nb::arg("bc"), nb::arg("kind"), nb::arg("lo"), nb::arg("hi"),
        nb::arg("shortcuts") = true);
    m.def(
        "canonical_work",
        [](const InArray<Index, 1>& r, const InArray<Index, 1>& c, const InArray<double, 1>& f,
           const InArray<double, 2>& C) {
            if (r.shape(0) != c.shape(0) || r.shape(0) != f.shape(0))
                throw nb::value_error("canonical_work: support arrays differ in length");
            return solve::canonical_work(r.data(), c.data(), f.data(),
                                         static_cast<Index>(r.shape(0)), C.data(), rows_of(C),
                                         cols_of(C));
        },
        nb::arg("sup_r"), nb::arg("sup_c"), nb::arg("sup_f"), nb::arg("C"));
    m.def("one_to_many", &one_to_many, nb::arg("w"), nb::arg("weights"), nb::arg("costs"));
    m.def("solve_assignment", &solve_assignment, nb::arg("cost"));
    m.def(
        "balanced_layout",
        [](const InArray<double, 1>& ar, const InArray<double, 1>& bc) {
            solve::Layout l = solve::balanced_layout(ar.data(), size_of(ar), bc.data(),
                                                     size_of(bc));
            return nb::make_tuple(to_numpy(std::move(l.supply)), l.kind, l.total);
        },
        nb::arg("ar"), nb::arg("bc"));
    m.def(
        "reduce_weights",
        [](const InArray<double, 1>& a, const InArray<double, 1>& b) {
            if (a.shape(0) == 0 || b.shape(0) == 0)
                throw nb::value_error("reduce_weights: empty weights");
            solve::ReducedWeights w = solve::reduce_weights(a.data(), size_of(a), b.data(),
                                                            size_of(b));
            return nb::make_tuple(to_numpy(std::move(w.rows)), to_numpy(std::move(w.cols)),
                                  to_numpy(std::move(w.a)), to_numpy(std::move(w.b)),
                                  w.exponent);
        },
        nb::arg("a"), nb::arg("b"));
    m.def(
        "prepare_weights",
        [](const InArray<double, 1>& a, const InArray<double, 1>& b) {
            if (a.shape(0) == 0 || b.shape(0) == 0)
                throw nb::value_error("prepare_weights: empty weights");
            solve::ReducedWeights w = solve::reduce_weights(a.data(), size_of(a), b.data(),
                                                            size_of(b));
            const auto kept_a = static_cast<Index>(w.a.size());
            const auto kept_b = static_cast<Index>(w.b.size());
            solve::Layout l = solve::balanced_layout(w.a.data(), kept_a, w.b.data(), kept_b);
            // one array for the kept weights and the supply (a numpy array costs about a
            // microsecond to hand over); the kept indices only when a point was dropped
            std::vector<double> packed(w.a);
            packed.insert(packed.end(), w.b.begin(), w.b.end());
            packed.insert(packed.end(), l.supply.begin(), l.supply.end());
            const bool dropped = kept_a != size_of(a) || kept_b != size_of(b);
            nb::object rows = dropped ? to_numpy(std::move(w.rows)) : nb::none();
            nb::object cols = dropped ? to_numpy(std::move(w.cols)) : nb::none();
            return nb::make_tuple(rows, cols, to_numpy(std::move(packed)), kept_a, kept_b,
                                  w.exponent, l.kind, l.total);
        },
        nb::arg("a"), nb::arg("b"));
    m.def(
        "value_range",
        [](const nb::ndarray<const double, nb::c_contig, nb::device::cpu>& x) {
            if (x.size() == 0) throw nb::value_error("value_range: empty array");
            const solve::ValueRange r =
                solve::value_range(x.data(), static_cast<Index>(x.size()));
            return nb::make_tuple(r.lo, r.hi);
        },
        nb::arg("x"));
    m.def("cost_exponent", &solve::cost_exponent, nb::arg("max_cost"));
    m.def("default_max_iter", &solve::default_max_iter, nb::arg("m"), nb::arg("n"));
    m.def("price_rows", &price_rows, nb::arg("C"), nb::arg("pi"), nb::arg("n_rows"),
          nb::arg("in_set"), nb::arg("cap"), nb::arg("out_cols").noconvert(),
          nb::arg("out_count").noconvert(), nb::arg("n_threads") = 1);
    m.def("initial_candidates", &initial_candidates, nb::arg("C"), nb::arg("k"));
    m.def("dense_kernel", &dense_kernel, nb::arg("first"), nb::arg("last"), nb::arg("a_flat"),
          nb::arg("a_off"), nb::arg("b_flat"), nb::arg("b_off"), nb::arg("c_flat"),
          nb::arg("c_off"), nb::arg("max_iter"), nb::arg("shortcuts"), nb::arg("sup_off"),
          nb::arg("sup_r").noconvert(), nb::arg("sup_c").noconvert(),
          nb::arg("sup_f").noconvert(), nb::arg("pi_off"), nb::arg("pi_out").noconvert(),
          nb::arg("stats").noconvert(), nb::arg("weight_exp").none() = nb::none(),
          nb::arg("cost_exp").none() = nb::none());
    m.def("pairs_kernel", &pairs_kernel, nb::arg("lo"), nb::arg("hi"), nb::arg("points"),
          nb::arg("weights"), nb::arg("offsets"), nb::arg("first"), nb::arg("second"),
          nb::arg("code"), nb::arg("out").noconvert(), nb::arg("status").noconvert(),
          nb::arg("verify") = false);
}

}  // namespace emdkit
