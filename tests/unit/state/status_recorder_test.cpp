// status_recorder writes what `postfach status` reads back with read_account_status: the
// connection state, pass times and errors per account and folder, and counts from the pairs.

#include "state/sqlite_statement.hpp"
#include "state/state_store.hpp"
#include "state/status_reader.hpp"
#include "state/status_recorder.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace postfach::state {
namespace {

using clock = status_recorder::clock;

clock::time_point at(std::int64_t unix_seconds) {
    return clock::time_point(std::chrono::seconds(unix_seconds));
}

sync::folder_outcome folder_ok(std::string name) {
    sync::folder_outcome f;
    f.folder = name;
    f.plan.folder = std::move(name);
    return f;
}

class status_recorder_test : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_FALSE(state_store::open(path_, db_)) << db_.diagnostics(); }

    account_status read() {
        account_status s;
        std::string diagnostics;
        EXPECT_FALSE(read_account_status(path_, s, diagnostics)) << diagnostics;
        return s;
    }

    void add_messages(const std::string& folder, const std::vector<std::string>& flags) {
        folder_record f;
        f.name = folder;
        ASSERT_FALSE(db_.save_folder(f));
        std::uint32_t uid = 1;
        for (const auto& fl : flags) {
            message_record m;
            m.folder_id = f.id;
            m.uid = uid;
            m.base_name = "m" + std::to_string(uid++);
            m.flags = fl;
            ASSERT_FALSE(db_.save_message(m));
        }
    }

    test::temp_dir tmp_;
    std::filesystem::path path_ = state_store::database_path(tmp_.path(), "work");
    state_store db_;
    status_recorder recorder_{db_};
};

TEST_F(status_recorder_test, a_fresh_database_reads_as_offline_and_never_synced) {
    const auto s = read();
    EXPECT_EQ(s.connection, connection_state::offline);
    EXPECT_EQ(s.last_success, 0);
    EXPECT_TRUE(s.last_error.empty());
    EXPECT_TRUE(s.folders.empty());
}

TEST_F(status_recorder_test, connection_state_carries_time_and_pid) {
    ASSERT_FALSE(recorder_.set_connection(connection_state::syncing, at(1000)));
    auto s = read();
    EXPECT_EQ(s.connection, connection_state::syncing);
    EXPECT_EQ(s.connection_since, 1000);
    EXPECT_EQ(s.pid, ::getpid());
    ASSERT_FALSE(recorder_.set_connection(connection_state::idle, at(1010)));
    s = read();
    EXPECT_EQ(s.connection, connection_state::idle);
    EXPECT_EQ(s.connection_since, 1010);
}

TEST_F(status_recorder_test, a_pass_records_each_folder_and_counts_come_from_the_pairs) {
    add_messages("INBOX", {"S", "", "FS", ""});
    add_messages("Archive", {"S"});
    sync::pass_result r;
    r.folders.push_back(folder_ok("INBOX"));
    auto broken = folder_ok("Archive");
    broken.error = std::make_error_code(std::errc::io_error);
    broken.error_detail = "scan of the local side";
    r.folders.push_back(broken);
    ASSERT_FALSE(recorder_.record_pass(r, at(2000)));

    const auto s = read();
    EXPECT_EQ(s.last_success, 0) << "a folder failed, so the pass was not a success";
    ASSERT_EQ(s.folders.size(), 2u);
    EXPECT_EQ(s.folders[0].name, "Archive");
    EXPECT_EQ(s.folders[0].messages, 1u);
    EXPECT_EQ(s.folders[0].unseen, 0u);
    EXPECT_EQ(s.folders[0].last_success, 0);
    EXPECT_EQ(s.folders[0].last_error_at, 2000);
    EXPECT_NE(s.folders[0].last_error.find("scan of the local side failed"), std::string::npos)
        << s.folders[0].last_error;
    EXPECT_EQ(s.folders[1].name, "INBOX");
    EXPECT_EQ(s.folders[1].messages, 4u);
    EXPECT_EQ(s.folders[1].unseen, 2u);
    EXPECT_EQ(s.folders[1].last_success, 2000);
    EXPECT_TRUE(s.folders[1].last_error.empty());
}

TEST_F(status_recorder_test, a_clean_pass_sets_the_account_success_and_drops_vanished_folders) {
    sync::pass_result first;
    first.folders = {folder_ok("INBOX"), folder_ok("Old")};
    ASSERT_FALSE(recorder_.record_pass(first, at(3000)));
    sync::pass_result second;
    second.folders = {folder_ok("INBOX")};
    ASSERT_FALSE(recorder_.record_pass(second, at(3100)));
    const auto s = read();
    EXPECT_EQ(s.last_success, 3100);
    ASSERT_EQ(s.folders.size(), 1u);
    EXPECT_EQ(s.folders[0].name, "INBOX");
    EXPECT_EQ(s.folders[0].last_success, 3100);
}

// Status commits are not fsync'd, the sync state's are: every recorder call leaves the
// connection at synchronous = FULL (2) as it found it.
TEST_F(status_recorder_test, status_writes_leave_the_sync_state_commits_synchronous) {
    const auto synchronous = [&] {
        std::error_code ec;
        sqlite_statement s(db_.connection(), "PRAGMA synchronous", ec);
        EXPECT_FALSE(ec);
        EXPECT_TRUE(s.step(ec));
        return s.column_int(0);
    };
    ASSERT_EQ(synchronous(), 2);
    ASSERT_FALSE(recorder_.set_connection(connection_state::syncing, at(10)));
    EXPECT_EQ(synchronous(), 2);
    sync::pass_result pass;
    pass.folders = {folder_ok("INBOX")};
    ASSERT_FALSE(recorder_.record_pass(pass, at(20)));
    EXPECT_EQ(synchronous(), 2);
    ASSERT_FALSE(recorder_.record_failure("no route to host", at(30)));
    EXPECT_EQ(synchronous(), 2);
    const auto s = read();
    EXPECT_EQ(s.last_success, 20);
    EXPECT_EQ(s.last_error, "no route to host");
}

TEST_F(status_recorder_test, guard_trips_are_folder_errors) {
    auto f = folder_ok("INBOX");
    f.plan.guard_trips.push_back({sync::side::local, 20, 30, false});
    sync::pass_result r;
    r.folders = {f};
    ASSERT_FALSE(recorder_.record_pass(r, at(4000)));
    const auto s = read();
    ASSERT_EQ(s.folders.size(), 1u);
    EXPECT_TRUE(s.folders[0].last_error.starts_with("deletion guard: holding back 20 deletions"))
        << s.folders[0].last_error;
}

TEST_F(status_recorder_test, a_pass_that_could_not_start_keeps_folders_and_sets_the_error) {
    sync::pass_result ok;
    ok.folders = {folder_ok("INBOX")};
    ASSERT_FALSE(recorder_.record_pass(ok, at(5000)));
    sync::pass_result failed;
    failed.error = std::make_error_code(std::errc::connection_reset);
    failed.error_detail = "listing the remote folders";
    ASSERT_FALSE(recorder_.record_pass(failed, at(5100)));
    ASSERT_FALSE(recorder_.record_failure("login failed", at(5200)));
    const auto s = read();
    EXPECT_EQ(s.last_success, 5000);
    EXPECT_EQ(s.last_error, "login failed");
    EXPECT_EQ(s.last_error_at, 5200);
    ASSERT_EQ(s.folders.size(), 1u);
}

TEST_F(status_recorder_test, reading_works_while_the_writer_holds_a_write_transaction) {
    ASSERT_FALSE(recorder_.set_connection(connection_state::syncing, at(6000)));
    transaction tx;
    ASSERT_FALSE(db_.begin(tx));
    folder_record f;
    f.name = "Uncommitted";
    ASSERT_FALSE(db_.save_folder(f));
    const auto s = read(); // WAL: the last commit, no waiting
    EXPECT_EQ(s.connection, connection_state::syncing);
    EXPECT_TRUE(s.folders.empty());
}

TEST(status_reader, a_missing_database_is_no_such_file) {
    test::temp_dir tmp;
    account_status s;
    std::string diagnostics;
    EXPECT_EQ(read_account_status(tmp.path() / "none.sqlite", s, diagnostics),
              std::errc::no_such_file_or_directory);
    EXPECT_FALSE(std::filesystem::exists(tmp.path() / "none.sqlite"));
}

TEST(connection_state_names, round_trip) {
    for (auto s : {connection_state::offline, connection_state::connecting,
                   connection_state::syncing, connection_state::idle, connection_state::backoff})
        EXPECT_EQ(parse_connection_state(to_string(s)), s);
    EXPECT_FALSE(parse_connection_state("bogus"));
}

} // namespace
} // namespace postfach::state
