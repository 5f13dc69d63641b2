#include "net/sasl_errc.hpp"
#include "net/sasl_exchange.hpp"

#include <gtest/gtest.h>

namespace postfach::net {
namespace {

using config::auth_mechanism;

sasl_exchange exchange(auth_mechanism m, std::string secret = "s3cret") {
    sasl_credentials c;
    c.user = "alice";
    c.secret = secret_string(std::move(secret));
    c.host = "localhost";
    c.port = 143;
    return sasl_exchange(make_sasl_mechanism(m, std::move(c)));
}

// The line sent for a continuation, expecting success.
std::string answer_ok(sasl_exchange& x, std::string_view continuation) {
    std::error_code ec;
    const auto line = x.answer(continuation, ec);
    EXPECT_FALSE(ec) << ec.message();
    return std::string(line.reveal());
}

TEST(sasl_exchange, plain_with_sasl_ir) {
    // C: a AUTHENTICATE PLAIN AGFsaWNlAHMzY3JldA==
    auto x = exchange(auth_mechanism::plain);
    EXPECT_EQ(x.mechanism_name(), "PLAIN");
    EXPECT_EQ(x.initial_argument()->reveal(), "AGFsaWNlAHMzY3JldA==");
}

TEST(sasl_exchange, plain_without_sasl_ir_answers_the_empty_continuation) {
    // C: a AUTHENTICATE PLAIN / S: + / C: AGFsaWNlAHMzY3JldA==
    auto x = exchange(auth_mechanism::plain);
    EXPECT_EQ(answer_ok(x, ""), "AGFsaWNlAHMzY3JldA==");
}

TEST(sasl_exchange, login_answers_the_prompts_of_dovecot) {
    // S: + VXNlcm5hbWU6 ("Username:") / + UGFzc3dvcmQ6 ("Password:")
    auto x = exchange(auth_mechanism::login);
    EXPECT_FALSE(x.initial_argument());
    EXPECT_EQ(answer_ok(x, "VXNlcm5hbWU6"), "YWxpY2U=");
    EXPECT_EQ(answer_ok(x, "UGFzc3dvcmQ6"), "czNjcmV0");
    std::error_code ec;
    EXPECT_EQ(x.answer("UGFzc3dvcmQ6", ec).reveal(), "*");
    EXPECT_EQ(ec, sasl_errc::unexpected_challenge);
}

TEST(sasl_exchange, xoauth2_error_challenge_gets_an_empty_line_and_is_kept) {
    // S: + eyJzdGF0dXMiOiI0MDEifQ== ({"status":"401"}) / C: (empty line) / S: a NO ...
    auto x = exchange(auth_mechanism::xoauth2, "tok");
    EXPECT_EQ(x.initial_argument()->reveal(), "dXNlcj1hbGljZQFhdXRoPUJlYXJlciB0b2sBAQ==");
    EXPECT_EQ(answer_ok(x, "eyJzdGF0dXMiOiI0MDEifQ=="), "");
    EXPECT_EQ(x.server_error(), R"({"status":"401"})");
}

TEST(sasl_exchange, oauthbearer_error_challenge_gets_ctrl_a) {
    auto x = exchange(auth_mechanism::oauthbearer, "tok");
    ASSERT_TRUE(x.initial_argument());
    EXPECT_EQ(answer_ok(x, "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0="), "AQ==");
    EXPECT_EQ(x.server_error(), R"({"status":"invalid_token"})");
}

TEST(sasl_exchange, malformed_challenge_cancels_with_a_star) {
    auto x = exchange(auth_mechanism::login);
    std::error_code ec;
    EXPECT_EQ(x.answer("not base64!", ec).reveal(), "*");
    EXPECT_EQ(ec, sasl_errc::malformed_challenge);
}

TEST(sasl_exchange, trailing_blanks_after_the_plus_mean_an_empty_challenge) {
    auto x = exchange(auth_mechanism::plain);
    EXPECT_EQ(answer_ok(x, " "), "AGFsaWNlAHMzY3JldA==");
}

} // namespace
} // namespace postfach::net
