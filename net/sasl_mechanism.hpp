#pragma once
// SASL client mechanisms (RFC 4422): the interface is util::sasl_mechanism (shared with the
// sans-IO imap/ session, see its contract); here are the credentials they use and the factory.

#include "config/config.hpp"
#include "util/sasl_mechanism.hpp"
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

using util::sasl_mechanism;

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
