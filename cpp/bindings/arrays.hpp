// Array types shared by the bindings: zero-copy read-only inputs, writable outputs that must not
// be silently copied (noconvert), and numpy arrays that own a std::vector's memory.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace emdkit {

namespace nb = nanobind;

template <typename T, std::size_t N>
using InArray = nb::ndarray<const T, nb::ndim<N>, nb::c_contig, nb::device::cpu>;
// An array the kernel writes into: pass it with nb::arg(...).noconvert(), so that a wrong
// dtype or layout is refused instead of converted into a copy that nobody reads.
template <typename T, std::size_t N>
using OutArray = nb::ndarray<T, nb::ndim<N>, nb::c_contig, nb::device::cpu>;

template <typename T>
using NumpyVector = nb::ndarray<nb::numpy, T, nb::ndim<1>>;

// A 1-D numpy array that owns `values` (moved, not copied).
template <typename T>
NumpyVector<T> to_numpy(std::vector<T>&& values) {
    auto owned = std::make_unique<std::vector<T>>(std::move(values));
    T* data = owned->data();
    const std::size_t size = owned->size();
    nb::capsule owner(owned.get(),
                      [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
    owned.release();  // the capsule deletes it now
    return NumpyVector<T>(data, {size}, owner);
}

// One clear line naming the argument, as ValueError (input is validated in Python first; this
// guards the engine against a caller's slip, never reaches users through the public API).
// `what` is a literal, so that a check inside a loop builds no string unless it fails.
inline void require(bool ok, const char* what) {
    if (!ok) throw nb::value_error(what);
}

// Every entry of idx in [0, bound), else ValueError naming the array.
inline void require_indices(const InArray<std::int64_t, 1>& idx, std::size_t bound,
                            const char* name) {
    const std::int64_t* data = idx.data();
    for (std::size_t k = 0; k < idx.shape(0); ++k) {
        if (data[k] < 0 || static_cast<std::size_t>(data[k]) >= bound) {
            throw nb::value_error((std::string(name) + " holds an index out of range").c_str());
        }
    }
}

}  // namespace emdkit
