#include "bindings/parts.hpp"

namespace emdkit {

void bind_parts(nanobind::module_& m) {
    bind_version(m);
    bind_nn(m);
    bind_images(m);
    bind_simplex(m);
    bind_certificate(m);
    bind_solve(m);
    bind_costs(m);
    bind_pointcloud(m);
    bind_one_d(m);
    bind_exact(m);
    bind_exact_cloud(m);
}

}  // namespace emdkit
