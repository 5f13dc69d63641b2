#include "daemon/trigger.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
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

} // namespace postfach
