// maildir_watcher on a temp Maildir: a flag rename in cur/ is a change, a burst of changes is
// one call, tmp/ is not watched, and a folder made later is watched too.

#include "daemon/maildir_watcher.hpp"
#include "tests/support/coroutine_runner.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace postfach {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class maildir_watcher_test : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char* sub : {"tmp", "new", "cur"})
            fs::create_directories(root() / sub);
        watcher = std::make_unique<maildir_watcher>(
            io.get_executor(), root(), [this] { ++calls; }, 20ms);
        ASSERT_FALSE(watcher->start()) << watcher->diagnostics();
        boost::asio::co_spawn(io, watcher->run(), boost::asio::detached);
    }
    fs::path root() const { return dir.path(); }
    // Runs the loop until `calls` reaches n or the deadline passes.
    void run_until_calls(int n, std::chrono::milliseconds deadline = 5s) {
        const auto stop_at = std::chrono::steady_clock::now() + deadline;
        while (calls < n && std::chrono::steady_clock::now() < stop_at)
            io.run_one_until(stop_at);
    }
    // Runs what is ready now and for a little longer than the debounce.
    void run_briefly() { io.run_for(100ms); }
    void write(const fs::path& path) { std::ofstream(path) << "Subject: x\n\nx\n"; }

    test::temp_dir dir;
    boost::asio::io_context io;
    std::unique_ptr<maildir_watcher> watcher;
    int calls = 0;
};

TEST_F(maildir_watcher_test, watches_the_root_new_and_cur_but_not_tmp) {
    EXPECT_EQ(watcher->watched_directories(), 3u);
}

TEST_F(maildir_watcher_test, a_flag_rename_in_cur_is_a_change) {
    write(root() / "cur" / "1.M1.host:2,");
    run_until_calls(1);
    ASSERT_EQ(calls, 1);
    fs::rename(root() / "cur" / "1.M1.host:2,", root() / "cur" / "1.M1.host:2,S");
    run_until_calls(2);
    EXPECT_EQ(calls, 2);
}

TEST_F(maildir_watcher_test, a_burst_of_changes_is_one_call) {
    for (int i = 0; i < 50; ++i)
        write(root() / "new" / ("m" + std::to_string(i)));
    run_until_calls(1);
    run_briefly();
    EXPECT_EQ(calls, 1);
}

TEST_F(maildir_watcher_test, writing_in_tmp_is_not_a_change_until_delivered) {
    write(root() / "tmp" / "m1");
    run_briefly();
    EXPECT_EQ(calls, 0);
    fs::rename(root() / "tmp" / "m1", root() / "new" / "m1");
    run_until_calls(1);
    EXPECT_EQ(calls, 1);
}

TEST_F(maildir_watcher_test, a_new_folder_is_a_change_and_is_watched) {
    for (const char* sub : {"tmp", "new", "cur"})
        fs::create_directories(root() / ".Projects" / sub);
    run_until_calls(1);
    EXPECT_EQ(calls, 1);
    run_briefly();
    const int before = calls;
    write(root() / ".Projects" / "new" / "m1");
    run_until_calls(before + 1);
    EXPECT_EQ(calls, before + 1);
}

} // namespace
} // namespace postfach
