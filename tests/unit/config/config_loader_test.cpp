#include "config/config_loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <map>

namespace {

using namespace postfach::config;
using ::testing::HasSubstr;

environment_lookup fake_env(std::map<std::string, std::string> vars = {{"HOME", "/home/u"}}) {
    return [vars](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end())
            return std::nullopt;
        return it->second;
    };
}

load_result load(const std::string& yaml, environment_lookup env = fake_env()) {
    return load_config_text(yaml, "config.yaml", env);
}

// All errors of a result, one per line, for assertions and failure messages.
std::string errors_of(const load_result& r) {
    std::string out;
    for (const auto& e : r.errors)
        out += e.to_string() + "\n";
    return out;
}

const std::string minimal = R"(accounts:
  - name: work
    maildir: ~/Mail/work
    imap:
      host: imap.example.com
      user: alice@example.com
      password: hunter2
)";

TEST(config_loader, minimal_config_gets_every_default) {
    const auto r = load(minimal);
    ASSERT_TRUE(r.config) << errors_of(r);
    const auto& cfg = *r.config;
    EXPECT_EQ(cfg.source, "config.yaml");
    EXPECT_EQ(cfg.state_dir, "/home/u/.local/state/postfach");
    ASSERT_EQ(cfg.accounts.size(), 1u);
    const auto& a = cfg.accounts[0];
    EXPECT_EQ(a.name, "work");
    EXPECT_EQ(a.maildir, "/home/u/Mail/work");
    EXPECT_EQ(a.layout, layout_kind::maildir_plus_plus);
    EXPECT_EQ(a.protocol, protocol_kind::auto_detect);
    ASSERT_TRUE(a.imap);
    EXPECT_EQ(a.imap->port, 993);
    EXPECT_EQ(a.imap->tls, tls_mode::implicit);
    EXPECT_FALSE(a.imap->ca_file);
    EXPECT_EQ(a.imap->secret.source, secret_source::kind::password);
    EXPECT_EQ(a.imap->secret.password.reveal(), "hunter2");
    EXPECT_TRUE(a.imap->auth.empty());
    EXPECT_FALSE(a.pop3);
    EXPECT_EQ(a.folders.include, std::vector<std::string>{"*"});
    EXPECT_TRUE(a.folders.exclude.empty());
    EXPECT_EQ(a.sync.direction, sync_direction::both);
    EXPECT_EQ(a.sync.expunge, expunge_mode::both);
    EXPECT_DOUBLE_EQ(a.sync.max_delete_fraction, 0.5);
    EXPECT_TRUE(a.idle);
    EXPECT_EQ(a.poll_interval, std::chrono::minutes(5));
    EXPECT_EQ(a.max_connections, 4u);
    EXPECT_EQ(a.imap->timeout, std::chrono::minutes(2));
    EXPECT_TRUE(a.hooks.on_new_mail.empty());
    EXPECT_FALSE(a.mailboxes_file);
}

TEST(config_loader, full_example_of_the_design_document) {
    const auto r = load(R"(state_dir: $XDG_STATE_HOME/pf
accounts:
  - name: work
    maildir: ~/Mail/work
    layout: verbatim
    protocol: auto
    imap:
      host: imap.example.com
      port: 1993
      tls: implicit
      ca_file: /etc/ssl/my-ca.pem
      user: alice@example.com
      password_command: pass show mail/work
      auth: [plain, login]
      timeout: 45s
    pop3:
      host: pop.example.com
      port: 995
      tls: implicit
      user: alice@example.com
      password_file: ~/.secrets/work
      leave_on_server: true
      delete_after_days: 30
    folders:
      include: ["*"]
      exclude: ["Trash", "Junk"]
    sync:
      direction: pull
      expunge: local
      max_delete_fraction: 0.25
    idle: false
    poll_interval: 1h30m
    max_connections: 2
    hooks:
      on_new_mail: notmuch new --quiet
    mailboxes_file: ~/.config/mutt/postfach-mailboxes
  - name: gmail
    maildir: ${HOME}/Mail/gmail
    protocol: imap
    imap:
      host: imap.gmail.com
      tls: starttls
      user: bob@gmail.com
      oauth2_token_command: ["oama", "access", "bob@gmail.com"]
      auth: oauthbearer
)",
                        fake_env({{"HOME", "/home/u"}, {"XDG_STATE_HOME", "/var/state"}}));
    ASSERT_TRUE(r.config) << errors_of(r);
    const auto& cfg = *r.config;
    EXPECT_EQ(cfg.state_dir, "/var/state/pf");
    const auto& w = cfg.accounts.at(0);
    EXPECT_EQ(w.layout, layout_kind::verbatim);
    EXPECT_EQ(w.imap->port, 1993);
    EXPECT_EQ(w.imap->ca_file, std::filesystem::path("/etc/ssl/my-ca.pem"));
    EXPECT_EQ(w.imap->secret.source, secret_source::kind::password_command);
    EXPECT_EQ(w.imap->secret.command, (std::vector<std::string>{"pass", "show", "mail/work"}));
    EXPECT_EQ(w.imap->auth, (std::vector{auth_mechanism::plain, auth_mechanism::login}));
    EXPECT_EQ(w.imap->timeout, std::chrono::seconds(45));
    ASSERT_TRUE(w.pop3);
    EXPECT_EQ(w.pop3->secret.file, "/home/u/.secrets/work");
    EXPECT_EQ(w.pop3->delete_after_days, 30u);
    EXPECT_EQ(w.folders.exclude, (std::vector<std::string>{"Trash", "Junk"}));
    EXPECT_EQ(w.sync.direction, sync_direction::pull);
    EXPECT_EQ(w.sync.expunge, expunge_mode::local);
    EXPECT_DOUBLE_EQ(w.sync.max_delete_fraction, 0.25);
    EXPECT_FALSE(w.idle);
    EXPECT_EQ(w.poll_interval, std::chrono::minutes(90));
    EXPECT_EQ(w.max_connections, 2u);
    EXPECT_EQ(w.hooks.on_new_mail, (std::vector<std::string>{"notmuch", "new", "--quiet"}));
    EXPECT_EQ(w.mailboxes_file, std::filesystem::path("/home/u/.config/mutt/postfach-mailboxes"));
    const auto& g = cfg.accounts.at(1);
    EXPECT_EQ(g.maildir, "/home/u/Mail/gmail");
    EXPECT_EQ(g.imap->tls, tls_mode::starttls);
    EXPECT_EQ(g.imap->port, 143);
    EXPECT_EQ(g.imap->secret.command,
              (std::vector<std::string>{"oama", "access", "bob@gmail.com"}));
    EXPECT_EQ(g.imap->auth, std::vector{auth_mechanism::oauthbearer});
}

TEST(config_loader, state_directory_from_systemd_wins_over_xdg_default) {
    const auto r =
        load(minimal, fake_env({{"HOME", "/home/u"}, {"STATE_DIRECTORY", "/var/lib/postfach"}}));
    ASSERT_TRUE(r.config) << errors_of(r);
    EXPECT_EQ(r.config->state_dir, "/var/lib/postfach");
}

TEST(config_loader, pop3_fallback_is_derived_from_the_imap_block) {
    const auto r = load(minimal);
    ASSERT_TRUE(r.config);
    const auto pop3 = derive_pop3_from_imap(*r.config->accounts[0].imap);
    EXPECT_EQ(pop3.host, "imap.example.com");
    EXPECT_EQ(pop3.port, 995);
    EXPECT_EQ(pop3.secret.password.reveal(), "hunter2");
    EXPECT_TRUE(pop3.leave_on_server);
}

struct error_case {
    const char* name;
    std::string yaml;
    std::string expected; // the whole first error, "config.yaml:L:C: key: message..."
};

void PrintTo(const error_case& c, std::ostream* os) {
    *os << c.name;
}

class config_loader_errors : public ::testing::TestWithParam<error_case> {};

TEST_P(config_loader_errors, names_position_and_key) {
    const auto r = load(GetParam().yaml);
    EXPECT_FALSE(r.config);
    ASSERT_FALSE(r.errors.empty());
    EXPECT_THAT(errors_of(r), HasSubstr(GetParam().expected)) << errors_of(r);
    EXPECT_THAT(errors_of(r), ::testing::Not(HasSubstr("hunter2")));
}

const std::string head = "accounts:\n  - name: work\n    maildir: /m\n";

INSTANTIATE_TEST_SUITE_P(
    cases, config_loader_errors,
    ::testing::Values(
        error_case{"syntax", "accounts:\n  - name: [a\n", "config.yaml:3:1: YAML syntax error"},
        error_case{"syntax_tab", "accounts:\n\t- name: a\n", "config.yaml:2:2: YAML syntax error"},
        error_case{"empty_file", "", "config.yaml: the file is empty"},
        error_case{"no_accounts", "state_dir: /s\n",
                   "config.yaml:1:1: accounts: required key is missing"},
        error_case{"accounts_not_list", "accounts: yes\n",
                   "config.yaml:1:11: accounts: expected a list"},
        error_case{"unknown_top_key", "acounts: []\n",
                   "config.yaml:1:1: acounts: unknown key; did you mean 'accounts'?"},
        error_case{"unknown_account_key",
                   head + "    imap: {host: h, user: u, password: hunter2}\n    colour: red\n",
                   "config.yaml:5:5: accounts[0].colour: unknown key"},
        error_case{"pop3_key_in_imap",
                   head +
                       "    imap: {host: h, user: u, password: hunter2, leave_on_server: true}\n",
                   "accounts[0].imap.leave_on_server: unknown key; leave_on_server and "
                   "delete_after_days belong in a pop3 block"},
        error_case{"duplicate_key",
                   head + "    idle: true\n    idle: false\n    imap: {host: h, user: u, password: "
                          "hunter2}\n",
                   "config.yaml:5:5: accounts[0].idle: key given twice"},
        error_case{"wrong_type_bool",
                   head + "    idle: maybe\n    imap: {host: h, user: u, password: hunter2}\n",
                   "config.yaml:4:11: accounts[0].idle: expected true or false"},
        error_case{"wrong_type_port",
                   head + "    imap: {host: h, port: imaps, user: u, password: hunter2}\n",
                   "accounts[0].imap.port: expected a whole number from 1 to 65535, got 'imaps'"},
        error_case{"port_out_of_range",
                   head + "    imap: {host: h, port: 70000, user: u, password: hunter2}\n",
                   "accounts[0].imap.port: expected a whole number from 1 to 65535"},
        error_case{"wrong_type_mapping", head + "    imap: imap.example.com\n",
                   "config.yaml:4:11: accounts[0].imap: expected a mapping"},
        error_case{"bad_enum", head + "    imap: {host: h, tls: ssl, user: u, password: hunter2}\n",
                   "accounts[0].imap.tls: expected implicit, starttls or none, got 'ssl'"},
        error_case{"missing_host", head + "    imap:\n      user: u\n      password: hunter2\n",
                   "config.yaml:5:7: accounts[0].imap.host: required key is missing"},
        error_case{"missing_maildir",
                   "accounts:\n  - name: work\n    imap: {host: h, user: u, password: p}\n",
                   "config.yaml:2:5: accounts[0].maildir: required key is missing"},
        error_case{"missing_secret", head + "    imap: {host: h, user: u}\n",
                   "accounts[0].imap.password: no secret given"},
        error_case{"two_secrets",
                   head + "    imap:\n      host: h\n      user: u\n      password: hunter2\n      "
                          "password_command: pass x\n",
                   "config.yaml:8:7: accounts[0].imap.password_command: two secrets given "
                   "(password and password_command)"},
        error_case{"empty_password", head + "    imap: {host: h, user: u, password: \"\"}\n",
                   "accounts[0].imap.password: is empty"},
        error_case{"tls_none_remote",
                   head + "    imap:\n      host: imap.example.com\n      tls: none\n      user: "
                          "u\n      password: hunter2\n",
                   "config.yaml:6:12: accounts[0].imap.tls: 'none' would send the password to "
                   "imap.example.com in clear"},
        error_case{"bad_name",
                   "accounts:\n  - name: Work Mail\n    maildir: /m\n    imap: {host: h, user: u, "
                   "password: p}\n",
                   "config.yaml:2:11: accounts[0].name: 'Work Mail' is not a valid name"},
        error_case{"duplicate_name",
                   head + "    imap: {host: h, user: u, password: p}\n  - name: work\n    maildir: "
                          "/n\n    imap: {host: h, user: u, password: p}\n",
                   "accounts[1].name: the name 'work' is used by an earlier account"},
        error_case{"same_maildir",
                   head + "    imap: {host: h, user: u, password: p}\n  - name: other\n    "
                          "maildir: /m/\n    imap: {host: h, user: u, password: p}\n",
                   "accounts[1].maildir: '/m' is the Maildir of an earlier account"},
        error_case{"relative_maildir",
                   "accounts:\n  - name: a\n    maildir: Mail\n    imap: {host: h, user: u, "
                   "password: p}\n",
                   "config.yaml:3:14: accounts[0].maildir: 'Mail' is a relative path"},
        error_case{
            "unknown_variable",
            "accounts:\n  - name: a\n    maildir: $MAILDIR/a\n    imap: {host: h, user: u, "
            "password: p}\n",
            "accounts[0].maildir: only ~, $HOME and $XDG_* are expanded in paths, not '$MAILDIR'"},
        error_case{"duration_without_unit",
                   head + "    poll_interval: 300\n    imap: {host: h, user: u, password: p}\n",
                   "config.yaml:4:20: accounts[0].poll_interval: duration '300' has no unit; write "
                   "e.g. 300s or 300m"},
        error_case{"no_connections",
                   head + "    max_connections: 0\n    imap: {host: h, user: u, password: p}\n",
                   "config.yaml:4:22: accounts[0].max_connections: expected a whole number from 1 "
                   "to 100"},
        error_case{"timeout_too_short",
                   head + "    imap: {host: h, user: u, password: p, timeout: 500ms}\n",
                   "accounts[0].imap.timeout: must be at least 1s"},
        error_case{
            "fraction",
            head +
                "    sync: {max_delete_fraction: 1.5}\n    imap: {host: h, user: u, password: p}\n",
            "accounts[0].sync.max_delete_fraction: expected a fraction greater than 0 and at most "
            "1"},
        error_case{"command_with_pipe",
                   head +
                       "    imap: {host: h, user: u, password_command: \"gpg -d f | head -1\"}\n",
                   "accounts[0].imap.password_command: unquoted '|': postfach runs commands "
                   "without a shell"},
        error_case{"oauth_mechanism_without_token",
                   head + "    imap: {host: h, user: u, password: p, auth: [xoauth2]}\n",
                   "accounts[0].imap.auth: 'xoauth2' needs oauth2_token_command"},
        error_case{"password_mechanism_with_token",
                   head + "    imap: {host: h, user: u, oauth2_token_command: tok, auth: plain}\n",
                   "accounts[0].imap.auth: 'plain' needs a password"},
        error_case{"unknown_mechanism",
                   head + "    imap: {host: h, user: u, password: p, auth: [cram-md5]}\n",
                   "accounts[0].imap.auth: unknown mechanism 'cram-md5'"},
        error_case{"protocol_pop3_without_block",
                   head + "    protocol: pop3\n    imap: {host: h, user: u, password: p}\n",
                   "accounts[0].pop3: required key is missing: protocol pop3 needs a pop3 block"},
        error_case{"auto_without_imap", head + "    pop3: {host: h, user: u, password: p}\n",
                   "accounts[0].imap: protocol auto needs an imap block"},
        error_case{"delete_after_without_leave",
                   head + "    protocol: pop3\n    pop3: {host: h, user: u, password: p, "
                          "leave_on_server: false, delete_after_days: 3}\n",
                   "accounts[0].pop3.delete_after_days: only applies with leave_on_server: true"}),
    [](const auto& case_info) { return std::string(case_info.param.name); });

TEST(config_loader, collects_every_error_in_file_order) {
    const auto r = load(
        head + "    layout: mh\n    idle: 3\n    imap: {host: h, user: u, password: p, tls: x}\n");
    ASSERT_EQ(r.errors.size(), 3u) << errors_of(r);
    EXPECT_EQ(r.errors[0].key_path, "accounts[0].layout");
    EXPECT_EQ(r.errors[1].key_path, "accounts[0].idle");
    EXPECT_EQ(r.errors[2].key_path, "accounts[0].imap.tls");
    EXPECT_LT(r.errors[0].line, r.errors[1].line);
}

TEST(config_loader, tls_none_is_allowed_to_loopback_or_with_allow_plaintext) {
    for (const char* host : {"localhost", "127.0.0.1", "127.3.4.5", "::1", "[::1]"}) {
        const auto r =
            load(head + "    imap: {host: \"" + host + "\", tls: none, user: u, password: p}\n");
        ASSERT_TRUE(r.config) << host << "\n" << errors_of(r);
        EXPECT_EQ(r.config->accounts[0].imap->port, 143);
    }
    const auto r = load(
        head +
        "    imap: {host: mail.lan, tls: none, allow_plaintext: true, user: u, password: p}\n");
    EXPECT_TRUE(r.config) << errors_of(r);
}

// Certificate checks are on unless a server block says tls_verify: false, for that block only.
TEST(config_loader, tls_verify_is_on_unless_a_block_turns_it_off) {
    const auto on = load(minimal);
    ASSERT_TRUE(on.config) << errors_of(on);
    EXPECT_TRUE(on.config->accounts[0].imap->tls_verify);

    const auto off = load(head + "    imap: {host: h, user: u, password: p, tls_verify: false}\n"
                                 "    pop3: {host: h, user: u, password: p}\n");
    ASSERT_TRUE(off.config) << errors_of(off);
    EXPECT_FALSE(off.config->accounts[0].imap->tls_verify);
    EXPECT_TRUE(off.config->accounts[0].pop3->tls_verify);

    const auto pop3_off =
        load(head +
             "    protocol: pop3\n    pop3: {host: h, user: u, password: p, tls_verify: false}\n");
    ASSERT_TRUE(pop3_off.config) << errors_of(pop3_off);
    EXPECT_FALSE(pop3_off.config->accounts[0].pop3->tls_verify);

    const auto bad = load(head + "    imap: {host: h, user: u, password: p, tls_verify: nope}\n");
    ASSERT_EQ(bad.errors.size(), 1u) << errors_of(bad);
    EXPECT_EQ(bad.errors[0].key_path, "accounts[0].imap.tls_verify");
    EXPECT_GT(bad.errors[0].line, 0);

    // Not a top-level or account-level switch.
    EXPECT_FALSE(load("tls_verify: false\n" + minimal).config);
    EXPECT_FALSE(
        load(head + "    tls_verify: false\n    imap: {host: h, user: u, password: p}\n").config);
}

TEST(config_loader, missing_file_says_what_to_do) {
    const auto r = load_config_file("/nonexistent/postfach.yaml", fake_env());
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_THAT(r.errors[0].to_string(), HasSubstr("/nonexistent/postfach.yaml: No such file"));
    EXPECT_THAT(r.errors[0].to_string(), HasSubstr("--config"));
}

} // namespace
