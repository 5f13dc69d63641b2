#pragma once
// The client side of one SASL mechanism (RFC 4422), sans-IO: it turns decoded challenges into
// responses and knows nothing of IMAP or POP3 framing. The mechanisms live in net/ (PLAIN,
// LOGIN, XOAUTH2, OAUTHBEARER); the protocol sessions (imap/ session_fsm, net/ sasl_exchange)
// drive them through this interface, which is here so that sans-IO imap/ needs no Asio.
//
// Contract for the caller:
//  - One object per authentication attempt. All data is raw bytes: the protocol layer
//    base64-decodes challenges before step() and base64-encodes what it returns.
//  - If the protocol can send an initial response with the command (IMAP SASL-IR, POP3 AUTH
//    with an argument), call initial_response() once before sending; a value means "send this",
//    nullopt means "send the command without one".
//  - Otherwise do not call initial_response(); the server answers the bare command with an
//    empty challenge, and step("") then returns the initial response (RFC 4422 §5).
//  - Call step() for every further challenge. An error means: cancel the exchange ("*").
//  - Every response carries credentials: never log it (trace it as sensitive).
//  - After a failed exchange, server_error() holds the server's error challenge (bearer token
//    mechanisms), as received: untrusted text to quote, never to interpret.

#include "util/secret.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace postfach::util {

class sasl_mechanism {
public:
    virtual ~sasl_mechanism() = default;

    // The IANA name, as sent in AUTHENTICATE / AUTH and matched against AUTH=...: "PLAIN",
    // "LOGIN", "XOAUTH2", "OAUTHBEARER".
    [[nodiscard]] virtual std::string_view name() const = 0;
    virtual std::optional<secret_string> initial_response() = 0;
    virtual std::error_code step(std::string_view challenge, secret_string& response) = 0;

    [[nodiscard]] const std::string& server_error() const noexcept { return server_error_; }

protected:
    std::string server_error_;
};

} // namespace postfach::util
