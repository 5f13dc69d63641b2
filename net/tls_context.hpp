#pragma once
// OpenSSL settings for every postfach connection, in one place:
//  - TLS 1.2 or newer;
//  - the peer certificate is verified against ca_file when configured, else the system trust
//    store; the only way around it is `verify` false, which a server block's explicit
//    `tls_verify: false` gives (the transport then warns on every connection);
//  - the certificate must match the configured host name (or IP address), checked by OpenSSL
//    during the handshake, and SNI names that host.

#include "net/tls_session_info.hpp"

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <openssl/ssl.h>
#include <optional>
#include <string>
#include <system_error>

namespace postfach::net {

// Fills context for a client connection. On failure (ca_file unreadable) returns
// net_errc::ca_file_unreadable and explains in diagnostics. verify false: no certificate check
// at all (SNI is still sent).
std::error_code configure_tls_client(boost::asio::ssl::context& context,
                                     const std::optional<std::filesystem::path>& ca_file,
                                     std::string& diagnostics, bool verify = true);

// Per connection, before the handshake: SNI (for names, not IP addresses) and the name or
// address the certificate must match.
std::error_code expect_peer_name(SSL* ssl, const std::string& host, std::string& diagnostics);

// Per connection: keeps OpenSSL's record buffers for the connection's lifetime. Asio's stream
// sets SSL_MODE_RELEASE_BUFFERS, which frees the read buffer after every record and allocates
// it again for the next (a 16 KB malloc and free per ~4 KB record of a download). Costs about
// 34 KB per open connection; changes nothing about what is verified or sent.
void keep_record_buffers(SSL* ssl);

// After a failed handshake: certificate_verify_failed with OpenSSL's reason ("certificate has
// expired", "hostname mismatch", "self-signed certificate", ...) when verification failed,
// else tls_handshake_failed with the handshake error.
std::error_code classify_handshake_failure(SSL* ssl, const std::error_code& handshake_error,
                                           const std::string& host, std::string& diagnostics);

// After a successful handshake.
tls_session_info describe_tls_session(SSL* ssl);

} // namespace postfach::net
