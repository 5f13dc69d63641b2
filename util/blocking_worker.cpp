#include "util/blocking_worker.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <utility>

namespace asio = boost::asio;

namespace postfach::util {

blocking_worker::~blocking_worker() {
    if (pool_)
        pool_->join(); // finishes the queued jobs; their completions are dropped with the loop
}

asio::awaitable<std::error_code> blocking_worker::run(std::function<std::error_code()> job) {
    if (!pool_)
        pool_.emplace(1);
    auto initiate = [this, &job](auto handler) {
        // Tracked: the loop does not run out of work while the job is on the other thread.
        auto loop = asio::prefer(asio::get_associated_executor(handler),
                                 asio::execution::outstanding_work.tracked);
        asio::post(*pool_, [job = std::move(job), handler = std::move(handler),
                            loop = std::move(loop)]() mutable {
            const std::error_code ec = job();
            asio::post(loop,
                       [handler = std::move(handler), ec]() mutable { std::move(handler)(ec); });
        });
    };
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::error_code)>(
        std::move(initiate), asio::use_awaitable);
}

} // namespace postfach::util
