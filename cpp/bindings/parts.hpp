// Every part of the engine that exposes functions to Python adds one bind_* line here and in
// parts.cpp, so the module's contents are listed in one place.
#pragma once

#include <nanobind/nanobind.h>

namespace emdkit {

void bind_parts(nanobind::module_& m);

void bind_version(nanobind::module_& m);
void bind_nn(nanobind::module_& m);
void bind_images(nanobind::module_& m);
void bind_simplex(nanobind::module_& m);
void bind_certificate(nanobind::module_& m);
void bind_solve(nanobind::module_& m);
void bind_costs(nanobind::module_& m);
void bind_pointcloud(nanobind::module_& m);
void bind_one_d(nanobind::module_& m);
void bind_exact(nanobind::module_& m);
void bind_exact_cloud(nanobind::module_& m);

}  // namespace emdkit
