#pragma once
// Runs coroutines on a test's io_context until they are done, with a deadline so that a hung
// test fails instead of blocking the suite.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <gtest/gtest.h>
#include <system_error>

// ASSERT_* leaves with `return`, which a coroutine cannot; this fails the test and co_returns.
#define CO_ASSERT_NO_ERROR(expression, diagnostics)                                                \
    do {                                                                                           \
        if (const std::error_code co_assert_ec_ = (expression)) {                                  \
            ADD_FAILURE() << #expression << ": " << co_assert_ec_.message() << ": "                \
                          << (diagnostics);                                                        \
            co_return;                                                                             \
        }                                                                                          \
    } while (false)

namespace postfach::test {

// Spawns body and runs io until body finished (other spawned coroutines may still be pending;
// they are destroyed with io). Fails the test if the deadline passes first.
inline void run_until_done(boost::asio::io_context& io,
                           std::function<boost::asio::awaitable<void>()> body,
                           std::chrono::seconds deadline = std::chrono::seconds(20)) {
    bool done = false;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, std::move(body), [&](std::exception_ptr e) {
        failure = e;
        done = true;
    });
    const auto stop_at = std::chrono::steady_clock::now() + deadline;
    while (!done && std::chrono::steady_clock::now() < stop_at && !io.stopped())
        io.run_one_until(stop_at);
    ASSERT_TRUE(done) << "the test coroutine did not finish within " << deadline.count() << " s";
    if (failure)
        std::rethrow_exception(failure);
}

} // namespace postfach::test
