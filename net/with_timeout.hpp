#pragma once
// Races an asynchronous operation against a timer: whichever completes first wins, and the other
// is cancelled (per-operation cancellation, which Asio's sockets and ssl::stream support).
// Returns the operation's result, or nullopt when the timer expired first. When the caller's
// coroutine is cancelled, both are cancelled and the result carries operation_aborted.
//
// The operation must be an awaitable that does not throw for I/O errors (use as_tuple): T is a
// std::tuple whose first element is the error code.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <optional>
#include <utility>

namespace postfach::net {

template <typename T>
boost::asio::awaitable<std::optional<T>> with_timeout(boost::asio::awaitable<T> operation,
                                                      std::chrono::steady_clock::duration timeout) {
    using namespace boost::asio::experimental::awaitable_operators;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, timeout);
    auto result = co_await (std::move(operation) ||
                            timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable)));
    if (result.index() == 0)
        co_return std::move(std::get<0>(result));
    if (const auto [timer_error] = std::get<1>(result); timer_error) {
        // The timer did not expire: it was cancelled along with the caller.
        T aborted{};
        std::get<0>(aborted) = boost::asio::error::operation_aborted;
        co_return aborted;
    }
    co_return std::nullopt;
}

} // namespace postfach::net
