// Exact verification of a small problem's float answer, in the same engine call (issue 20):
// the float solve's support and duals start the exact transportation simplex (cpp/exact),
// which proves them optimal in integer arithmetic (exact tree flows >= 0, every reduced cost
// >= 0 exactly, screened in float64 first) or pivots on exactly until they are. The answer
// is then the exact optimum rounded once: distance and work correctly rounded, gap 0.
#pragma once

#include <cstdint>

#include "solve/block.hpp"

namespace emdkit::solve {

// Verifies `r`, a float solve of the reduced problem (ar, bc, C), exactly and replaces its
// answer by the exact one: flows (real cells, row-major) and block-layout potentials
// correctly rounded, work in the scaled units, status optimal, gap 0, r.exact set with the
// distance and work in the user's units, each rounded once; the exact pivots added to r.pivots,
// and method METHOD_EXACT_INTEGER when the float certificate had failed.
// Leaves `r` as it is (r.exact false) when there is nothing to verify (a failed solve: max_iter,
// an unserved point), the costs hold a missing arc (inf) or were scaled down (cost_exp > 0,
// which can lose a tiny cost's last bits): the caller settles those on the costs as posed.
// `lo`, `hi`: the costs' min and max when the caller has them (they spare the check a pass
// over the costs when lo > 0), else 0.
void verify_exactly(SmallResult& r, const double* ar, Index m, const double* bc, Index n,
                    const double* C, const ExactScale& scale, double lo = 0.0,
                    double hi = 0.0);

}  // namespace emdkit::solve
