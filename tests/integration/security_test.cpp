// The security pass (issue 8): secrets never reach the logs of a full --verbose run (password
// and OAuth2 token), what postfach creates is private whatever the umask, commands run without
// a shell, a server that strips STARTTLS is refused, and certificate checks are off only where a
// server block says `tls_verify: false`, with a warning on every connection.

#include "tests/fixture/dovecot_server.hpp"
#include "tests/integration/postfach_binary.hpp"
#include "tests/integration/scripted_server.hpp"
#include "util/base64.hpp"

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <sys/stat.h>
#include <thread>

namespace postfach::test {
namespace {

namespace fs = std::filesystem;

// Permission bits of a path (not following symlinks).
unsigned mode_of(const fs::path& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0)
        return 0xffff;
    return st.st_mode & 07777U;
}

// Every file and directory under root (root included) whose mode is not 0700 (directories) or
// 0600 (files), as "path mode" lines; empty when all are private.
std::string not_private(const fs::path& root) {
    std::string out;
    auto check = [&](const fs::path& p) {
        const bool dir = fs::is_directory(fs::symlink_status(p));
        const unsigned mode = mode_of(p);
        if (mode != (dir ? 0700U : 0600U))
            out += fmt::format("{} {:o}\n", p.string(), mode);
    };
    check(root);
    for (const auto& e : fs::recursive_directory_iterator(root))
        check(e.path());
    return out;
}

// Restores the umask when the test ends.
class umask_guard {
public:
    explicit umask_guard(mode_t mask)
        : old_(::umask(mask)) {}
    ~umask_guard() { ::umask(old_); }
    umask_guard(const umask_guard&) = delete;
    umask_guard& operator=(const umask_guard&) = delete;

private:
    mode_t old_;
};

// Everything a secret could look like in a log: itself, and in base64 alone or inside the
// SASL PLAIN and XOAUTH2 / OAUTHBEARER messages.
std::vector<std::string> forms_of(const std::string& user, const std::string& secret) {
    using util::base64_encode;
    return {secret, base64_encode(secret),
            base64_encode(std::string(1, '\0') + user + std::string(1, '\0') + secret),
            base64_encode("user=" + user + "\x01" + "auth=Bearer " + secret + "\x01\x01"),
            base64_encode("n,a=" + user + ",\x01" + "auth=Bearer " + secret + "\x01\x01")};
}

std::string leaks(const std::string& log, const std::vector<std::string>& forms) {
    std::string out;
    for (const auto& f : forms)
        if (!f.empty() && log.find(f) != std::string::npos)
            out += "leaked: " + f + "\n";
    return out;
}

class security : public postfach_binary_test {
protected:
    // A config for one account "work" on a fake server at port, with `server_keys` (indented
    // six spaces) in the imap block.
    fs::path fake_config(std::uint16_t port, const std::string& server_keys) {
        return write_config(fmt::format("state_dir: {}/state\n"
                                        "accounts:\n  - name: work\n"
                                        "    maildir: {}/Mail\n    imap:\n"
                                        "      host: 127.0.0.1\n      port: {}\n"
                                        "      user: alice\n{}",
                                        dir_.string(), dir_.string(), port, server_keys));
    }

    // Runs postfach with args (config first) against the fake mailbox.
    run_output against(fake_imap_mailbox& mailbox, const std::string& server_keys,
                       std::vector<std::string> args) {
        boost::asio::io_context io;
        scripted_server server(io, [&](tcp::socket& socket) { return mailbox.serve(socket); });
        std::thread server_thread([&] { io.run(); });
        const auto config = fake_config(server.port(), server_keys);
        args.insert(args.begin(), {"--config", config.string()});
        auto r = postfach(args);
        server.stop_accepting();
        server_thread.join();
        return r;
    }

    // The initial response of the client's AUTHENTICATE as sent (base64), or "" if none.
    static std::string sasl_initial_response_base64(const fake_imap_mailbox& mailbox) {
        for (const auto& line : mailbox.lines) {
            const auto at = line.find(" AUTHENTICATE ");
            if (at == std::string::npos)
                continue;
            std::string rest = line.substr(at + 14);
            while (!rest.empty() && (rest.back() == '\n' || rest.back() == '\r'))
                rest.pop_back();
            const auto space = rest.find(' ');
            if (space == std::string::npos)
                return "";
            return rest.substr(space + 1);
        }
        return "";
    }
    static std::string sasl_initial_response(const fake_imap_mailbox& mailbox) {
        return util::base64_decode(sasl_initial_response_base64(mailbox)).value_or("");
    }
};

TEST_F(security, verbose_sync_and_check_never_log_the_password) {
    dovecot_server server;
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    server.create_folder("alice", "Archive");
    server.add_message("alice", "Archive", make_message("two", "2\r\n"), {"\\Seen"});
    const std::string password = server.user("alice").password;
    for (const std::string tls : {"starttls", "implicit"}) {
        // One account per kind of TLS, each with its own Maildir and state.
        const auto config = write_config(
            fmt::format("accounts:\n  - name: {}\n    maildir: ~/Mail-{}\n    imap:\n"
                        "      host: localhost\n      port: {}\n      tls: {}\n      ca_file: {}\n"
                        "      user: alice\n      password: \"{}\"\n",
                        tls, tls, tls == "starttls" ? server.imap_port() : server.imaps_port(), tls,
                        server.ca_file().string(), password));
        const auto synced = postfach({"--verbose", "--config", config.string(), "sync"});
        ASSERT_EQ(synced.exit_code, 0) << synced.out << synced.err;
        const auto checked = postfach({"--verbose", "--config", config.string(), "check"});
        ASSERT_EQ(checked.exit_code, 0) << checked.out << checked.err;
        const auto log = synced.out + synced.err + checked.out + checked.err;
        EXPECT_NE(log.find("AUTHENTICATE PLAIN ***"), std::string::npos)
            << "the trace shows the login, redacted:\n"
            << log;
        EXPECT_NE(log.find("S: * 1 FETCH"), std::string::npos) << "a full trace:\n" << log;
        EXPECT_EQ(leaks(log, forms_of("alice", password)), "") << log;
    }
}

TEST_F(security, oauth2_token_from_a_command_never_reaches_the_logs) {
    // The command (shown by `check`, as configuration) does not contain the token; its output
    // does.
    const std::string token = "ya29.tok-7e1f9c2b5d";
    const auto token_file = dir_ / "token";
    std::ofstream(token_file) << token << "\n";
    for (const std::string mechanism : {"XOAUTH2", "OAUTHBEARER"}) {
        for (const std::string command : {"sync", "check"}) {
            fake_imap_mailbox mailbox;
            mailbox.capabilities = "IMAP4rev1 AUTH=" + mechanism + " SASL-IR UIDPLUS";
            const auto r = against(mailbox,
                                   fmt::format("      tls: none\n      oauth2_token_command: "
                                               "cat {}\n",
                                               token_file.string()),
                                   {"--verbose", command});
            const auto sent = sasl_initial_response(mailbox);
            EXPECT_NE(sent.find("auth=Bearer " + token), std::string::npos)
                << mechanism << " " << command << ": the token did go to the server: " << sent
                << "\n"
                << r.err;
            const auto log = r.out + r.err;
            EXPECT_NE(log.find("AUTHENTICATE " + mechanism), std::string::npos) << log;
            auto forms = forms_of("alice", token);
            forms.push_back(sasl_initial_response_base64(mailbox));
            EXPECT_EQ(leaks(log, forms), "") << log;
        }
    }
}

TEST_F(security, files_and_directories_are_private_whatever_the_umask) {
    const umask_guard open_umask(0);
    fake_imap_mailbox mailbox;
    mailbox.folders = {"INBOX", "Archive", "Lists/Debian"};
    // While the client waits for the answer to its first SELECT, the state database is open
    // (WAL and shared memory too) and the lock is held: look at them then.
    std::string state_modes;
    std::vector<std::string> state_files;
    mailbox.hook = [&](tcp::socket&, std::string, std::string command) -> asio::awaitable<bool> {
        if (command.starts_with("SELECT") && state_files.empty()) {
            for (const auto& e : fs::directory_iterator(dir_ / "state"))
                state_files.push_back(e.path().filename().string());
            state_modes = not_private(dir_ / "state");
        }
        co_return false;
    };
    const auto r = against(mailbox, "      tls: none\n      password: \"pw\"\n", {"sync"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    std::sort(state_files.begin(), state_files.end());
    EXPECT_EQ(state_files, (std::vector<std::string>{"work.lock", "work.sqlite", "work.sqlite-shm",
                                                     "work.sqlite-wal"}));
    EXPECT_EQ(state_modes, "");
    EXPECT_EQ(not_private(dir_ / "state"), "");
    EXPECT_EQ(not_private(dir_ / "Mail"), "");
    EXPECT_TRUE(fs::exists(dir_ / "Mail/.Lists.Debian/cur")) << "the test looked at the folders";
    EXPECT_EQ(mode_of(dir_ / "state/work.sqlite") & 077U, 0U) << "the state is nobody else's";
}

TEST_F(security, commands_run_without_a_shell) {
    const auto marker = [&](int i) {
        return dir_ / fmt::format("marker{}", i);
    };
    // Quoted, the metacharacters reach echo as plain text; the password is that text.
    fake_imap_mailbox mailbox;
    const auto quoted = fmt::format("echo 's3cret; touch {}' '$(touch {})' '`touch {}`' "
                                    "'| tee {}' '&& touch {}'",
                                    marker(1).string(), marker(2).string(), marker(3).string(),
                                    marker(4).string(), marker(5).string());
    const auto r =
        against(mailbox, "      tls: none\n      password_command: \"" + quoted + "\"\n", {"sync"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(sasl_initial_response(mailbox),
              fmt::format("{}alice{}s3cret; touch {} $(touch {}) `touch {}` | tee {} && touch {}",
                          '\0', '\0', marker(1).string(), marker(2).string(), marker(3).string(),
                          marker(4).string(), marker(5).string()));
    for (int i = 1; i <= 5; ++i)
        EXPECT_FALSE(fs::exists(marker(i))) << i;

    // Unquoted, they are refused before anything runs.
    fake_imap_mailbox unused;
    const auto bare = against(unused,
                              fmt::format("      tls: none\n      password_command: echo pw; "
                                          "touch {}\n",
                                          marker(6).string()),
                              {"sync"});
    EXPECT_EQ(bare.exit_code, 2) << bare.out << bare.err;
    EXPECT_NE(bare.err.find("password_command"), std::string::npos) << bare.err;
    EXPECT_FALSE(fs::exists(marker(6)));
    EXPECT_TRUE(unused.lines.empty()) << "nothing connected";
}

TEST_F(security, sync_refuses_a_server_that_strips_starttls) {
    fake_imap_mailbox stripped; // offers no STARTTLS, as a man in the middle would
    stripped.capabilities = "IMAP4rev1 AUTH=PLAIN SASL-IR";
    const auto r = against(stripped, "      tls: starttls\n      password: \"p4ss-w0rd\"\n",
                           {"--verbose", "sync"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("STARTTLS not offered by 127.0.0.1:"), std::string::npos) << r.err;
    for (const auto& c : stripped.commands)
        EXPECT_FALSE(c.starts_with("AUTHENTICATE") || c.starts_with("LOGIN")) << c;
    EXPECT_EQ((r.out + r.err).find("p4ss-w0rd"), std::string::npos);
    EXPECT_FALSE(fs::exists(dir_ / "Mail/cur")) << "nothing was synced";
}

// Without ca_file the fixture's certificate is untrusted: refused unless the block says
// tls_verify: false, and then each connection warns.
TEST_F(security, certificate_checks_are_off_only_with_tls_verify_false_on_the_block) {
    dovecot_server server;
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    const auto config = [&](const std::string& extra) {
        return write_config(fmt::format("accounts:\n  - name: work\n    maildir: ~/Mail\n"
                                        "    imap:\n      host: localhost\n      port: {}\n"
                                        "      user: alice\n      password: \"{}\"\n{}",
                                        server.imaps_port(), server.user("alice").password, extra));
    };
    const std::string warning = fmt::format("TLS certificate verification is OFF for localhost "
                                            "port {}",
                                            server.imaps_port());
    for (const std::string command : {"sync", "check"}) {
        const auto refused = postfach({"--config", config("").string(), command});
        EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
        EXPECT_NE(refused.err.find("TLS verification failed for localhost:"), std::string::npos)
            << refused.err;
        EXPECT_EQ(refused.err.find(warning), std::string::npos);
        EXPECT_FALSE(fs::exists(dir_ / "Mail/new") && !fs::is_empty(dir_ / "Mail/new"));
    }
    const auto explicit_true =
        postfach({"--config", config("      tls_verify: true\n").string(), "--quiet", "sync"});
    EXPECT_EQ(explicit_true.exit_code, 1) << explicit_true.err;

    for (const std::string command : {"sync", "check"}) {
        const auto off = postfach(
            {"--config", config("      tls_verify: false\n").string(), "--quiet", command});
        EXPECT_EQ(off.exit_code, 0) << off.out << off.err;
        std::size_t warnings = 0;
        for (auto at = off.err.find(warning); at != std::string::npos;
             at = off.err.find(warning, at + 1))
            ++warnings;
        EXPECT_EQ(warnings, 1u) << "one connection, one warning, even with --quiet:\n" << off.err;
    }
    EXPECT_EQ(fs::is_empty(dir_ / "Mail/new"), false) << "the sync with tls_verify: false ran";
}

} // namespace
} // namespace postfach::test
