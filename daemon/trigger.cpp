#include "daemon/trigger.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

namespace postfach {

namespace asio = boost::asio;

trigger::trigger(asio::any_io_executor executor)
    : timer_(std::move(executor), asio::steady_timer::time_point::max()) {}

void trigger::notify() {
    pending_ = true;
    timer_.cancel();
}

asio::awaitable<void> trigger::wait() {
    while (!pending_) {
        co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        // Woken without a notification: only a cancellation of the waiter does that.
        const auto state = co_await asio::this_coro::cancellation_state;
        if (!pending_ && state.cancelled() != asio::cancellation_type::none)
            throw boost::system::system_error(asio::error::operation_aborted);
    }
    pending_ = false;
}

bool is_cancellation(const boost::system::system_error& e) noexcept {
    return e.code() == asio::error::operation_aborted;
}

namespace {

asio::awaitable<void> sleep_until(std::chrono::steady_clock::time_point deadline) {
    asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
    co_await timer.async_wait(asio::use_awaitable);
}

} // namespace

asio::awaitable<bool> trigger::wait_until(std::chrono::steady_clock::time_point deadline) {
    using namespace asio::experimental::awaitable_operators;
    const auto first = co_await (wait() || sleep_until(deadline));
    co_return first.index() == 0;
}

asio::awaitable<bool> trigger::wait_for(std::chrono::steady_clock::duration timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    co_return co_await wait_until(deadline);
}

} // namespace postfach
