// POP3 accounts through the binary against the fixture Dovecot's POP3S: `postfach sync` fetches
// into the INBOX and leaves the mail on the server, a second pass fetches nothing, --dry-run
// changes nothing, the lock and a wrong password give their exit codes; `postfach check` logs
// in over POP3.

#include "state/account_lock.hpp"
#include "tests/fixture/dovecot_server.hpp"
#include "tests/integration/maildir_contents.hpp"
#include "tests/integration/postfach_binary.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace postfach::test {
namespace {

namespace fs = std::filesystem;

class pop3_command : public postfach_binary_test {
protected:
    fs::path maildir() const { return dir_ / "Mail"; }
    fs::path state_dir() const { return dir_ / "state"; }

    fs::path config(const std::string& password, const std::string& extra = {}) {
        return write_config(fmt::format("state_dir: {}\n"
                                        "accounts:\n"
                                        "  - name: home\n"
                                        "    maildir: {}\n"
                                        "    protocol: pop3\n"
                                        "    pop3:\n"
                                        "      host: localhost\n"
                                        "      port: {}\n"
                                        "      ca_file: {}\n"
                                        "      user: alice\n"
                                        "      password: \"{}\"\n{}",
                                        state_dir().string(), maildir().string(),
                                        server.pop3s_port(), server.ca_file().string(), password,
                                        extra));
    }

    run_output run(const std::string& command, std::vector<std::string> extra = {},
                   const std::string& password = {}) {
        std::vector<std::string> args{
            "--config",
            config(password.empty() ? server.user("alice").password : password).string(), command};
        args.insert(args.end(), extra.begin(), extra.end());
        return postfach(args);
    }

    dovecot_server server;
};

TEST_F(pop3_command, sync_fetches_into_inbox_once_and_leaves_the_mail_on_the_server) {
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    server.add_message("alice", "INBOX", make_message("two", "2\r\n"));
    auto r = run("sync");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("home: fetched 2 "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(", 1 folder, "), std::string::npos) << r.out;
    const auto first = messages_in(maildir());
    EXPECT_EQ(first.size(), 2u);
    EXPECT_EQ(server.message_count("alice", "INBOX"), 2u) << "left on the server";

    r = run("sync");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("home: fetched 0 (0.0 MB)"), std::string::npos) << r.out;
    EXPECT_EQ(messages_in(maildir()), first);

    server.add_message("alice", "INBOX", make_message("three", "3\r\n"));
    r = run("sync");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("home: fetched 1 "), std::string::npos) << r.out;
    EXPECT_EQ(messages_in(maildir()).size(), 3u);
}

TEST_F(pop3_command, sync_records_status_and_runs_on_new_mail) {
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    server.add_message("alice", "INBOX", make_message("two", "2\r\n"));
    const auto hook_out = dir_ / "hook.out";
    const auto cfg = config(server.user("alice").password,
                            fmt::format("    hooks:\n      on_new_mail: sh -c 'echo "
                                        "\"$POSTFACH_FOLDER $POSTFACH_NEW_COUNT\" >> {}'\n",
                                        hook_out.string()));
    auto r = postfach({"--config", cfg.string(), "sync"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    std::ifstream in(hook_out);
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "INBOX 2");

    r = postfach({"--config", cfg.string(), "status"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("home: offline since "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  last pass   20"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  INBOX "), std::string::npos) << r.out;

    // A failure is the last error, the last pass is kept.
    r = run("sync", {}, "wrong");
    ASSERT_NE(r.exit_code, 0);
    r = postfach({"--config", cfg.string(), "status"});
    EXPECT_NE(r.out.find("  last error  20"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("POP3 pass with localhost"), std::string::npos) << r.out;
}

TEST_F(pop3_command, dry_run_says_what_it_would_fetch_and_changes_nothing) {
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    const auto r = run("sync", {"--dry-run"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("home: INBOX: fetch 1 message over POP3"), std::string::npos) << r.out;
    EXPECT_TRUE(messages_in(maildir()).empty());
    const auto again = run("sync");
    EXPECT_NE(again.out.find("home: fetched 1 "), std::string::npos) << again.out;
}

TEST_F(pop3_command, leave_on_server_false_deletes_what_was_fetched) {
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    std::vector<std::string> args{
        "--config",
        config(server.user("alice").password, "      leave_on_server: false\n").string(), "sync"};
    const auto r = postfach(args);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("deleted ↑1 ↓0"), std::string::npos) << r.out;
    EXPECT_EQ(messages_in(maildir()).size(), 1u);
    EXPECT_EQ(server.message_count("alice", "INBOX"), 0u);
}

TEST_F(pop3_command, a_wrong_password_exits_1_and_says_so) {
    const auto r = run("sync", {}, "wrong");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("home: POP3 pass with localhost"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("check user and the secret"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("wrong"), std::string::npos) << "no secret in messages: " << r.err;
}

TEST_F(pop3_command, a_refused_connection_exits_75) {
    // Port 1 on loopback: nothing listens there.
    std::vector<std::string> args{
        "--config",
        write_config(fmt::format("state_dir: {}\n"
                                 "accounts:\n"
                                 "  - name: home\n"
                                 "    maildir: {}\n"
                                 "    protocol: pop3\n"
                                 "    pop3:\n"
                                 "      host: 127.0.0.1\n"
                                 "      port: 1\n"
                                 "      user: alice\n"
                                 "      password: x\n",
                                 state_dir().string(), maildir().string()))
            .string(),
        "sync"};
    const auto r = postfach(args);
    EXPECT_EQ(r.exit_code, 75) << r.out << r.err;
}

TEST_F(pop3_command, a_second_instance_exits_3) {
    state::account_lock lock;
    pid_t holder = 0;
    ASSERT_FALSE(state::account_lock::acquire(state_dir(), "home", lock, holder));
    const auto r = run("sync");
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_NE(r.err.find(std::to_string(::getpid())), std::string::npos) << r.err;
}

TEST_F(pop3_command, check_logs_in_over_pop3_and_counts_the_maildrop) {
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    auto r = run("check");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("(POP3)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  tls       TLSv1."), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  login     alice with "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  maildrop  1 message "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  result    ok, logged out"), std::string::npos) << r.out;
    EXPECT_EQ(server.message_count("alice", "INBOX"), 1u);

    r = run("check", {}, "wrong");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("authentication failed for user alice"), std::string::npos) << r.err;
}

} // namespace
} // namespace postfach::test
