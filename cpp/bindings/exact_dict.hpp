// The dict an exact solve returns to Python (keys and units: cpp/exact/exact_transport.hpp's
// TransportOutput), shared by exact_transport and exact_cloud_transport.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "bindings/arrays.hpp"
#include "exact/exact_transport.hpp"

namespace emdkit {

inline nb::dict transport_dict(exact::TransportOutput&& out) {
    nb::dict d;
    d["status"] = static_cast<int>(out.status);
    d["rows"] = to_numpy(std::move(out.rows));
    d["cols"] = to_numpy(std::move(out.cols));
    d["flows"] = to_numpy(std::move(out.flows));
    const std::size_t n_flows = out.flow_exact.size();
    d["flow_exact"] = to_numpy_bool(std::move(out.flow_exact), n_flows, 1).attr("ravel")();
    d["basis_rows"] = to_numpy(std::move(out.basis_rows));
    d["basis_cols"] = to_numpy(std::move(out.basis_cols));
    d["u"] = to_numpy(std::move(out.u));
    d["v"] = to_numpy(std::move(out.v));
    d["work"] = out.work;
    d["work_scaled"] = out.work_scaled;
    d["distance"] = out.distance;
    d["work_exact"] = out.work_exact;
    d["distance_exact"] = out.distance_exact;
    d["dummy"] = out.dummy;
    d["pivots"] = out.pivots;
    d["bland_pivots"] = out.bland_pivots;
    d["hint_optimal"] = out.hint_optimal;
    d["start"] = static_cast<int>(out.start);
    d["limbs"] = out.limbs;
    return d;
}

// The inputs both exact solvers share (exact_transport, exact_cloud_transport), with their
// shapes checked; `solver` names the caller in the messages.
inline void set_marginals_input(exact::ExactMarginalsInput& in, const std::string& solver,
                                const InArray<double, 1>& a, const InArray<double, 1>& b,
                                const std::optional<InArray<double, 1>>& hint_u,
                                const std::optional<InArray<double, 1>>& hint_v,
                                long weight_exp, std::int64_t max_pivots, int width) {
    require(hint_u.has_value() == hint_v.has_value(),
            (solver + ": give both hint_u and hint_v or neither").c_str());
    if (hint_u)
        require(hint_u->shape(0) == a.shape(0) && hint_v->shape(0) == b.shape(0),
                (solver + ": hint_u and hint_v must have len(a) and len(b) entries").c_str());
    in.a = a.data();
    in.m = a.shape(0);
    in.b = b.data();
    in.n = b.shape(0);
    in.hint_u = hint_u ? hint_u->data() : nullptr;
    in.hint_v = hint_v ? hint_v->data() : nullptr;
    in.weight_exp = weight_exp;
    in.max_pivots = max_pivots;
    in.width = width;
}

}  // namespace emdkit
