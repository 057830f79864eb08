// Per-row buffers of the k most negative reduced costs (emdkit/core/topk.py), shared by the
// dense candidate rounds and the k-d tree pricing.
#pragma once

#include <cstddef>
#include <cstdint>

namespace emdkit {

// Insert (value, index) into the ascending buffer of the k smallest seen so far (k >= 1).
inline void push_smallest(double* vals, std::int64_t* idx, std::size_t k, double value,
                          std::int64_t index) {
    if (value >= vals[k - 1]) return;
    std::size_t t = k - 1;
    while (t > 0 && vals[t - 1] > value) {
        vals[t] = vals[t - 1];
        idx[t] = idx[t - 1];
        --t;
    }
    vals[t] = value;
    idx[t] = index;
}

// Copy the filled slots (index >= 0) of a row's buffer to out_row; returns how many.
inline std::int64_t emit_row(const std::int64_t* idx, std::size_t cap, std::int64_t* out_row) {
    std::int64_t count = 0;
    for (std::size_t t = 0; t < cap; ++t) {
        if (idx[t] >= 0) out_row[count++] = idx[t];
    }
    return count;
}

}  // namespace emdkit
