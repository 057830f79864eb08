// The dict an exact solve returns to Python (keys and units: cpp/exact/exact_transport.hpp's
// TransportOutput), shared by exact_transport and exact_cloud_transport.
#pragma once

#include <cstdint>
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

}  // namespace emdkit
