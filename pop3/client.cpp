#include "pop3/client.hpp"

#include "net/net_errc.hpp"
#include "net/sasl_chooser.hpp"
#include "net/sasl_mechanism.hpp"
#include "net/transport.hpp"
#include "pop3/pop3_errc.hpp"
#include "util/logging.hpp"

#include <fmt/format.h>
#include <utility>

namespace postfach::pop3 {

namespace {

// Longer reads are message bodies (user data, possibly large): traced by size only.
constexpr std::size_t max_traced_read = 512;

// Calls f on each line of bytes (without CRLF); a trailing partial line too.
template <typename F>
void for_each_line(std::string_view bytes, F f) {
    while (!bytes.empty()) {
        const auto end = bytes.find("\r\n");
        f(bytes.substr(0, end));
        if (end == std::string_view::npos)
            break;
        bytes.remove_prefix(end + 2);
    }
}

} // namespace

boost::asio::awaitable<std::error_code> connect_pop3(net::transport& transport,
                                                     const config::server_config& server,
                                                     std::string& diagnostics) {
    auto ec = co_await transport.connect();
    if (!ec && server.tls == config::tls_mode::implicit)
        ec = co_await transport.start_tls();
    if (ec)
        diagnostics = transport.diagnostics();
    co_return ec;
}

session_options session_options_for(const config::server_config& server,
                                    const net::byte_stream& stream, const secret_string& secret) {
    session_options o;
    switch (server.tls) {
    case config::tls_mode::implicit:
        o.security = transport_security::implicit_tls;
        break;
    case config::tls_mode::starttls:
        o.security = transport_security::starttls;
        break;
    case config::tls_mode::none:
        o.security = transport_security::none;
        break;
    }
    o.choose_mechanism =
        [server, &stream,
         secret](const std::vector<std::string>& offered) -> std::unique_ptr<net::sasl_mechanism> {
        const auto request =
            net::sasl_choice_for(server, offered, stream.uses_tls(), stream.peer_is_loopback());
        config::auth_mechanism chosen{};
        std::string ignored; // no usable mechanism: USER/PASS below, or no_auth_method
        if (net::choose_sasl_mechanism(request, chosen, ignored))
            return nullptr;
        return net::make_sasl_mechanism(chosen, net::sasl_credentials_for(server, secret));
    };
    // A token cannot go through USER/PASS; a password can when no mechanism fits.
    if (net::secret_kind_of(server.secret.source) == net::secret_kind::password)
        o.login = login_credentials{server.user, secret};
    return o;
}

bool is_transient_failure(std::error_code ec) noexcept {
    return is_transient(ec) || net::is_transient(ec);
}

client::client(net::byte_stream& stream, session_options options, std::string account)
    : stream_(stream)
    , fsm_(std::move(options))
    , account_(std::move(account)) {}

boost::asio::awaitable<std::error_code> client::open() {
    fsm_.on_connected();
    if (auto ec = co_await run())
        co_return ec;
    if (fsm_.current_phase() != session_fsm::phase::ready)
        co_return finish(make_error_code(pop3_errc::wrong_state),
                         "the POP3 session ended before it was ready");
    co_return std::error_code{};
}

std::error_code client::submit(command cmd, session_fsm::completion done, message_sink* sink) {
    if (error_)
        return error_;
    return fsm_.submit(std::move(cmd), std::move(done), sink);
}

boost::asio::awaitable<std::error_code> client::run() {
    std::string buffer;
    while (!error_) {
        const auto a = fsm_.next();
        switch (a.type) {
        case next_action::kind::write: {
            trace_written(a.bytes, a.sensitive);
            if (auto ec = co_await stream_.write(a.bytes)) {
                fsm_.on_transport_error(ec);
                co_return finish(ec, stream_.diagnostics());
            }
            fsm_.on_written();
            break;
        }
        case next_action::kind::read: {
            if (auto ec = co_await stream_.read_some(buffer)) {
                fsm_.on_transport_error(ec);
                co_return finish(ec, stream_.diagnostics());
            }
            trace_read(buffer);
            fsm_.on_bytes(buffer);
            break;
        }
        case next_action::kind::start_tls:
            if (auto ec = co_await stream_.start_tls()) {
                fsm_.on_transport_error(ec);
                co_return finish(ec, stream_.diagnostics());
            }
            fsm_.on_tls_established();
            break;
        case next_action::kind::idle:
            co_return std::error_code{};
        case next_action::kind::done:
            stream_.close();
            if (a.error)
                co_return finish(a.error, fsm_.diagnostics());
            co_return std::error_code{};
        }
    }
    co_return error_; // aborted by a sink
}

boost::asio::awaitable<std::error_code> client::call(command cmd, response& out,
                                                     message_sink* sink) {
    bool answered = false;
    if (auto ec = submit(
            std::move(cmd),
            [&](const response& r) {
                out = r;
                answered = true;
            },
            sink))
        co_return ec;
    if (auto ec = co_await run())
        co_return ec;
    if (!answered)
        co_return finish(make_error_code(pop3_errc::wrong_state), "no response to the command");
    co_return std::error_code{};
}

boost::asio::awaitable<std::error_code> client::quit() {
    if (error_)
        co_return error_;
    if (auto ec = fsm_.quit())
        co_return finish(ec, "QUIT in the wrong state");
    co_return co_await run();
}

void client::abort(std::error_code ec, std::string diagnostics) {
    if (!error_)
        finish(ec, std::move(diagnostics));
}

std::error_code client::finish(std::error_code ec, std::string diagnostics) {
    error_ = ec;
    diagnostics_ = std::move(diagnostics);
    stream_.close();
    return ec;
}

void client::trace_written(std::string_view bytes, bool sensitive) const {
    for_each_line(bytes, [&](std::string_view line) {
        logging::trace_protocol(account_, logging::direction::client_to_server, line, sensitive);
    });
}

void client::trace_read(std::string_view bytes) const {
    if (bytes.size() > max_traced_read) {
        logging::trace_protocol(account_, logging::direction::server_to_client,
                                fmt::format("({} bytes)", bytes.size()));
        return;
    }
    for_each_line(bytes, [&](std::string_view line) {
        logging::trace_protocol(account_, logging::direction::server_to_client, line);
    });
}

} // namespace postfach::pop3
