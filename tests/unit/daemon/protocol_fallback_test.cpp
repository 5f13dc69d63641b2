#include "daemon/protocol_fallback.hpp"
#include "imap/imap_errc.hpp"
#include "net/net_errc.hpp"

#include <gtest/gtest.h>

namespace postfach {
namespace {

using imap::connection_step;

config::account_config account(config::protocol_kind protocol, config::tls_mode tls,
                               std::uint16_t port) {
    config::account_config a;
    a.protocol = protocol;
    a.imap.emplace();
    a.imap->host = "mail.example.org";
    a.imap->tls = tls;
    a.imap->port = port;
    return a;
}

TEST(protocol_fallback, auto_tries_implicit_tls_then_starttls_on_the_default_ports) {
    const auto attempts =
        imap_attempts(account(config::protocol_kind::auto_detect, config::tls_mode::implicit, 993));
    ASSERT_EQ(attempts.size(), 2u);
    EXPECT_EQ(attempts[0].tls, config::tls_mode::implicit);
    EXPECT_EQ(attempts[0].port, 993);
    EXPECT_EQ(attempts[1].tls, config::tls_mode::starttls);
    EXPECT_EQ(attempts[1].port, 143);
    EXPECT_EQ(attempts[1].host, "mail.example.org");
}

TEST(protocol_fallback, an_explicit_choice_is_tried_alone) {
    EXPECT_EQ(
        imap_attempts(account(config::protocol_kind::imap, config::tls_mode::implicit, 993)).size(),
        1u);
    EXPECT_EQ(
        imap_attempts(account(config::protocol_kind::auto_detect, config::tls_mode::implicit, 1993))
            .size(),
        1u);
    EXPECT_EQ(
        imap_attempts(account(config::protocol_kind::auto_detect, config::tls_mode::starttls, 143))
            .size(),
        1u);
}

TEST(protocol_fallback, only_a_missing_imap_service_falls_back) {
    EXPECT_TRUE(is_no_imap_service(connection_step::connect, net::net_errc::connect_failed));
    EXPECT_TRUE(is_no_imap_service(connection_step::tls, net::net_errc::tls_handshake_failed));
    EXPECT_TRUE(is_no_imap_service(connection_step::greeting, imap::imap_errc::syntax_error));
    EXPECT_TRUE(
        is_no_imap_service(connection_step::greeting, imap::imap_errc::unexpected_response));

    EXPECT_FALSE(is_no_imap_service(connection_step::authentication, imap::imap_errc::auth_failed));
    EXPECT_FALSE(is_no_imap_service(connection_step::greeting, imap::imap_errc::server_bye));
    EXPECT_FALSE(
        is_no_imap_service(connection_step::greeting, imap::imap_errc::starttls_not_offered));
    EXPECT_FALSE(is_no_imap_service(connection_step::greeting, imap::imap_errc::cleartext_preauth));
    EXPECT_FALSE(
        is_no_imap_service(connection_step::tls, net::net_errc::certificate_verify_failed));
    EXPECT_FALSE(is_no_imap_service(connection_step::connect, net::net_errc::resolve_failed));
    EXPECT_FALSE(is_no_imap_service(connection_step::connect, net::net_errc::connect_timeout));
    EXPECT_FALSE(is_no_imap_service(connection_step::greeting, net::net_errc::read_timeout));
    EXPECT_FALSE(
        is_no_imap_service(connection_step::starttls, imap::imap_errc::starttls_not_offered));
}

TEST(protocol_fallback, the_line_names_every_reason_and_the_pop3_server) {
    config::server_config pop3;
    pop3.host = "pop.example.org";
    pop3.port = 995;
    EXPECT_EQ(
        describe_fallback({"a:993: refused", "a:143: refused"}, pop3),
        "no IMAP service (a:993: refused; a:143: refused); using POP3 at pop.example.org:995");
}

} // namespace
} // namespace postfach
