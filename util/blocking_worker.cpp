#include "util/blocking_worker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <memory>
#include <utility>

namespace asio = boost::asio;

namespace postfach::util {
namespace {

// Shared by the awaiting coroutine and the worker: the coroutine may be gone (cancelled) before
// the job ends. Only the job itself runs on the worker thread; everything else on the loop.
struct pending_job {
    pending_job(std::function<std::error_code()> j, const asio::any_io_executor& loop)
        : job(std::move(j))
        , done(loop, std::chrono::steady_clock::time_point::max()) {}
    std::function<std::error_code()> job;
    std::error_code result;
    bool finished = false;
    // Never expires; cancelled when the job is done. A pending wait is work, so the loop does
    // not stop while the job runs.
    asio::steady_timer done;
};

} // namespace

blocking_worker::~blocking_worker() {
    if (pool_)
        pool_->join(); // finishes the queued jobs
}

void blocking_worker::post(std::function<void()> job) {
    if (!pool_)
        pool_.emplace(1);
    asio::post(*pool_, std::move(job));
}

asio::awaitable<std::error_code> blocking_worker::run(std::function<std::error_code()> job) {
    if (!pool_)
        pool_.emplace(1);
    const auto loop = co_await asio::this_coro::executor;
    auto p = std::make_shared<pending_job>(std::move(job), loop);
    asio::post(*pool_, [p, loop]() mutable {
        const std::error_code result = p->job();
        // The loop's handler holds the last reference: the timer is never destroyed here.
        asio::post(loop, [p = std::move(p), result] {
            p->result = result;
            p->finished = true;
            p->done.cancel();
        });
    });
    (void)co_await p->done.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!p->finished) // the wait was cancelled with the coroutine; the job goes on alone
        co_return std::make_error_code(std::errc::operation_canceled);
    co_return p->result;
}

} // namespace postfach::util
