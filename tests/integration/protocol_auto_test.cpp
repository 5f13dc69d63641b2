// protocol: auto through the binary: a server without IMAP (the fixture Dovecot serving POP3
// only, or something that answers on the IMAP port without an IMAP greeting) is used over POP3,
// said once on stderr and by `check`; a wrong password is never a reason to fall back.

#include "tests/fixture/dovecot_server.hpp"
#include "tests/integration/maildir_contents.hpp"
#include "tests/integration/postfach_binary.hpp"
#include "tests/support/account_yaml.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <gtest/gtest.h>

namespace postfach::test {
namespace {

namespace fs = std::filesystem;

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

class protocol_auto : public postfach_binary_test {
protected:
    fs::path maildir() const { return dir_ / "Mail"; }

    // An auto account: its IMAP block on imap_port (implicit TLS), its POP3 block on the POP3S
    // port of `server`.
    fs::path config(const dovecot_server& server, std::uint16_t imap_port,
                    const std::string& password) {
        fixture_account account;
        account.name = "auto";
        account.maildir = maildir();
        account.protocol = "auto";
        account.port = imap_port;
        account.pop3_port = 0;
        account.password = password;
        account.exclude_trash = false;
        return write_config(config_yaml(dir_ / "state", {account_yaml(server, account)}));
    }

    run_output run(const fs::path& config, const std::string& command) {
        return postfach({"--config", config.string(), command});
    }
};

TEST_F(protocol_auto, a_server_without_imap_is_fetched_over_pop3_and_said_once) {
    dovecot_options options;
    options.pop3_only = true;
    dovecot_server server(options);
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    const auto cfg = config(server, server.imaps_port(), server.user("alice").password);

    auto r = run(cfg, "sync");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("auto: fetched 1 "), std::string::npos) << r.out;
    EXPECT_EQ(count_of(r.err, "no IMAP service"), 1u) << r.err;
    EXPECT_NE(r.err.find(fmt::format("using POP3 at localhost:{}", server.pop3s_port())),
              std::string::npos)
        << r.err;
    EXPECT_EQ(messages_in(maildir()).size(), 1u);
    EXPECT_EQ(server.message_count("alice", "INBOX"), 1u) << "left on the server";

    r = run(cfg, "check");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(count_of(r.out, "  fallback  no IMAP service"), 1u) << r.out;
    EXPECT_NE(r.out.find("(POP3)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  maildrop  1 message "), std::string::npos) << r.out;
}

TEST_F(protocol_auto, no_imap_greeting_on_the_imap_port_falls_back_too) {
    dovecot_server server;
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    // The IMAP block points at the POP3S port: TLS works, the greeting is "+OK ...".
    const auto r = run(config(server, server.pop3s_port(), server.user("alice").password), "sync");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("no IMAP service"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("auto: fetched 1 "), std::string::npos) << r.out;
}

TEST_F(protocol_auto, an_imap_server_is_synced_over_imap) {
    dovecot_server server;
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    const auto r = run(config(server, server.imaps_port(), server.user("alice").password), "sync");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.err.find("POP3"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("auto: fetched 1 "), std::string::npos) << r.out;
    EXPECT_TRUE(fs::exists(maildir() / ".Sent")) << "IMAP folders, so IMAP was used";
}

TEST_F(protocol_auto, a_wrong_password_never_falls_back_to_pop3) {
    dovecot_server server;
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    const auto cfg = config(server, server.imaps_port(), "wrong");
    auto r = run(cfg, "sync");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("authentication failed for user alice"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("POP3"), std::string::npos) << r.err;
    EXPECT_TRUE(messages_in(maildir()).empty());

    r = run(cfg, "check");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(r.out.find("fallback"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("(POP3)"), std::string::npos) << r.out;
}

} // namespace
} // namespace postfach::test
