// Every part of the engine that exposes functions to Python adds one bind_* line here and in
// parts.cpp, so the module's contents are listed in one place.
#pragma once

#include <nanobind/nanobind.h>

namespace emdkit {

void bind_parts(nanobind::module_& m);

void bind_version(nanobind::module_& m);
void bind_exact(nanobind::module_& m);

}  // namespace emdkit
