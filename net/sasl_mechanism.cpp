#include "net/sasl_mechanism.hpp"

#include "net/sasl_bearer.hpp"
#include "net/sasl_errc.hpp"
#include "net/sasl_login.hpp"
#include "net/sasl_plain.hpp"

namespace postfach::net {

std::optional<secret_string> client_first_mechanism::initial_response() {
    initial_sent_ = true;
    return make_initial_response();
}

std::error_code client_first_mechanism::step(std::string_view challenge, secret_string& response) {
    if (!initial_sent_ && challenge.empty()) {
        initial_sent_ = true;
        response = make_initial_response();
        return {};
    }
    return on_challenge(challenge, response);
}

std::error_code client_first_mechanism::on_challenge(std::string_view, secret_string&) {
    return sasl_errc::unexpected_challenge;
}

sasl_credentials sasl_credentials_for(const config::server_config& server, secret_string secret) {
    sasl_credentials credentials;
    credentials.user = server.user;
    credentials.secret = std::move(secret);
    credentials.host = server.host;
    credentials.port = server.port;
    return credentials;
}

std::unique_ptr<sasl_mechanism> make_sasl_mechanism(config::auth_mechanism mechanism,
                                                    sasl_credentials credentials) {
    switch (mechanism) {
    case config::auth_mechanism::plain:
        return std::make_unique<sasl_plain>(std::move(credentials));
    case config::auth_mechanism::login:
        return std::make_unique<sasl_login>(std::move(credentials));
    case config::auth_mechanism::xoauth2:
        return std::make_unique<sasl_xoauth2>(std::move(credentials));
    case config::auth_mechanism::oauthbearer:
        return std::make_unique<sasl_oauthbearer>(std::move(credentials));
    }
    return nullptr;
}

} // namespace postfach::net
