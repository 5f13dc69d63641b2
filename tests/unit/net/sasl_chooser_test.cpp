#include "net/sasl_chooser.hpp"
#include "net/sasl_errc.hpp"

#include <gtest/gtest.h>

namespace postfach::net {
namespace {

using config::auth_mechanism;

struct outcome {
    std::error_code ec;
    auth_mechanism chosen = auth_mechanism::plain;
    std::string diagnostics;
};

outcome choose(sasl_choice_request request) {
    outcome o;
    o.ec = choose_sasl_mechanism(request, o.chosen, o.diagnostics);
    return o;
}

sasl_choice_request over_tls(std::vector<std::string> offered, secret_kind kind,
                             std::vector<auth_mechanism> configured = {}) {
    sasl_choice_request r;
    r.offered = std::move(offered);
    r.secret = kind;
    r.configured = std::move(configured);
    r.encrypted = true;
    return r;
}

TEST(sasl_chooser, password_prefers_plain_then_login) {
    auto o = choose(over_tls({"LOGIN", "PLAIN"}, secret_kind::password));
    ASSERT_FALSE(o.ec);
    EXPECT_EQ(o.chosen, auth_mechanism::plain);
    o = choose(over_tls({"login", "CRAM-MD5", "XOAUTH2"}, secret_kind::password));
    ASSERT_FALSE(o.ec);
    EXPECT_EQ(o.chosen, auth_mechanism::login);
}

TEST(sasl_chooser, token_prefers_oauthbearer_then_xoauth2) {
    auto o = choose(over_tls({"PLAIN", "XOAUTH2", "OAUTHBEARER"}, secret_kind::oauth2_token));
    ASSERT_FALSE(o.ec);
    EXPECT_EQ(o.chosen, auth_mechanism::oauthbearer);
    o = choose(over_tls({"PLAIN", "XOAUTH2"}, secret_kind::oauth2_token));
    ASSERT_FALSE(o.ec);
    EXPECT_EQ(o.chosen, auth_mechanism::xoauth2);
}

TEST(sasl_chooser, configured_order_wins_over_the_default) {
    auto o = choose(over_tls({"PLAIN", "LOGIN"}, secret_kind::password,
                             {auth_mechanism::login, auth_mechanism::plain}));
    ASSERT_FALSE(o.ec);
    EXPECT_EQ(o.chosen, auth_mechanism::login);
}

TEST(sasl_chooser, configured_mechanisms_for_the_other_secret_kind_are_skipped) {
    auto o = choose(over_tls({"PLAIN", "XOAUTH2"}, secret_kind::password,
                             {auth_mechanism::xoauth2, auth_mechanism::plain}));
    ASSERT_FALSE(o.ec);
    EXPECT_EQ(o.chosen, auth_mechanism::plain);
    o = choose(over_tls({"PLAIN", "XOAUTH2"}, secret_kind::password, {auth_mechanism::xoauth2}));
    EXPECT_EQ(o.ec, sasl_errc::secret_kind_mismatch);
    EXPECT_NE(o.diagnostics.find("XOAUTH2"), std::string::npos) << o.diagnostics;
}

TEST(sasl_chooser, nothing_in_common_names_both_sides) {
    auto o = choose(over_tls({"CRAM-MD5", "GSSAPI"}, secret_kind::password));
    EXPECT_EQ(o.ec, sasl_errc::no_common_mechanism);
    EXPECT_EQ(o.diagnostics,
              "the server offers CRAM-MD5, GSSAPI; usable with a password: PLAIN, LOGIN");
    o = choose(over_tls({"X\x1b[2J"}, secret_kind::password));
    EXPECT_EQ(o.diagnostics.find('\x1b'), std::string::npos) << o.diagnostics;
    o = choose(over_tls({}, secret_kind::oauth2_token));
    EXPECT_EQ(o.ec, sasl_errc::no_common_mechanism);
    EXPECT_NE(o.diagnostics.find("no SASL mechanisms"), std::string::npos) << o.diagnostics;
}

TEST(sasl_chooser, never_sends_credentials_in_clear_to_a_remote_host) {
    auto request = over_tls({"PLAIN", "LOGIN"}, secret_kind::password);
    request.encrypted = false;
    EXPECT_EQ(choose(request).ec, sasl_errc::plaintext_refused);
    request.loopback = true;
    EXPECT_FALSE(choose(request).ec);
    request.loopback = false;
    request.allow_plaintext = true;
    EXPECT_FALSE(choose(request).ec);
}

TEST(sasl_chooser, secret_kind_follows_the_secret_source) {
    using kind = config::secret_source::kind;
    EXPECT_EQ(secret_kind_of(kind::oauth2_token_command), secret_kind::oauth2_token);
    EXPECT_EQ(secret_kind_of(kind::password), secret_kind::password);
    EXPECT_EQ(secret_kind_of(kind::password_file), secret_kind::password);
    EXPECT_EQ(secret_kind_of(kind::password_command), secret_kind::password);
}

TEST(sasl_chooser, request_for_a_server_block_takes_its_auth_secret_and_plaintext_setting) {
    config::server_config server;
    server.auth = {auth_mechanism::xoauth2};
    server.secret.source = config::secret_source::kind::oauth2_token_command;
    server.allow_plaintext = true;
    const auto request = sasl_choice_for(server, {"XOAUTH2"}, false, true);
    EXPECT_EQ(request.offered, std::vector<std::string>{"XOAUTH2"});
    EXPECT_EQ(request.configured, server.auth);
    EXPECT_EQ(request.secret, secret_kind::oauth2_token);
    EXPECT_FALSE(request.encrypted);
    EXPECT_TRUE(request.loopback);
    EXPECT_TRUE(request.allow_plaintext);
    auto o = choose(request);
    ASSERT_FALSE(o.ec) << o.diagnostics;
    EXPECT_EQ(o.chosen, auth_mechanism::xoauth2);
}

} // namespace
} // namespace postfach::net
