// trigger: a notification wakes the waiter, before or during its wait; wait_until/wait_for end
// at the deadline without one, at once with one, and report which it was; cancelling the waiter
// ends its wait with operation_aborted (is_cancellation).

#include "daemon/trigger.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>
#include <optional>

namespace postfach {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// Runs `body` as a coroutine on `io` until it ends; rethrows what it threw.
template <class Body>
void run_coroutine(asio::io_context& io, Body body) {
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(body), [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure)
        std::rethrow_exception(failure);
}

TEST(trigger_test, a_notification_before_the_wait_is_kept_once) {
    asio::io_context io;
    trigger t(io.get_executor());
    t.notify();
    t.notify(); // not counted
    EXPECT_TRUE(t.pending());
    std::optional<bool> first, second;
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        first = co_await t.wait_for(10s);
        second = co_await t.wait_for(20ms);
    });
    EXPECT_EQ(first, true);
    EXPECT_EQ(second, false) << "the second notify() was folded into the first";
    EXPECT_FALSE(t.pending());
}

TEST(trigger_test, wait_until_ends_at_the_deadline_without_a_notification) {
    asio::io_context io;
    trigger t(io.get_executor());
    const auto start = steady::now();
    std::optional<bool> notified;
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        const auto deadline = start + 30ms;
        notified = co_await t.wait_until(deadline);
    });
    EXPECT_EQ(notified, false);
    EXPECT_GE(steady::now() - start, 30ms);
}

TEST(trigger_test, a_deadline_in_the_past_ends_the_wait_at_once) {
    asio::io_context io;
    trigger t(io.get_executor());
    std::optional<bool> notified;
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        const auto deadline = steady::now() - 1h;
        notified = co_await t.wait_until(deadline);
    });
    EXPECT_EQ(notified, false);
}

TEST(trigger_test, a_notification_during_the_wait_ends_it_before_the_deadline) {
    asio::io_context io;
    trigger t(io.get_executor());
    asio::steady_timer later(io, 10ms);
    later.async_wait([&](boost::system::error_code) { t.notify(); });
    const auto start = steady::now();
    std::optional<bool> notified;
    run_coroutine(io, [&]() -> asio::awaitable<void> { notified = co_await t.wait_for(1h); });
    EXPECT_EQ(notified, true);
    EXPECT_LT(steady::now() - start, 10min) << "ended by the notification, not the hour";
    EXPECT_FALSE(t.pending()) << "the wait consumed the notification";
}

TEST(trigger_test, cancelling_the_waiter_ends_wait_with_operation_aborted) {
    asio::io_context io;
    trigger t(io.get_executor());
    bool aborted = false;
    run_coroutine(io, [&]() -> asio::awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        asio::steady_timer short_timer(co_await asio::this_coro::executor, 5ms);
        // The timer wins the race; the || cancels wait(), which must end (not hang).
        co_await (t.wait() || short_timer.async_wait(asio::use_awaitable));
        try {
            asio::steady_timer cancel_soon(co_await asio::this_coro::executor, 5ms);
            asio::cancellation_signal signal;
            cancel_soon.async_wait(
                [&](boost::system::error_code) { signal.emit(asio::cancellation_type::terminal); });
            auto wait_forever = t.wait();
            co_await asio::co_spawn(
                co_await asio::this_coro::executor, std::move(wait_forever),
                asio::bind_cancellation_slot(signal.slot(), asio::use_awaitable));
        } catch (const boost::system::system_error& e) {
            aborted = is_cancellation(e);
        }
    });
    EXPECT_TRUE(aborted);
    EXPECT_FALSE(t.pending());
}

} // namespace
} // namespace postfach
