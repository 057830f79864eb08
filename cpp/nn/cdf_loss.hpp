// The CDF loss of emdkit.nn.emd2_loss: value and gradient per row in one cache-resident sweep.
//
// For row n with probabilities p (overwritten), target CDF T, gaps g and exponent r:
//
//     D_k = sum_{i<=k} p_i - T_k,   s = sum_{k<K-1} g_k |D_k|^r,
//     G_k = ds/dD_k = r g_k |D_k|^(r-1) sign D_k,   S_j = ds/dp_j = sum_{j<=k<=K-2} G_k,
//     ds/dz_j = p_j (S_j - sum_i p_i S_i)            (through a softmax, z the logits).
//
// The row stays in cache between the forward scan, the backward scan and the final product,
// so the loss reads the probabilities once and writes the gradient once. Accumulation is in
// double whatever the storage type, in the same order as the Numba kernels it replaces
// (src/emdkit/nn/_cdf_kernel.py), so both give the same bits.
#pragma once

#include <cstdint>

namespace emdkit::nn {

// One call's arrays and options. Real is the storage type of p and t_soft (float or double).
template <class Real>
struct CdfLossRows {
    Real* p = nullptr;                       // (n, k) row-major; the gradient overwrites it
    std::int64_t n = 0;
    std::int64_t k = 0;
    const std::int64_t* t_index = nullptr;   // (n,) class-index targets (hard)
    const Real* t_soft = nullptr;            // (n, k) target distributions (not hard)
    const double* gaps = nullptr;            // (k - 1,) distances between class centres
    double r = 2.0;
    bool hard = true;
    bool through_softmax = true;             // gradient in the logits, not the probabilities
    bool with_grad = true;
    double grad_scale = 1.0;                 // folded into the gradient (a later mean or sum)
    double* s_out = nullptr;                 // (n,) per-row s
};

// How a kernel spreads its rows over threads: n_threads threads, handed `chunk` blocks of rows
// at a time (0: one equal share each). Results do not depend on either.
struct Threads {
    int n_threads = 1;
    std::int64_t chunk = 0;
};

// Below this many classes the per-row scans are too short to hide the add latency of their
// dependency chains; small_k runs ROWS_PER_BLOCK rows side by side instead (emd2.py's SMALL_K,
// measured there: crossover about 50 classes, bench/bench_loss.py).
constexpr std::int64_t SMALL_K = 32;
constexpr std::int64_t ROWS_PER_BLOCK = 64;
// Rows scanned side by side by the interleaved kernel: four independent add chains hide the
// latency of one (the per-row scans are latency-bound at K of about 100).
constexpr std::int64_t INTERLEAVE = 4;

// Any target and exponent, one row at a time (blocks of ROWS_PER_BLOCK rows per task).
template <class Real>
void cdf_loss_rows(const CdfLossRows<Real>& call, Threads threads);

// Index targets and r = 2, ROWS_PER_BLOCK rows transposed so the scans run across rows.
template <class Real>
void cdf_loss_hard_squared_small_k(const CdfLossRows<Real>& call, Threads threads);

// Index targets and r = 2, INTERLEAVE rows at a time; rows past the last multiple of
// INTERLEAVE are left alone (cdf_loss sends them to cdf_loss_rows).
template <class Real>
void cdf_loss_hard_squared_interleaved(const CdfLossRows<Real>& call, Threads threads);

// The kernel that suits the call (the dispatch of emd2.py's _CDFLossCPU).
template <class Real>
void cdf_loss(const CdfLossRows<Real>& call, Threads threads);

}  // namespace emdkit::nn
