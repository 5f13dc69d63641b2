#include "daemon/check_failure.hpp"

#include "imap/imap_errc.hpp"
#include "net/credential_errc.hpp"
#include "net/net_errc.hpp"
#include "net/sasl_errc.hpp"

#include <fmt/format.h>

namespace postfach {

namespace {

std::string_view step_name(imap::connection_step step) {
    switch (step) {
    case imap::connection_step::credentials:
        return "getting the secret";
    case imap::connection_step::connect:
        return "connecting";
    case imap::connection_step::tls:
        return "the TLS handshake";
    case imap::connection_step::greeting:
        return "the server greeting";
    case imap::connection_step::starttls:
        return "STARTTLS";
    case imap::connection_step::authentication:
        return "authentication";
    case imap::connection_step::ready:
        return "listing the folders";
    }
    return "the check";
}

std::string_view strip_prefix(std::string_view text, std::string_view prefix) {
    if (text.substr(0, prefix.size()) == prefix)
        text.remove_prefix(prefix.size());
    return text;
}

} // namespace

check_failure describe_check_failure(const config::server_config& server,
                                     imap::connection_step step, std::error_code ec,
                                     const std::string& diagnostics) {
    using net::net_errc;
    const auto target = fmt::format("{}:{}", server.host, server.port);
    const auto said = diagnostics.empty() ? ec.message() : diagnostics;
    check_failure f;
    f.transient = net::is_transient(ec) || ec == imap::imap_errc::server_bye;
    auto set = [&](std::string what, std::string_view todo) {
        f.line = fmt::format("{}; {}", what, todo);
    };

    if (ec.category() == net::credential_category())
        set(fmt::format("cannot get the secret: {}", said),
            "fix the password_file / password_command / oauth2_token_command of this account");
    else if (ec == net_errc::resolve_failed)
        set(fmt::format("DNS lookup failed: {}", said),
            "check the host name in the config and this machine's network and DNS");
    else if (ec == net_errc::connect_failed)
        set(fmt::format("connection refused or unreachable: {}", said),
            "check host and port in the config and that the server is up");
    else if (ec == net_errc::connect_timeout)
        set(fmt::format("timeout during {}: {}", step_name(step), said),
            "check the network, a firewall, and the port (993 for tls: implicit, 143 for "
            "starttls)");
    else if (ec == net_errc::read_timeout || ec == net_errc::write_timeout)
        set(fmt::format("timeout during {} with {}: {}", step_name(step), target, said),
            "the server stopped answering; try again later");
    else if (ec == net_errc::connection_closed)
        set(fmt::format("{} closed the connection during {}: {}", target, step_name(step), said),
            step == imap::connection_step::tls || step == imap::connection_step::greeting
                ? "check that tls: matches the port (implicit on 993, starttls on 143), or try "
                  "again later"
                : "try again later");
    else if (ec == net_errc::certificate_verify_failed)
        set(fmt::format("TLS verification failed for {}: {}", target, said),
            server.ca_file ? "check that ca_file is the CA that issued the server's certificate "
                             "and that host is the name on the certificate"
                           : "the certificate is not trusted by the system store: if the server "
                             "uses a private CA, set ca_file to it; check that host is the name "
                             "on the certificate");
    else if (ec == net_errc::tls_handshake_failed)
        set(fmt::format("TLS handshake with {} failed: {}", target, said),
            "check that tls: matches the port (implicit on 993, starttls on 143); the server "
            "must offer TLS 1.2 or later");
    else if (ec == net_errc::ca_file_unreadable)
        set(fmt::format("cannot load ca_file: {}", said), "fix ca_file in the config");
    else if (ec == net_errc::starttls_injection || ec == imap::imap_errc::starttls_injection)
        set(fmt::format("STARTTLS injection on {}: {}", target, said),
            "someone on the network may be tampering with the connection; use tls: implicit "
            "and another network");
    else if (ec == imap::imap_errc::starttls_not_offered)
        set(fmt::format("STARTTLS not offered by {}", target),
            "postfach does not send credentials unencrypted: use tls: implicit (port 993) if "
            "the server has it, or ask the provider to enable STARTTLS");
    else if (ec == imap::imap_errc::starttls_refused)
        set(fmt::format("{} refused STARTTLS: {}", target, said),
            "use tls: implicit (port 993), or ask the provider");
    else if (ec == imap::imap_errc::auth_failed)
        set(fmt::format("authentication failed for user {}: {}", server.user,
                        strip_prefix(said, "authentication failed: ")),
            "check user and the secret in the config");
    else if (ec == imap::imap_errc::login_disabled || ec == imap::imap_errc::no_auth_mechanism ||
             ec.category() == net::sasl_category())
        set(fmt::format("no usable authentication: {}", said),
            ec == net::sasl_errc::plaintext_refused
                ? "use tls: implicit or starttls"
                : "adjust auth: in the config to a mechanism the server offers");
    else if (ec == imap::imap_errc::cleartext_preauth)
        set(fmt::format("{} logged us in before STARTTLS: {}", target, said),
            "use tls: implicit (port 993)");
    else if (ec == imap::imap_errc::server_bye)
        set(fmt::format("{} ended the session during {}: {}", target, step_name(step), said),
            "try again later");
    else if (ec.category() == imap::imap_category())
        set(fmt::format("IMAP error during {}: {}", step_name(step), said),
            "the server does not speak IMAP as expected; check host, port and tls:");
    else
        set(fmt::format("{} failed: {}", step_name(step), said),
            "check the network and the server settings, then try again");
    return f;
}

} // namespace postfach
