// Array types shared by the bindings (the one header for them): zero-copy read-only inputs,
// writable outputs that must not be silently copied (noconvert), and numpy arrays that own a
// std::vector's memory.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace emdkit {

namespace nb = nanobind;

// A zero-copy view of a C-contiguous CPU array of N dimensions, read-only (const T) or written
// by the kernel (T, bound with .noconvert()).
template <class T, std::size_t N>
using CpuArray = nb::ndarray<T, nb::ndim<N>, nb::c_contig, nb::device::cpu>;

template <typename T, std::size_t N>
using InArray = nb::ndarray<const T, nb::ndim<N>, nb::c_contig, nb::device::cpu>;
// An array the kernel writes into: pass it with nb::arg(...).noconvert(), so that a wrong
// dtype or layout is refused instead of converted into a copy that nobody reads.
template <typename T, std::size_t N>
using OutArray = nb::ndarray<T, nb::ndim<N>, nb::c_contig, nb::device::cpu>;

// A numpy array of the given shape that owns `values` (moved, not copied: a heap block that
// a capsule frees with the array).
template <typename T, typename Shape>
nb::object owned_numpy(std::vector<T>&& values, std::initializer_list<std::size_t> shape) {
    auto owned = std::make_unique<std::vector<T>>(std::move(values));
    T* data = owned->data();
    nb::capsule owner(owned.get(),
                      [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
    owned.release();  // the capsule deletes it now
    return nb::ndarray<nb::numpy, T, Shape>(data, shape, owner).cast();
}

// A 1-D numpy array that owns `values`.
template <typename T>
nb::object to_numpy(std::vector<T>&& values) {
    const std::size_t size = values.size();
    return owned_numpy<T, nb::ndim<1>>(std::move(values), {size});
}

// A 2-D (rows x cols, row-major) numpy array that owns `values`.
template <typename T>
nb::object to_numpy(std::vector<T>&& values, std::size_t rows, std::size_t cols) {
    return owned_numpy<T, nb::ndim<2>>(std::move(values), {rows, cols});
}

// A numpy copy of values[0 .. count).
template <typename T>
nb::object copy_to_numpy(const std::vector<T>& values, std::size_t count) {
    return to_numpy(std::vector<T>(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(count)));
}

// A 2-D numpy bool array owning a vector of 0/1 bytes (numpy's bool is one byte).
inline nb::object to_numpy_bool(std::vector<std::uint8_t>&& values, std::size_t rows,
                                std::size_t cols) {
    auto owned = std::make_unique<std::vector<std::uint8_t>>(std::move(values));
    auto* data = reinterpret_cast<bool*>(owned->data());
    nb::capsule owner(owned.get(), [](void* p) noexcept {
        delete static_cast<std::vector<std::uint8_t>*>(p);
    });
    owned.release();
    return nb::ndarray<nb::numpy, bool, nb::ndim<2>>(data, {rows, cols}, owner).cast();
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
