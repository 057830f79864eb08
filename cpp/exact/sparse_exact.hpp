// The exact optimum of a point-cloud transportation problem without its cost matrix.
//
// The costs are the float64 values the ground-cost kernel (costs/ground_cost.hpp) computes for
// each pair, exactly as the float path uses them; the exact problem is the one on those costs.
// Column generation in integer arithmetic: the exact transportation simplex runs on a sparse
// arc set (the float solve's arcs, its basis as the start), and when no arc of the set prices
// negative, every pair is priced matrix-free on a k-d tree over the columns: float bounds
// around the exact potentials (correctly rounded) prove almost every pair's reduced cost
// positive, node by node or pair by pair, and only the pairs within the bound are priced in
// integers. Violators (the most negative few per row) join the set and pivoting resumes, until
// no pair anywhere prices negative: the basis is then exactly optimal.
//
// Layout as exact_transport.hpp's: rows 0..m-1, columns 0..n-1, and on the exact totals a
// zero-cost dummy row m (Σb > Σa) or dummy column n (Σa > Σb), whose arcs all join the set.
#pragma once

#include <cstddef>
#include <cstdint>

#include "exact/exact_transport.hpp"
#include "pointcloud/kdtree_pricing.hpp"

namespace emdkit::exact {

// The work is reported times 2^weight_exp (the costs are unscaled); width as
// TransportInput's.
struct CloudTransportInput : ExactMarginalsInput {
    const double* X = nullptr;  // (m, dim) rows' points, row-major
    const double* Y = nullptr;  // (n, dim) columns' points
    std::size_t dim = 0;
    long long metric_code = 0;
    KDTreeLayout tree{};  // over Y, with its permutation (tree position -> column)
    // The starting arc set, cells of the layout (cells out of it are skipped), and the start:
    // indices into that set of the float basis (flow-carrying arcs first is best).
    const std::int64_t* arc_rows = nullptr;
    const std::int64_t* arc_cols = nullptr;
    std::size_t n_arcs = 0;
    const std::int64_t* hint = nullptr;
    std::size_t n_hint = 0;
    std::size_t violators_per_row = 8;  // violators a sweep adds per row (doubling later)
    std::size_t n_threads = 1;
};

struct CloudTransportOutput {
    TransportOutput result;         // as exact_transport's (basis cells in the layout)
    std::int64_t sweeps = 0;        // matrix-free pricing sweeps over all pairs
    std::int64_t arcs_added = 0;    // violators (and finer-grid pairs) added by the sweeps
    std::int64_t exact_checks = 0;  // pairs the float bounds could not decide
    std::int64_t regrids = 0;       // restarts on a finer cost grid (a new pair's last place)
    std::int64_t arcs = 0;          // the final arc set's size
};

// Solves exactly; throws std::invalid_argument on a weight <= 0 or a non-finite value.
CloudTransportOutput solve_exact_cloud_transport(const CloudTransportInput& input);

}  // namespace emdkit::exact
