// Exact bytes of every POP3 command, and the refusals that keep caller data from injecting one.

#include "pop3/command_writer.hpp"
#include "pop3/pop3_errc.hpp"

#include <gtest/gtest.h>

namespace postfach::pop3 {
namespace {

using namespace std::string_literals;

command ok(std::optional<command> c, const std::error_code& ec) {
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(c.has_value());
    return c.value_or(command{});
}

TEST(pop3_command_writer, simple_commands) {
    EXPECT_EQ(commands::capa().bytes, "CAPA\r\n");
    EXPECT_EQ(commands::capa().expects, response_kind::capa);
    EXPECT_EQ(commands::stls().bytes, "STLS\r\n");
    EXPECT_EQ(commands::stat().bytes, "STAT\r\n");
    EXPECT_EQ(commands::stat().expects, response_kind::stat);
    EXPECT_EQ(commands::rset().bytes, "RSET\r\n");
    EXPECT_EQ(commands::noop().bytes, "NOOP\r\n");
    EXPECT_EQ(commands::quit().bytes, "QUIT\r\n");
    EXPECT_EQ(commands::quit().expects, response_kind::status);
    EXPECT_FALSE(commands::quit().sensitive);
}

TEST(pop3_command_writer, numbered_commands) {
    std::error_code ec;
    auto c = ok(commands::uidl(std::nullopt, ec), ec);
    EXPECT_EQ(c.bytes, "UIDL\r\n");
    EXPECT_EQ(c.expects, response_kind::uidl_all);
    c = ok(commands::uidl(7, ec), ec);
    EXPECT_EQ(c.bytes, "UIDL 7\r\n");
    EXPECT_EQ(c.expects, response_kind::uidl_one);
    c = ok(commands::list(std::nullopt, ec), ec);
    EXPECT_EQ(c.bytes, "LIST\r\n");
    EXPECT_EQ(c.expects, response_kind::list_all);
    c = ok(commands::list(4294967295u, ec), ec);
    EXPECT_EQ(c.bytes, "LIST 4294967295\r\n");
    EXPECT_EQ(c.expects, response_kind::list_one);
    c = ok(commands::top(3, 0, ec), ec);
    EXPECT_EQ(c.bytes, "TOP 3 0\r\n");
    EXPECT_EQ(c.expects, response_kind::message);
    c = ok(commands::retr(12, ec), ec);
    EXPECT_EQ(c.bytes, "RETR 12\r\n");
    EXPECT_EQ(c.name, "RETR 12");
    EXPECT_EQ(c.expects, response_kind::message);
    c = ok(commands::dele(2, ec), ec);
    EXPECT_EQ(c.bytes, "DELE 2\r\n");
    EXPECT_EQ(c.expects, response_kind::status);

    for (auto bad : {commands::retr(0, ec), commands::dele(0, ec), commands::top(0, 1, ec),
                     commands::list(0, ec), commands::uidl(0, ec)}) {
        EXPECT_FALSE(bad);
    }
    EXPECT_EQ(ec, pop3_errc::invalid_argument);
}

TEST(pop3_command_writer, user_and_sensitive_pass) {
    std::error_code ec;
    auto u = ok(commands::user("alice@example.com", ec), ec);
    EXPECT_EQ(u.bytes, "USER alice@example.com\r\n");
    EXPECT_FALSE(u.sensitive);
    auto p = ok(commands::pass(secret_string("pa ss"), ec), ec);
    EXPECT_EQ(p.bytes, "PASS pa ss\r\n");
    EXPECT_EQ(p.name, "PASS");
    EXPECT_TRUE(p.sensitive);

    EXPECT_FALSE(commands::user("alice\r\nDELE 1", ec));
    EXPECT_EQ(ec, pop3_errc::invalid_argument);
    EXPECT_FALSE(commands::user("", ec));
    EXPECT_FALSE(commands::pass(secret_string("x\ny"), ec));
    EXPECT_FALSE(commands::pass(secret_string("x\0y"s), ec));
    EXPECT_EQ(ec, pop3_errc::invalid_argument);
}

TEST(pop3_command_writer, commands_over_255_octets_refused) {
    std::error_code ec;
    // "USER " + name + CRLF: 7 octets around the name.
    EXPECT_TRUE(commands::user(std::string(248, 'u'), ec));
    EXPECT_EQ(commands::user(std::string(248, 'u'), ec)->bytes.size(), 255u);
    EXPECT_FALSE(commands::user(std::string(249, 'u'), ec));
    EXPECT_EQ(ec, pop3_errc::command_too_long);
    EXPECT_FALSE(commands::pass(secret_string(std::string(300, 'p')), ec));
    EXPECT_EQ(ec, pop3_errc::command_too_long);
}

TEST(pop3_command_writer, apop_digest_from_rfc_1939) {
    // RFC 1939 §7 example.
    const std::string ts = "<1896.697170952@dbc.mtview.ca.us>";
    EXPECT_EQ(apop_digest(ts, secret_string("tanstaaf")), "c4c9334bac560ecc979e58001b3e22fb");
    std::error_code ec;
    auto c = ok(commands::apop("mrose", ts, secret_string("tanstaaf"), ec), ec);
    EXPECT_EQ(c.bytes, "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
    EXPECT_EQ(c.name, "APOP mrose");
    EXPECT_TRUE(c.sensitive);
    EXPECT_FALSE(commands::apop("mr ose", ts, secret_string("x"), ec));
    EXPECT_EQ(ec, pop3_errc::invalid_argument);
}

TEST(pop3_command_writer, auth_and_sasl_lines) {
    std::error_code ec;
    auto bare = ok(commands::auth("LOGIN", std::nullopt, ec), ec);
    EXPECT_EQ(bare.bytes, "AUTH LOGIN\r\n");
    EXPECT_EQ(bare.expects, response_kind::sasl);
    EXPECT_FALSE(bare.sensitive);
    auto ir = ok(commands::auth("PLAIN", secret_string("AGFsaWNlAHNlY3JldA=="), ec), ec);
    EXPECT_EQ(ir.bytes, "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
    EXPECT_TRUE(ir.sensitive);
    EXPECT_EQ(ir.name, "AUTH PLAIN");
    auto empty = ok(commands::auth("EXTERNAL", secret_string("="), ec), ec);
    EXPECT_EQ(empty.bytes, "AUTH EXTERNAL =\r\n");
    // A long token (XOAUTH2) does not fit: the caller sends it after an empty challenge.
    EXPECT_TRUE(commands::auth("XOAUTH2", secret_string(std::string(240, 't')), ec));
    EXPECT_FALSE(commands::auth("XOAUTH2", secret_string(std::string(241, 't')), ec));
    EXPECT_EQ(ec, pop3_errc::command_too_long);
    EXPECT_FALSE(commands::auth("PLAIN\r\nDELE 1", std::nullopt, ec));
    EXPECT_EQ(ec, pop3_errc::invalid_argument);
    EXPECT_FALSE(commands::auth("PLAIN", secret_string("x\r\nDELE 1"), ec));
    EXPECT_EQ(ec, pop3_errc::invalid_argument);

    auto r = commands::sasl_line(secret_string("YWxpY2U="));
    EXPECT_EQ(r.bytes, "YWxpY2U=\r\n");
    EXPECT_TRUE(r.sensitive);
    EXPECT_EQ(r.expects, response_kind::sasl);
    EXPECT_EQ(commands::sasl_line(secret_string(std::string(400, 't'))).bytes.size(), 402u);
    EXPECT_EQ(commands::sasl_line(secret_string("*")).bytes, "*\r\n");
}

} // namespace
} // namespace postfach::pop3
