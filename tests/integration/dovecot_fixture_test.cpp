// The private Dovecot fixture itself: it must really serve IMAP and POP3 over verified TLS,
// reject wrong passwords, honour capability restrictions, take server-side changes, survive a
// restart, and never outlive its test, not even a crashed one.

#include "tests/fixture/dovecot_server.hpp"
#include "util/subprocess.hpp"

#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <poll.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using postfach::test::dovecot_server;
using postfach::test::processes_in_group;
using postfach::test::make_message;

struct login_result {
    int exit_code;
    std::string out;
    std::string err;
};

// Logs in with Python's imaplib/poplib: a client independent of postfach.
login_result python_login(const dovecot_server& server, const std::string& mode, std::uint16_t port,
                          const std::string& user, const std::string& password,
                          const std::string& host = "localhost") {
    postfach::util::run_options options;
    options.stdin_data = password + "\n";
    options.timeout = std::chrono::seconds(20);
    postfach::util::run_result result;
    const auto ec = postfach::util::run_process(
        {"python3", POSTFACH_SOURCE_DIR "/tests/integration/login_client.py", mode, host,
         std::to_string(port), server.ca_file().string(), user},
        options, result);
    EXPECT_FALSE(ec) << ec.message();
    return {result.exit_code, result.out, result.err};
}

// True while pid runs; a zombie (ended, not yet reaped by its new parent) counts as gone.
bool process_exists(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line))
        return false;
    const auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

TEST(dovecot_fixture, logs_in_over_imaps_with_verified_certificate) {
    dovecot_server server;
    const auto r = python_login(server, "imaps", server.imaps_port(), "alice", "alice-secret-1");
    ASSERT_EQ(r.exit_code, 0) << r.err << server.log();
    // After login Dovecot advertises its full list.
    EXPECT_NE(r.out.find("CONDSTORE"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("QRESYNC"), std::string::npos) << r.out;
}

TEST(dovecot_fixture, logs_in_over_pop3s) {
    dovecot_server server;
    const auto r = python_login(server, "pop3s", server.pop3s_port(), "bob", "bob-secret-2");
    ASSERT_EQ(r.exit_code, 0) << r.err << server.log();
    EXPECT_NE(r.out.find("UIDL"), std::string::npos) << r.out;
}

TEST(dovecot_fixture, offers_starttls_and_stls_on_the_plain_ports) {
    dovecot_server server;
    auto imap =
        python_login(server, "imap-starttls", server.imap_port(), "carol", "carol-secret-3");
    EXPECT_EQ(imap.exit_code, 0) << imap.err;
    auto pop3 = python_login(server, "pop3-stls", server.pop3_port(), "carol", "carol-secret-3");
    EXPECT_EQ(pop3.exit_code, 0) << pop3.err;
}

TEST(dovecot_fixture, refuses_a_wrong_password) {
    dovecot_server server;
    EXPECT_EQ(python_login(server, "imaps", server.imaps_port(), "alice", "wrong").exit_code, 1);
    EXPECT_EQ(python_login(server, "pop3s", server.pop3s_port(), "alice", "wrong").exit_code, 1);
}

TEST(dovecot_fixture, certificate_names_only_localhost_and_127_0_0_1) {
    dovecot_server server;
    EXPECT_EQ(
        python_login(server, "handshake-as", server.imaps_port(), "", "", "localhost").exit_code,
        0);
    EXPECT_EQ(
        python_login(server, "handshake-as", server.imaps_port(), "", "", "127.0.0.1").exit_code,
        0);
    const auto other =
        python_login(server, "handshake-as", server.imaps_port(), "", "", "mail.example.org");
    EXPECT_EQ(other.exit_code, 2);
    EXPECT_NE(other.err.find("CERTIFICATE_VERIFY_FAILED"), std::string::npos) << other.err;
}

TEST(dovecot_fixture, capabilities_can_be_restricted) {
    postfach::test::dovecot_options options;
    options.imap_capability = "IMAP4rev1 IDLE LITERAL+";
    dovecot_server server(options);
    const auto r = python_login(server, "imaps", server.imaps_port(), "alice", "alice-secret-1");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find("CONDSTORE"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("MOVE"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("IDLE"), std::string::npos) << r.out;
}

TEST(dovecot_fixture, takes_server_side_messages_folders_and_flags) {
    dovecot_server server;
    server.create_folder("alice", "Archive/2025");
    server.create_folder("alice", "Reisen/Zürich");
    const auto first = server.add_message("alice", "INBOX", make_message("one"));
    const auto second = server.add_message("alice", "INBOX", make_message("two"), {"\\Seen"});
    EXPECT_EQ(second, first + 1);
    server.add_message("alice", "Reisen/Zürich", make_message("Grüße"));
    EXPECT_EQ(server.message_count("alice", "INBOX"), 2u);
    EXPECT_EQ(server.message_count("alice", "Reisen/Zürich"), 1u);
    const auto folders = server.folders("alice");
    EXPECT_NE(std::find(folders.begin(), folders.end(), "Archive/2025"), folders.end());
    EXPECT_NE(std::find(folders.begin(), folders.end(), "Reisen/Zürich"), folders.end());
    const auto flags = server.doveadm({"-f", "flow", "fetch", "-u", "alice", "flags", "mailbox",
                                       "INBOX", "uid", std::to_string(second)});
    EXPECT_NE(flags.find("\\Seen"), std::string::npos) << flags;
    server.expunge("alice", "INBOX", first);
    EXPECT_EQ(server.message_count("alice", "INBOX"), 1u);
    server.rename_folder("alice", "Archive/2025", "Archive/2024");
    server.delete_folder("alice", "Reisen/Zürich");
    const auto after = server.folders("alice");
    EXPECT_NE(std::find(after.begin(), after.end(), "Archive/2024"), after.end());
    EXPECT_EQ(std::find(after.begin(), after.end(), "Reisen/Zürich"), after.end());
}

TEST(dovecot_fixture, seeds_many_messages_with_flags_in_one_call) {
    dovecot_server server;
    std::vector<dovecot_server::message_spec> batch;
    for (int i = 0; i < 50; ++i)
        batch.push_back({make_message("bulk " + std::to_string(i),
                                      i == 1 ? "From the start of a line.\r\n" : "body\r\n"),
                         i % 2 == 0 ? std::vector<std::string>{"\\Seen"}
                                    : std::vector<std::string>{"\\Flagged", "\\Answered"}});
    server.add_messages("alice", "Archive/Ünïcode", batch);
    server.add_messages("alice", "INBOX", {{make_message("inbox one"), {}}});
    EXPECT_EQ(server.message_count("alice", "Archive/Ünïcode"), 50u);
    EXPECT_EQ(server.message_count("alice", "INBOX"), 1u);
    const auto status = server.doveadm(
        {"-f", "flow", "mailbox", "status", "-u", "alice", "unseen", "Archive/Ünïcode"});
    EXPECT_NE(status.find("unseen=25"), std::string::npos) << status;
    const auto flags = server.doveadm({"-f", "flow", "fetch", "-u", "alice", "flags body",
                                       "mailbox", "Archive/Ünïcode", "uid", "2"});
    EXPECT_NE(flags.find("\\Flagged"), std::string::npos) << flags;
    EXPECT_NE(flags.find("\\Answered"), std::string::npos) << flags;
    // mbox "From " escaping must not leak into the stored message.
    EXPECT_NE(flags.find("body=From the start of a line."), std::string::npos) << flags;
}

TEST(dovecot_fixture, restarts_on_the_same_ports_with_the_same_mail) {
    dovecot_server server;
    server.add_message("alice", "INBOX", make_message("kept"));
    const auto port = server.imaps_port();
    const auto old_pid = server.master_pid();
    server.restart();
    EXPECT_EQ(server.imaps_port(), port);
    EXPECT_NE(server.master_pid(), old_pid);
    EXPECT_FALSE(process_exists(old_pid));
    EXPECT_EQ(python_login(server, "imaps", port, "alice", "alice-secret-1").exit_code, 0);
    EXPECT_EQ(server.message_count("alice", "INBOX"), 1u);
}

TEST(dovecot_fixture, stops_its_processes_when_destroyed) {
    pid_t pid = -1;
    std::filesystem::path root;
    {
        dovecot_server server;
        pid = server.master_pid();
        root = server.root();
        ASSERT_TRUE(process_exists(pid));
        // A logged-in client leaves login and imap processes behind the master.
        ASSERT_EQ(
            python_login(server, "imaps", server.imaps_port(), "alice", "alice-secret-1").exit_code,
            0);
        ASSERT_GT(processes_in_group(pid).size(), 1u);
    }
    EXPECT_FALSE(process_exists(pid));
    EXPECT_EQ(processes_in_group(pid), std::vector<pid_t>{});
    EXPECT_FALSE(std::filesystem::exists(root));
}

TEST(dovecot_fixture, dies_with_a_crashed_test_process) {
    // A child process starts a server, reports the master's pid, then dies without running any
    // destructor. The kernel's parent-death signal must take the Dovecot master down.
    postfach::test::certificates(); // made here, so the child leaves no CA behind
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(pipe_fds[0]);
        try {
            auto* server = new dovecot_server(); // deliberately never destroyed
            const pid_t master = server->master_pid();
            (void)!::write(pipe_fds[1], &master, sizeof master);
            const auto root = server->root().string();
            (void)!::write(pipe_fds[1], root.data(), root.size());
        } catch (...) {
        }
        ::_exit(0); // no destructors, no atexit handlers
    }
    ::close(pipe_fds[1]);
    pid_t master = -1;
    const auto got = ::read(pipe_fds[0], &master, sizeof master);
    char root[4096] = {};
    const auto root_size = ::read(pipe_fds[0], root, sizeof root - 1);
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_EQ(got, static_cast<ssize_t>(sizeof master));
    // The master is reparented and ends on SIGTERM; wait for that with a deadline.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!processes_in_group(master).empty() && std::chrono::steady_clock::now() < deadline)
        ::poll(nullptr, 0, 10);
    EXPECT_FALSE(process_exists(master)) << "Dovecot master " << master << " outlived its test";
    EXPECT_EQ(processes_in_group(master), std::vector<pid_t>{});
    if (root_size > 0) // the crashed child could not clean up its temp dir
        std::filesystem::remove_all(std::string(root, static_cast<std::size_t>(root_size)));
}

} // namespace
