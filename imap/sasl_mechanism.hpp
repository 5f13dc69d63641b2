#pragma once
// The client side of one SASL mechanism (RFC 4422), as the IMAP session drives it. Implemented in
// net/ (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER); the session only frames the bytes for IMAP
// (AUTHENTICATE, base64, SASL-IR, "*" to cancel).
//
// Contract: one object per authentication attempt. All data is raw bytes: the session
// base64-decodes challenges before step() and base64-encodes what it returns.

#include "util/secret.hpp"

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
    // nullopt when the server speaks first (LOGIN). Called at most once per attempt.
    virtual std::optional<secret_string> initial_response() = 0;

    // The response to a server challenge. An error makes the session cancel the exchange ("*")
    // and fail with that error.
    virtual std::error_code step(std::string_view challenge, secret_string& response) = 0;
};

} // namespace postfach::imap
