// The one line `postfach check` prints for a failed account: what failed, what to do, and
// whether it is worth retrying (exit 75) or needs a fix (exit 1).

#include "daemon/check_failure.hpp"
#include "imap/imap_errc.hpp"
#include "net/credential_errc.hpp"
#include "net/net_errc.hpp"
#include "net/sasl_errc.hpp"

#include <gtest/gtest.h>

namespace postfach {
namespace {

using imap::connection_step;

struct failure_case {
    connection_step step;
    std::error_code ec;
    std::string diagnostics;
    std::string expected_start; // the line begins with this
    std::string expected_advice;
    bool transient;
};

TEST(check_failure, names_what_failed_and_what_to_do) {
    config::server_config server;
    server.host = "mail.example.org";
    server.port = 993;
    server.user = "me";
    const std::vector<failure_case> cases = {
        {connection_step::connect, net::net_errc::resolve_failed,
         "cannot resolve mail.example.org: Host not found", "DNS lookup failed: cannot resolve",
         "check the host name", true},
        {connection_step::connect, net::net_errc::connect_failed,
         "cannot connect to mail.example.org:993; 192.0.2.1: Connection refused",
         "connection refused or unreachable: ", "server is up", true},
        {connection_step::connect, net::net_errc::connect_timeout, "took longer than 30000 ms",
         "timeout during connecting: ", "firewall", true},
        {connection_step::greeting, net::net_errc::read_timeout, "no data for 30 s",
         "timeout during the server greeting with mail.example.org:993", "try again later", true},
        {connection_step::tls, net::net_errc::certificate_verify_failed,
         "certificate of mail.example.org not trusted: self-signed certificate",
         "TLS verification failed for mail.example.org:993: certificate of", "set ca_file", false},
        {connection_step::tls, net::net_errc::tls_handshake_failed, "wrong version number",
         "TLS handshake with mail.example.org:993 failed", "implicit on 993", false},
        {connection_step::greeting, imap::imap_errc::starttls_not_offered, "",
         "STARTTLS not offered by mail.example.org:993", "tls: implicit", false},
        {connection_step::starttls, imap::imap_errc::starttls_injection, "12 bytes after",
         "STARTTLS injection on mail.example.org:993", "tampering", false},
        {connection_step::authentication, imap::imap_errc::auth_failed,
         "authentication failed: NO [AUTHENTICATIONFAILED] \"Authentication failed.\"",
         "authentication failed for user me: NO [AUTHENTICATIONFAILED] \"Authentication "
         "failed.\"",
         "check user and the secret", false},
        {connection_step::authentication, net::sasl_errc::no_common_mechanism,
         "the server offers GSSAPI; usable with a password: PLAIN, LOGIN",
         "no usable authentication: the server offers GSSAPI", "adjust auth:", false},
        {connection_step::credentials, net::credential_errc::command_failed,
         "pass show mail exited with 1: not found", "cannot get the secret: pass show mail",
         "password_command", false},
        {connection_step::ready, imap::imap_errc::server_bye, "* BYE \"shutting down\"",
         "mail.example.org:993 ended the session during listing the folders", "try again later",
         true},
    };
    for (const auto& c : cases) {
        const auto f = describe_check_failure(server, c.step, c.ec, c.diagnostics);
        EXPECT_EQ(f.line.rfind(c.expected_start, 0), 0u) << f.line;
        EXPECT_NE(f.line.find(c.expected_advice), std::string::npos) << f.line;
        EXPECT_EQ(f.line.find('\n'), std::string::npos) << "one line: " << f.line;
        EXPECT_EQ(f.transient, c.transient) << f.line;
    }
}

TEST(check_failure, untrusted_certificate_advice_depends_on_ca_file) {
    config::server_config server;
    server.host = "localhost";
    server.port = 993;
    const auto without = describe_check_failure(server, connection_step::tls,
                                                net::net_errc::certificate_verify_failed, "x");
    EXPECT_NE(without.line.find("not trusted by the system store"), std::string::npos);
    server.ca_file = "/etc/ca.pem";
    const auto with = describe_check_failure(server, connection_step::tls,
                                             net::net_errc::certificate_verify_failed, "x");
    EXPECT_NE(with.line.find("check that ca_file is the CA"), std::string::npos) << with.line;
}

} // namespace
} // namespace postfach
