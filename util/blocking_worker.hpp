#pragma once
// A thread for blocking system calls the event loop must not wait on (fsync, syncfs, the
// renames of a group commit): design.md §5 keeps one event loop per process, and this is no
// second loop, only a queue of jobs whose completions come back to the awaiting coroutine on
// its own executor.
//
//   util::blocking_worker worker;
//   std::error_code ec = co_await worker.run([&] { return fsync_everything(); });
//
// Contract: jobs run one at a time, in the order run() was called, on one thread started at the
// first run(). A job must touch nothing the loop thread uses until its run() completes (the
// awaiting coroutine is suspended; other coroutines of the loop go on). If that coroutine is
// cancelled, run() completes at once with operation_canceled and the job finishes alone: a job
// owns what it works on (captures by value). A running job keeps the loop from running out of
// work. The destructor waits for queued jobs.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <optional>
#include <system_error>

namespace postfach::util {

class blocking_worker {
public:
    blocking_worker() = default;
    blocking_worker(const blocking_worker&) = delete;
    blocking_worker& operator=(const blocking_worker&) = delete;
    ~blocking_worker();

    // Runs `job` on the worker thread; completes with its result.
    boost::asio::awaitable<std::error_code> run(std::function<std::error_code()> job);

    // Queues `job` behind the others and returns at once: a job whose result no one awaits.
    // It owns what it works on and reports through it; a later run() completes only after it
    // (the order above), which is how its effects are picked up.
    void post(std::function<void()> job);

private:
    std::optional<boost::asio::thread_pool> pool_;
};

} // namespace postfach::util
