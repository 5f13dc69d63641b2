// hook_runner runs on_new_mail without a shell of its own, with the POSTFACH_* environment,
// one run per batch, and survives hooks that fail, are missing or hang.

#include "daemon/hook_runner.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace postfach {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(hook_runner, runs_once_per_batch_with_the_environment) {
    test::temp_dir tmp;
    const auto log = tmp.path() / "log";
    {
        hook_runner hooks(
            "work",
            {"sh", "-c",
             "echo \"$POSTFACH_ACCOUNT|$POSTFACH_FOLDER|$POSTFACH_NEW_COUNT\" >> " + log.string()});
        ASSERT_TRUE(hooks.configured());
        hooks.submit({{"INBOX", 3}, {"Lists/dév", 1}});
        hooks.wait_idle();
        const auto outcomes = hooks.outcomes();
        ASSERT_EQ(outcomes.size(), 2u);
        EXPECT_TRUE(outcomes[0].ok) << outcomes[0].problem;
        EXPECT_TRUE(outcomes[1].ok) << outcomes[1].problem;
    }
    EXPECT_EQ(read_file(log), "work|INBOX|3\nwork|Lists/dév|1\n");
}

TEST(hook_runner, a_failing_hook_is_reported_with_its_stderr) {
    hook_runner hooks("work", {"sh", "-c", "echo no index >&2; exit 3"});
    hooks.submit({{"INBOX", 1}});
    hooks.wait_idle();
    const auto outcomes = hooks.outcomes();
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_FALSE(outcomes[0].ok);
    EXPECT_NE(outcomes[0].problem.find("status 3"), std::string::npos) << outcomes[0].problem;
    EXPECT_NE(outcomes[0].problem.find("no index"), std::string::npos) << outcomes[0].problem;
}

TEST(hook_runner, a_missing_program_is_reported) {
    hook_runner hooks("work", {"/nonexistent/postfach-hook"});
    hooks.submit({{"INBOX", 1}});
    hooks.wait_idle();
    const auto outcomes = hooks.outcomes();
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_FALSE(outcomes[0].ok);
    EXPECT_NE(outcomes[0].problem.find("/nonexistent/postfach-hook"), std::string::npos)
        << outcomes[0].problem;
}

TEST(hook_runner, a_hanging_hook_is_killed_at_the_timeout_and_the_next_one_runs) {
    test::temp_dir tmp;
    const auto mark = tmp.path() / "ran";
    hook_runner hooks(
        "work",
        {"sh", "-c", "[ \"$POSTFACH_FOLDER\" = INBOX ] && exec sleep 60; touch " + mark.string()},
        {200ms});
    const auto started = std::chrono::steady_clock::now();
    hooks.submit({{"INBOX", 1}, {"Sent", 1}});
    hooks.wait_idle();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
    const auto outcomes = hooks.outcomes();
    ASSERT_EQ(outcomes.size(), 2u);
    EXPECT_FALSE(outcomes[0].ok);
    EXPECT_NE(outcomes[0].problem.find("timed out"), std::string::npos) << outcomes[0].problem;
    EXPECT_TRUE(outcomes[1].ok) << outcomes[1].problem;
    EXPECT_TRUE(std::filesystem::exists(mark));
}

TEST(hook_runner, finish_by_kills_the_running_hook_and_drops_the_queued_ones) {
    test::temp_dir tmp;
    const auto mark = tmp.path() / "ran";
    hook_runner hooks("work", {"sh", "-c", "touch " + mark.string() + "; exec sleep 60"}, {60s});
    const auto started = std::chrono::steady_clock::now();
    hooks.submit({{"INBOX", 1}, {"Sent", 1}});
    hooks.finish_by(started + 300ms);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
    const auto outcomes = hooks.outcomes();
    ASSERT_EQ(outcomes.size(), 1u); // Sent's run was dropped, never started
    EXPECT_EQ(outcomes[0].batch.folder, "INBOX");
    EXPECT_FALSE(outcomes[0].ok);
    EXPECT_NE(outcomes[0].problem.find("stopped"), std::string::npos) << outcomes[0].problem;
}

TEST(hook_runner, finish_by_waits_for_hooks_that_end_in_time) {
    test::temp_dir tmp;
    const auto log = tmp.path() / "log";
    hook_runner hooks("work", {"sh", "-c", "echo \"$POSTFACH_FOLDER\" >> " + log.string()});
    hooks.submit({{"INBOX", 1}, {"Sent", 2}});
    hooks.finish_by(std::chrono::steady_clock::now() + 30s);
    ASSERT_EQ(hooks.outcomes().size(), 2u);
    EXPECT_EQ(read_file(log), "INBOX\nSent\n");
}

TEST(hook_runner, without_a_command_nothing_runs) {
    hook_runner hooks("work", {});
    EXPECT_FALSE(hooks.configured());
    hooks.submit({{"INBOX", 1}});
    hooks.wait_idle();
    EXPECT_TRUE(hooks.outcomes().empty());
}

} // namespace
} // namespace postfach
