// The array type every binding takes: a zero-copy view of a C-contiguous CPU array with a fixed
// number of dimensions (nanobind ndarray). A const element type accepts read-only arrays and
// lets nanobind convert a wrong dtype or layout; a writable one is an output, bound with
// .noconvert() so it is never silently replaced by a converted copy.
#pragma once

#include <nanobind/ndarray.h>

#include <cstddef>

namespace emdkit {

template <class T, std::size_t N>
using CpuArray = nanobind::ndarray<T, nanobind::ndim<N>, nanobind::c_contig,
                                   nanobind::device::cpu>;

}  // namespace emdkit
