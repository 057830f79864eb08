// Errors the engine reports. Nothing here aborts the process: every failure is a C++ exception
// that the binding turns into a Python exception (SolverError carries the solver status).
#pragma once

#include <stdexcept>
#include <string>

namespace emdkit {

// Mirrors emdkit.core.errors.STATUS_*; the Python side maps a status to its message.
enum class Status : int {
    optimal = 0,
    max_iter = 1,
    unbounded = 2,
    artificial_flow = 3,
    not_certified = 4,
    no_augmenting_path = 5,
};

// A broken internal invariant (a bug, never bad input: input is validated in Python).
class EngineError : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

// Checked in debug/sanitizer builds only (EMDKIT_CHECK_INVARIANTS); throws instead of aborting.
#ifdef EMDKIT_CHECK_INVARIANTS
#define EMDKIT_INVARIANT(cond, what)                                           \
    do {                                                                       \
        if (!(cond)) throw ::emdkit::EngineError(std::string("invariant: ") + (what)); \
    } while (0)
#else
#define EMDKIT_INVARIANT(cond, what) \
    do {                             \
    } while (0)
#endif

}  // namespace emdkit
