#include "daemon/protocol_fallback.hpp"

#include "imap/imap_errc.hpp"
#include "net/net_errc.hpp"
#include "net/transport.hpp"
#include "pop3/client.hpp"

#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

namespace postfach {

std::vector<config::server_config> imap_attempts(const config::account_config& account) {
    std::vector<config::server_config> out{*account.imap};
    const auto& first = *account.imap;
    const auto implicit_port =
        config::default_port(config::server_kind::imap, config::tls_mode::implicit);
    if (account.protocol == config::protocol_kind::auto_detect &&
        first.tls == config::tls_mode::implicit && first.port == implicit_port) {
        auto starttls = first;
        starttls.tls = config::tls_mode::starttls;
        starttls.port = config::default_port(config::server_kind::imap, config::tls_mode::starttls);
        out.push_back(std::move(starttls));
    }
    return out;
}

bool is_no_imap_service(imap::connection_step step, std::error_code ec) {
    using imap::connection_step;
    if (step == connection_step::connect)
        return ec == net::net_errc::connect_failed;
    if (step == connection_step::tls)
        return ec == net::net_errc::tls_handshake_failed;
    if (step == connection_step::greeting)
        // Something answered, but not with an IMAP greeting ("+OK" of a POP3 server, a web
        // server's banner). Not: an IMAP server that says BYE, lacks STARTTLS, ... (the
        // greeting step also covers the capabilities before login).
        return ec == imap::imap_errc::syntax_error || ec == imap::imap_errc::unexpected_response ||
               ec == imap::imap_errc::line_too_long || ec == imap::imap_errc::response_too_large;
    return false;
}

std::string describe_fallback(const std::vector<std::string>& reasons,
                              const config::server_config& pop3) {
    return fmt::format("no IMAP service ({}); using POP3 at {}:{}", fmt::join(reasons, "; "),
                       pop3.host, pop3.port);
}

boost::asio::awaitable<std::error_code> reach_pop3(config::server_config server,
                                                   std::string& diagnostics) {
    net::transport transport(co_await boost::asio::this_coro::executor,
                             net::transport_options_for(server));
    const auto ec = co_await pop3::connect_pop3(transport, server, diagnostics);
    transport.close();
    co_return ec;
}

boost::asio::awaitable<imap_opening> open_imap(config::account_config account) {
    auto executor = co_await boost::asio::this_coro::executor;
    imap_opening out;
    for (const auto& server : imap_attempts(account)) {
        auto connection = std::make_unique<imap::connection>(
            executor, server, imap::connection_options_for(server, account.name));
        const auto ec = co_await connection->open();
        if (!ec) {
            out.connection = std::move(connection);
            out.server = server;
            co_return out;
        }
        if (account.protocol == config::protocol_kind::auto_detect &&
            is_no_imap_service(connection->failed_step(), ec)) {
            out.reasons.push_back(fmt::format(
                "{}:{}: {}", server.host, server.port,
                connection->diagnostics().empty() ? ec.message() : connection->diagnostics()));
            continue;
        }
        // Wrong password, certificate, DNS, timeouts: the user must see them, never POP3.
        out.server = server;
        out.failed = std::move(connection);
        out.failed_ec = ec;
        co_return out;
    }
    out.no_imap = true;
    co_return out;
}

} // namespace postfach
