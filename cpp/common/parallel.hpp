// A parallel loop on std::threads (no OpenMP: its runtime conflicts with torch's and
// scikit-learn's in one process). The caller passes the thread count on every call; nothing is
// global, so two callers on two Python threads never change each other's setting.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace emdkit {

// Runs body(first, last) over [0, n_items) on n_threads threads, the caller's among them.
//
// chunk > 0: threads take `chunk` items at a time from a shared counter (dynamic schedule), so a
// thread slowed by a core that another process holds takes fewer chunks and costs only its
// share. chunk == 0: each thread takes one contiguous, equal share (static schedule, the least
// overhead when every core is free). With one thread, or one item, the body runs inline.
//
// The first exception a body throws is rethrown here after every thread has joined; the
// remaining chunks are skipped. If the system refuses a new thread, the threads already
// started (at least the caller's) do all the work.
template <class Body>
void parallel_for(std::int64_t n_items, int n_threads, std::int64_t chunk, Body&& body) {
    if (n_items <= 0) return;
    const std::int64_t threads =
        std::max<std::int64_t>(1, std::min<std::int64_t>(n_threads, n_items));
    if (threads == 1) {
        body(std::int64_t{0}, n_items);
        return;
    }
    const std::int64_t step = chunk > 0 ? chunk : (n_items + threads - 1) / threads;
    std::atomic<std::int64_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex error_lock;
    auto work = [&]() {
        for (;;) {
            if (failed.load(std::memory_order_relaxed)) return;
            const std::int64_t first = next.fetch_add(step, std::memory_order_relaxed);
            if (first >= n_items) return;
            try {
                body(first, std::min(n_items, first + step));
            } catch (...) {
                std::lock_guard<std::mutex> hold(error_lock);
                if (!error) error = std::current_exception();
                failed.store(true, std::memory_order_relaxed);
                return;
            }
        }
    };
    std::vector<std::thread> helpers;
    helpers.reserve(static_cast<std::size_t>(threads - 1));
    for (std::int64_t t = 1; t < threads; ++t) {
        try {
            helpers.emplace_back(work);
        } catch (const std::system_error&) {
            break;  // no more threads to be had: the ones running share the remaining chunks
        }
    }
    work();
    for (std::thread& helper : helpers) helper.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace emdkit
