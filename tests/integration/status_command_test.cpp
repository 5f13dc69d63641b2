// `postfach status` through the binary after `postfach sync` against the fixture Dovecot: the
// table, the JSON, an account never synced, a failed connection recorded as the last error,
// and reading while another postfach holds the account's lock.

#include "state/account_lock.hpp"
#include "tests/fixture/dovecot_server.hpp"
#include "tests/integration/postfach_binary.hpp"
#include "tests/support/account_yaml.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace postfach::test {
namespace {

namespace fs = std::filesystem;

class status_command : public postfach_binary_test {
protected:
    fs::path state_dir() const { return dir_ / "state"; }

    // Account work on the fixture; account home never synced; `port` lets a test break work.
    fs::path config(std::uint16_t port = 0) {
        const auto account = [&](const std::string& name, std::uint16_t p) {
            fixture_account a;
            a.name = name;
            a.maildir = dir_ / ("Mail-" + name);
            a.port = p;
            return account_yaml(server, a);
        };
        return write_config(config_yaml(state_dir(), {account("work", port), account("home", 0)}));
    }

    run_output run(std::vector<std::string> args, std::uint16_t port = 0) {
        args.insert(args.begin(), {"--config", config(port).string()});
        return postfach(args);
    }

    dovecot_server server;
};

TEST_F(status_command, after_a_sync_shows_counts_and_the_pass_per_folder) {
    server.add_message("alice", "INBOX", make_message("unread", "1\r\n"));
    server.add_message("alice", "INBOX", make_message("read", "2\r\n"), {"\\Seen"});
    server.add_message("alice", "INBOX", make_message("read too", "3\r\n"), {"\\Seen"});
    auto r = run({"sync", "--account", "work"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

    r = run({"status"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("work: offline since "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  last pass   20"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  INBOX          3       1  20"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  Sent           0       0  20"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("Trash"), std::string::npos) << "excluded: " << r.out;
    EXPECT_NE(r.out.find("home: never synced\n"), std::string::npos) << r.out;

    r = run({"status", "--json", "--account", "work"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(r.out.starts_with("{\"version\": 1, \"accounts\": [\n  {\"name\": \"work\", "
                                  "\"synced_before\": true, \"connection\": \"offline\", "))
        << r.out;
    EXPECT_NE(r.out.find("\"last_error\": null, \"folders\": [\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("{\"name\": \"INBOX\", \"messages\": 3, \"unseen\": 1, "
                         "\"last_success\": \"20"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("home"), std::string::npos) << r.out;
}

TEST_F(status_command, a_failed_connection_is_the_last_error_and_keeps_the_last_pass) {
    ASSERT_EQ(run({"sync", "--account", "work"}).exit_code, 0);
    // Nothing listens on port 1: the connection is refused.
    auto r = run({"sync", "--account", "work"}, 1);
    ASSERT_NE(r.exit_code, 0) << r.out << r.err;
    r = run({"status", "--account", "work"}, 1);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("  last pass   20"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  last error  20"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("connection refused"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(server.user("alice").password), std::string::npos) << r.out;
}

TEST_F(status_command, works_while_another_postfach_holds_the_lock) {
    ASSERT_EQ(run({"sync", "--account", "work"}).exit_code, 0);
    state::account_lock lock;
    pid_t holder = 0;
    ASSERT_FALSE(state::account_lock::acquire(state_dir(), "work", lock, holder));
    ASSERT_EQ(run({"sync", "--account", "work"}).exit_code, 3) << "the lock is held";
    const auto r = run({"status", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("\"name\": \"INBOX\""), std::string::npos) << r.out;
}

TEST_F(status_command, an_unknown_account_is_a_usage_error) {
    const auto r = run({"status", "--account", "nope"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("no account named 'nope'"), std::string::npos) << r.err;
}

} // namespace
} // namespace postfach::test
