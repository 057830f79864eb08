// Arrays handed to Python: numpy arrays that own their memory (a std::vector moved into a
// heap block that a capsule frees), and the zero-copy input array types.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace emdkit {

namespace nb = nanobind;

template <class T, int N>
using InArray = nb::ndarray<const T, nb::ndim<N>, nb::c_contig, nb::device::cpu>;
template <class T, int N>
using OutArray = nb::ndarray<T, nb::ndim<N>, nb::c_contig, nb::device::cpu>;

// A 1-D numpy array owning the vector's elements (no copy).
template <class T>
nb::object to_numpy(std::vector<T>&& values) {
    auto owned = std::make_unique<std::vector<T>>(std::move(values));
    const std::size_t size = owned->size();
    T* data = owned->data();
    nb::capsule owner(owned.get(), [](void* p) noexcept {
        std::unique_ptr<std::vector<T>>(static_cast<std::vector<T>*>(p));
    });
    owned.release();
    return nb::ndarray<nb::numpy, T, nb::ndim<1>>(data, {size}, owner).cast();
}

// A 2-D (rows x cols, row-major) numpy array owning the vector's elements.
template <class T>
nb::object to_numpy(std::vector<T>&& values, std::size_t rows, std::size_t cols) {
    auto owned = std::make_unique<std::vector<T>>(std::move(values));
    T* data = owned->data();
    nb::capsule owner(owned.get(), [](void* p) noexcept {
        std::unique_ptr<std::vector<T>>(static_cast<std::vector<T>*>(p));
    });
    owned.release();
    return nb::ndarray<nb::numpy, T, nb::ndim<2>>(data, {rows, cols}, owner).cast();
}

// A numpy copy of values[0 .. count).
template <class T>
nb::object copy_to_numpy(const std::vector<T>& values, std::size_t count) {
    return to_numpy(std::vector<T>(values.begin(), values.begin() + count));
}

}  // namespace emdkit

namespace emdkit {

// A 2-D numpy bool array owning a vector of 0/1 bytes (numpy's bool is one byte).
inline nb::object to_numpy_bool(std::vector<std::uint8_t>&& values, std::size_t rows,
                                std::size_t cols) {
    auto owned = std::make_unique<std::vector<std::uint8_t>>(std::move(values));
    auto* data = reinterpret_cast<bool*>(owned->data());
    nb::capsule owner(owned.get(), [](void* p) noexcept {
        std::unique_ptr<std::vector<std::uint8_t>>(static_cast<std::vector<std::uint8_t>*>(p));
    });
    owned.release();
    return nb::ndarray<nb::numpy, bool, nb::ndim<2>>(data, {rows, cols}, owner).cast();
}

}  // namespace emdkit
