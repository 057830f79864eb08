// The engine's ABI version: the Python side refuses a stale build of the module rather than
// calling functions whose signatures have changed.
#include "bindings/parts.hpp"

namespace emdkit {

constexpr int ENGINE_ABI_VERSION = 3;

void bind_version(nanobind::module_& m) {
    m.attr("ABI_VERSION") = ENGINE_ABI_VERSION;
}

}  // namespace emdkit
