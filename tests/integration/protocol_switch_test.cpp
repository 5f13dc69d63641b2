// Switching an account between POP3 and IMAP on the same mailbox and Maildir (design.md §4.8),
// through the binary: what is on disk is recognised, never downloaded again or duplicated, in
// either direction; new mail still arrives once.

#include "tests/fixture/dovecot_server.hpp"
#include "tests/integration/maildir_contents.hpp"
#include "tests/integration/postfach_binary.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <set>

namespace postfach::test {
namespace {

namespace fs = std::filesystem;

class protocol_switch : public postfach_binary_test {
protected:
    fs::path maildir() const { return dir_ / "Mail"; }

    run_output sync_over(const std::string& protocol) {
        const bool pop3 = protocol == "pop3";
        const auto cfg =
            write_config(fmt::format("state_dir: {}\n"
                                     "accounts:\n"
                                     "  - name: mail\n"
                                     "    maildir: {}\n"
                                     "    protocol: {}\n"
                                     "    {}:\n"
                                     "      host: localhost\n"
                                     "      port: {}\n"
                                     "      ca_file: {}\n"
                                     "      user: alice\n"
                                     "      password: \"{}\"\n",
                                     (dir_ / "state").string(), maildir().string(), protocol,
                                     protocol, pop3 ? server.pop3s_port() : server.imaps_port(),
                                     server.ca_file().string(), server.user("alice").password));
        return postfach({"--config", cfg.string(), "sync"});
    }

    // Base names in the INBOX; every one must be a distinct message (no duplicate content).
    std::set<std::string> inbox() const {
        std::set<std::string> names;
        for (const auto& [base, info] : messages_in(maildir()))
            names.insert(base);
        return names;
    }

    dovecot_server server;
};

TEST_F(protocol_switch, pop3_then_imap_then_pop3_downloads_nothing_twice) {
    for (int i = 0; i < 3; ++i)
        server.add_message("alice", "INBOX", make_message(fmt::format("m{}", i), "x\r\n"));

    auto r = sync_over("pop3");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("mail: fetched 3 "), std::string::npos) << r.out;
    const auto after_pop3 = inbox();
    ASSERT_EQ(after_pop3.size(), 3u);

    // POP3 → IMAP: the three files are paired by identity, none fetched again.
    r = sync_over("imap");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("mail: fetched 0 "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("uploaded 0,"), std::string::npos) << r.out;
    EXPECT_EQ(inbox(), after_pop3);
    EXPECT_EQ(server.message_count("alice", "INBOX"), 3u);

    server.add_message("alice", "INBOX", make_message("over imap", "y\r\n"));
    r = sync_over("imap");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("mail: fetched 1 "), std::string::npos) << r.out;
    const auto after_imap = inbox();
    ASSERT_EQ(after_imap.size(), 4u);

    // IMAP → POP3: the message the IMAP pass stored is recognised, not fetched.
    r = sync_over("pop3");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("mail: fetched 0 "), std::string::npos) << r.out;
    EXPECT_EQ(inbox(), after_imap);

    server.add_message("alice", "INBOX", make_message("over pop3", "z\r\n"));
    r = sync_over("pop3");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("mail: fetched 1 "), std::string::npos) << r.out;
    EXPECT_EQ(inbox().size(), 5u);

    // And back to IMAP once more: five on each side, nothing transferred.
    r = sync_over("imap");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("mail: fetched 0 "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("uploaded 0,"), std::string::npos) << r.out;
    EXPECT_EQ(inbox().size(), 5u);
    EXPECT_EQ(server.message_count("alice", "INBOX"), 5u);
}

} // namespace
} // namespace postfach::test
