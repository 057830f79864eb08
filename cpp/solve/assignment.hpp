// Equal-size point sets with one common weight: an assignment problem, solved by
// Jonker-Volgenant's column reduction, then shortest augmenting paths for the rows it leaves
// free (JV's augmentation phase in Crouse's dense form, "On implementing 2D rectangular
// assignment algorithms", IEEE TAES 2016). The duals u, v keep
// u_i + v_j <= c_ij, tight on the assignment: optimal duals of the transport problem too.
#pragma once

#include <cstdint>
#include <vector>

namespace emdkit::solve {

// Below this many points per side the augmenting-path solver beats the network simplex on
// uniform weights (mirrors assignment.ASSIGNMENT_BELOW; n = 100: 0.74 ms vs 0.91 ms; re-measured
// with the column reduction and the pivoted start, uniform 2-D clouds, CPU time: n = 128
// 0.68-0.70 ms vs 0.88-0.93 ms, n = 200 2.1-2.3 ms vs 2.3-2.4 ms). With the exact check in
// the call and the vectorised block pricing (bench/assignment_threshold.py, block /
// assignment): n = 48 1.14-1.18, 64 0.91-0.96, 96 0.96-1.01, 128 0.68-0.73. Hence 64.
constexpr std::int64_t ASSIGNMENT_BELOW = 64;

struct Assignment {
    std::vector<std::int64_t> col_for_row;
    std::vector<double> u, v;
    int status;  // 0 optimal; 1 no augmenting path (finite costs rule it out)
};

// Minimise sum_i cost[i, col_for_row[i]] over permutations of an n x n row-major matrix.
Assignment solve_assignment(const double* cost, std::int64_t n);

}  // namespace emdkit::solve
