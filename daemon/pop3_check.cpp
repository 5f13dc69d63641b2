#include "daemon/pop3_check.hpp"

#include "net/credential_source.hpp"
#include "net/transport.hpp"
#include "pop3/client.hpp"
#include "pop3/command_writer.hpp"
#include "pop3/pop3_errc.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <chrono>
#include <exception>
#include <fmt/format.h>

namespace postfach {

namespace asio = boost::asio;

namespace {

void fail(const config::server_config& server, imap::connection_step step, std::error_code ec,
          const std::string& diagnostics, pop3_check_report& report) {
    report.error = ec;
    if (ec == pop3::pop3_errc::auth_failed) {
        report.failure.line =
            fmt::format("authentication failed for user {}: {}; check user and the secret in "
                        "the config",
                        server.user, diagnostics.empty() ? ec.message() : diagnostics);
        report.failure.transient = false;
        return;
    }
    report.failure = describe_check_failure(server, step, ec, diagnostics);
    report.failure.transient = pop3::is_transient_failure(ec);
}

asio::awaitable<void> run_check(config::server_config server, std::string trace_name,
                                pop3_check_report& report) {
    secret_string secret;
    std::string diagnostics;
    if (auto ec = net::resolve_secret(server.secret, secret, diagnostics)) {
        fail(server, imap::connection_step::credentials, ec, diagnostics, report);
        co_return;
    }
    auto options = net::transport_options_for(server);
    // An interactive check should not hang for the daemon's two minutes.
    options.read_timeout = std::chrono::seconds(30);
    net::transport transport(co_await asio::this_coro::executor, options);
    if (auto ec = co_await pop3::connect_pop3(transport, server, diagnostics)) {
        report.peer_address = transport.peer_address();
        fail(server,
             transport.peer_address().empty() ? imap::connection_step::connect
                                              : imap::connection_step::tls,
             ec, diagnostics, report);
        co_return;
    }
    report.peer_address = transport.peer_address();
    pop3::client session(transport, pop3::session_options_for(server, transport, secret),
                         trace_name);
    const auto opened = co_await session.open();
    report.tls = transport.tls_info();
    if (opened) {
        fail(server, imap::connection_step::authentication, opened, session.diagnostics(), report);
        co_return;
    }
    report.authentication = session.session().authentication_method();
    for (const auto& c : session.session().capabilities())
        report.capabilities.push_back(
            c.args.empty() ? c.name : fmt::format("{} {}", c.name, fmt::join(c.args, " ")));
    pop3::response stat;
    if (auto ec = co_await session.call(pop3::commands::stat(), stat)) {
        fail(server, imap::connection_step::ready, ec, session.diagnostics(), report);
        co_return;
    }
    if (stat.ok() && !stat.listings.empty()) {
        report.messages = stat.listings.front().number;
        report.bytes = stat.listings.front().size;
    }
    if (auto ec = co_await session.quit())
        fail(server, imap::connection_step::ready, ec, session.diagnostics(), report);
}

} // namespace

pop3_check_report check_pop3_server(const config::server_config& server,
                                    const std::string& trace_name) {
    asio::io_context io;
    pop3_check_report report;
    asio::co_spawn(io, run_check(server, trace_name, report), [](std::exception_ptr e) {
        if (e)
            std::rethrow_exception(e); // out of io.run()
    });
    io.run();
    return report;
}

} // namespace postfach
