#include "imap/connection.hpp"

#include "net/sasl_chooser.hpp"
#include "net/sasl_errc.hpp"

#include <algorithm>
#include <cctype>
#include <spdlog/spdlog.h>

namespace postfach::imap {

namespace asio = boost::asio;

namespace {

transport_security security_of(config::tls_mode mode) {
    switch (mode) {
    case config::tls_mode::implicit:
        return transport_security::implicit_tls;
    case config::tls_mode::starttls:
        return transport_security::starttls;
    case config::tls_mode::none:
        return transport_security::none;
    }
    return transport_security::implicit_tls;
}

connection_step step_of(session_fsm::phase phase) {
    switch (phase) {
    case session_fsm::phase::connecting:
    case session_fsm::phase::greeting:
    case session_fsm::phase::capability:
        return connection_step::greeting;
    case session_fsm::phase::starttls:
    case session_fsm::phase::tls_handshake:
        return connection_step::starttls;
    case session_fsm::phase::authenticating:
        return connection_step::authentication;
    case session_fsm::phase::ready:
    case session_fsm::phase::logging_out:
    case session_fsm::phase::done:
        return connection_step::ready;
    }
    return connection_step::ready;
}

// "AUTH=PLAIN" -> "PLAIN" for each offered SASL mechanism.
std::vector<std::string> offered_mechanisms(const capability_set& capabilities) {
    std::vector<std::string> offered;
    for (const auto& c : capabilities)
        if (c.size() > 5 && c.compare(0, 5, "AUTH=") == 0)
            offered.push_back(c.substr(5));
    return offered;
}

} // namespace

connection_options connection_options_for(const config::server_config& server,
                                          std::string trace_name) {
    connection_options options;
    options.trace_name = std::move(trace_name);
    options.transport = net::transport_options_for(server);
    return options;
}

connection::connection(asio::any_io_executor executor, config::server_config server,
                       connection_options options)
    : server_(std::move(server))
    , options_(std::move(options))
    , transport_(std::move(executor), options_.transport) {}

std::error_code connection::fail(connection_step step, std::error_code ec,
                                 std::string diagnostics) {
    failed_step_ = step;
    diagnostics_ = std::move(diagnostics);
    transport_.close();
    return ec;
}

std::string connection::authentication_method() const {
    return session_ ? session_->fsm().authentication_method() : std::string();
}

asio::awaitable<std::error_code> connection::open() {
    // Tokens expire: the secret is resolved again for every connection.
    std::string diagnostics;
    if (const auto ec =
            net::resolve_secret(server_.secret, secret_, diagnostics, options_.credentials))
        co_return fail(connection_step::credentials, ec, std::move(diagnostics));
    if (const auto ec = co_await transport_.connect())
        co_return fail(connection_step::connect, ec, transport_.diagnostics());
    spdlog::debug("{}: connected to {} ({}) port {}", options_.trace_name, server_.host,
                  transport_.peer_address(), server_.port);
    if (server_.tls == config::tls_mode::implicit) {
        if (const auto ec = co_await transport_.start_tls())
            co_return fail(connection_step::tls, ec, transport_.diagnostics());
        spdlog::debug("{}: {}", options_.trace_name, net::describe(*transport_.tls_info()));
    }
    session_.emplace(transport_, make_session_options(), options_.trace_name);
    if (const auto ec = co_await session_->open())
        co_return fail(step_of(session_->failed_phase()), ec, session_->diagnostics());
    co_return std::error_code();
}

asio::awaitable<std::error_code> connection::logout(logout_wait wait) {
    if (!session_)
        co_return std::error_code();
    const auto ec = co_await session_->logout(wait);
    transport_.close();
    if (ec)
        co_return fail(connection_step::ready, ec, session_->diagnostics());
    co_return ec;
}

session_options connection::make_session_options() {
    session_options options;
    options.security = security_of(server_.tls);
    options.choose_mechanism = [this](const capability_set& capabilities,
                                      util::sasl_mechanism*& chosen, std::string& diagnostics) {
        return choose_mechanism(capabilities, chosen, diagnostics);
    };
    // Servers that offer no SASL mechanism at all get the LOGIN command (see choose_mechanism).
    if (net::secret_kind_of(server_.secret.source) == net::secret_kind::password)
        options.login = login_credentials{server_.user, secret_};
    return options;
}

std::error_code connection::choose_mechanism(const capability_set& capabilities,
                                             util::sasl_mechanism*& chosen,
                                             std::string& diagnostics) {
    const auto offered = offered_mechanisms(capabilities);
    auto request = net::sasl_choice_for(server_, offered, transport_.uses_tls(),
                                        transport_.peer_is_loopback());
    config::auth_mechanism mechanism{};
    const auto ec = net::choose_sasl_mechanism(request, mechanism, diagnostics);
    if (ec == net::sasl_errc::no_common_mechanism && offered.empty() &&
        request.secret == net::secret_kind::password &&
        (request.configured.empty() ||
         std::find(request.configured.begin(), request.configured.end(),
                   config::auth_mechanism::login) != request.configured.end())) {
        // No AUTH= at all (an old server): the LOGIN command, unless LOGINDISABLED.
        diagnostics.clear();
        chosen = nullptr;
        return {};
    }
    if (ec)
        return ec;
    mechanism_ = net::make_sasl_mechanism(mechanism, net::sasl_credentials_for(server_, secret_));
    chosen = mechanism_.get();
    return {};
}

} // namespace postfach::imap
