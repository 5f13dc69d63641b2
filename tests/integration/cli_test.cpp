// The postfach binary as a user runs it: exit codes and messages for bad configurations.

#include "tests/integration/postfach_binary.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

class cli : public postfach::test::postfach_binary_test {};

TEST_F(cli, help_lists_the_commands_and_each_has_its_help) {
    const auto r = postfach({"--help"});
    EXPECT_EQ(r.exit_code, 0);
    for (const auto* command : {"check", "sync", "daemon", "migrate", "init"}) {
        EXPECT_NE(r.out.find(fmt::format("\n  {} ", command)), std::string::npos)
            << command << " missing in:\n"
            << r.out;
        EXPECT_EQ(postfach({command, "--help"}).exit_code, 0) << command;
    }
    EXPECT_EQ(postfach({"check", "--help"}).exit_code, 0);
    const auto daemon_help = postfach({"daemon", "--help"});
    EXPECT_EQ(daemon_help.exit_code, 0);
    EXPECT_NE(daemon_help.out.find("SIGHUP"), std::string::npos) << daemon_help.out;
    EXPECT_EQ(postfach({"--version"}).exit_code, 0);
}

TEST_F(cli, usage_errors_exit_2) {
    EXPECT_EQ(postfach({}).exit_code, 2);
    EXPECT_EQ(postfach({"frobnicate"}).exit_code, 2);
    EXPECT_EQ(postfach({"--verbose", "--quiet", "check"}).exit_code, 2);
    EXPECT_EQ(postfach({"check", "--no-such-option"}).exit_code, 2);
}

// Port 1 on loopback refuses: the configuration part of check, without a server.
TEST_F(cli, check_shows_the_config_and_never_prints_the_password) {
    const auto config = write_config(R"(accounts:
  - name: work
    maildir: ~/Mail/work
    imap:
      host: localhost
      port: 1
      user: alice@example.com
      password: "s3cr3t-Pa55"
)");
    const auto r = postfach({"--config", config.string(), "--verbose", "check"});
    EXPECT_NE(r.out.find("localhost:1 (implicit TLS)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find((dir_ / "Mail/work").string()), std::string::npos) << r.out;
    EXPECT_EQ((r.out + r.err).find("s3cr3t-Pa55"), std::string::npos);
    EXPECT_EQ(r.exit_code, 75) << "connection refused is worth retrying";
    EXPECT_NE(r.err.find("account work: connection refused or unreachable"), std::string::npos)
        << r.err;
}

// .invalid never resolves (RFC 6761); a second account is still checked after the first failed.
TEST_F(cli, check_reports_dns_failure_and_goes_on) {
    const auto config =
        write_config("accounts:\n"
                     "  - name: nowhere\n    maildir: /tmp/x\n"
                     "    imap: {host: mail.postfach-test.invalid, user: u, "
                     "password: p}\n"
                     "  - name: closed\n    maildir: /tmp/y\n"
                     "    imap: {host: localhost, port: 1, user: u, password: p}\n");
    const auto r = postfach({"-c", config.string(), "check"});
    EXPECT_EQ(r.exit_code, 75) << r.err;
    EXPECT_NE(r.err.find("postfach: account nowhere: DNS lookup failed: cannot resolve "
                         "mail.postfach-test.invalid"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("postfach: account closed: connection refused"), std::string::npos)
        << r.err;
}

TEST_F(cli, check_reads_the_default_config_path) {
    fs::create_directories(dir_ / ".config/postfach");
    std::ofstream(dir_ / ".config/postfach/config.yaml")
        << "accounts:\n  - name: a\n"
           "    maildir: /tmp/x\n    imap: {host: localhost, port: 1, user: u, password: p}\n";
    const auto r = postfach({"check"});
    EXPECT_NE(r.out.find("configuration is valid (1 account)"), std::string::npos) << r.out;
    EXPECT_EQ(r.exit_code, 75) << r.err;
}

TEST_F(cli, check_unknown_account_exits_2) {
    const auto config = write_config("accounts:\n  - name: a\n    maildir: /tmp/x\n"
                                     "    imap: {host: h, user: u, password: p}\n");
    const auto r = postfach({"-c", config.string(), "check", "--account", "b"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("no account named 'b'"), std::string::npos) << r.err;
}

// Each "Done when" case of the foundation issue, through the binary: exit 2, file:line:col, key.
struct bad_config_case {
    const char* name;
    const char* yaml;
    const char* expected; // a substring of stderr
};

void PrintTo(const bad_config_case& c, std::ostream* os) {
    *os << c.name;
}

class cli_bad_config : public cli, public ::testing::WithParamInterface<bad_config_case> {};

TEST_P(cli_bad_config, exits_2_with_position_and_key) {
    const auto& c = GetParam();
    const auto config = write_config(c.yaml);
    const auto r = postfach({"--config", config.string(), "check"});
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.err.find(config.string() + ":" + c.expected), std::string::npos) << "stderr was:\n"
                                                                                 << r.err;
    EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << "a secret leaked:\n" << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    foundation_cases, cli_bad_config,
    ::testing::Values(
        bad_config_case{"yaml_syntax", "accounts:\n  - name: [a\n", "3:1: YAML syntax error"},
        bad_config_case{"unknown_key",
                        "accounts:\n  - name: a\n    maildir: /m\n    imap: {host: h, user: u, "
                        "password: hunter2}\n    colour: blue\n",
                        "5:5: accounts[0].colour: unknown key"},
        bad_config_case{"wrong_type",
                        "accounts:\n  - name: a\n    maildir: /m\n    idle: sometimes\n"
                        "    imap: {host: h, user: u, password: hunter2}\n",
                        "4:11: accounts[0].idle: expected true or false"},
        bad_config_case{"missing_required",
                        "accounts:\n  - name: a\n    maildir: /m\n    imap:\n      user: u\n"
                        "      password: hunter2\n",
                        "5:7: accounts[0].imap.host: required key is missing"},
        bad_config_case{"two_secrets",
                        "accounts:\n  - name: a\n    maildir: /m\n    imap:\n      host: h\n"
                        "      user: u\n      password: hunter2\n      password_file: ~/p\n",
                        "8:7: accounts[0].imap.password_file: two secrets given"},
        bad_config_case{
            "tls_none_remote",
            "accounts:\n  - name: a\n    maildir: /m\n    imap:\n      host: mail.example.org\n"
            "      tls: none\n      user: u\n      password: hunter2\n",
            "6:12: accounts[0].imap.tls: 'none' would send the password"}),
    [](const auto& case_info) { return std::string(case_info.param.name); });

} // namespace
