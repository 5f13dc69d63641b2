#include "tests/support/coroutine_runner.hpp"
#include "util/blocking_worker.hpp"

#include <atomic>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <gtest/gtest.h>
#include <thread>
#include <vector>

namespace postfach::util {
namespace {

TEST(blocking_worker, runs_jobs_in_order_on_another_thread_and_resumes_on_the_loop) {
    boost::asio::io_context io;
    blocking_worker worker;
    const auto loop_thread = std::this_thread::get_id();
    std::vector<int> order;
    std::thread::id job_thread;
    test::run_until_done(io, [&]() -> boost::asio::awaitable<void> {
        auto ec = co_await worker.run([&] {
            job_thread = std::this_thread::get_id();
            order.push_back(1);
            return std::error_code();
        });
        EXPECT_FALSE(ec);
        EXPECT_EQ(std::this_thread::get_id(), loop_thread);
        ec = co_await worker.run([&] {
            order.push_back(2);
            return std::make_error_code(std::errc::io_error);
        });
        EXPECT_EQ(ec, std::errc::io_error);
        EXPECT_EQ(std::this_thread::get_id(), loop_thread);
    });
    EXPECT_NE(job_thread, loop_thread);
    EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(blocking_worker, the_loop_runs_other_coroutines_while_a_job_blocks) {
    boost::asio::io_context io;
    blocking_worker worker;
    std::atomic<bool> other_ran{false};
    test::run_until_done(io, [&]() -> boost::asio::awaitable<void> {
        boost::asio::co_spawn(
            io,
            [&]() -> boost::asio::awaitable<void> {
                other_ran = true;
                co_return;
            },
            boost::asio::detached);
        // The job waits for the loop to run the other coroutine: a loop blocked on the job
        // would never get there, and the job gives up with an error after its deadline.
        const auto ec = co_await worker.run([&] {
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            while (!other_ran)
                if (std::chrono::steady_clock::now() > deadline)
                    return std::make_error_code(std::errc::timed_out);
                else
                    std::this_thread::yield();
            return std::error_code();
        });
        EXPECT_FALSE(ec) << ec.message();
    });
    EXPECT_TRUE(other_ran);
}

} // namespace
} // namespace postfach::util
