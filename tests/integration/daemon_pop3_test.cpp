// `postfach daemon` with POP3 accounts through the binary against the fixture Dovecot's POP3S:
// a pass at start, then one every poll_interval (each new message fetched once), SIGUSR1, and
// protocol auto on a POP3-only Dovecot deciding once for the daemon's lifetime.

#include "tests/fixture/dovecot_server.hpp"
#include "tests/integration/daemon_process.hpp"
#include "tests/integration/maildir_contents.hpp"
#include "tests/integration/postfach_binary.hpp"
#include "tests/support/account_yaml.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <csignal>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

namespace postfach::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

// A POP3 server on 127.0.0.1 without TLS with an empty maildrop: it announces LOGIN-DELAY 3600,
// or (in_use) refuses the first login with [IN-USE]. It serves one connection at a time on a
// thread of its own and counts the logins.
class login_delay_server {
public:
    explicit login_delay_server(bool in_use = false)
        : in_use_(in_use) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(addr);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 4) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
            throw std::runtime_error("login_delay_server: cannot listen");
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~login_delay_server() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    login_delay_server(const login_delay_server&) = delete;
    login_delay_server& operator=(const login_delay_server&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] int logins() const { return logins_; }

private:
    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0)
                continue;
            const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c >= 0) {
                talk(c);
                ::close(c);
            }
        }
    }
    void talk(int c) {
        const auto say = [c](std::string_view text) {
            (void)!::write(c, text.data(), text.size());
        };
        say("+OK fake POP3 ready\r\n");
        std::string buffer;
        char chunk[512];
        while (!stop_) {
            pollfd p{c, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0)
                continue;
            const auto n = ::read(c, chunk, sizeof(chunk));
            if (n <= 0)
                return;
            buffer.append(chunk, static_cast<std::size_t>(n));
            for (auto eol = buffer.find("\r\n"); eol != std::string::npos;
                 eol = buffer.find("\r\n")) {
                const auto line = buffer.substr(0, eol);
                buffer.erase(0, eol + 2);
                const auto verb = line.substr(0, line.find(' '));
                if (verb == "CAPA" && in_use_)
                    say("+OK\r\nUSER\r\nUIDL\r\nRESP-CODES\r\n.\r\n");
                else if (verb == "CAPA")
                    say("+OK\r\nUSER\r\nUIDL\r\nRESP-CODES\r\nLOGIN-DELAY 3600\r\n.\r\n");
                else if (verb == "PASS" && in_use_ && ++refused_ == 1)
                    say("-ERR [IN-USE] another session holds the maildrop\r\n");
                else if (verb == "USER")
                    say("+OK\r\n");
                else if (verb == "PASS") {
                    ++logins_;
                    say("+OK logged in\r\n");
                } else if (verb == "STAT")
                    say("+OK 0 0\r\n");
                else if (verb == "UIDL" || verb == "LIST")
                    say("+OK\r\n.\r\n");
                else if (verb == "QUIT") {
                    say("+OK bye\r\n");
                    return;
                } else
                    say("-ERR not here\r\n");
            }
        }
    }

    bool in_use_ = false;
    int refused_ = 0;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> logins_{0};
    std::thread thread_;
};

class daemon_pop3 : public postfach_binary_test {
protected:
    fs::path maildir() const { return dir_ / "Mail"; }

    // Account "mbox": `protocol` with a POP3 block on the POP3S port; auto also gets an IMAP
    // block on the IMAPS port (refused on a POP3-only Dovecot).
    std::unique_ptr<daemon_process> start(const dovecot_server& server, const std::string& protocol,
                                          const std::string& poll_interval) {
        fixture_account account;
        account.name = "mbox";
        account.maildir = maildir();
        account.protocol = protocol;
        account.imap = protocol == "auto";
        account.pop3_port = 0;
        account.exclude_trash = false;
        account.account_lines = {"poll_interval: " + poll_interval};
        config_ = write_config(config_yaml(dir_ / "state", {account_yaml(server, account)}));
        return std::make_unique<daemon_process>(
            std::vector<std::string>{"--config", config_.string(), "daemon"}, dir_ / "daemon.log",
            std::vector<std::string>{});
    }

    // Account "mbox" over POP3 without TLS on the fake server.
    fs::path fake_server_config(const login_delay_server& server, const std::string& poll) {
        return write_config(fmt::format("state_dir: {}\n"
                                        "accounts:\n"
                                        "  - name: mbox\n"
                                        "    maildir: {}\n"
                                        "    protocol: pop3\n"
                                        "    poll_interval: {}\n"
                                        "    pop3:\n"
                                        "      host: localhost\n"
                                        "      port: {}\n"
                                        "      tls: none\n"
                                        "      user: alice\n"
                                        "      password: pw\n",
                                        (dir_ / "state").string(), maildir().string(), poll,
                                        server.port()));
    }

    fs::path config_;
};

TEST_F(daemon_pop3, polls_every_poll_interval_and_fetches_each_message_once) {
    dovecot_server server;
    server.add_message("alice", "INBOX", make_message("before", "b\r\n"));
    auto d = start(server, "pop3", "1s");
    ASSERT_TRUE(wait_for([&] { return messages_in(maildir()).size() == 1; }, 5s)) << d->log();

    server.add_message("alice", "INBOX", make_message("while polling", "w\r\n"));
    EXPECT_TRUE(wait_for([&] { return messages_in(maildir()).size() == 2; }, 4s)) << d->log();
    // Two more polls that find nothing new: nothing is fetched twice.
    EXPECT_TRUE(wait_for([&] { return count_of(d->log(), "mbox: fetched 0 ") >= 2; }, 5s))
        << d->log();
    EXPECT_EQ(messages_in(maildir()).size(), 2u) << d->log();
    EXPECT_EQ(count_of(d->log(), "mbox: fetched 1 "), 2u) << d->log();
    EXPECT_EQ(server.message_count("alice", "INBOX"), 2u) << "left on the server";

    // Between polls (a poll may be running when status reads: wait for the state).
    run_output r;
    EXPECT_TRUE(wait_for(
        [&] {
            r = postfach({"--config", config_.string(), "status", "--json"});
            return r.out.find("\"connection\": \"idle\"") != std::string::npos;
        },
        3s))
        << r.out;
    EXPECT_NE(r.out.find("{\"name\": \"INBOX\""), std::string::npos) << r.out;
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_pop3, sigusr1_runs_a_pass_now) {
    dovecot_server server;
    auto d = start(server, "pop3", "1h");
    ASSERT_TRUE(wait_for([&] { return d->log_has("mbox: fetched 0 "); }, 5s)) << d->log();
    server.add_message("alice", "INBOX", make_message("asked for", "a\r\n"));
    d->signal(SIGUSR1);
    EXPECT_TRUE(wait_for([&] { return messages_in(maildir()).size() == 1; }, 2s)) << d->log();
    EXPECT_FALSE(d->log_has("deferred")) << "Dovecot announces no LOGIN-DELAY: " << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_pop3, protocol_auto_without_imap_decides_pop3_once) {
    dovecot_options options;
    options.pop3_only = true;
    dovecot_server server(options);
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    auto d = start(server, "auto", "1s");
    ASSERT_TRUE(wait_for([&] { return messages_in(maildir()).size() == 1; }, 5s)) << d->log();
    server.add_message("alice", "INBOX", make_message("two", "2\r\n"));
    EXPECT_TRUE(wait_for([&] { return messages_in(maildir()).size() == 2; }, 4s)) << d->log();
    EXPECT_TRUE(wait_for([&] { return count_of(d->log(), "mbox: fetched 0 ") >= 1; }, 4s))
        << d->log();
    EXPECT_EQ(count_of(d->log(), "no IMAP service"), 1u) << d->log();
    EXPECT_TRUE(d->log_has(fmt::format("using POP3 at localhost:{}", server.pop3s_port())))
        << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_pop3, protocol_auto_with_imap_runs_the_imap_worker) {
    dovecot_server server;
    auto d = start(server, "auto", "1h");
    EXPECT_TRUE(wait_for([&] { return d->log_has("mbox: watching "); }, 10s)) << d->log();
    EXPECT_TRUE(d->log_has(fmt::format("protocol auto: IMAP at localhost:{}", server.imaps_port())))
        << d->log();
    EXPECT_FALSE(d->log_has("POP3")) << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_pop3, protocol_auto_with_the_server_down_at_start_waits_and_then_uses_imap) {
    dovecot_server server;
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    ::kill(-server.master_pid(), SIGKILL); // down (both protocols refused) when the daemon starts
    auto d = start(server, "auto", "1h");
    ASSERT_TRUE(wait_for([&] { return d->log_has("neither IMAP"); }, 10s)) << d->log();
    server.restart();
    EXPECT_TRUE(wait_for([&] { return messages_in(maildir()).size() == 1; }, 20s)) << d->log();
    EXPECT_TRUE(d->log_has(fmt::format("protocol auto: IMAP at localhost:{}", server.imaps_port())))
        << d->log();
    EXPECT_FALSE(d->log_has("using POP3")) << "no POP3 for an IMAP server that was down\n"
                                           << d->log();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait_exit(10s), 0) << d->log();
}

TEST_F(daemon_pop3, login_delay_holds_back_polls_and_sigusr1) {
    login_delay_server server;
    config_ = fake_server_config(server, "1s");
    daemon_process d({"--config", config_.string(), "daemon"}, dir_ / "daemon.log", {});
    ASSERT_TRUE(wait_for([&] { return d.log_has("mbox: fetched 0 "); }, 5s)) << d.log();
    EXPECT_TRUE(d.log_has("at least 3600 s between logins (LOGIN-DELAY)")) << d.log();
    d.signal(SIGUSR1);
    EXPECT_TRUE(wait_for([&] { return d.log_has("deferred by"); }, 2s)) << d.log();
    // poll_interval (1 s) passes, and passes again: still only the first login.
    EXPECT_FALSE(wait_for([&] { return server.logins() > 1; }, 2500ms)) << d.log();
    EXPECT_EQ(count_of(d.log(), "mbox: fetched 0 "), 1u) << d.log();
    d.signal(SIGTERM);
    EXPECT_EQ(d.wait_exit(10s), 0) << d.log();
}

TEST_F(daemon_pop3, in_use_is_retried_with_backoff_not_reported_as_bad_credentials) {
    login_delay_server server(true);
    // An hour between polls: only the backoff (about 1 s) explains a second login in time.
    config_ = fake_server_config(server, "1h");
    daemon_process d({"--config", config_.string(), "daemon"}, dir_ / "daemon.log", {});
    EXPECT_TRUE(wait_for([&] { return d.log_has("mbox: fetched 0 "); }, 5s)) << d.log();
    EXPECT_TRUE(d.log_has("IN-USE")) << d.log();
    EXPECT_FALSE(d.log_has("check user and the secret")) << d.log();
    EXPECT_EQ(server.logins(), 1) << d.log();
    d.signal(SIGTERM);
    EXPECT_EQ(d.wait_exit(10s), 0) << d.log();
}

} // namespace
} // namespace postfach::test
