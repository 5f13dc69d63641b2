#pragma once
// OAuth 2.0 bearer token mechanisms: XOAUTH2 (Google/Microsoft) and OAUTHBEARER (RFC 7628).
// Both send the token in the initial response. A rejected token comes back as one error
// challenge (base64 JSON, e.g. {"status":"invalid_token",...}); the client must answer it
// (XOAUTH2: empty, OAUTHBEARER: a single ^A, RFC 7628 §3.2.3) so that the server ends the
// exchange with a tagged NO / -ERR. The challenge is kept in server_error() for the message.

#include "net/sasl_mechanism.hpp"

namespace postfach::net {

class bearer_token_mechanism : public client_first_mechanism {
public:
    explicit bearer_token_mechanism(sasl_credentials credentials)
        : credentials_(std::move(credentials)) {}

protected:
    std::error_code on_challenge(std::string_view challenge, secret_string& response) override;
    // What the client answers to the error challenge.
    [[nodiscard]] virtual std::string_view error_acknowledgement() const = 0;

    sasl_credentials credentials_;

private:
    bool error_seen_ = false;
};

class sasl_xoauth2 final : public bearer_token_mechanism {
public:
    using bearer_token_mechanism::bearer_token_mechanism;
    [[nodiscard]] std::string_view name() const override { return "XOAUTH2"; }

protected:
    [[nodiscard]] secret_string make_initial_response() const override;
    [[nodiscard]] std::string_view error_acknowledgement() const override { return ""; }
};

class sasl_oauthbearer final : public bearer_token_mechanism {
public:
    using bearer_token_mechanism::bearer_token_mechanism;
    [[nodiscard]] std::string_view name() const override { return "OAUTHBEARER"; }

protected:
    [[nodiscard]] secret_string make_initial_response() const override;
    [[nodiscard]] std::string_view error_acknowledgement() const override { return "\x01"; }
};

} // namespace postfach::net
