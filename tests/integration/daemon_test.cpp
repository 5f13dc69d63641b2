// `postfach daemon` through the binary against the fixture Dovecot: push both ways (IDLE,
// inotify), folders both ways, a Dovecot restart, SIGTERM in the middle of a pass, SIGHUP with a
// broken configuration, and the sd_notify messages on a NOTIFY_SOCKET made here. Every wait
// polls for the event with a deadline.

#include "tests/fixture/dovecot_server.hpp"
#include "tests/integration/daemon_process.hpp"
#include "tests/integration/maildir_contents.hpp"
#include "tests/integration/postfach_binary.hpp"
#include "tests/support/account_yaml.hpp"

#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <iterator>
#include <map>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace postfach::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// A datagram socket for sd_notify, as systemd makes it: collects the messages sent to it.
class notify_socket {
public:
    explicit notify_socket(const fs::path& path)
        : path_(path) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
            throw std::runtime_error("bind " + path.string());
    }
    ~notify_socket() { ::close(fd_); }
    notify_socket(const notify_socket&) = delete;
    notify_socket& operator=(const notify_socket&) = delete;

    // Reads messages until one contains `text`, or limit passes.
    bool wait_for_message(std::string_view text, std::chrono::milliseconds limit) {
        const auto deadline = steady::now() + limit;
        for (;;) {
            for (const auto& m : messages)
                if (m.find(text) != std::string::npos)
                    return true;
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
            if (left <= 0ms)
                return false;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
                continue;
            char buffer[4096];
            const auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
            if (n > 0)
                messages.emplace_back(buffer, static_cast<std::size_t>(n));
        }
    }

    std::vector<std::string> messages;

private:
    fs::path path_;
    int fd_ = -1;
};

class daemon_test_base : public postfach_binary_test {
protected:
    explicit daemon_test_base(dovecot_options options)
        : server(std::move(options)) {}

    fs::path maildir() const { return dir_ / "Mail"; }
    fs::path state_dir() const { return dir_ / "state"; }
    fs::path log_file() const { return dir_ / "daemon.log"; }

    std::string config_text(const std::string& poll_interval, std::uint16_t port = 0) const {
        fixture_account account;
        account.maildir = maildir();
        account.port = port;
        account.account_lines = {"poll_interval: " + poll_interval};
        return config_yaml(state_dir(), {account_yaml(server, account) + account_extra_});
    }

    // An executable script in the test directory that appends its hook environment to
    // hook.out, then exits with `status`.
    // hang: the hook never ends by itself (after its line).
    fs::path hook_script(int status, bool hang = false) const {
        const auto path = dir_ / "hook.sh";
        std::ofstream(path) << "#!/bin/sh\n"
                               "echo \"$POSTFACH_ACCOUNT $POSTFACH_FOLDER $POSTFACH_NEW_COUNT\" >> "
                            << (dir_ / "hook.out").string() << "\n"
                            << (hang ? "exec sleep 300\n" : "") << "exit " << status << "\n";
        fs::permissions(path, fs::perms::owner_all);
        return path;
    }
    std::string hook_output() const { return read_file(dir_ / "hook.out"); }

    // Starts the daemon and waits for its first pass and its watch (NOTIFY, or IDLE on INBOX);
    // poll_interval long enough by default that only the watch and inotify can explain a change
    // arriving in time.
    std::unique_ptr<daemon_process> start(const std::string& poll_interval = "1h",
                                          std::vector<std::string> env = {},
                                          bool wait_ready = true) {
        config_ = write_config(config_text(poll_interval));
        std::vector<std::string> args{"--config", config_.string(), "daemon"};
        if (verbose_)
            args.insert(args.begin(), "--verbose");
        auto d = std::make_unique<daemon_process>(std::move(args), log_file(), std::move(env));
        if (wait_ready) {
            EXPECT_TRUE(wait_for([&] { return d->log_has("work: fetched"); }, 20s)) << d->log();
            EXPECT_TRUE(wait_for([&] { return d->log_has(watching_); }, 10s)) << d->log();
        }
        return d;
    }

    std::string server_flags(const std::string& folder, std::uint32_t uid) {
        return server.doveadm({"-f", "flow", "fetch", "-u", "alice", "flags", "mailbox", folder,
                               "uid", std::to_string(uid)});
    }

    bool has_server_folder(const std::string& name) {
        const auto list = server.folders("alice");
        return std::find(list.begin(), list.end(), name) != list.end();
    }

    dovecot_server server;
    fs::path config_;
    std::string watching_ = "work: watching "; // the log line start() waits for
    std::string account_extra_;                // YAML lines added to the account
    bool verbose_ = false;
};

// The fixture's Dovecot as it comes: NOTIFY, IDLE, QRESYNC, LIST-STATUS.
class daemon_test : public daemon_test_base {
protected:
    daemon_test()
        : daemon_test_base({}) {}
};

// Dovecot's capabilities after login, without NOTIFY (and without IDLE where noted).
constexpr char capabilities_without_notify[] =
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE UNSELECT CHILDREN NAMESPACE UIDPLUS "
    "LIST-EXTENDED CONDSTORE QRESYNC ESEARCH LIST-STATUS BINARY MOVE LITERAL+ SPECIAL-USE";
constexpr char capabilities_without_idle[] =
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE UNSELECT CHILDREN NAMESPACE UIDPLUS "
    "LIST-EXTENDED CONDSTORE QRESYNC ESEARCH LIST-STATUS BINARY MOVE LITERAL+ SPECIAL-USE";

dovecot_options with_capabilities(const char* capabilities) {
    dovecot_options options;
    options.imap_capability = capabilities;
    return options;
}

class daemon_without_notify_test : public daemon_test_base {
protected:
    daemon_without_notify_test()
        : daemon_test_base(with_capabilities(capabilities_without_notify)) {}
};

class daemon_without_idle_test : public daemon_test_base {
protected:
    daemon_without_idle_test()
        : daemon_test_base(with_capabilities(capabilities_without_idle)) {}
};

std::size_t occurrences(const std::string& text, std::string_view what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

TEST_F(daemon_without_notify_test, an_append_to_another_folder_arrives_through_its_idle) {
    auto d = start(); // poll_interval 1h, max_connections 4: IDLE on INBOX, Drafts, Sent
    EXPECT_TRUE(wait_for([&] { return d->log_has("watching Sent with IDLE"); }, 5s)) << d->log();
    EXPECT_FALSE(d->log_has("NOTIFY")) << d->log();
    server.add_message("alice", "Sent", make_message("sent elsewhere", "s\r\n"));
    EXPECT_TRUE(wait_for([&] { return messages_in(maildir() / ".Sent").size() == 1; }, 2s))
        << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_without_notify_test, a_server_side_folder_appears_by_list_status_polling) {
    auto d = start("1s"); // every folder has its IDLE; LIST-STATUS polls still see new ones
    server.create_folder("alice", "Receipts");
    EXPECT_TRUE(wait_for([&] { return fs::exists(maildir() / ".Receipts" / "cur"); }, 2500ms))
        << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_without_notify_test, folders_beyond_max_connections_are_polled_with_status) {
    // Two connections: the pass connection and one IDLE on INBOX that polls the rest.
    account_extra_ = "    max_connections: 2\n";
    auto d = start("1s");
    EXPECT_TRUE(d->log_has("watching INBOX with IDLE")) << d->log();
    EXPECT_FALSE(d->log_has("watching Sent with IDLE")) << d->log();
    server.add_message("alice", "Sent", make_message("polled", "p\r\n"));
    EXPECT_TRUE(wait_for([&] { return messages_in(maildir() / ".Sent").size() == 1; }, 2500ms))
        << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_without_idle_test, status_polling_finds_an_append_and_a_no_change_poll_runs_no_pass) {
    verbose_ = true;
    auto d = start("1s");
    EXPECT_TRUE(d->log_has("with STATUS polling every 1 s")) << d->log();
    ASSERT_TRUE(wait_for([&] { return d->log_has("STATUS poll: no change"); }, 5s)) << d->log();
    const auto passes = occurrences(d->log(), "work: fetched");
    ASSERT_TRUE(wait_for([&] { return occurrences(d->log(), "STATUS poll: no change") >= 3; }, 5s))
        << d->log();
    EXPECT_EQ(occurrences(d->log(), "work: fetched"), passes) << d->log();

    server.add_message("alice", "Sent", make_message("polled", "p\r\n"));
    EXPECT_TRUE(wait_for([&] { return messages_in(maildir() / ".Sent").size() == 1; }, 2500ms))
        << d->log();
    EXPECT_TRUE(d->log_has("STATUS poll: Sent changed")) << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_test, an_append_to_another_folder_arrives_within_2s_through_notify) {
    auto d = start();
    EXPECT_TRUE(d->log_has("watching all folders with NOTIFY")) << d->log();
    server.add_message("alice", "Sent", make_message("sent elsewhere", "s\r\n"));
    EXPECT_TRUE(wait_for([&] { return messages_in(maildir() / ".Sent").size() == 1; }, 2s))
        << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_test, server_append_reaches_the_maildir_within_2s) {
    auto d = start();
    const auto started = steady::now();
    server.add_message("alice", "INBOX", make_message("pushed", "p\r\n"));
    EXPECT_TRUE(wait_for([&] { return messages_in(maildir()).size() == 1; }, 2s)) << d->log();
    RecordProperty("latency_ms",
                   static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        steady::now() - started)
                                        .count()));
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_test, a_local_flag_change_reaches_the_server_within_2s) {
    const auto uid = server.add_message("alice", "INBOX", make_message("read me", "r\r\n"));
    auto d = start();
    const auto local = messages_in(maildir());
    ASSERT_EQ(local.size(), 1u) << d->log();
    const auto base = local.begin()->first;
    fs::rename(maildir() / "new" / base, maildir() / "cur" / (base + ":2,S"));
    EXPECT_TRUE(wait_for(
        [&] { return server_flags("INBOX", uid).find("\\Seen") != std::string::npos; }, 2s))
        << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_test, a_new_local_folder_is_created_on_the_server) {
    auto d = start();
    for (const char* sub : {"tmp", "new", "cur"})
        fs::create_directories(maildir() / ".Projects" / sub);
    EXPECT_TRUE(wait_for([&] { return has_server_folder("Projects"); }, 2s)) << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_test, a_server_side_folder_appears_locally_by_polling) {
    auto d = start("1s");
    server.create_folder("alice", "Receipts");
    EXPECT_TRUE(wait_for([&] { return fs::exists(maildir() / ".Receipts" / "cur"); }, 2500ms))
        << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_test, it_reconnects_after_a_dovecot_restart_and_catches_up) {
    auto d = start();
    // Every Dovecot process at once (a graceful restart lets the connections live on in the
    // old imap processes): both of the daemon's connections are cut.
    ::kill(-server.master_pid(), SIGKILL);
    server.restart();
    server.add_message("alice", "INBOX", make_message("during the outage", "o\r\n"));
    EXPECT_TRUE(wait_for([&] { return messages_in(maildir()).size() == 1; }, 15s)) << d->log();
    // And IDLE works again on the new connection.
    EXPECT_TRUE(wait_for([&] { return d->log_has("connected again"); }, 10s)) << d->log();
    server.add_message("alice", "INBOX", make_message("after the outage", "a\r\n"));
    // Push latency is another test's (<= 2 s); here, under load, the catch-up pass may still run.
    EXPECT_TRUE(wait_for([&] { return messages_in(maildir()).size() == 2; }, 10s)) << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_test, sigterm_in_the_middle_of_a_pass_exits_0_and_leaves_a_consistent_state) {
    std::vector<dovecot_server::message_spec> batch;
    const std::string body(20000, 'x');
    for (int i = 0; i < 400; ++i)
        batch.push_back({make_message("bulk " + std::to_string(i), body + "\r\n"), {}});
    server.add_messages("alice", "INBOX", batch);
    auto d = start("1h", {}, false);
    // Somewhere in the first pass: some messages are on disk, not all.
    ASSERT_TRUE(wait_for([&] { return !messages_in(maildir()).empty(); }, 20s)) << d->log();
    const auto before = steady::now();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
    EXPECT_LT(steady::now() - before, 10s);

    const auto r = postfach({"--config", config_.string(), "sync"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(messages_in(maildir()).size(), 400u);
    EXPECT_EQ(server.message_count("alice", "INBOX"), 400u) << "nothing uploaded twice";
    const auto again = postfach({"--config", config_.string(), "sync"});
    EXPECT_NE(again.out.find("fetched 0 (0.0 MB), uploaded 0"), std::string::npos) << again.out;
}

TEST_F(daemon_test, sighup_with_a_broken_config_keeps_the_old_one_and_logs_the_error) {
    auto d = start();
    std::ofstream(config_) << config_text("1h") << "    idle: perhaps\n";
    d->signal(SIGHUP);
    EXPECT_TRUE(wait_for([&] { return d->log_has("keeping the old one"); }, 5s)) << d->log();
    EXPECT_TRUE(d->log_has("config.yaml:")) << d->log();
    EXPECT_TRUE(d->log_has("accounts[0].idle")) << d->log();
    server.add_message("alice", "INBOX", make_message("still working", "s\r\n"));
    EXPECT_TRUE(wait_for([&] { return messages_in(maildir()).size() == 1; }, 2s)) << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_test, sighup_with_a_valid_config_reloads) {
    auto d = start();
    d->signal(SIGHUP);
    EXPECT_TRUE(wait_for([&] { return d->log_has("SIGHUP: reloading"); }, 5s)) << d->log();
    server.add_message("alice", "INBOX", make_message("after reload", "s\r\n"));
    EXPECT_TRUE(wait_for([&] { return messages_in(maildir()).size() == 1; }, 5s)) << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_test, sd_notify_ready_status_watchdog_and_stopping) {
    notify_socket sock(dir_ / "notify.sock");
    auto d =
        start("1h", {"NOTIFY_SOCKET=" + (dir_ / "notify.sock").string(), "WATCHDOG_USEC=400000"});
    EXPECT_TRUE(sock.wait_for_message("READY=1", 5s));
    EXPECT_TRUE(sock.wait_for_message("STATUS=work: idle, NOTIFY on all folders", 5s));
    sock.messages.clear();
    EXPECT_TRUE(sock.wait_for_message("WATCHDOG=1", 2s)) << "every 200 ms";
    d->signal(SIGHUP);
    EXPECT_TRUE(sock.wait_for_message("RELOADING=1", 5s));
    sock.messages.clear();
    EXPECT_TRUE(sock.wait_for_message("READY=1", 5s)) << "after the reload";
    d->signal(SIGTERM);
    EXPECT_TRUE(sock.wait_for_message("STOPPING=1", 10s));
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_test, sigusr1_runs_a_pass_now) {
    // Without watching the server (idle: false) and the poll an hour away, only SIGUSR1 can
    // bring it.
    account_extra_ = "    idle: false\n";
    auto d = start("1h", {}, false);
    ASSERT_TRUE(wait_for([&] { return d->log_has("work: fetched"); }, 20s)) << d->log();
    server.add_message("alice", "Sent", make_message("sent elsewhere", "s\r\n"));
    d->signal(SIGUSR1);
    EXPECT_TRUE(wait_for([&] { return messages_in(maildir() / ".Sent").size() == 1; }, 2s))
        << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_test, a_second_daemon_on_the_same_account_exits_3) {
    auto d = start();
    const auto r = postfach({"--config", config_.string(), "daemon"});
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_test, postfach_status_shows_the_running_daemon) {
    server.add_message("alice", "INBOX", make_message("counted", "c\r\n"));
    auto d = start();
    const auto status = [&] {
        return postfach({"--config", config_.string(), "status", "--json"});
    };
    // The pass is logged before the worker goes idle: wait for the record, not the log.
    run_output r;
    EXPECT_TRUE(wait_for(
        [&] {
            r = status();
            return r.out.find("\"connection\": \"idle\"") != std::string::npos;
        },
        5s))
        << r.out << r.err << d->log();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find("\"pid\": null"), std::string::npos) << "the daemon's pid: " << r.out;
    EXPECT_EQ(r.out.find("\"last_success\": null, \"last_error\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("{\"name\": \"INBOX\", \"messages\": 1, \"unseen\": 1, "
                         "\"last_success\": \"20"),
              std::string::npos)
        << r.out;
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
    r = status();
    EXPECT_NE(r.out.find("\"connection\": \"offline\""), std::string::npos) << r.out;
}

TEST_F(daemon_test, postfach_status_shows_why_the_daemon_cannot_connect) {
    // Nothing listens on port 1: refused, and the worker waits to try again.
    config_ = write_config(config_text("1h", 1));
    daemon_process d({"--config", config_.string(), "daemon"}, log_file(), {});
    run_output r;
    EXPECT_TRUE(wait_for(
        [&] {
            r = postfach({"--config", config_.string(), "status"});
            return r.out.find("work: backoff since ") != std::string::npos &&
                   r.out.find("connection refused") != std::string::npos;
        },
        5s))
        << r.out << r.err << d.log();
    EXPECT_NE(r.out.find("  last error  20"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  last pass   never"), std::string::npos) << r.out;
    d.signal(SIGTERM);
    EXPECT_EQ(d.wait_exit(10s), 0) << d.log();
}

TEST_F(daemon_test, on_new_mail_runs_after_a_server_append_and_mailboxes_file_follows_folders) {
    account_extra_ = fmt::format("    hooks:\n      on_new_mail: {}\n    mailboxes_file: {}\n",
                                 hook_script(0).string(), (dir_ / "mailboxes").string());
    auto d = start();
    EXPECT_TRUE(wait_for([&] { return fs::exists(dir_ / "mailboxes"); }, 2s)) << d->log();
    EXPECT_EQ(read_file(dir_ / "mailboxes").find("Receipts"), std::string::npos);
    EXPECT_EQ(hook_output(), "") << "nothing new at the first pass";

    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    server.add_message("alice", "INBOX", make_message("two", "2\r\n"));
    // The debounce window is 2 s after the last pass with new mail.
    EXPECT_TRUE(wait_for([&] { return !hook_output().empty(); }, 6s)) << d->log();
    const auto out = hook_output();
    EXPECT_TRUE(out == "work INBOX 2\n" || out == "work INBOX 1\nwork INBOX 1\n") << out;

    server.create_folder("alice", "Receipts");
    d->signal(SIGUSR1);
    EXPECT_TRUE(wait_for(
        [&] { return read_file(dir_ / "mailboxes").find("Receipts") != std::string::npos; }, 2s))
        << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_test, a_failing_hook_is_logged_and_the_daemon_goes_on) {
    account_extra_ = fmt::format("    hooks:\n      on_new_mail: {}\n", hook_script(3).string());
    auto d = start();
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    EXPECT_TRUE(
        wait_for([&] { return d->log_has("on_new_mail hook for INBOX (1 new) exited"); }, 6s))
        << d->log();
    server.add_message("alice", "INBOX", make_message("two", "2\r\n"));
    EXPECT_TRUE(wait_for([&] { return messages_in(maildir()).size() == 2; }, 2s)) << d->log();
    EXPECT_TRUE(wait_for([&] { return hook_output() == "work INBOX 1\nwork INBOX 1\n"; }, 6s))
        << hook_output() << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_test, sigterm_runs_the_hook_of_mail_still_in_its_debounce_window) {
    account_extra_ = fmt::format("    hooks:\n      on_new_mail: {}\n", hook_script(0).string());
    auto d = start();
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    ASSERT_TRUE(wait_for([&] { return messages_in(maildir()).size() == 1; }, 2s)) << d->log();
    d->signal(SIGTERM); // well within the 2 s window
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
    EXPECT_EQ(hook_output(), "work INBOX 1\n") << d->log();
}

TEST_F(daemon_test, sigterm_exits_within_10s_even_when_a_hook_hangs) {
    account_extra_ =
        fmt::format("    hooks:\n      on_new_mail: {}\n", hook_script(0, true).string());
    auto d = start();
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    ASSERT_TRUE(wait_for([&] { return messages_in(maildir()).size() == 1; }, 2s)) << d->log();
    const auto signalled = std::chrono::steady_clock::now();
    d->signal(SIGTERM); // the hook starts now (debounce window flushed) and never ends
    EXPECT_EQ(d->wait_exit(15s), 0) << d->log();
    EXPECT_LE(std::chrono::steady_clock::now() - signalled, 10s) << d->log();
    EXPECT_EQ(hook_output(), "work INBOX 1\n") << d->log();
    EXPECT_TRUE(d->log_has("on_new_mail hook for INBOX (1 new) stopped before its end"))
        << d->log();
}

} // namespace
} // namespace postfach::test
