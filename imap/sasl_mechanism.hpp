#pragma once
// The client side of one SASL mechanism (RFC 4422), as the IMAP session drives it. Implemented in
// net/ (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER); the session only frames the bytes for IMAP
// (AUTHENTICATE, base64, SASL-IR, "*" to cancel).
//
// Contract (the same as net/'s mechanisms, so they can implement it directly):
//  - One object per authentication attempt. All data is raw bytes: the session base64-decodes
//    challenges before step() and base64-encodes what it returns.
//  - When the server offers SASL-IR, the session calls initial_response() once and sends a value
//    with AUTHENTICATE; nullopt means AUTHENTICATE without one.
//  - Without SASL-IR it never calls initial_response(): the server answers the bare command with
//    an empty challenge, and step("") returns the initial response (RFC 4422 §5).
//  - step() for every further challenge; an error makes the session cancel with "*" and fail.

#include <optional>
#include <string_view>
#include <system_error>

namespace postfach::imap {

class sasl_mechanism {
public:
    virtual ~sasl_mechanism() = default;

    // The IANA name as sent in AUTHENTICATE and matched against AUTH=... ("PLAIN").
    [[nodiscard]] virtual std::string_view name() const = 0;

    // The client's first response for client-first mechanisms (PLAIN, XOAUTH2, OAUTHBEARER), or
    // nullopt when the server speaks first (LOGIN). Only with SASL-IR; at most once.
    virtual std::optional<secret_string> initial_response() = 0;

    // The response to a server challenge (empty for the first one without SASL-IR).
    virtual std::error_code step(std::string_view challenge, secret_string& response) = 0;
};

} // namespace postfach::imap
