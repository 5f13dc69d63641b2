#include "util/subprocess.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <stop_token>
#include <thread>
#include <unistd.h>

namespace {

using namespace postfach::util;
using namespace std::chrono_literals;

TEST(run_process, captures_output_and_exit_status_without_a_shell) {
    run_result r;
    ASSERT_FALSE(run_process({"printf", "%s|%s", "a b", "$HOME"}, {}, r));
    EXPECT_TRUE(r.succeeded());
    EXPECT_EQ(r.out, "a b|$HOME"); // nothing expanded: no shell
    ASSERT_FALSE(run_process({"sh", "-c", "echo oops >&2; exit 3"}, {}, r));
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.err, "oops\n");
    EXPECT_EQ(r.describe_end(1s), "exited with status 3");
}

TEST(run_process, feeds_stdin_and_passes_environment) {
    run_options o;
    o.stdin_data = std::string(200000, 'x'); // more than a pipe buffer
    o.extra_environment = {"POSTFACH_TEST_VAR=42"};
    run_result r;
    ASSERT_FALSE(run_process({"sh", "-c", "wc -c; echo $POSTFACH_TEST_VAR"}, o, r));
    EXPECT_EQ(r.out, "200000\n42\n");
}

TEST(run_process, kills_at_the_deadline) {
    run_options o;
    o.timeout = 200ms;
    run_result r;
    const auto start = std::chrono::steady_clock::now();
    ASSERT_FALSE(run_process({"sleep", "30"}, o, r));
    EXPECT_TRUE(r.timed_out);
    EXPECT_FALSE(r.succeeded());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(run_process, a_stop_request_kills_the_running_child) {
    const auto mark =
        std::filesystem::temp_directory_path() / ("postfach-stop-" + std::to_string(::getpid()));
    std::filesystem::remove(mark);
    std::stop_source stop;
    // Stops once the child has shown it runs (it made the mark), within a deadline.
    std::jthread stopper([&] {
        const auto give_up = std::chrono::steady_clock::now() + 10s;
        while (!std::filesystem::exists(mark) && std::chrono::steady_clock::now() < give_up)
            std::this_thread::sleep_for(5ms);
        stop.request_stop();
    });
    run_options o;
    o.stop = stop.get_token();
    run_result r;
    const auto start = std::chrono::steady_clock::now();
    ASSERT_FALSE(run_process({"sh", "-c", "touch " + mark.string() + "; exec sleep 30"}, o, r));
    EXPECT_TRUE(r.stopped);
    EXPECT_FALSE(r.timed_out);
    EXPECT_FALSE(r.succeeded());
    EXPECT_EQ(r.describe_end(30s), "stopped before its end");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 15s);
    EXPECT_TRUE(std::filesystem::exists(mark));
    std::filesystem::remove(mark);
}

TEST(run_process, missing_program_is_an_error) {
    run_result r;
    const auto ec = run_process({"postfach-no-such-program"}, {}, r);
    EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
}

TEST(run_process, bounds_output) {
    run_options o;
    o.max_output = 1000;
    run_result r;
    const auto ec = run_process({"head", "-c", "100000", "/dev/zero"}, o, r);
    EXPECT_EQ(ec, std::errc::argument_list_too_long);
}

} // namespace
