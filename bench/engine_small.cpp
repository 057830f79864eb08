// The small-problem engine alone, in CPU time (issue 22): solve_small on five generated
// instances per family, no Python, so that a busy machine (other processes on the cores)
// changes the figures less than wall time would. Families: "clouds" (2-D, random weights,
// squared Euclidean), "random" (costs in [0, 1), random weights), "lab" (3-D points in a box of
// side 100, Euclidean, integer weights with unequal totals: a dummy), "uniform" (2-D clouds,
// uniform weights: the assignment route below ASSIGNMENT_BELOW points).
//
// Build against a checkout (SRC = its root; one command line), then run two builds alternately
// (bench/engine_small_ab.py does, and prints the table):
//   g++ -std=c++17 -O3 -ffp-contract=off -I$SRC/cpp bench/engine_small.cpp
//       $SRC/cpp/solve/{block,problem,assignment,exact_check}.cpp $SRC/cpp/simplex/*.cpp
//       $SRC/cpp/certificate/*.cpp $SRC/cpp/exact/*.cpp $SRC/cpp/pointcloud/kdtree_pricing.cpp
//       -o engine_small -lpthread
//   ./engine_small FAMILY N REPEATS [SHORTCUTS=1]
// It prints the CPU time per solve, the mean pivots, the summed work (the same in both builds
// when they reach the same optima) and how many solves were not certified.
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>
#include <algorithm>
#include "solve/block.hpp"
using namespace emdkit::solve;
struct Prob { std::vector<double> a, b, C; Index m, n; };
Prob make(const std::string& fam, Index n, unsigned seed) {
    std::mt19937_64 g(seed * 7919 + n);
    std::uniform_real_distribution<double> U(0, 1);
    Prob p; p.m = p.n = n; p.a.resize(n); p.b.resize(n); p.C.resize(n * n);
    int dim = fam == "lab" ? 3 : 2;
    std::vector<double> X(n * dim), Y(n * dim);
    for (auto& x : X) x = U(g) * (fam == "lab" ? 100 : 1);
    for (auto& y : Y) y = U(g) * (fam == "lab" ? 100 : 1);
    for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < n; ++j) {
            double s = 0;
            for (int d = 0; d < dim; ++d) { double t = X[i*dim+d] - Y[j*dim+d]; s += t*t; }
            p.C[i*n+j] = fam == "random" ? U(g) : fam == "lab" ? std::sqrt(s) : s;
        }
    double sa = 0, sb = 0;
    for (Index i = 0; i < n; ++i) {
        if (fam == "uniform") { p.a[i] = p.b[i] = 1.0 / 64; }
        else if (fam == "lab") { p.a[i] = std::floor(U(g) * 2999) + 1; p.b[i] = std::floor(U(g) * 2999) + 1; }
        else { p.a[i] = U(g) + .01; p.b[i] = U(g) + .01; }
        sa += p.a[i]; sb += p.b[i];
    }
    if (fam == "lab") { for (auto& x : p.a) x /= 4096.0 * 128; for (auto& x : p.b) x /= 4096.0 * 128; }
    else if (fam != "uniform") { for (auto& x : p.b) x *= sa / sb; for (auto& x: p.a) x/= sa; for (auto& x: p.b) x /= sa; }
    return p;
}
int main(int argc, char** argv) {
    std::string fam = argv[1];
    Index n = std::atol(argv[2]);
    int reps = std::atoi(argv[3]);
    bool shortcuts = argc > 4 ? std::atoi(argv[4]) : 1;
    std::vector<Prob> ps;
    for (unsigned s = 0; s < 5; ++s) ps.push_back(make(fam, n, s));
    double piv = 0, work = 0; int bad = 0;
    std::clock_t c0 = std::clock();
    for (int r = 0; r < reps; ++r)
        for (auto& p : ps) {
            SmallResult out = solve_small(p.a.data(), p.m, p.b.data(), p.n, p.C.data(), 100000000, shortcuts);
            piv += out.pivots; work += out.work; bad += out.status != 0;
        }
    double t = double(std::clock() - c0) / CLOCKS_PER_SEC;
    std::printf("%s n=%ld: %.1f us/solve, %.0f pivots, work %.17g, bad %d\n", fam.c_str(), (long)n,
                t / reps / ps.size() * 1e6, piv / reps / ps.size(), work / reps, bad);
}
