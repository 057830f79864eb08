#include "bindings/parts.hpp"

namespace emdkit {

void bind_parts(nanobind::module_& m) {
    bind_version(m);
    bind_nn(m);
    bind_images(m);
}

}  // namespace emdkit
