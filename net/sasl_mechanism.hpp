#pragma once
// A SASL client mechanism (RFC 4422), sans-IO: it turns decoded challenges into responses and
// knows nothing of IMAP or POP3 framing. The protocol layer base64-encodes responses, decodes
// challenges, and sends AUTHENTICATE / AUTH.
//
// Contract for the caller:
//  - If the protocol can send an initial response with the command (IMAP SASL-IR, POP3 AUTH
//    with an argument), call initial_response() once before sending; a value means "send this",
//    nullopt means "send the command without one".
//  - Otherwise do not call initial_response(); the server answers the bare command with an
//    empty challenge, and step("") then returns the initial response (RFC 4422 §5).
//  - Call step() for every further challenge. An error means: cancel the exchange ("*").
//  - Every response carries credentials: never log it (trace it as sensitive).
//  - After a failed exchange, server_error() holds the server's error challenge (bearer token
//    mechanisms), as received: untrusted text to quote, never to interpret.

#include "config/config.hpp"
#include "util/secret.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace postfach::net {

struct sasl_credentials {
    std::string user;     // authentication identity (authcid); for XOAUTH2 the mailbox address
    std::string authzid;  // authorisation identity; empty: the same as user
    secret_string secret; // password, or OAuth2 access token
    std::string host;     // the server, for OAUTHBEARER's host= and port=
    std::uint16_t port = 0;
};

class sasl_mechanism {
public:
    virtual ~sasl_mechanism() = default;

    // The IANA name, as sent in AUTHENTICATE: "PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER".
    [[nodiscard]] virtual std::string_view name() const = 0;
    virtual std::optional<secret_string> initial_response() = 0;
    virtual std::error_code step(std::string_view challenge, secret_string& response) = 0;

    [[nodiscard]] const std::string& server_error() const noexcept { return server_error_; }

protected:
    std::string server_error_;
};

// Client-first mechanisms (PLAIN, XOAUTH2, OAUTHBEARER): everything is in the initial response;
// this base implements the initial-response contract once for all of them.
class client_first_mechanism : public sasl_mechanism {
public:
    std::optional<secret_string> initial_response() final;
    std::error_code step(std::string_view challenge, secret_string& response) final;

protected:
    [[nodiscard]] virtual secret_string make_initial_response() const = 0;
    // A challenge after the initial response was sent. Default: unexpected_challenge.
    virtual std::error_code on_challenge(std::string_view challenge, secret_string& response);

private:
    bool initial_sent_ = false;
};

// user, host and port of a server block, with the secret resolved from its secret_source.
sasl_credentials sasl_credentials_for(const config::server_config& server, secret_string secret);

std::unique_ptr<sasl_mechanism> make_sasl_mechanism(config::auth_mechanism mechanism,
                                                    sasl_credentials credentials);

} // namespace postfach::net
