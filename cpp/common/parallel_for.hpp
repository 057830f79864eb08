// Rows in parallel on std::threads (no OpenMP runtime: it conflicts with torch's and
// scikit-learn's in one process). The caller decides the thread count (emdkit.core.threads:
// n_jobs, the affinity mask, PARALLEL_MIN_PAIRS); this only splits the work.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace emdkit {

// Rows a thread claims at a time: rows cost very different amounts (a k-d tree prunes most of
// one row and little of another), so threads take small chunks from a shared counter rather
// than one fixed share each; 16 rows of >= 1k pairs keep the counter's traffic negligible.
constexpr std::size_t ROWS_PER_CLAIM = 16;

// Calls body(worker, begin, end) over [0, n_rows) in chunks, on n_threads threads (the calling
// thread is one of them); worker in [0, n_threads) indexes per-thread scratch. The first
// exception thrown by a body is rethrown here after every thread has stopped.
template <typename Body>
void parallel_for_rows(std::size_t n_rows, std::size_t n_threads, Body&& body) {
    n_threads = std::max<std::size_t>(1, std::min(n_threads, (n_rows + ROWS_PER_CLAIM - 1) /
                                                                 ROWS_PER_CLAIM));
    if (n_threads == 1) {
        if (n_rows > 0) body(std::size_t{0}, std::size_t{0}, n_rows);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_lock;
    auto work = [&](std::size_t worker) {
        try {
            for (;;) {
                const std::size_t begin = next.fetch_add(ROWS_PER_CLAIM);
                if (begin >= n_rows) break;
                body(worker, begin, std::min(n_rows, begin + ROWS_PER_CLAIM));
            }
        } catch (...) {
            std::lock_guard<std::mutex> guard(failure_lock);
            if (!failure) failure = std::current_exception();
            next.store(n_rows);  // the others stop at their next claim
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(n_threads - 1);
    try {
        for (std::size_t w = 1; w < n_threads; ++w) threads.emplace_back(work, w);
    } catch (const std::system_error&) {
        // no more threads to be had: the ones started (and this one) share the rows
    }
    work(0);
    for (std::thread& t : threads) t.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace emdkit
