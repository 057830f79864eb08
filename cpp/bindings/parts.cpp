#include "bindings/parts.hpp"

namespace emdkit {

void bind_parts(nanobind::module_& m) {
    bind_version(m);
    bind_exact(m);
}

}  // namespace emdkit
