#pragma once
// Errors of the transport: connecting, TLS, reading and writing. Each has its own code so that
// callers can grade them (a timeout or a closed connection: reconnect with backoff; a
// certificate problem: stop the account and tell the user). The transport's diagnostics()
// carries the details (host, address, OpenSSL's reason).

#include <system_error>

namespace postfach::net {

enum class net_errc {
    resolve_failed = 1,        // the host name does not resolve
    connect_failed,            // every address refused or was unreachable
    connect_timeout,           // no address answered within the connect timeout
    read_timeout,              // the server sent nothing within the read timeout
    write_timeout,             // the server did not take our data within the write timeout
    connection_closed,         // the server closed the connection
    line_too_long,             // a line exceeded the transport's line limit
    tls_handshake_failed,      // TLS could not be negotiated (protocol, cipher, alert, ...)
    certificate_verify_failed, // the certificate is not trusted for the configured host name
    ca_file_unreadable,        // ca_file cannot be loaded
    starttls_injection,        // bytes arrived after the STARTTLS answer, before the handshake
    tls_already_active,        // start_tls() on a connection that already uses TLS
    not_connected,             // an operation on a transport that is not (or no more) connected
};

const std::error_category& net_category() noexcept;

// True for failures worth retrying later with the same configuration (exit code 75, reconnect
// with backoff): resolution, refused or timed-out connections, timeouts, closed connections, and
// system socket errors. False for what the user must fix: certificate and TLS setup problems,
// ca_file, STARTTLS injection (an attack or a broken middlebox), and errors of other categories.
[[nodiscard]] bool is_transient(const std::error_code& ec) noexcept;
std::error_code make_error_code(net_errc e) noexcept;

} // namespace postfach::net

template <>
struct std::is_error_code_enum<postfach::net::net_errc> : std::true_type {};
