#pragma once
// An IMAP connection for one server block of the config: resolves the secret (an
// oauth2_token_command runs again on every open()), connects, starts TLS (implicit, or STARTTLS
// through the session), authenticates with the mechanism net/'s chooser picks from what the
// server offers, the block's `auth` and the kind of secret, and ends ready for commands.
//
// Contract: one coroutine at a time on the executor; open() once; after a failure,
// failed_step() and diagnostics() say where and why, and the connection is closed.

#include "config/config.hpp"
#include "imap/client_session.hpp"
#include "net/credential_source.hpp"
#include "net/sasl_mechanism.hpp"
#include "net/transport.hpp"
#include "util/secret.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

namespace postfach::imap {

enum class connection_step {
    credentials,    // resolving the secret (password_file, password_command, token command)
    connect,        // name resolution and TCP connect
    tls,            // the implicit TLS handshake
    greeting,       // greeting and capabilities before login
    starttls,       // STARTTLS and its handshake
    authentication, // choosing a mechanism and logging in
    ready,          // logged in; a later command failed
};

struct connection_options {
    std::string trace_name; // prefix of protocol trace lines: the account name
    net::transport_options transport;
    net::credential_options credentials;
};

// The transport options of the server block (host, port, ca_file, default timeouts).
connection_options connection_options_for(const config::server_config& server,
                                          std::string trace_name);

class connection {
public:
    connection(boost::asio::any_io_executor executor, config::server_config server,
               connection_options options);
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    boost::asio::awaitable<std::error_code> open();
    // LOGOUT and close (client_session::logout).
    boost::asio::awaitable<std::error_code> logout(logout_wait wait = logout_wait::for_answer);

    [[nodiscard]] connection_step failed_step() const noexcept { return failed_step_; }
    // Why open() or a command failed; never contains the secret.
    [[nodiscard]] const std::string& diagnostics() const noexcept { return diagnostics_; }
    net::transport& transport() noexcept { return transport_; }
    // Exists once open() got past the connect (and implicit TLS).
    client_session& session() { return *session_; }
    // "AUTHENTICATE PLAIN", "LOGIN", "PREAUTH" once authenticated.
    [[nodiscard]] std::string authentication_method() const;

private:
    std::error_code choose_mechanism(const capability_set& capabilities,
                                     util::sasl_mechanism*& chosen, std::string& diagnostics);
    std::error_code fail(connection_step step, std::error_code ec, std::string diagnostics);
    session_options make_session_options();

    config::server_config server_;
    connection_options options_;
    net::transport transport_;
    secret_string secret_;
    std::unique_ptr<util::sasl_mechanism> mechanism_;
    std::optional<client_session> session_;
    connection_step failed_step_ = connection_step::credentials;
    std::string diagnostics_;
};

} // namespace postfach::imap
