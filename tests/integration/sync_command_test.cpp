// `postfach sync` through the binary against the fixture Dovecot, in both Maildir layouts: the
// first pass, an idle second pass, changes both ways, --dry-run, the account lock (exit 3) and
// the deletion guard (exit 4, then --force).

#include "state/account_lock.hpp"
#include "tests/fixture/dovecot_server.hpp"
#include "tests/integration/maildir_contents.hpp"
#include "tests/integration/postfach_binary.hpp"
#include "tests/support/account_yaml.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <map>
#include <unistd.h>

namespace postfach::test {
namespace {

namespace fs = std::filesystem;

class sync_command : public postfach_binary_test,
                     public ::testing::WithParamInterface<std::string> {
protected:
    fs::path maildir() const { return dir_ / "Mail"; }
    fs::path state_dir() const { return dir_ / "state"; }
    bool verbatim() const { return GetParam() == "verbatim"; }
    // The directory of a folder in the account's layout (names here are ASCII).
    fs::path folder_dir(const std::string& folder) const {
        if (verbatim())
            return maildir() / folder;
        if (folder == "INBOX")
            return maildir();
        std::string dotted = "." + folder;
        std::replace(dotted.begin(), dotted.end(), '/', '.');
        return maildir() / dotted;
    }

    fs::path config() {
        fixture_account account;
        account.maildir = maildir();
        account.layout = GetParam();
        return write_config(config_yaml(state_dir(), {account_yaml(server, account)}));
    }

    run_output sync(std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"--config", config().string(), "sync"};
        args.insert(args.end(), extra.begin(), extra.end());
        return postfach(args);
    }

    std::string server_flags(const std::string& folder, std::uint32_t uid) {
        return server.doveadm({"-f", "flow", "fetch", "-u", "alice", "flags", "mailbox", folder,
                               "uid", std::to_string(uid)});
    }

    dovecot_server server;
};

TEST_P(sync_command, first_pass_fetches_everything_and_a_second_changes_nothing) {
    server.add_message("alice", "INBOX", make_message("unread", "1\r\n"));
    server.add_message("alice", "INBOX", make_message("read", "2\r\n"), {"\\Seen"});
    server.create_folder("alice", "Archive/2025");
    server.add_message("alice", "Archive/2025", make_message("old", "3\r\n"), {"\\Flagged"});
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("work: fetched 3 "), std::string::npos) << r.out;
    const auto inbox = messages_in(folder_dir("INBOX"));
    EXPECT_EQ(inbox.size(), 2u);
    const auto archive = messages_in(folder_dir("Archive/2025"));
    ASSERT_EQ(archive.size(), 1u);
    EXPECT_EQ(archive.begin()->second, "2,F");
    EXPECT_TRUE(fs::exists(folder_dir("Sent")));
    EXPECT_FALSE(fs::exists(folder_dir("Trash"))) << "excluded";
    EXPECT_EQ(fs::status(state_dir() / "work.sqlite").permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);

    r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("work: fetched 0 (0.0 MB), uploaded 0, flags ↑0 ↓0, deleted ↑0 ↓0"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(messages_in(folder_dir("INBOX")), inbox);
}

TEST_P(sync_command, changes_go_both_ways) {
    const auto kept = server.add_message("alice", "INBOX", make_message("keep", "k\r\n"));
    const auto doomed = server.add_message("alice", "INBOX", make_message("doomed", "d\r\n"));
    ASSERT_EQ(sync().exit_code, 0);
    // Server: delete one, add one. Local: mark the kept one read, write a draft.
    server.expunge("alice", "INBOX", doomed);
    server.add_message("alice", "INBOX", make_message("new on server", "n\r\n"));
    for (const auto& [base, info] : messages_in(folder_dir("INBOX"))) {
        const auto from = folder_dir("INBOX") / (info.empty() ? "new" : "cur") /
                          (info.empty() ? base : base + ":" + info);
        if (fs::exists(from) && info.empty()) {
            // Which one is "keep"? Read the subject.
            std::ifstream in(from);
            std::string text((std::istreambuf_iterator<char>(in)), {});
            if (text.find("Subject: keep") != std::string::npos)
                fs::rename(from, folder_dir("INBOX") / "cur" / (base + ":2,S"));
        }
    }
    {
        std::ofstream draft(folder_dir("INBOX") / "new" / "1700000000.M1P1.localhost");
        draft << "From: alice@postfach.test\nSubject: written offline\nMessage-ID: "
                 "<offline@x>\n\nhi\n";
    }
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(server_flags("INBOX", kept).find("\\Seen"), std::string::npos);
    EXPECT_EQ(server.message_count("alice", "INBOX"), 3u); // keep, new on server, offline
    EXPECT_EQ(messages_in(folder_dir("INBOX")).size(), 3u);
    r = sync();
    EXPECT_NE(r.out.find("fetched 0 (0.0 MB), uploaded 0, flags ↑0 ↓0, deleted ↑0 ↓0"),
              std::string::npos)
        << r.out;
}

TEST_P(sync_command, dry_run_prints_the_plan_and_changes_nothing) {
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    const auto r = sync({"--dry-run"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("work: INBOX: fetch UID 1"), std::string::npos) << r.out;
    EXPECT_TRUE(messages_in(folder_dir("INBOX")).empty());
}

TEST_P(sync_command, a_second_instance_exits_3_naming_the_holder) {
    state::account_lock lock;
    pid_t holder = 0;
    ASSERT_FALSE(state::account_lock::acquire(state_dir(), "work", lock, holder));
    const auto r = sync();
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_NE(r.err.find(std::to_string(::getpid())), std::string::npos) << r.err;
}

TEST_P(sync_command, the_deletion_guard_stops_mass_deletions_until_forced) {
    std::vector<dovecot_server::message_spec> batch;
    for (int i = 0; i < 30; ++i)
        batch.push_back({make_message("m" + std::to_string(i), "x\r\n"), {}});
    server.add_messages("alice", "INBOX", batch);
    ASSERT_EQ(sync().exit_code, 0);
    for (std::uint32_t uid = 1; uid <= 20; ++uid)
        server.expunge("alice", "INBOX", uid);
    auto r = sync();
    EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
    EXPECT_NE(r.err.find("deletion guard"), std::string::npos) << r.err;
    EXPECT_EQ(messages_in(folder_dir("INBOX")).size(), 30u);
    r = sync({"--force"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(messages_in(folder_dir("INBOX")).size(), 10u);
}

// Under a low hard limit on open files (a container, LimitNOFILE=), an initial sync still
// completes: a group commit's batch is sized to the limit (with batches of 256 the files open
// for commits ran out after ~190 and every folder failed with EMFILE).
TEST_P(sync_command, an_initial_sync_fits_a_low_open_file_limit) {
    std::vector<dovecot_server::message_spec> batch;
    for (int i = 0; i < 600; ++i)
        batch.push_back({make_message("many " + std::to_string(i), "body\r\n"), {}});
    server.add_messages("alice", "INBOX", batch);
    static const std::string limited = "import os, resource, sys\n"
                                       "resource.setrlimit(resource.RLIMIT_NOFILE, (200, 200))\n"
                                       "os.execv(sys.argv[1], sys.argv[1:])\n";
    const auto r = run_program(
        {"python3", "-c", limited, POSTFACH_BINARY, "--config", config().string(), "sync"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(messages_in(folder_dir("INBOX")).size(), 600U);
}

INSTANTIATE_TEST_SUITE_P(layouts, sync_command, ::testing::Values("maildir++", "verbatim"),
                         [](const auto& layout) {
                             return layout.param == "verbatim" ? std::string("verbatim")
                                                               : std::string("maildir_pp");
                         });

} // namespace
} // namespace postfach::test
