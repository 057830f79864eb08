// emdkit._engine: the one module that lists every entry point of the compiled engine.
// Each part of the engine binds its own functions (bind_* below); arrays cross as zero-copy
// nanobind ndarrays, the GIL is released around every solve, and C++ exceptions become Python
// exceptions (EngineError -> RuntimeError naming the broken invariant).
#include <nanobind/nanobind.h>

#include "bindings/parts.hpp"
#include "common/errors.hpp"

namespace nb = nanobind;

NB_MODULE(_engine, m) {
    m.doc() = "emdkit's compiled engine (C++17). Internal: call it through emdkit.core.";
    nb::exception<emdkit::EngineError>(m, "EngineError", PyExc_RuntimeError);
    m.attr("CHECKS_INVARIANTS") =
#ifdef EMDKIT_CHECK_INVARIANTS
        true;
#else
        false;
#endif
    emdkit::bind_parts(m);
}
