#include "net/sasl_errc.hpp"
#include "net/sasl_mechanism.hpp"
#include "util/base64.hpp"

#include <gtest/gtest.h>

namespace postfach::net {
namespace {

using config::auth_mechanism;
using namespace std::string_literals;

sasl_credentials alice(std::string secret = "s3cret") {
    sasl_credentials c;
    c.user = "alice@example.com";
    c.secret = secret_string(std::move(secret));
    c.host = "imap.example.com";
    c.port = 993;
    return c;
}

std::string step_ok(sasl_mechanism& m, std::string_view challenge) {
    secret_string response;
    const auto ec = m.step(challenge, response);
    EXPECT_FALSE(ec) << ec.message();
    return std::string(response.reveal());
}

TEST(sasl_plain, initial_response_is_nul_separated) {
    auto m = make_sasl_mechanism(auth_mechanism::plain, alice());
    EXPECT_EQ(m->name(), "PLAIN");
    const auto ir = m->initial_response();
    ASSERT_TRUE(ir);
    EXPECT_EQ(ir->reveal(), "\0alice@example.com\0s3cret"s);
    EXPECT_EQ(util::base64_encode(ir->reveal()), "AGFsaWNlQGV4YW1wbGUuY29tAHMzY3JldA==");
}

TEST(sasl_plain, carries_the_authorisation_identity_first) {
    auto credentials = alice();
    credentials.authzid = "shared@example.com";
    auto m = make_sasl_mechanism(auth_mechanism::plain, credentials);
    EXPECT_EQ(m->initial_response()->reveal(), "shared@example.com\0alice@example.com\0s3cret"s);
}

TEST(sasl_plain, without_sasl_ir_answers_the_empty_challenge_then_refuses_more) {
    auto m = make_sasl_mechanism(auth_mechanism::plain, alice());
    EXPECT_EQ(step_ok(*m, ""), "\0alice@example.com\0s3cret"s);
    secret_string response;
    EXPECT_EQ(m->step("", response), sasl_errc::unexpected_challenge);
}

TEST(sasl_plain, a_challenge_after_the_initial_response_is_unexpected) {
    auto m = make_sasl_mechanism(auth_mechanism::plain, alice());
    ASSERT_TRUE(m->initial_response());
    secret_string response;
    EXPECT_EQ(m->step("", response), sasl_errc::unexpected_challenge);
}

TEST(sasl_login, answers_user_then_password_ignoring_the_prompt_text) {
    auto m = make_sasl_mechanism(auth_mechanism::login, alice());
    EXPECT_EQ(m->name(), "LOGIN");
    EXPECT_FALSE(m->initial_response());
    EXPECT_EQ(util::base64_encode(step_ok(*m, "User Name")), "YWxpY2VAZXhhbXBsZS5jb20=");
    EXPECT_EQ(util::base64_encode(step_ok(*m, "Password:")), "czNjcmV0");
    secret_string response;
    EXPECT_EQ(m->step("Password:", response), sasl_errc::unexpected_challenge);
}

TEST(sasl_xoauth2, initial_response_has_user_and_bearer_token) {
    auto m = make_sasl_mechanism(auth_mechanism::xoauth2, alice("ya29.token"));
    EXPECT_EQ(m->name(), "XOAUTH2");
    EXPECT_EQ(m->initial_response()->reveal(), "user=alice@example.com\x01"
                                               "auth=Bearer ya29.token\x01\x01");
}

TEST(sasl_xoauth2, answers_the_error_challenge_with_an_empty_response_and_keeps_it) {
    auto m = make_sasl_mechanism(auth_mechanism::xoauth2, alice("ya29.token"));
    ASSERT_TRUE(m->initial_response());
    const std::string error =
        R"({"status":"401","schemes":"bearer","scope":"https://mail.google.com/"})";
    EXPECT_EQ(step_ok(*m, error), "");
    EXPECT_EQ(m->server_error(), error);
    secret_string response;
    EXPECT_EQ(m->step(error, response), sasl_errc::unexpected_challenge);
}

TEST(sasl_oauthbearer, initial_response_follows_rfc7628) {
    auto m = make_sasl_mechanism(auth_mechanism::oauthbearer, alice("vF9dft4qmT"));
    EXPECT_EQ(m->name(), "OAUTHBEARER");
    EXPECT_EQ(m->initial_response()->reveal(), "n,a=alice@example.com,\x01"
                                               "host=imap.example.com\x01"
                                               "port=993\x01"
                                               "auth=Bearer vF9dft4qmT\x01\x01");
}

TEST(sasl_oauthbearer, escapes_comma_and_equals_in_the_user) {
    auto credentials = alice("t");
    credentials.user = "a=b,c";
    auto m = make_sasl_mechanism(auth_mechanism::oauthbearer, credentials);
    EXPECT_TRUE(m->initial_response()->reveal().starts_with("n,a=a=3Db=2Cc,\x01"));
}

TEST(sasl_oauthbearer, answers_the_json_error_challenge_with_ctrl_a) {
    auto m = make_sasl_mechanism(auth_mechanism::oauthbearer, alice("t"));
    ASSERT_TRUE(m->initial_response());
    const auto error = util::base64_decode("eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=");
    ASSERT_TRUE(error);
    EXPECT_EQ(step_ok(*m, *error), "\x01");
    EXPECT_EQ(m->server_error(), R"({"status":"invalid_token"})");
}

TEST(sasl_oauthbearer, without_sasl_ir_sends_the_message_on_the_empty_challenge) {
    auto m = make_sasl_mechanism(auth_mechanism::oauthbearer, alice("t"));
    EXPECT_TRUE(step_ok(*m, "").starts_with("n,a=alice@example.com,"));
    EXPECT_EQ(step_ok(*m, "{}"), "\x01");
}

TEST(sasl_credentials, come_from_the_server_block_and_the_resolved_secret) {
    config::server_config server;
    server.host = "imap.example.com";
    server.port = 993;
    server.user = "alice@example.com";
    auto m = make_sasl_mechanism(auth_mechanism::oauthbearer,
                                 sasl_credentials_for(server, secret_string("T")));
    EXPECT_EQ(m->initial_response()->reveal(), "n,a=alice@example.com,\x01"
                                               "host=imap.example.com\x01"
                                               "port=993\x01"
                                               "auth=Bearer T\x01\x01");
}

} // namespace
} // namespace postfach::net
