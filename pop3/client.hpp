#pragma once
// The Asio side of the POP3 client: runs a sans-IO session_fsm over a net::byte_stream (a
// net::transport, or a net::fake_stream in tests). Every line written and read is traced with
// logging::trace_protocol (credentials redacted, sensitive writes shown by length only).
//
//   net::transport t(executor, net::transport_options_for(server));
//   co_await connect_pop3(t, server);                   // TCP, then TLS if implicit
//   client c(t, session_options_for(server, t, secret), account);
//   co_await c.open();                                   // greeting .. ready (STLS, login)
//   response r; co_await c.call(commands::stat(), r);
//   ... c.submit(...) several, then co_await c.run();  // pipelined when offered
//   co_await c.quit();                                   // commits DELE
//
// Contract: one coroutine at a time uses a client. Errors are the session's (pop3_errc, graded
// by is_transient) or the stream's (net_errc, net::is_transient); diagnostics() explains.
// After an error the stream is closed and the client is done.

#include "config/config.hpp"
#include "net/byte_stream.hpp"
#include "pop3/session_fsm.hpp"
#include "util/secret.hpp"

#include <boost/asio/awaitable.hpp>
#include <string>
#include <system_error>

namespace postfach::net {
class transport;
}

namespace postfach::pop3 {

// Connects the transport and, for tls: implicit, starts TLS before the greeting.
boost::asio::awaitable<std::error_code> connect_pop3(net::transport& transport,
                                                     const config::server_config& server,
                                                     std::string& diagnostics);

// Session options for a server block: its tls mode, the SASL mechanism net chooses for what the
// server offers (net::choose_sasl_mechanism: never credentials in clear to a remote host), and
// USER/PASS with the password when the server offers no usable mechanism. stream must outlive
// the session (the choice looks at whether it is encrypted); server is copied.
session_options session_options_for(const config::server_config& server,
                                    const net::byte_stream& stream, const secret_string& secret);

// True for errors worth a retry later (exit 75): the session's transient RESP-CODEs and
// transient network trouble.
[[nodiscard]] bool is_transient_failure(std::error_code ec) noexcept;

class client {
public:
    client(net::byte_stream& stream, session_options options, std::string account);

    // Greeting, CAPA, STLS, login, CAPA: until the session is ready.
    boost::asio::awaitable<std::error_code> open();
    // Queues a command (session_fsm::submit); run() sends it.
    std::error_code submit(command cmd, session_fsm::completion done = {},
                           message_sink* sink = nullptr);
    // Performs the session's actions until nothing is due (idle) or the session is done.
    boost::asio::awaitable<std::error_code> run();
    // submit + run, with the response in out.
    boost::asio::awaitable<std::error_code> call(command cmd, response& out,
                                                 message_sink* sink = nullptr);
    // QUIT: commits DELE. No error means the deletions are done.
    boost::asio::awaitable<std::error_code> quit();
    // Makes run() stop before its next action with ec and closes the stream without QUIT (so
    // nothing is deleted); for a sink that cannot store what it receives. The first ec wins.
    void abort(std::error_code ec, std::string diagnostics);

    [[nodiscard]] session_fsm& session() noexcept { return fsm_; }
    [[nodiscard]] const std::string& diagnostics() const noexcept { return diagnostics_; }

private:
    void trace_written(std::string_view bytes, bool sensitive) const;
    void trace_read(std::string_view bytes) const;
    std::error_code finish(std::error_code ec, std::string diagnostics);

    net::byte_stream& stream_;
    session_fsm fsm_;
    std::string account_;
    std::error_code error_;
    std::string diagnostics_;
};

} // namespace postfach::pop3
